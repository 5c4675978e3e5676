// The false-positive guard: behaviours RFC 7643/7644 (or the IdPs) permit and real servers show,
// switched on in the reference server one at a time and all together. Under each, every example
// in every dialect passes with no failure and no error: a check that fails here fails a correct
// server. (Their mirror, the misbehaviours, prove each check can fail.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DIALECTS } from '../../core/spec/types.ts';
import type { StartedIdp } from '../../core/run/runner.ts';
import { startReferenceServer, VARIANTS, type ReferenceServer, type Variant } from '../../reference/index.ts';
import { ROOT, leftOnServer, runSpecFile } from './helpers.ts';

const EXAMPLES = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => /\.provspec\.(ya?ml|json)$/.test(f))
  .map((f) => `examples/${f}`);
const SETS: Array<{ name: string; variants: Variant[] }> = [
  ...VARIANTS.map((v) => ({ name: v, variants: [v] })),
  { name: 'all variants together', variants: [...VARIANTS] },
];

for (const set of SETS) {
  describe(`legal variant: ${set.name}`, { concurrency: true }, () => {
    let server: ReferenceServer;
    // The federation example signs in through the server's demo app, at the IdP its run starts.
    // One per protocol: the OIDC and the SAML example run side by side, each with its own IdP.
    const idp: { oidc?: StartedIdp; saml?: StartedIdp } = {};
    const oidc = { clientId: 'provspec-variants-app', clientSecret: randomBytes(18).toString('base64url') };
    before(async () => {
      server = await startReferenceServer({
        variants: set.variants,
        federation: {
          oidc: { ...oidc, issuer: () => idp.oidc?.issuer },
          saml: { idpSsoUrl: () => idp.saml?.ssoUrl, idpCert: () => idp.saml?.certificatePem, idpIssuer: () => idp.saml?.issuer },
        },
      });
    });
    after(async () => {
      // Every run cleaned up after itself: the shared server is empty again.
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
      await server.close();
    });
    for (const example of EXAMPLES) {
      it(`${example}: every dialect passes, nothing fails, errors or is left`, async () => {
        for (const dialect of DIALECTS) {
          const result = await runSpecFile(
            example,
            server,
            { dialect },
            {
              env: {
                SCIM_BASE_URL: server.baseUrl,
                SCIM_TOKEN: server.token,
                APP_URL: server.appUrl,
                OIDC_CLIENT_ID: oidc.clientId,
                OIDC_CLIENT_SECRET: oidc.clientSecret,
              },
              onFederation: (started) => {
                idp[started.protocol] = started;
              },
            },
          );
          const bad = result.scenarios.flatMap((s) =>
            s.checks
              .filter((c) => c.status === 'fail' || c.status === 'error' || c.status === 'blocked')
              .map((c) => `${dialect} ${s.section}.${s.name} ${c.id} ${c.status} L${c.range.start.line + 1}: ${c.message}`),
          );
          assert.deepEqual(bad, [], `under ${set.name}`);
          assert.equal(result.error, undefined);
          assert.deepEqual(result.orphans, []);
          assert.ok(
            result.scenarios.some((s) => s.checks.length > 10),
            'checks actually ran',
          );
        }
      });
    }
  });
}
