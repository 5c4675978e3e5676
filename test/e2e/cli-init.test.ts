// `provspec init` writes a starter spec that validates clean and passes against the embedded
// server, and never overwrites a file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, provspec } from './cli.ts';

describe('provspec init', () => {
  it('writes a starter spec that validates and passes with --embedded, and refuses to overwrite it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-init-'));
    try {
      const init = await provspec(['init'], dir);
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /Wrote provisioning\.provspec\.yaml/);
      const example = readFileSync(path.join(BIN, '..', '..', 'examples', 'quickstart.provspec.yaml'), 'utf8').replace(
        /^# yaml-language-server:.*\n/,
        '',
      );
      const version = JSON.parse(readFileSync(path.join(BIN, '..', '..', 'package.json'), 'utf8')).version as string;
      assert.equal(
        readFileSync(path.join(dir, 'provisioning.provspec.yaml'), 'utf8'),
        `# yaml-language-server: $schema=https://unpkg.com/provspec@${version}/schemas/provspec.schema.json\n${example}`,
        'the starter is the quickstart example, with a modeline naming the published schema of this version',
      );
      const validate = await provspec(['validate', '.'], dir);
      assert.equal(validate.code, 0, validate.stdout);
      assert.match(validate.stdout, /✔ 1 spec valid/);
      const run = await provspec(['run', 'provisioning.provspec.yaml', '--embedded'], dir);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      writeFileSync(path.join(dir, 'provisioning.provspec.yaml'), 'mine');
      const again = await provspec(['init'], dir);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /already exists/);
      assert.equal(readFileSync(path.join(dir, 'provisioning.provspec.yaml'), 'utf8'), 'mine');
      assert.equal((await provspec(['init', 'spec.yaml'], dir)).code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
