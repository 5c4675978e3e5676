// The built-in conformance suites: clean against the reference server, and each suite catches
// the bugs of its field, reported at its own item in `conformance:`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MISBEHAVIOURS, type Misbehaviour } from '../../reference/index.ts';
import { ROOT, failing, leftOnServer, runSpecFile, withServer } from './helpers.ts';
import { LOAD_CASES } from './load-cases.ts';

const FIXTURE = 'test/integration/fixtures/conformance.provspec.yaml';
const ITEM_LINE = 12;

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
  // A fifth element is the spec line when it is not the item's (a mapping line, say).
  const cases: Array<[Misbehaviour, string, string, 'fail' | 'warn' | 'blocked', number?]> = [
    ['no-scimtype-on-409', 'rfc7644', 'uniqueness.scim-type', 'fail'],
    ['case-sensitive-username', 'rfc7644', 'filter.case-insensitive-username', 'fail'],
    ['no-location', 'rfc7644', 'create.location', 'fail'],
    // Entra's published create example has no Location: tolerated under the entra profile.
    ['no-location', 'entra', '1-provision.created.location', 'warn'],
    ['no-location', 'okta', '1-provision.created.location', 'warn'],
    ['wrong-content-type', 'rfc7644', 'service-provider-config.media-type', 'warn'],
    ['wrong-content-type', 'entra', '1-provision.created.media-type', 'warn'],
    ['wrong-content-type', 'okta', '1-provision.created.media-type', 'warn'],
    ['delete-returns-200', 'rfc7644', 'delete', 'fail'],
    ['delete-returns-200', 'entra', '5-deprovision.deleted', 'fail'],
    ['reject-string-booleans', 'entra', '3-deactivate.deactivated', 'fail'],
    ['ignore-pathless-patch', 'okta', '3-deactivate.active', 'fail'],
    ['ignore-pathless-patch', 'okta', 'group-push.renamed', 'blocked'],
    ['case-sensitive-op', 'entra', '2-update.updated', 'fail'],
    ['case-sensitive-op', 'entra', 'group-push.rename', 'blocked'],
    ['case-sensitive-op', 'entra', 'members.add-50.accepted', 'blocked'],
    // Paging, over the run's own users and groups.
    ['paging-totals-wrong', 'rfc7644', 'paging.total', 'fail'],
    // A PATCH is all or nothing: what the operations before a failing one did is undone.
    ['patch-not-atomic', 'rfc7644', 'patch.atomic', 'fail'],
    // Stable pages are a SHOULD of the RFC (clients must cope), a requirement of Okta's.
    ['paging-start-index-as-page', 'rfc7644', 'paging.complete', 'warn'],
    ['paging-start-index-as-page', 'rfc7644', 'paging.start-index-below-1', 'blocked'],
    ['paging-ignores-count', 'rfc7644', 'paging.count', 'fail'],
    ['paging-ignores-count', 'rfc7644', 'paging.count-zero', 'blocked'],
    ['paging-items-per-page-wrong', 'rfc7644', 'paging.items-per-page', 'fail'],
    ['paging-start-index-unechoed', 'rfc7644', 'paging.start-index', 'fail'],
    ['paging-start-index-below-one-refused', 'rfc7644', 'paging.start-index-below-1', 'fail'],
    ['paging-count-zero-returns-page', 'rfc7644', 'paging.count-zero', 'fail'],
    // Group membership in each client's shapes, over 50+ members.
    ['big-groups-truncated', 'rfc7644', 'members.add-50', 'fail'],
    ['big-groups-truncated', 'rfc7644', 'members.replace', 'blocked'],
    ['big-groups-truncated', 'entra', 'members.add-50', 'fail'],
    ['big-groups-truncated', 'okta', 'members.put-50', 'fail'],
    ['replace-members-merges', 'rfc7644', 'members.replace', 'fail'],
    ['replace-members-merges', 'rfc7644', 'members.remove-all', 'blocked'],
    ['replace-members-merges', 'entra', 'members.replace', 'fail'],
    ['put-members-merges', 'okta', 'members.put-none', 'fail'],
    ['replace-members-merges', 'okta', 'members.replace', 'fail'],
    ['remove-member-filter-ignored', 'rfc7644', 'members.remove-one', 'fail'],
    ['remove-member-filter-ignored', 'okta', 'members.remove-one', 'fail'],
    // Entra's value-array removes are the same removal by value.
    ['remove-member-filter-ignored', 'entra', 'members.remove-one', 'fail'],
    ['remove-member-wipes-group', 'entra', 'members.remove-one', 'fail'],
    ['remove-members-needs-filter', 'rfc7644', 'members.remove-all.accepted', 'fail'],
    ['member-unknown-accepted', 'rfc7644', 'group.unknown-member', 'warn'],
    ['delete-unknown-204', 'rfc7644', 'group.deleted-again', 'fail'],
    ['delete-returns-200', 'rfc7644', 'group.delete', 'blocked'],
    // What a client reads of groups.
    ['ignores-excluded-attributes', 'rfc7644', 'projection.excluded-members', 'fail'],
    ['ignores-excluded-attributes', 'entra', 'projection.excluded-members', 'fail'],
    ['ignores-attributes', 'rfc7644', 'projection.attributes', 'fail'],
    ['ignores-attributes', 'entra', 'projection.attributes', 'fail'],
    ['group-filter-prefix', 'rfc7644', 'group-filter.display-name', 'fail'],
    ['group-filter-prefix', 'rfc7644', 'group-filter.other-case', 'blocked'],
    ['group-filter-case-sensitive', 'rfc7644', 'group-filter.other-case', 'fail'],
    ['groups-no-uniqueness', 'rfc7644', 'group.duplicate-name', 'fail'],
    // The enterprise manager.
    ['manager-dropped', 'rfc7644', 'manager.set', 'fail'],
    ['manager-dropped', 'entra', 'manager.entra-set', 'fail'],
    ['manager-empty-string', 'rfc7644', 'manager.remove', 'fail'],
    ['manager-empty-string', 'entra', 'manager.entra-remove', 'fail'],
    ['manager-bare-string-refused', 'entra', 'manager.entra-set.accepted', 'fail'],
    ['manager-bare-string-refused', 'entra', 'manager.entra-replace', 'blocked'],
    // PUT, clearing values, value paths.
    ['put-merges', 'rfc7644', 'put.replaces', 'fail'],
    ['put-creates', 'rfc7644', 'put.unknown-id', 'warn'],
    ['immutable-changed', 'rfc7644', 'user.immutable', 'fail'],
    ['null-not-cleared', 'rfc7644', 'clear.replace-null', 'fail'],
    ['remove-simple-ignored', 'rfc7644', 'clear.remove-simple', 'fail'],
    ['remove-filter-wipes', 'rfc7644', 'clear.remove-element', 'fail'],
    ['value-path-adds', 'rfc7644', 'patch.value-path-no-match', 'fail'],
    // Users beyond the lifecycle.
    ['rename-ignored', 'rfc7644', 'user.rename', 'fail'],
    ['returns-password', 'rfc7644', 'user.password', 'fail'],
    ['unknown-attribute-500', 'rfc7644', 'user.unknown-attribute', 'warn'],
    ['deleted-username-reserved', 'rfc7644', 'user.recreate', 'warn'],
    ['reject-string-booleans-on-create', 'entra', 'user.string-booleans', 'fail'],
    ['reject-string-booleans', 'entra', 'user.string-booleans', 'blocked'],
    // Discovery held to behaviour.
    ['schemas-no-group', 'rfc7644', 'discovery.group', 'warn'],
    // A mapped attribute the server does not declare warns at its mapping line.
    [
      'undeclared-department',
      'rfc7644',
      'discovery.mapped.urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
      'warn',
      11,
    ],
    ['max-results-ignored', 'rfc7644', 'discovery.max-results', 'fail'],
    ['bulk-denied-200', 'rfc7644', 'discovery.bulk-denied', 'warn'],
    ['advertises-no-patch', 'rfc7644', 'discovery.patch-denied', 'warn'],
    // Older flags, on the suites: one defect, one finding per suite.
    ['no-value-path-patch', 'rfc7644', 'members.remove-one.accepted', 'fail'],
    ['no-value-path-patch', 'rfc7644', 'clear.remove-element.accepted', 'blocked'],
    ['no-value-path-patch', 'okta', 'members.remove-one.accepted', 'fail'],
    ['hide-inactive-users', 'entra', '3-deactivate.findable', 'fail'],
    ['hide-inactive-users', 'okta', '3-deactivate.findable', 'fail'],
    ['hide-inactive-users', 'okta', '5-deprovision.findable', 'blocked'],
    ['bulk-ignores-bulkid', 'rfc7644', 'feature.bulk', 'fail'],
    ['bulk-ignores-bulkid', 'rfc7644', 'feature.bulk.fail-on-errors', 'blocked'],
    ['bulk-no-413', 'rfc7644', 'feature.bulk.max-operations', 'fail'],
    ['bulk-ignores-fail-on-errors', 'rfc7644', 'feature.bulk.fail-on-errors', 'warn'],
    ['me-404', 'rfc7644', 'feature.me', 'warn'],
    ['sort-ignored', 'rfc7644', 'feature.sort', 'fail'],
    ['search-ignores-filter', 'rfc7644', 'feature.search', 'fail'],
    ['advertises-etag-without-412', 'rfc7644', 'feature.etag.precondition', 'fail'],
    ['etag-no-304', 'rfc7644', 'feature.etag.not-modified', 'fail'],
    ['filter-gt-as-ge', 'rfc7644', 'filter.operator.gt', 'fail'],
  ];
  it('every misbehaviour is proven, here, by the load runs, the misbehaviour fixture or the data-safety example', () => {
    const fixture = readFileSync(`${ROOT}test/integration/fixtures/misbehaviours.provspec.yaml`, 'utf8');
    // Read, not imported: importing a test file would run its tests here too.
    const dataSafety = readFileSync(`${ROOT}test/integration/data-safety.test.ts`, 'utf8');
    const unproven = MISBEHAVIOURS.filter(
      (flag) =>
        flag !== 'flaky' &&
        !cases.some(([f]) => f === flag) &&
        !LOAD_CASES.some((c) => c.flags.includes(flag)) &&
        !new RegExp(`# (fails|warns): [^#\\n]*\\b${flag}\\b`).test(fixture) &&
        !dataSafety.includes(`flag: '${flag}'`),
    );
    assert.deepEqual(unproven, []);
  });

  for (const [flag, suite, check, verdict, line] of cases) {
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
        assert.equal(hit.range.start.line + 1, line ?? ITEM_LINE);
        // Nothing else fails or warns for it: the item's checks are this flag's only findings.
        const others = all.filter(
          (c) =>
            (c.status === 'fail' || c.status === 'warn' || c.status === 'error') &&
            !cases.some(([f, s, id]) => f === flag && s === c.scenario && id === c.id),
        );
        assert.deepEqual(
          others.map((c) => `${c.scenario} ${c.id} ${c.status}: ${c.message}`),
          [],
          `${flag} also made these findings`,
        );
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
