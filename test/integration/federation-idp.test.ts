// provspec's OpenID Connect IdP and its headless user agent against a real relying party:
// openid-client on node:http, written here, all on 127.0.0.1. The RP does what an app does:
// /login starts an authorization code flow (PKCE S256, state, nonce, a transaction cookie),
// /callback redeems the code and answers the verified ID token claims (and userinfo) with a
// session cookie, /backchannel verifies and records logout tokens.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { startOidcIdp, type IdpAccount, type OidcIdp } from '../../core/federation/oidc-idp.ts';
import { UserAgent, UserAgentError, type Hop } from '../../core/federation/user-agent.ts';
import { login, type LoginOutcome } from '../../core/federation/login.ts';
import { REDACTED } from '../../core/federation/redact.ts';
import { formsIn } from '../../core/federation/forms.ts';

const CLIENT_ID = 'provspec-test-app';
const CLIENT_SECRET = `secret-${randomBytes(16).toString('hex')}`;
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

const alice: IdpAccount = {
  sub: 'alice-0001',
  claims: {
    email: 'alice@example.test',
    email_verified: true,
    given_name: 'Alice',
    family_name: 'Liddell',
    name: 'Alice Liddell',
    preferred_username: 'alice',
    groups: ['engineering'],
    department: 'R&D',
  },
};
const bob: IdpAccount = { sub: 'bob-0002', claims: { ...alice.claims, email: 'bob@example.test', preferred_username: 'bob', name: 'Bob' } };
const CLAIMS = Object.keys(alice.claims);

interface Landing {
  idToken: Record<string, unknown>;
  userinfo: Record<string, unknown>;
}

/** The relying party: what it saw, so the test can compare it with what the user agent recorded. */
class RelyingParty {
  readonly server: Server;
  origin = '';
  config: oidc.Configuration | undefined;
  jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly logoutTokens: JWTPayload[] = [];
  readonly rejectedLogoutTokens: string[] = [];
  /** Every credential value the RP handled: none may appear in the user agent's hops. */
  readonly secrets = new Set<string>();
  readonly sids: string[] = [];
  /** Set: /backchannel answers this, as a broken app would. */
  backchannelStatus: number | undefined;
  readonly #transactions = new Map<string, { verifier: string; state: string; nonce: string }>();
  readonly #hanging = new Set<ServerResponse>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Resolves when the user agent stopped reading /huge (its connection closed). */
  hugeClosed: Promise<number>;
  #hugeClosed!: (bytes: number) => void;

  /** Absent: a public client (PKCE only). */
  readonly #secret: string | undefined;

  constructor(secret: string | undefined) {
    this.#secret = secret;
    if (secret) this.secrets.add(secret);
    this.hugeClosed = new Promise((resolve) => (this.#hugeClosed = resolve));
    this.server = createServer((req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { error: 'rp_failure', error_description: String(error) });
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async connect(issuer: string): Promise<void> {
    this.config = await oidc.discovery(new URL(issuer), CLIENT_ID, this.#secret, this.#secret ? undefined : oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    this.jwks = createRemoteJWKSet(new URL(this.config.serverMetadata().jwks_uri!));
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    for (const res of this.#hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const config = this.config!;
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /login': {
        const transaction = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
        const id = randomBytes(16).toString('hex');
        this.#transactions.set(id, transaction);
        this.secrets.add(id);
        this.secrets.add(transaction.verifier);
        // Every scope the IdP offers (but offline_access): the generated ones release the claims.
        const scope = (config.serverMetadata().scopes_supported ?? []).filter((s) => s !== 'offline_access').join(' ');
        // ?pkce=off: an RP that forgets PKCE, which a public client may not.
        const pkce: Record<string, string> =
          url.searchParams.get('pkce') === 'off'
            ? {}
            : { code_challenge: await oidc.calculatePKCECodeChallenge(transaction.verifier), code_challenge_method: 'S256' };
        // ?mode=form_post: the IdP answers with a self-submitting form instead of a redirect.
        const mode: Record<string, string> = url.searchParams.get('mode') === 'form_post' ? { response_mode: 'form_post' } : {};
        const to = oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${this.origin}/callback`,
          scope,
          ...pkce,
          ...mode,
          state: transaction.state,
          nonce: transaction.nonce,
        });
        res.writeHead(302, { location: to.href, 'set-cookie': `txn=${id}; Path=/; HttpOnly; SameSite=Lax` });
        return void res.end();
      }
      case 'GET /callback':
      case 'POST /callback': {
        // response_mode=form_post brings the answer in a POST body; openid-client reads it from a Request.
        const body = req.method === 'POST' ? await text(req) : undefined;
        const params = body === undefined ? url.searchParams : new URLSearchParams(body);
        // An OAuth error lands on the app's home page with ?error=, as many apps do.
        if (params.has('error')) {
          const back = new URLSearchParams({ error: params.get('error')!, error_description: params.get('error_description') ?? '' });
          res.writeHead(302, { location: `/?${back}` });
          return void res.end();
        }
        const transaction = this.#transactions.get(cookie(req, 'txn') ?? '');
        if (!transaction) return json(res, 400, { error: 'no_transaction' });
        this.secrets.add(params.get('code') ?? '');
        const current =
          body === undefined
            ? url
            : new Request(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        const tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: transaction.verifier,
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
        });
        for (const token of [tokens.access_token, tokens.id_token, tokens.refresh_token]) if (token) this.secrets.add(token);
        const idToken = tokens.claims()!;
        if (typeof idToken['sid'] === 'string') this.sids.push(idToken['sid']);
        const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
        const session = randomBytes(16).toString('hex');
        this.secrets.add(session);
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `session=${session}; Path=/; HttpOnly; SameSite=Lax` });
        return void res.end(JSON.stringify({ idToken, userinfo } satisfies Landing));
      }
      case 'POST /backchannel': {
        if (this.backchannelStatus !== undefined) return json(res, this.backchannelStatus, { error: 'temporarily_unavailable' });
        const token = new URLSearchParams(await text(req)).get('logout_token') ?? '';
        try {
          const { payload } = await jwtVerify(token, this.jwks!, { issuer: config.serverMetadata().issuer, audience: CLIENT_ID });
          assert.ok(
            payload.events && typeof payload.events === 'object' && BACKCHANNEL_EVENT in payload.events,
            'the backchannel-logout event',
          );
          assert.equal(payload['nonce'], undefined, 'a logout token carries no nonce');
          this.secrets.add(token);
          this.logoutTokens.push(payload);
          res.writeHead(200, { 'cache-control': 'no-store' });
          return void res.end();
        } catch (error) {
          this.rejectedLogoutTokens.push(String(error));
          return json(res, 400, { error: 'invalid_request' });
        }
      }
      case 'GET /': {
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<!DOCTYPE html><title>Home</title><p>Home</p>');
      }
      case 'GET /elsewhere': {
        // 127.0.0.2 is not in the agent's allowed origins: refused before anything is sent.
        res.writeHead(302, { location: 'http://127.0.0.2:1/' });
        return void res.end();
      }
      case 'GET /loop': {
        res.writeHead(302, { location: '/loop' });
        return void res.end();
      }
      case 'GET /huge': {
        // An endless body: the agent must stop reading, never buffer it all.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        };
        res.on('drain', pump);
        res.on('close', () => this.#hugeClosed(sent));
        return pump();
      }
      case 'GET /silent': {
        this.#hanging.add(res);
        res.on('close', () => this.#hanging.delete(res));
        return;
      }
      case 'GET /dribble': {
        // Headers at once, then a byte now and then, forever: the deadline must cover the body too.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('.'), 20);
        this.#timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          this.#timers.delete(timer);
        });
        return;
      }
      default:
        return json(res, 404, { error: 'not_found' });
    }
  }
}

describe('provspec OIDC IdP and user agent, against an openid-client RP', () => {
  const rp = new RelyingParty(CLIENT_SECRET);
  let idp: OidcIdp;
  let agent: UserAgent;
  const recorded: Hop[] = [];
  const serverErrors: Error[] = [];

  const signIn = async (as: string): Promise<LoginOutcome> => {
    const outcome = await login(agent, `${rp.origin}/login`, idp, as);
    recorded.push(...outcome.hops);
    return outcome;
  };
  const landing = (outcome: LoginOutcome): Landing => {
    assert.equal(outcome.kind, 'landed', JSON.stringify(outcome, null, 2));
    const last = outcome.hops.at(-1)!;
    assert.equal(
      last.url,
      `${rp.origin}/callback?code=${REDACTED}&state=${new URL(last.url).searchParams.get('state')}&iss=${encodeURIComponent(idp.issuer)}`,
    );
    return JSON.parse(agent.bodyOf(last)!) as Landing;
  };
  const released = (claims: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(claims).filter(([name]) => CLAIMS.includes(name)));

  before(async () => {
    await rp.listen();
    idp = await startOidcIdp({
      client: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [`${rp.origin}/callback`],
        backchannelLogoutUri: `${rp.origin}/backchannel`,
      },
      claims: CLAIMS,
      onServerError: (error) => serverErrors.push(error),
    });
    idp.setAccount(alice);
    idp.setAccount(bob);
    await rp.connect(idp.issuer);
    agent = new UserAgent({ allowedOrigins: [rp.origin, idp.issuer] });
  });

  after(async () => {
    await agent?.close();
    await idp?.close();
    await rp.close();
  });

  it('signs in as an account: the RP verifies exactly its claims, in the ID token and at userinfo', async (t) => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    assert.equal((discovery as unknown as { issuer: string }).issuer, idp.issuer);
    for (const scope of ['openid', 'profile', 'email', 'groups', 'department'])
      assert.ok(discovery['scopes_supported']!.includes(scope), scope);
    for (const claim of CLAIMS) assert.ok(discovery['claims_supported']!.includes(claim), claim);
    assert.deepEqual(idp.scopes, {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'name', 'preferred_username'],
      groups: ['groups'],
      department: ['department'],
    });

    const started = performance.now();
    const outcome = await signIn(alice.sub);
    t.diagnostic(`the process's first login (cold: nothing compiled, no connection open): ${(performance.now() - started).toFixed(1)} ms`);
    const { idToken, userinfo } = landing(outcome);
    assert.equal(idToken['sub'], alice.sub);
    assert.equal(idToken['aud'], CLIENT_ID);
    assert.equal(typeof idToken['sid'], 'string', 'a sid, for back-channel logout');
    assert.deepEqual(released(idToken), alice.claims);
    assert.deepEqual(released(userinfo), alice.claims);
    // The flow went through the IdP's own sign-in page and its form.
    const signInPost = outcome.hops.find((hop) => hop.method === 'POST');
    // The interaction uid is the interaction cookie's value: redacted in the URL as well.
    assert.equal(signInPost?.url, `${idp.issuer}/interaction/${REDACTED}/login`);
    assert.equal(signInPost?.requestBody, `sub=${alice.sub}`);
  });

  it('setAccount with changed claims: the next sign-in carries them', async () => {
    const changed = { ...alice.claims, department: 'Sales', groups: ['sales'], name: 'Alice Kingsleigh' };
    idp.setAccount({ sub: alice.sub, claims: changed });
    const { idToken, userinfo } = landing(await signIn(alice.sub));
    assert.deepEqual(released(idToken), changed);
    assert.deepEqual(released(userinfo), changed);
  });

  it('response_mode=form_post: the self-submitting form is submitted, its code redacted in the trace', async () => {
    const outcome = await login(agent, `${rp.origin}/login?mode=form_post`, idp, alice.sub);
    recorded.push(...outcome.hops);
    assert.equal(outcome.kind, 'landed', JSON.stringify(outcome, null, 2));
    const last = outcome.hops.at(-1)!;
    assert.equal(`${last.method} ${last.url}`, `POST ${rp.origin}/callback`);
    assert.match(last.requestBody ?? '', new RegExp(`(^|&)code=${escapeRegExp(REDACTED)}(&|$)`));
    const page = outcome.hops.at(-2)!;
    assert.match(page.body ?? '', new RegExp(`name="code" value="${escapeRegExp(REDACTED)}"`));
    const landed = JSON.parse(agent.bodyOf(last)!) as Landing;
    assert.equal(landed.idToken['sub'], alice.sub);
  });

  it('one login (start → landed) takes this long', async (t) => {
    const times = async (reuseIdpSession: boolean): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        const outcome = await login(agent, `${rp.origin}/login`, idp, bob.sub, { reuseIdpSession });
        out.push(performance.now() - started);
        assert.equal(outcome.kind, 'landed');
        recorded.push(...outcome.hops);
      }
      return out;
    };
    const fresh = await times(false);
    const sso = await times(true);
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
    };
    const ms = (value: number): string => `${value.toFixed(1)} ms`;
    t.diagnostic(
      `login start → landed, signing in at the IdP each time: first ${ms(fresh[0]!)}, median of the next 9 ${ms(median(fresh.slice(1)))}`,
    );
    t.diagnostic(`login start → landed, riding the IdP session (no form): median of 10 ${ms(median(sso))}`);
  });

  it("signing out at the IdP (RP-initiated logout) ends the session and notifies the RP, from the page's one form", async () => {
    const before = rp.logoutTokens.length;
    const hops = await agent.navigate(`${idp.issuer}/session/end?client_id=${CLIENT_ID}`);
    recorded.push(...hops);
    const page = hops.at(-1)!;
    assert.equal(page.status, 200);
    const forms = formsIn(agent.bodyOf(page)!, page.url);
    assert.equal(forms.length, 1);
    assert.equal(forms[0]!.fields['logout'], 'yes');
    const out = await agent.navigate(forms[0]!.action, { form: forms[0]!.fields });
    recorded.push(...out);
    assert.equal(out.at(-1)?.status, 200);
    assert.match(out.at(-1)?.body ?? '', /Signed out/);
    // Bob's one live IdP session in this agent (the SSO logins rode it) got its logout token.
    assert.deepEqual(
      rp.logoutTokens.slice(before).map((t) => t.sub),
      [bob.sub],
    );
  });

  it('removeAccount: a verified logout token per session reaches the RP, and the next sign-in is refused', async () => {
    const before = rp.logoutTokens.length;
    const deliveries = await idp.removeAccount(alice.sub);
    // Alice signed in three times, in three IdP sessions (each login starts a fresh one): three logout tokens.
    assert.equal(deliveries.length, 3, JSON.stringify(deliveries));
    for (const delivery of deliveries) assert.deepEqual({ ...delivery, sid: undefined }, { sub: alice.sub, sid: undefined, status: 200 });
    assert.deepEqual(rp.rejectedLogoutTokens, []);
    const tokens = rp.logoutTokens.slice(before);
    assert.equal(tokens.length, 3);
    for (const token of tokens) {
      assert.equal(token.sub, alice.sub);
      assert.equal(token.iss, idp.issuer);
      assert.equal(token.aud, CLIENT_ID);
    }
    // The sids are those of alice's three ID tokens (bob's logins came after).
    assert.deepEqual(tokens.map((t) => t['sid']).sort(), rp.sids.slice(0, 3).sort());
    assert.deepEqual(deliveries.map((d) => d.sid).sort(), rp.sids.slice(0, 3).sort());

    const outcome = await signIn(alice.sub);
    assert.equal(outcome.kind, 'refused', JSON.stringify(outcome, null, 2));
    assert.equal(outcome.kind === 'refused' && outcome.error, 'access_denied');
    assert.match((outcome.kind === 'refused' && outcome.description) || '', /does not exist/);
    // The refusal came back on the RP's redirect URI, and landed on its home page.
    assert.ok(outcome.hops.some((hop) => hop.url.startsWith(`${rp.origin}/callback?error=access_denied`)));
    assert.equal(outcome.hops.at(-1)?.status, 200);

    // Even with the old IdP session cookie kept, removal ended it: the IdP asks again, and refuses.
    const kept = await login(agent, `${rp.origin}/login`, idp, alice.sub, { reuseIdpSession: true });
    recorded.push(...kept.hops);
    assert.equal(kept.kind === 'refused' && kept.error, 'access_denied');
  });

  it("removeAccount reports an app's bad answer to a logout token, never throws", async () => {
    const carol: IdpAccount = { sub: 'carol-0003', claims: { ...alice.claims, email: 'carol@example.test' } };
    idp.setAccount(carol);
    assert.equal((await signIn(carol.sub)).kind, 'landed');
    rp.backchannelStatus = 503;
    try {
      const deliveries = await idp.removeAccount(carol.sub);
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0]?.status, 503);
      assert.match(deliveries[0]?.error ?? '', /expected 200 OK .*got: 503/);
    } finally {
      rp.backchannelStatus = undefined;
    }
    // An account without sessions: nothing to deliver.
    assert.deepEqual(await idp.removeAccount('nobody'), []);
  });

  it('the user agent stays inside its origins, reads bodies bounded and gives up on silence', async () => {
    const bounded = new UserAgent({ allowedOrigins: [rp.origin], maxBodyBytes: 64 * 1024, timeoutMs: 300, maxRedirects: 3 });
    try {
      const refusedOrigin = await bounded.navigate(`${rp.origin}/elsewhere`).then(
        () => assert.fail('followed a redirect to a disallowed origin'),
        (error: unknown) => error,
      );
      assert.ok(refusedOrigin instanceof UserAgentError);
      assert.equal(refusedOrigin.reason, 'origin');
      assert.match(refusedOrigin.message, /http:\/\/127\.0\.0\.2:1 is not an allowed origin; nothing was sent/);
      assert.deepEqual(
        refusedOrigin.hops.map((hop) => [hop.url, hop.status]),
        [[`${rp.origin}/elsewhere`, 302]],
      );
      await assert.rejects(bounded.request('GET', 'http://127.0.0.2:1/'), { name: 'UserAgentError', reason: 'origin' });
      const broken = await login(bounded, `${rp.origin}/elsewhere`, idp, bob.sub);
      assert.equal(broken.kind, 'broken');
      assert.match(broken.kind === 'broken' ? broken.message : '', /127\.0\.0\.2:1 is not an allowed origin/);

      await assert.rejects(bounded.navigate(`${rp.origin}/loop`), { name: 'UserAgentError', reason: 'redirects' });

      const huge = await bounded.request('GET', `${rp.origin}/huge`);
      assert.equal(huge.status, 200);
      assert.equal(huge.truncated, true);
      assert.equal(bounded.bodyOf(huge)?.length, 64 * 1024);
      assert.ok((huge.body?.length ?? 0) < 17 * 1024, 'the recorded body is cut for the trace');
      const sent = await rp.hugeClosed;
      assert.ok(sent < 64 * 1024 * 1024, `the server stopped after ${sent} bytes`);

      const started = performance.now();
      await assert.rejects(bounded.request('GET', `${rp.origin}/silent`), { name: 'UserAgentError', reason: 'timeout' });
      await assert.rejects(bounded.request('GET', `${rp.origin}/dribble`), { name: 'UserAgentError', reason: 'timeout' });
      assert.ok(performance.now() - started < 5000, 'the deadlines held');
    } finally {
      await bounded.close();
    }
  });

  it('hops carry no secret: no code, token, verifier, client secret or cookie value', () => {
    assert.ok(recorded.length > 20, `${recorded.length} hops recorded`);
    const text = JSON.stringify(recorded);
    const secrets = [...rp.secrets].filter((s) => s.length > 0);
    assert.ok(secrets.length > 10, `${secrets.length} secrets known`);
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`);
    let cookies = 0;
    // Each request says who it is, once: a hop can be found in the app's and the IdP's logs.
    const ids = recorded.map((hop) => hop.requestHeaders['x-request-id']);
    assert.ok(
      ids.every((id) => /^ua-[0-9a-f]{8}-\d+$/.test(id ?? '')),
      JSON.stringify(ids.slice(0, 3)),
    );
    assert.equal(new Set(ids).size, ids.length, 'no X-Request-Id twice');
    for (const hop of recorded) {
      for (const pair of hop.requestHeaders['cookie']?.split('; ') ?? []) {
        assert.match(pair, new RegExp(`^[^=]+=${escapeRegExp(REDACTED)}$`));
        cookies++;
      }
      for (const line of hop.responseHeaders['set-cookie']?.split('\n') ?? []) {
        assert.match(line, new RegExp(`^[^=;]+=${escapeRegExp(REDACTED)}(;|$)`));
        // The interaction cookies' Path carries the interaction uid, which is their own value.
        assert.doesNotMatch(line, /path=\/(interaction|auth)\/(?!\[REDACTED\])[^;\s]{8,}/i);
        cookies++;
      }
      assert.doesNotMatch(hop.responseHeaders['location'] ?? '', /[?&]code=(?!\[REDACTED\])/);
    }
    assert.ok(cookies > 20, `${cookies} cookies seen, all redacted`);
    assert.deepEqual(serverErrors, []);
  });
});

describe('a public client (no secret): PKCE S256 is required', () => {
  const rp = new RelyingParty(undefined);
  let idp: OidcIdp;
  let agent: UserAgent;

  before(async () => {
    await rp.listen();
    idp = await startOidcIdp({ client: { clientId: CLIENT_ID, redirectUris: [`${rp.origin}/callback`] }, claims: CLAIMS });
    idp.setAccount(alice);
    await rp.connect(idp.issuer);
    agent = new UserAgent({ allowedOrigins: [rp.origin, idp.issuer] });
  });

  after(async () => {
    await agent?.close();
    await idp?.close();
    await rp.close();
  });

  it('signs in with PKCE, and is refused without it', async () => {
    const withPkce = await login(agent, `${rp.origin}/login`, idp, alice.sub);
    assert.equal(withPkce.kind, 'landed', JSON.stringify(withPkce, null, 2));
    const landed = JSON.parse(agent.bodyOf(withPkce.hops.at(-1)!)!) as Landing;
    assert.equal(landed.idToken['department'], alice.claims['department']);

    const without = await login(agent, `${rp.origin}/login?pkce=off`, idp, alice.sub);
    assert.equal(without.kind, 'refused', JSON.stringify(without, null, 2));
    assert.equal(without.kind === 'refused' && without.error, 'invalid_request');
    assert.match((without.kind === 'refused' && without.description) || '', /PKCE/);
  });

  it('an IdP error page (an unregistered redirect URI: nowhere to send the error) is a broken flow', async () => {
    const authorize = new URL(`${idp.issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${rp.origin}/not-registered`,
    }).toString();
    const outcome = await login(agent, authorize.href, idp, alice.sub);
    assert.equal(outcome.kind, 'broken', JSON.stringify(outcome, null, 2));
    assert.match(outcome.kind === 'broken' ? outcome.message : '', /the flow stopped at the IdP \(400 at .*\): invalid_redirect_uri/);
  });
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(/;\s*/)) {
    const at = pair.indexOf('=');
    if (pair.slice(0, at) === name) return pair.slice(at + 1);
  }
  return undefined;
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function escapeRegExp(text: string): string {
  return text.replace(/[[\]\\^$.|?*+(){}]/g, '\\$&');
}
