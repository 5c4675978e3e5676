// bench/login: one sign-in through the reference server's demo app, with provspec's own IdP
// and user agent, over OpenID Connect and over SAML: the median of 10 first sign-ins (a new
// person each, the account made just in time) and of 10 later ones (the same people again). The
// baseline, in the same run with the same user agent, is a bare node:http server answering the
// same shape of flow (two redirects, a form, a form post, a redirect and a page): what HTTP and
// the user agent alone cost, so each ratio shows what the protocol and the app's JIT add.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { startReferenceServer } from '../reference/index.ts';
import { startOidcIdp } from '../core/federation/oidc-idp.ts';
import { startSamlIdp } from '../core/federation/saml-idp.ts';
import { UserAgent } from '../core/federation/user-agent.ts';
import { login } from '../core/federation/login.ts';
import { median, ms, table } from './stats.ts';

const PEOPLE = 10;

/** A bare server walking a browser through the flow's shape, with a form to post as an IdP's sign-in page has. */
async function startBaseline(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/start') return void res.writeHead(302, { location: '/idp' }).end();
    if (path === '/idp') return void res.writeHead(303, { location: '/form' }).end();
    if (path === '/form') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<form method="post" action="/login"><input name="sub" value=""></form>');
    }
    if (path === '/login') return void req.resume().on('end', () => res.writeHead(303, { location: '/home' }).end());
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"signedIn":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function timeLogins(agentFor: (i: number) => UserAgent, signIn: (agent: UserAgent, i: number) => Promise<string>) {
  const first: number[] = [];
  const later: number[] = [];
  // One sign-in untimed (a person of its own), so that neither set carries the code's warm-up.
  const warm = agentFor(PEOPLE);
  await signIn(warm, PEOPLE);
  await warm.close();
  for (const samples of [first, later])
    for (let i = 0; i < PEOPLE; i++) {
      const agent = agentFor(i);
      const t0 = performance.now();
      const outcome = await signIn(agent, i);
      samples.push(performance.now() - t0);
      if (outcome !== 'landed') throw new Error(`sign-in ${i} did not land: ${outcome}`);
      await agent.close();
    }
  return { first: median(first), later: median(later) };
}

export async function benchLogin(): Promise<void> {
  const idp: { oidc?: string; samlSso?: string; samlCert?: string; samlIssuer?: string } = {};
  const clientSecret = randomBytes(18).toString('base64url');
  const server = await startReferenceServer({
    federation: {
      oidc: { issuer: () => idp.oidc, clientId: 'bench-app', clientSecret },
      saml: { idpSsoUrl: () => idp.samlSso, idpCert: () => idp.samlCert, idpIssuer: () => idp.samlIssuer },
    },
  });
  const rp = server.federation!;
  const sp = rp.saml!;
  const oidc = await startOidcIdp({
    client: { clientId: 'bench-app', clientSecret, redirectUris: [rp.redirectUri], backchannelLogoutUri: rp.backchannelLogoutUri },
    claims: ['email', 'email_verified', 'given_name', 'family_name'],
  });
  const saml = await startSamlIdp({ sp: { entityId: sp.entityId, acsUrl: sp.acsUrl } });
  idp.oidc = oidc.issuer;
  idp.samlSso = saml.ssoUrl;
  idp.samlCert = saml.certificatePem;
  idp.samlIssuer = saml.issuer;
  const baseline = await startBaseline();
  const origins = [new URL(server.appUrl).origin, new URL(oidc.issuer).origin, new URL(saml.issuer).origin, baseline.origin];
  const agent = () => new UserAgent({ allowedOrigins: origins });
  const run = randomBytes(3).toString('hex');
  const person = (protocol: string, i: number) => ({
    id: `bench-${run}-${protocol}-${i}`,
    email: `bench-${run}-${protocol}-${i}@example.test`,
  });
  try {
    for (let i = 0; i <= PEOPLE; i++) {
      const o = person('oidc', i);
      oidc.setAccount({ sub: o.id, claims: { email: o.email, email_verified: true, given_name: 'Bench', family_name: `Person ${i}` } });
      const s = person('saml', i);
      saml.setAccount({ nameId: s.id, attributes: { email: s.email, given_name: 'Bench', family_name: `Person ${i}` } });
    }
    const bare = await timeLogins(agent, async (a) => {
      const start = await a.navigate(`${baseline.origin}/start`);
      if (start.at(-1)?.status !== 200) return 'broken';
      const done = await a.navigate(`${baseline.origin}/login`, { form: { sub: 'x' }, headers: { origin: baseline.origin } });
      return done.at(-1)?.status === 200 ? 'landed' : 'broken';
    });
    const overOidc = await timeLogins(agent, async (a, i) => (await login(a, rp.loginUrl, oidc, person('oidc', i).id)).kind);
    const overSaml = await timeLogins(agent, async (a, i) => (await login(a, sp.loginUrl, saml, person('saml', i).id)).kind);
    const ratio = (value: number, base: number) => `${(value / base).toFixed(1)}×`;
    console.log(`\nbench/login — median of ${PEOPLE} sign-ins through the reference demo app (first: account made just in time)`);
    console.log(
      table([
        ['flow', 'first', 'later', 'first ÷ baseline', 'later ÷ baseline'],
        ['baseline (bare HTTP, same shape)', ms(bare.first), ms(bare.later), '1.0×', '1.0×'],
        ['OpenID Connect', ms(overOidc.first), ms(overOidc.later), ratio(overOidc.first, bare.first), ratio(overOidc.later, bare.later)],
        ['SAML 2.0', ms(overSaml.first), ms(overSaml.later), ratio(overSaml.first, bare.first), ratio(overSaml.later, bare.later)],
      ]),
    );
  } finally {
    await Promise.all([oidc.close(), saml.close(), baseline.close()]);
    await server.close();
  }
}
