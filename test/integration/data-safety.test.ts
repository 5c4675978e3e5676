// The data-safety example against the reference server: a correct server passes every scenario
// (under each legal variant too), and each data-loss bug fails exactly its check, at its line,
// with the rest of the run passing or blocked by it. Whatever happens, nothing is left behind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Misbehaviour } from '../../reference/index.ts';
import { DIALECTS } from '../../core/spec/types.ts';
import { ROOT, failing, leftOnServer, runSpecFile, withServer } from './helpers.ts';

const EXAMPLE = 'examples/data-safety.provspec.yaml';
const lines = readFileSync(path.join(ROOT, EXAMPLE), 'utf8').split('\n');

/** The 1-based line of the first line holding `text` after the line holding `after`. */
function lineOf(text: string, after: string): number {
  const start = lines.findIndex((l) => l.includes(after));
  const index = lines.findIndex((l, i) => i > start && l.includes(text));
  assert.ok(start >= 0 && index >= 0, `${EXAMPLE} has "${text}" after "${after}"`);
  return index + 1;
}

/** Each data-loss flag: the one scenario, rule and spec line it must fail. */
export const DATA_SAFETY_CASES: ReadonlyArray<{ flag: Misbehaviour; scenario: string; rule: string; line: number }> = [
  {
    flag: 'retry-creates-duplicate',
    scenario: 'duplicate-delivery',
    rule: 'delivery.repeat',
    line: lineOf('duplicate: true', 'duplicate-delivery:'),
  },
  {
    flag: 'reorder-loses-update',
    scenario: 'update-overtakes-create',
    rule: 'delivery.reorder',
    line: lineOf('- reorder:', 'update-overtakes-create:'),
  },
  { flag: 'delete-keeps-unique-values', scenario: 'leaver-deleted', rule: 'rehire.create', line: lineOf('- rehire:', 'leaver-deleted:') },
  { flag: 'deactivate-clears-attributes', scenario: 'leaver-kept', rule: 'offboarding.keep', line: lineOf('keep: [', 'offboarding:') },
  {
    flag: 'patch-not-atomic',
    scenario: 'half-applied-update',
    rule: 'patch.atomic',
    line: lineOf('- atomic-update:', 'half-applied-update:'),
  },
];

describe('the data-safety example', () => {
  it('passes on a correct server and leaves nothing behind', async () => {
    await withServer([], async (server) => {
      const result = await runSpecFile(EXAMPLE, server);
      assert.deepEqual(failing(result), []);
      assert.equal(result.status, 'pass');
      const checks = result.scenarios.flatMap((s) => s.checks);
      // Every kind of data-safety check was made, and held.
      for (const rule of [
        'delivery.repeat',
        'delivery.repeat.answer',
        'delivery.reorder',
        'offboarding.keep',
        'rehire.create',
        'rehire.access',
        'patch.atomic',
      ])
        assert.ok(
          checks.some((c) => c.rule === rule && c.status === 'pass'),
          `a passing ${rule} check`,
        );
      assert.deepEqual(result.orphans, []);
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
    });
  });

  it('every write step survives every delivery fault on a correct server, in every dialect', async () => {
    await withServer([], async (server) => {
      for (const dialect of DIALECTS) {
        const result = await runSpecFile('test/integration/fixtures/delivery-faults.provspec.yaml', server, { dialect });
        assert.deepEqual(failing(result), [], dialect);
        const faults = result.scenarios.flatMap((s) => s.checks).filter((c) => c.rule.startsWith('delivery.'));
        assert.ok(faults.length >= 10 && faults.every((c) => c.status === 'pass'), `${dialect}: ${faults.length} delivery checks passed`);
        assert.deepEqual(result.orphans, []);
      }
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
    });
  });

  for (const { flag, scenario, rule, line } of DATA_SAFETY_CASES) {
    it(`${flag} fails ${rule} at line ${line}, and nothing else`, async () => {
      await withServer([flag], async (server) => {
        const result = await runSpecFile(EXAMPLE, server);
        const all = result.scenarios.flatMap((s) => s.checks.map((c) => ({ scenario: s.name, ...c })));
        const failed = all.filter((c) => c.status === 'fail' || c.status === 'error' || c.status === 'warn');
        assert.deepEqual(
          failed.map((c) => ({ scenario: c.scenario, rule: c.rule, line: c.range.start.line + 1 })),
          [{ scenario, rule, line }],
          JSON.stringify(
            failed.map((c) => `${c.scenario} › ${c.id}: ${c.message}`),
            null,
            1,
          ),
        );
        assert.ok(failed[0]!.evidence.length > 0 || rule === 'offboarding.keep', 'the failure carries its exchanges');
        for (const blocked of all.filter((c) => c.status === 'blocked')) assert.equal(blocked.blockedBy, failed[0]!.id);
        assert.deepEqual(result.orphans, [], 'cleanup removed everything, the duplicate too');
        assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
      });
    });
  }
});
