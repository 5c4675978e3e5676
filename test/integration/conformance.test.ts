// The built-in conformance suites: clean against the reference server, and each suite catches
// the bugs of its field, reported at its own item in `conformance:`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Misbehaviour } from '../../reference/index.ts';
import { failing, leftOnServer, runSpecFile, withServer } from './helpers.ts';

const FIXTURE = 'test/integration/fixtures/conformance.provspec.yaml';
const ITEM_LINE = 11;

describe('conformance suites', () => {
  it('pass against a correct server and leave nothing behind', async () => {
    await withServer([], async (server) => {
      const result = await runSpecFile(FIXTURE, server);
      assert.deepEqual(failing(result), []);
      assert.deepEqual(result.scenarios.map((s) => `${s.section}.${s.name}`).sort(), [
        'conformance.entra',
        'conformance.okta',
        'conformance.rfc7644',
      ]);
      assert.ok(result.scenarios.every((s) => s.checks.length >= 20));
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
    });
  });

  // [flag, suite, check, verdict]: a SHOULD (the media type) warns, a MUST fails; a check whose
  // request the server refused the same way as an earlier one is blocked by that first refusal.
  const cases: Array<[Misbehaviour, string, string, 'fail' | 'warn' | 'blocked']> = [
    ['no-scimtype-on-409', 'rfc7644', 'uniqueness.scim-type', 'fail'],
    ['case-sensitive-username', 'rfc7644', 'filter.case-insensitive-username', 'fail'],
    ['no-location', 'rfc7644', 'create.location', 'fail'],
    // Entra's published create example has no Location: tolerated under the entra profile.
    ['no-location', 'entra', '1-provision.created.location', 'warn'],
    ['wrong-content-type', 'rfc7644', 'service-provider-config.media-type', 'warn'],
    ['delete-returns-200', 'rfc7644', 'delete', 'fail'],
    ['reject-string-booleans', 'entra', '3-deactivate.deactivated', 'fail'],
    ['ignore-pathless-patch', 'okta', '3-deactivate.active', 'fail'],
    ['ignore-pathless-patch', 'okta', 'group-push.renamed', 'blocked'],
    ['case-sensitive-op', 'entra', '2-update.updated', 'fail'],
    ['case-sensitive-op', 'entra', 'group-push.rename', 'blocked'],
  ];
  for (const [flag, suite, check, verdict] of cases) {
    it(`${suite} catches ${flag} (${check}: ${verdict})`, async () => {
      await withServer([flag], async (server) => {
        const result = await runSpecFile(FIXTURE, server);
        const all = result.scenarios.flatMap((s) => s.checks.map((c) => ({ scenario: s.name, ...c })));
        const hit = all.find((c) => c.scenario === suite && c.id === check);
        assert.ok(
          hit,
          `no ${suite} ${check}; not passed: ` +
            `${JSON.stringify(all.filter((c) => c.status !== 'pass').map((c) => `${c.scenario} ${c.id} ${c.status}`))}`,
        );
        assert.equal(hit.status, verdict, hit.message);
        assert.equal(hit.range.start.line + 1, ITEM_LINE);
        if (verdict === 'blocked') assert.ok(hit.blockedBy, 'says what blocked it');
        // One defect, one failure per suite.
        for (const scenario of result.scenarios)
          assert.ok(
            scenario.checks.filter((c) => c.status === 'fail' || c.status === 'error').length <= 1,
            `${scenario.name}: ${failing(result)
              .filter((f) => f.scenario === scenario.name)
              .map((f) => f.id)
              .join(', ')}`,
          );
        assert.deepEqual(result.orphans, []);
      });
    });
  }
});
