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

/** Lines marked `# fails: FLAG` (or `# warns: FLAG`) in the fixture. */
function markedLines(flag: string, mark: 'fails' | 'warns'): number[] {
  return readFileSync(path.join(ROOT, FIXTURE), 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      const match = new RegExp(`# ${mark}: ([^#]+)`).exec(line);
      return match &&
        match[1]!
          .split(',')
          .map((s) => s.trim())
          .includes(flag)
        ? [i + 1]
        : [];
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

// The flags this fixture marks; the rest are proven on the conformance suites (conformance.test.ts),
// which also checks that between the two every flag is proven somewhere.
export const MARKED = MISBEHAVIOURS.filter((m) => m !== 'flaky' && markedLines(m, 'fails').length + markedLines(m, 'warns').length > 0);

describe('each misbehaviour fails the check at its marked spec line', () => {
  for (const flag of MARKED) {
    it(flag, async () => {
      const fails = markedLines(flag, 'fails');
      const warns = markedLines(flag, 'warns');
      assert.ok(fails.length + warns.length > 0, `the fixture marks no line for ${flag}`);
      await withServer(
        [flag as Misbehaviour],
        async (server) => {
          const result = await runSpecFile(FIXTURE, server);
          const failures = failing(result);
          const warnings = result.scenarios.flatMap((s) =>
            s.checks.filter((c) => c.status === 'warn').map((c) => ({ scenario: s.name, id: c.id, line: c.range.start.line + 1 })),
          );
          for (const line of fails)
            assert.ok(
              failures.some((f) => f.line === line),
              `no failing check at line ${line} for ${flag}; failures: ${JSON.stringify(failures, null, 1)}`,
            );
          for (const line of warns)
            assert.ok(
              warnings.some((w) => w.line === line),
              `no warning at line ${line} for ${flag}; warnings: ${JSON.stringify(warnings, null, 1)}`,
            );
          // One defect, one finding: nothing fails or warns anywhere else…
          for (const f of failures)
            assert.ok(fails.includes(f.line), `${flag} also failed ${f.scenario} › ${f.id} at unmarked line ${f.line}: ${f.message}`);
          for (const w of warnings)
            assert.ok(warns.includes(w.line), `${flag} also warned ${w.scenario} › ${w.id} at unmarked line ${w.line}`);
          // …and no scenario fails twice: what depends on the failure is blocked, pointing at it.
          for (const scenario of result.scenarios) {
            const failed = scenario.checks.filter((c) => c.status === 'fail' || c.status === 'error');
            assert.ok(
              failed.length <= 1,
              `${flag}: ${scenario.name} has ${failed.length} failing checks: ${failed.map((c) => c.id).join(', ')}`,
            );
            for (const blocked of scenario.checks.filter((c) => c.status === 'blocked')) {
              assert.ok(blocked.blockedBy, `${scenario.name} › ${blocked.id} says what blocked it`);
            }
          }
          assert.deepEqual(result.orphans, [], 'cleanup removed everything');
          assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
        },
        { slowMs: 150 },
      );
    });
  }

  it('flaky: 429s are retried after Retry-After, 500s fail checks with evidence, cleanup still removes everything', async () => {
    await withServer(['flaky'], async (server) => {
      const exchanges: Array<{ status?: number; attempt?: number }> = [];
      const result = await runSpecFile(
        FIXTURE,
        server,
        { scenarios: ['entra-joiner', 'plain-leaver'] },
        { onExchange: (e) => exchanges.push(e) },
      );
      assert.ok(
        exchanges.some((e) => e.status === 429),
        'the server answered 429 at least once',
      );
      assert.ok(
        exchanges.some((e) => (e.attempt ?? 1) > 1 && e.status !== 429),
        'a 429 was retried and the retry got through',
      );
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
