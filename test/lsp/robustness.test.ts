// Bad input never crashes or hangs the server: binary garbage, a 50,000-line file, and a spec
// typed from the top, one character at a time, with completion and hover asked at every step.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { ROOT, startClient, type LspClient } from './client.ts';

let client: LspClient;
before(async () => {
  client = await startClient();
});
after(async () => {
  await client.close();
  assert.doesNotMatch(client.stderr(), /^\s+at .+:\d+:\d+/m, 'no stack trace on stderr');
});

async function alive(): Promise<void> {
  const started = Date.now();
  const result = await client.connection.sendRequest('textDocument/documentSymbol', {
    textDocument: { uri: 'file:///none.provspec.yaml' },
  });
  assert.deepEqual(result, []);
  assert.ok(Date.now() - started < 5000);
}

describe('the server survives', () => {
  it('binary garbage', async () => {
    const uri = 'file:///garbage.provspec.yaml';
    client.open(uri, randomBytes(20_000).toString('latin1'));
    const diagnostics = await client.diagnostics(uri, 1);
    assert.ok(diagnostics.length > 0);
    await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 2 } });
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 1 } });
    await client.connection.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    await alive();
  });

  it('a 50,000-line spec: validated, outlined and completed in bounded time', async () => {
    const identities: Record<string, unknown> = {};
    const lifecycle: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) {
      identities[`u${i}`] = { email: `u${i}@example.test`, dept: i % 2 ? 'A' : 'B' };
      lifecycle[`s${i}`] = { identity: `u${i}`, steps: ['provision', { expect: { active: true } }, 'deprovision'] };
    }
    const text = stringify({
      provspec: 1,
      name: 'big',
      target: { baseUrl: 'https://scim.example.test/scim/v2', auth: { bearer: '${{ env.T }}' } },
      identities,
      mapping: { userName: '${{ identity.email }}' },
      lifecycle,
    });
    assert.ok(text.split('\n').length >= 50_000, String(text.split('\n').length));
    const uri = 'file:///big.provspec.yaml';
    const started = Date.now();
    client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, 1);
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 1),
      [],
    );
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as unknown[];
    assert.ok(symbols.length > 0);
    await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 40_000, character: 6 } });
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    await alive();
  });

  it('the quickstart typed from the top: every prefix validated, completion and hover at each step', async () => {
    const full = readFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), 'utf8');
    const uri = 'file:///typing.provspec.yaml';
    client.open(uri, '');
    await client.diagnostics(uri, 1);
    let version = 1;
    for (let end = 1; end <= full.length; end += 1) {
      const prefix = full.slice(0, end);
      version++;
      client.change(uri, version, [{ text: prefix }]);
      if (end % 7 === 0 || end === full.length) {
        const lines = prefix.split('\n');
        const position = { line: lines.length - 1, character: lines[lines.length - 1]!.length };
        await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position });
        await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
      }
    }
    const last = await client.diagnostics(uri, version);
    assert.deepEqual(
      last.filter((d) => d.severity === 1),
      [],
    );
    await alive();
  });
});
