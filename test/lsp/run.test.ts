// "Run scenario" from the editor: the provspec/run request runs the document's scenarios through
// the core runner against a real SCIM server, answers a plain-text report, and puts failing
// checks as diagnostics on the steps that failed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startReferenceServer } from '../../reference/index.ts';
import { ROOT, startClient } from './client.ts';

describe('provspec/run', () => {
  it('runs a scenario, reports it, and marks the failing step', async () => {
    const server = await startReferenceServer({ misbehave: ['delete-returns-200'] });
    const client = await startClient();
    try {
      const text = readFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), 'utf8');
      const uri = 'file:///work/run.provspec.yaml';
      client.open(uri, text);
      await client.diagnostics(uri, 1);
      const response = (await client.connection.sendRequest('provspec/run', {
        uri,
        scenarios: ['leaver'],
        env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token },
      })) as { text: string; passed: number; failed: number; errored: number };
      assert.ok(response.passed > 10);
      assert.equal(response.failed, 1);
      assert.match(response.text, /lifecycle\.leaver/);
      assert.match(response.text, /answered 200, expected 204/);
      assert.ok(!response.text.includes(server.token));
      const diagnostics = await client.diagnostics(uri, 1);
      const failing = diagnostics.find((d) => d.source === 'provspec run');
      assert.ok(failing, JSON.stringify(diagnostics));
      const line = text.split('\n').findIndex((l) => l.trim() === '- deprovision');
      assert.equal(failing.range.start.line, line);
      assert.match(String(failing.message), /expected: 204\nactual: +200/);
      // The scenario's lens says its result beside "Run scenario" (and runs it again).
      const lensTitles = async () =>
        (
          (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Array<{ command: { title: string } }>
        ).map((l) => l.command.title);
      const titles = await lensTitles();
      assert.ok(
        titles.some((t) => /^✖ 1 of \d+ failed · \d+\.\d s$/.test(t)),
        titles.join(' | '),
      );
      // An edit makes the run's findings stale: they go, and so does the lens's result.
      client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
      const after = await client.diagnostics(uri, 2);
      assert.ok(!after.some((d) => d.source === 'provspec run'));
      assert.ok(!(await lensTitles()).some((t) => t.includes('failed')));
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('sends nothing when a variable the run needs is unset: an error at its use, as diagnostics', async () => {
    let requests = 0;
    const server = await startReferenceServer({ log: () => requests++ });
    const client = await startClient();
    try {
      const text = readFileSync(path.join(ROOT, 'examples', 'entra.provspec.yaml'), 'utf8');
      const uri = 'file:///work/entra.provspec.yaml';
      client.open(uri, text);
      await client.diagnostics(uri, 1);
      const response = (await client.connection.sendRequest('provspec/run', {
        uri,
        scenarios: ['leaver'],
        env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token },
      })) as { text: string; errored: number };
      assert.match(response.text, /error unset-env: The environment variable APP_URL is not set/);
      assert.equal(response.errored, 1);
      assert.equal(requests, 0, 'nothing was sent');
      const diagnostics = await client.diagnostics(uri, 1);
      const unset = diagnostics.find((d) => d.source === 'provspec run');
      assert.equal(unset?.code, 'unset-env');
      assert.equal(
        unset.range.start.line,
        text.split('\n').findIndex((l) => l.includes('${{ env.APP_URL }}')),
      );
    } finally {
      await client.close();
      await server.close();
    }
  });
});
