// Each classic server bug, switched on in the reference server, must make the runner report a
// failing check at the spec line the fixture marks for it; with no bug, everything passes. And
// whatever happens, the run leaves nothing behind on the server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MISBEHAVIOURS, type Misbehaviour } from '../../reference/index.ts';
import { ROOT, failing, leftOnServer, runSpecFile, withServer } from './helpers.ts';

const FIXTURE = 'test/integration/fixtures/misbehaviours.provspec.yaml';

function markedLines(flag: string): number[] {
  return readFileSync(path.join(ROOT, FIXTURE), 'utf8').split('\n').flatMap((line, i) => {
    const match = /# fails: (.+)$/.exec(line);
    return match && match[1]!.split(',').map((s) => s.trim()).includes(flag) ? [i + 1] : [];
  });
}

describe('the runner against a correct reference server', () => {
  it('passes every scenario of the fixture and removes everything it created', async () => {
    await withServer([], async (server) => {
      const result = await runSpecFile(FIXTURE, server);
      assert.deepEqual(failing(result), []);
      assert.equal(result.status, 'pass');
      assert.deepEqual(result.orphans, []);
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
    });
  });
});

describe('each misbehaviour fails the check at its marked spec line', () => {
  for (const flag of MISBEHAVIOURS.filter((m) => m !== 'flaky')) {
    it(flag, async () => {
      const lines = markedLines(flag);
      assert.ok(lines.length > 0, `the fixture marks no line for ${flag}`);
      await withServer([flag as Misbehaviour], async (server) => {
        const result = await runSpecFile(FIXTURE, server);
        const failures = failing(result);
        for (const line of lines) {
          assert.ok(failures.some((f) => f.line === line), `no failing check at line ${line} for ${flag}; failures: ${JSON.stringify(failures, null, 1)}`);
        }
        assert.deepEqual(result.orphans, [], 'cleanup removed everything');
        assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
      }, { slowMs: 150 });
    });
  }

  it('flaky: 429s are retried after Retry-After, 500s fail checks with evidence, cleanup still removes everything', async () => {
    await withServer(['flaky'], async (server) => {
      const exchanges: Array<{ status?: number; attempt?: number }> = [];
      const result = await runSpecFile(FIXTURE, server, { scenarios: ['entra-joiner', 'plain-leaver'] }, { onExchange: (e) => exchanges.push(e) });
      assert.ok(exchanges.some((e) => e.status === 429), 'the server answered 429 at least once');
      assert.ok(exchanges.some((e) => (e.attempt ?? 1) > 1 && e.status !== 429), 'a 429 was retried and the retry got through');
      const failures = failing(result);
      assert.ok(failures.length > 0, 'the 500s made checks fail');
      for (const check of result.scenarios.flatMap((s) => s.checks).filter((c) => c.status === 'fail')) {
        assert.ok(check.evidence.length > 0, `${check.id} carries evidence`);
      }
      assert.deepEqual(result.orphans, []);
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
    });
  });
});
