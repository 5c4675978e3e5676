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
      assert.deepEqual(result.scenarios.map((s) => `${s.section}.${s.name}`).sort(), ['conformance.entra', 'conformance.okta', 'conformance.rfc7644']);
      assert.ok(result.scenarios.every((s) => s.checks.length >= 20));
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
    });
  });

  const cases: Array<[Misbehaviour, string, string]> = [
    ['no-scimtype-on-409', 'rfc7644', 'uniqueness.scim-type'],
    ['case-sensitive-username', 'rfc7644', 'filter.case-insensitive-username'],
    ['no-location', 'entra', '1-provision.created.location'],
    ['wrong-content-type', 'rfc7644', 'service-provider-config.media-type'],
    ['delete-returns-200', 'rfc7644', 'delete'],
    ['reject-string-booleans', 'entra', '3-deactivate.deactivated'],
    ['ignore-pathless-patch', 'okta', '3-deactivate.active'],
    ['ignore-pathless-patch', 'okta', 'group-push.renamed'],
    ['case-sensitive-op', 'entra', 'group-push.rename'],
    ['case-sensitive-op', 'entra', '2-update.updated'],
  ];
  for (const [flag, suite, check] of cases) {
    it(`${suite} catches ${flag} (${check})`, async () => {
      await withServer([flag], async (server) => {
        const result = await runSpecFile(FIXTURE, server);
        const failures = failing(result);
        const hit = failures.find((f) => f.scenario === suite && f.id === check);
        assert.ok(hit, `no failing ${suite} ${check}; failures: ${JSON.stringify(failures)}`);
        assert.equal(hit.line, ITEM_LINE);
        assert.deepEqual(result.orphans, []);
      });
    });
  }
});
