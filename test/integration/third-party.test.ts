// Every shipped example, in every dialect, against a third-party SCIM implementation: SCIMMY
// (scimmy@1.3.5 + scimmy-routers@1.3.2 on express 4, with the in-memory store of
// fixtures/scimmy-server.ts). The run must survive a real server that is not ours, report the
// library's real deviations as located failures, and clean up after itself.
//
// Deviations observed (2026-11) and where provspec reports them, per dialect. Lines are spec
// lines of the failing check; Q = examples/quickstart.provspec.yaml, E = examples/entra.provspec.yaml,
// O = examples/okta.provspec.json; "conf" = the conformance suites, reported at their item on E:125 / O:86.
//
//  # | SCIMMY deviation                              | rfc7644, entra-2020          | entra                          | okta, okta-wizard
// ---+-----------------------------------------------+------------------------------+--------------------------------+------------------------------
//  1 | 201 Created has no Location header            | provision steps Q54,60,67; E75,84,90,104; O49,54,63; conf entra|okta 1-provision.created.location — every dialect
//  2 | PATCH {"op":"Replace","path":"active",        | conf entra 3-deactivate      | leaver 2-deactivate.deactivated | as rfc7644
//    |  "value":"False"} (Entra's string booleans)   |  .deactivated, 4-reactivate  |  Q68 E91 O64 (400 invalidValue);|
//    |  → 400 invalidValue                           |  .reactivated                |  knock-on: 3-expect.active      |
//    |                                               |                              |  Q69 E92 O65, 4-reactivate      |
//    |                                               |                              |  .reactivated Q70 O66, E98      |
//    |                                               |                              |  downstream probe still 200     |
//  3 | userName eq is case-sensitive though the      | E91,92 O64,65 findable;      | E92 O65 findable (no deactivate | as rfc7644, plus E99
//    |  schema says caseExact:false (E and O map     |  O79 one-user; conf rfc7644  |  findable: it failed first);    |  5-deprovision.findable
//    |  userName compare: case-insensitive, so       |  filter.case-insensitive-    |  O79; conf as rfc7644           |  (Okta deactivates)
//    |  provspec filters in upper case; Q does not)  |  username; conf okta 3-deactivate.findable, 5-deprovision.findable
//  4 | filter "userName eq" (no value) → 200, not 400| conf rfc7644 filter.invalid — every dialect (E, O)
//  5 | malformed JSON → 400 application/json, no     | E116 negative malformed-json media-type + scim-error; conf rfc7644 malformed-json.scim-type
//    |  scimType (express's body-parser error)       |  — every dialect
//
// Seen but not checked by provspec (pinned by the last test so a library change shows): a weak
// ETag on every response although /ServiceProviderConfig says etag unsupported; meta.location
// relative ("/scim/v2/Users/<id>") unless SCIMMYRouters is given a baseUri.
//
// The 15 runs go concurrently: the entra run of E waits out its 30 s `eventually` (the user is
// never deactivated), and nothing else needs to wait for it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DIALECTS, type Dialect } from '../../core/spec/types.ts';
import type { CheckResult, SpecResult } from '../../core/run/result.ts';
import { ROOT, runSpecFile } from './helpers.ts';
import { startDownstreamApp } from './fixtures/downstream-app.ts';
import { startScimmyServer, type ScimmyServer } from './fixtures/scimmy-server.ts';

const Q = 'examples/quickstart.provspec.yaml';
const E = 'examples/entra.provspec.yaml';
const O = 'examples/okta.provspec.json';

/** `section/scenario check-id Lline status` for every failing check, per example and dialect. */
const loc = (scenario: string, line: number) => `${scenario} 1-provision.created.location L${line} fail`;

const quickstart = [loc('lifecycle/joiner', 54), loc('lifecycle/mover', 60), loc('lifecycle/leaver', 67)];

const entraConformance = [
  'conformance/rfc7644 filter.case-insensitive-username L125 fail',
  'conformance/rfc7644 filter.invalid L125 fail',
  'conformance/rfc7644 malformed-json.scim-type L125 fail',
  'conformance/entra 1-provision.created.location L125 fail',
  'conformance/entra 3-deactivate.deactivated L125 fail',
  'conformance/entra 4-reactivate.reactivated L125 fail',
];
const entraCommon = [
  loc('lifecycle/joiner', 75), loc('lifecycle/mover', 84), loc('lifecycle/leaver', 90), loc('lifecycle/group-member-remove', 104),
  'negative/malformed-json media-type L116 fail',
  'negative/malformed-json scim-error L116 fail',
  ...entraConformance,
];
const entraFindable = ['lifecycle/leaver 2-deactivate.findable L91 fail', 'lifecycle/leaver 3-expect.findable L92 fail'];

const oktaConformance = [
  'conformance/rfc7644 filter.case-insensitive-username L86 fail',
  'conformance/rfc7644 filter.invalid L86 fail',
  'conformance/rfc7644 malformed-json.scim-type L86 fail',
  'conformance/okta 1-provision.created.location L86 fail',
  'conformance/okta 3-deactivate.findable L86 fail',
  'conformance/okta 5-deprovision.findable L86 fail',
];
const oktaCommon = [loc('lifecycle/joiner', 49), loc('lifecycle/mover', 54), loc('lifecycle/leaver', 63), 'concurrency/duplicate-create one-user L79 fail', ...oktaConformance];
const oktaFindable = ['lifecycle/leaver 2-deactivate.findable L64 fail', 'lifecycle/leaver 3-expect.findable L65 fail'];

const EXPECTED: Record<string, Record<Dialect, string[]>> = {
  [Q]: {
    rfc7644: quickstart,
    entra: [
      ...quickstart,
      'lifecycle/leaver 2-deactivate.deactivated L68 fail',
      'lifecycle/leaver 3-expect.active L69 fail',
      'lifecycle/leaver 4-reactivate.reactivated L70 fail',
    ],
    'entra-2020': quickstart,
    okta: quickstart,
    'okta-wizard': quickstart,
  },
  [E]: {
    rfc7644: [...entraCommon, ...entraFindable],
    entra: [
      ...entraCommon,
      'lifecycle/leaver 2-deactivate.deactivated L91 fail',
      'lifecycle/leaver 3-expect.active L92 fail',
      'lifecycle/leaver 3-expect.findable L92 fail',
      'lifecycle/leaver 4-eventually.probe.status L98 fail',
    ],
    'entra-2020': [...entraCommon, ...entraFindable],
    okta: [...entraCommon, ...entraFindable, 'lifecycle/leaver 5-deprovision.findable L99 fail'],
    'okta-wizard': [...entraCommon, ...entraFindable, 'lifecycle/leaver 5-deprovision.findable L99 fail'],
  },
  [O]: {
    rfc7644: [...oktaCommon, ...oktaFindable],
    entra: [
      ...oktaCommon,
      'lifecycle/leaver 2-deactivate.deactivated L64 fail',
      'lifecycle/leaver 3-expect.active L65 fail',
      'lifecycle/leaver 3-expect.findable L65 fail',
      'lifecycle/leaver 4-reactivate.reactivated L66 fail',
    ],
    'entra-2020': [...oktaCommon, ...oktaFindable],
    okta: [...oktaCommon, ...oktaFindable],
    'okta-wizard': [...oktaCommon, ...oktaFindable],
  },
};

interface Failure {
  key: string;
  check: CheckResult;
}

function failures(result: SpecResult): Failure[] {
  return result.scenarios.flatMap((s) =>
    s.checks
      .filter((c) => c.status === 'fail' || c.status === 'error')
      .map((check) => ({ key: `${s.section}/${s.name} ${check.id} L${check.range.start.line + 1} ${check.status}`, check })),
  );
}

/** Users and groups on the SCIMMY server, asked directly (not through the runner's client). */
async function leftOn(server: ScimmyServer): Promise<{ users: unknown[]; groups: unknown[] }> {
  const list = async (what: string): Promise<unknown[]> => {
    const response = await fetch(`${server.baseUrl}/${what}?count=200`, { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(response.status, 200, `listing ${what}`);
    const body = (await response.json()) as { totalResults?: number; Resources?: unknown[] };
    assert.equal(typeof body.totalResults, 'number');
    assert.equal(body.Resources?.length ?? 0, body.totalResults, `${what}: every resource listed`);
    return body.Resources ?? [];
  };
  return { users: await list('Users'), groups: await list('Groups') };
}

function decodedUrls(check: CheckResult): string[] {
  return check.evidence.map((e) => decodeURIComponent(e.url));
}

describe('examples against SCIMMY (third-party SCIM server)', { concurrency: true }, () => {
  for (const example of [Q, E, O]) {
    const lines = readFileSync(path.join(ROOT, example), 'utf8').split('\n');
    for (const dialect of DIALECTS) {
      it(`${example} as ${dialect}`, { timeout: 90_000 }, async () => {
        const server = await startScimmyServer({ token: `scimmy-${dialect}` });
        const app = await startDownstreamApp(server.baseUrl, server.token);
        try {
          let maybe: SpecResult | undefined;
          await assert.doesNotReject(async () => {
            maybe = await runSpecFile(example, server, { dialect }, { env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token, APP_URL: app.url } });
          }, 'the run throws nothing');
          const result = maybe!;

          // The run completed: no spec-level error, every scenario ran and decided something.
          assert.equal(result.error, undefined, `spec error: ${JSON.stringify(result.error)}`);
          assert.equal(result.baseUrl.replace(/\/$/, ''), server.baseUrl);
          assert.ok(result.scenarios.length > 0);
          for (const scenario of result.scenarios) {
            assert.notEqual(scenario.status, 'skipped', `${scenario.name} ran`);
            assert.ok(scenario.checks.length > 0, `${scenario.name} made checks`);
          }
          assert.ok(result.scenarios.flatMap((s) => s.checks).filter((c) => c.status === 'pass').length > 40, 'most checks pass: SCIMMY is mostly compliant');

          // Every failing check is located on a real spec line and carries what decided it.
          const found = failures(result);
          for (const { key, check } of found) {
            assert.ok(check.status === 'fail' || check.status === 'error', key);
            assert.ok(check.message.length > 0, `${key} says why`);
            assert.ok(check.evidence.length > 0, `${key} carries evidence`);
            const line = check.range.start.line;
            assert.ok(line >= 0 && line < lines.length, `${key}: line inside ${example}`);
            assert.match(lines[line]!, /\S/, `${key}: a non-blank line`);
            assert.doesNotMatch(lines[line]!, /^\s*#/, `${key}: not a comment`);
          }

          // Precisely the known deviations — a new failure, or a vanished one, is a behaviour change.
          assert.deepEqual(found.map((f) => f.key).sort(), [...EXPECTED[example]![dialect]].sort(), 'the set of failing checks');

          // And the failures say the right thing.
          for (const { key, check } of found) {
            if (check.id.endsWith('created.location')) assert.match(check.message, /Location header/, key);
            if (/deactivate\.deactivated|reactivate\.reactivated/.test(check.id)) {
              assert.match(check.message, /\b400\b/, key);
              assert.match(check.message, /invalidValue/, key);
              const patch = check.evidence.find((e) => e.method === 'PATCH');
              assert.ok(patch, `${key}: the PATCH is in the evidence`);
              assert.equal(patch.status, 400);
              assert.match(String(patch.requestBody ?? ''), /"op":\s*"Replace"[\s\S]*"path":\s*"active"[\s\S]*"value":\s*"(False|True)"/, `${key}: Entra's string boolean was sent`);
            }
            if (/findable|one-user|case-insensitive-username/.test(check.id)) {
              // The filter went out in a different case from the stored userName, and SCIMMY matched nothing.
              const probe = check.evidence.find((e) => /filter=/.test(e.url));
              assert.ok(probe, `${key}: the filter request is in the evidence`);
              const filter = /filter=(.*)$/.exec(decodeURIComponent(probe.url))![1]!;
              assert.match(filter, /^userName eq "[^"]*[A-Z][^"]*"$/, `${key}: an upper-case userName filter (${filter})`);
              assert.equal(probe.status, 200);
              assert.equal((probe.json as { totalResults?: number } | undefined)?.totalResults, 0, `${key}: nothing found`);
            }
          }

          if (dialect === 'entra') {
            // The headline deviation: the leaver's deactivate step, at its spec line, fails on SCIMMY's 400.
            const leaver = result.scenarios.find((s) => s.section === 'lifecycle' && s.name === 'leaver');
            assert.ok(leaver);
            const deactivate = leaver.checks.find((c) => c.id === '2-deactivate.deactivated');
            assert.ok(deactivate, 'the deactivate check exists');
            assert.equal(deactivate.status, 'fail');
            assert.match(lines[deactivate.range.start.line]!, /^\s*(- deactivate|"deactivate",?)\s*$/, 'located at the leaver\'s deactivate step');
            assert.ok(deactivate.range.start.line >= leaver.range.start.line, 'inside the leaver scenario');
            assert.match(deactivate.message, /400/);
          }

          if (example === E) {
            const probe = failures(result).find((f) => f.check.id === '4-eventually.probe.status');
            if (probe) assert.ok(decodedUrls(probe.check).every((u) => u.startsWith(app.url)), 'the probe evidence is the downstream app');
          }

          // Cleanup: nothing the run created is left, as the server itself tells.
          assert.deepEqual(result.orphans, []);
          assert.deepEqual(await leftOn(server), { users: [], groups: [] });
        } finally {
          await app.close();
          await server.close();
        }
      });
    }
  }

  it('the library behaviours behind the table (raw HTTP, no runner)', async () => {
    const server = await startScimmyServer({ token: 'raw' });
    const headers = { authorization: 'Bearer raw', 'content-type': 'application/scim+json' };
    const user = (userName: string, active: unknown = true) => JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active });
    try {
      assert.equal((await fetch(`${server.baseUrl}/Users`)).status, 401, 'bearer check');

      const created = await fetch(`${server.baseUrl}/Users`, { method: 'POST', headers, body: user('Case.Sensitive@example.test') });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('location'), null, '#1 no Location');
      assert.match(created.headers.get('etag') ?? '', /^W\//, 'weak ETag from express');
      const body = (await created.json()) as { id: string; meta: { location: string } };
      assert.equal(body.meta.location, `/scim/v2/Users/${body.id}`, 'relative meta.location');

      const duplicate = await fetch(`${server.baseUrl}/Users`, { method: 'POST', headers, body: user('case.sensitive@EXAMPLE.test') });
      assert.equal(duplicate.status, 409, 'uniqueness follows the schema: caseExact false');
      assert.equal(((await duplicate.json()) as { scimType?: string }).scimType, 'uniqueness');

      const search = async (filter: string) => fetch(`${server.baseUrl}/Users?filter=${encodeURIComponent(filter)}`, { headers });
      assert.equal(((await (await search('userName eq "Case.Sensitive@example.test"')).json()) as { totalResults: number }).totalResults, 1);
      assert.equal(((await (await search('userName eq "CASE.SENSITIVE@EXAMPLE.TEST"')).json()) as { totalResults: number }).totalResults, 0, '#3 case-sensitive eq');
      assert.equal((await search('userName eq')).status, 200, '#4 invalid filter accepted');

      const patch = await fetch(`${server.baseUrl}/Users/${body.id}`, {
        method: 'PATCH', headers,
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }),
      });
      assert.equal(patch.status, 400, '#2 "False" rejected');
      assert.equal(((await patch.json()) as { scimType?: string }).scimType, 'invalidValue');

      const malformed = await fetch(`${server.baseUrl}/Users`, { method: 'POST', headers, body: '{"userName": ' });
      assert.equal(malformed.status, 400);
      assert.match(malformed.headers.get('content-type') ?? '', /^application\/json/, '#5 not application/scim+json');
      assert.equal(((await malformed.json()) as { scimType?: string }).scimType, undefined, '#5 no scimType');

      assert.equal((await fetch(`${server.baseUrl}/Users/${body.id}`, { method: 'DELETE', headers })).status, 204);
      assert.deepEqual(await leftOn(server), { users: [], groups: [] });
    } finally {
      await server.close();
    }
  });
});
