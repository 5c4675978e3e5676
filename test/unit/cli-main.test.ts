// The CLI's own failures are told apart from verdicts: an unexpected error is exit 3 with a
// one-line message (the stack only with PROVSPEC_DEBUG), never exit 1, which means "a check failed".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/main.ts';
import type { CommandIO } from '../../cli/io.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function io(env: NodeJS.ProcessEnv = {}): CommandIO & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    // stdout breaks (as a closed pipe would): nothing the command can expect.
    stdout: {
      write: () => {
        throw new Error('stdout is gone');
      },
      isTTY: false,
    } as unknown as NodeJS.WriteStream,
    stderr: { write: (text: string) => errors.push(text), isTTY: false } as unknown as NodeJS.WriteStream,
    cwd: ROOT,
    env,
    stop: new AbortController().signal,
  };
}

describe('provspec (the CLI entry)', () => {
  it('answers an internal error with exit 3 and a message, not a stack', async () => {
    const out = io();
    assert.equal(await main(['validate', 'examples/quickstart.provspec.yaml'], out), 3);
    const text = out.errors.join('');
    assert.match(text, /^provspec validate: internal error: stdout is gone\nThis is a bug in provspec; please report it/);
    assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');
  });

  it('prints the stack with PROVSPEC_DEBUG', async () => {
    const out = io({ PROVSPEC_DEBUG: '1' });
    assert.equal(await main(['validate', 'examples/quickstart.provspec.yaml'], out), 3);
    assert.match(out.errors.join(''), /\n\s+at /);
  });

  it('a command that is interrupted returns 130', async () => {
    const out = io();
    const controller = new AbortController();
    controller.abort('SIGINT');
    assert.equal(await main(['validate', 'examples/quickstart.provspec.yaml'], { ...out, stop: controller.signal }), 130);
  });
});
