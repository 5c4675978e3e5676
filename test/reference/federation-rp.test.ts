// The reference server's demo app as an OpenID Connect relying party with just-in-time
// provisioning, against a real OP (oidc-provider) on 127.0.0.1: a user agent driven by hand
// (cookies per origin, redirects one at a time) signs in as accounts the test controls, and what
// the logins did is read back over the SCIM API with the server's bearer token.
// Each misbehaviour runs the same scenario as the correct behaviour's test and must turn exactly
// that scenario's assertion around.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { CookieJar } from 'tough-cookie';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { ENTERPRISE, PATCH_OP, USER, countUsers, createGroup, expectStatus, getJson, start, type Json, type TestServer } from './client.ts';
import { startReferenceServer, type FederationMisbehaviour, type Misbehaviour } from '../../reference/index.ts';

const CLIENT_ID = 'provspec-demo-app';
const CLIENT_SECRET = 'demo-app-secret-not-for-logs';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

// oidc-provider ships no types; these are the few members the test uses.
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ prompt: { name: string } }>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  use(middleware: (ctx: any, next: () => Promise<void>) => Promise<void>): unknown;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
const Provider = ((await import('oidc-provider' as string)) as { default: ProviderClass }).default;

const { privateKey: signingKey } = await generateKeyPair('RS256', { extractable: true });
const SIGNING_JWK = { ...(await exportJWK(signingKey)), kid: 'op-key', alg: 'RS256', use: 'sig' };

type Claims = Record<string, unknown>;

/** How the OP spoils the next ID token it issues: signed with its own key (RS256) or not at all (none), claims overridden. */
interface IdTokenTamper {
  alg: 'RS256' | 'none';
  /** Claims to set over the token's; undefined removes one. */
  claims?: Claims;
}

// azp goes too: with it naming this client, a foreign aud would be a different defect (§3.1.3.7 items 4-5).
const WRONG_AUDIENCE: IdTokenTamper = { alg: 'RS256', claims: { aud: 'another-client', azp: undefined } };
const ALG_NONE: IdTokenTamper = { alg: 'none' };
const WRONG_ISSUER: IdTokenTamper = { alg: 'RS256', claims: { iss: 'https://another-idp.example' } };
// An hour past: far beyond any clock tolerance, while the test runs.
const EXPIRED: IdTokenTamper = {
  alg: 'RS256',
  claims: { iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 },
};
const WRONG_NONCE: IdTokenTamper = { alg: 'RS256', claims: { nonce: 'not-the-nonce-the-app-sent' } };

interface Reply {
  status: number;
  location: URL | undefined;
  setCookies: string[];
  text: string;
  json: Json;
}

/** A user agent: one cookie jar (tough-cookie keeps it per origin and path), redirects followed by the caller. */
class Agent {
  readonly jar = new CookieJar();

  async send(url: string | URL, form?: Record<string, string>): Promise<Reply> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const cookie = await this.jar.getCookieString(target.href);
    if (cookie !== '') headers['cookie'] = cookie;
    let body: string | undefined;
    if (form !== undefined) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await request(target, { method: form === undefined ? 'GET' : 'POST', headers, body });
    const raw = response.headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const line of setCookies) await this.jar.setCookie(line, target.href);
    const text = await response.body.text();
    const location = response.headers['location'];
    const type = String(response.headers['content-type'] ?? '');
    return {
      status: response.statusCode,
      location: typeof location === 'string' ? new URL(location, target) : undefined,
      setCookies,
      text,
      json: /json/.test(type) && text !== '' ? JSON.parse(text) : undefined,
    };
  }
}

interface Harness {
  c: TestServer;
  fed: NonNullable<TestServer['server']['federation']>;
  issuer: string;
  /** Accounts at the OP: account id (= sub) → claims. */
  accounts: Map<string, Claims>;
  /** Back-channel logout deliveries the OP reported. */
  backchannel: { ok: number; errors: unknown[] };
  /** Requests the OP received, by path (to see whether userinfo was asked). */
  opPaths: string[];
  /** The parameters of each token request the OP answered (to see whether a code_verifier came). */
  tokenRequests: Record<string, unknown>[];
  /** The next token response's ID token comes with this defect; cleared once it has. */
  tamperNextIdToken(tamper: IdTokenTamper): void;
  /** Whether a tamper is still waiting for a token response. */
  tamperPending(): boolean;
  /** Registers the RP at a freshly started OP; until then the OP answers 503. */
  attach(): void;
  close(): Promise<void>;
}

const open: Harness[] = [];
after(async () => {
  await Promise.all(open.map((h) => h.close()));
});

interface SetupOptions {
  federationMisbehave?: FederationMisbehaviour[];
  /** The SCIM endpoint's own misbehaviours. */
  misbehave?: Misbehaviour[];
  /** Start the OP with the RP registered (default); false leaves it answering 503 until attach(). */
  attach?: boolean;
  conformIdTokenClaims?: boolean;
  /** false: the OP requires PKCE of public clients only, as most do by default (the RP is a confidential one). */
  pkceRequired?: boolean;
}

async function setup(options: SetupOptions = {}) {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const opPaths: string[] = [];
  const tokenRequests: Record<string, unknown>[] = [];
  const opServer: Server = createServer((req, res) => {
    opPaths.push(new URL(req.url ?? '/', 'http://op.invalid').pathname);
    if (handler) return handler(req, res);
    res.writeHead(503).end('The IdP is not up yet.');
  });
  await new Promise<void>((resolve) => opServer.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(opServer.address() as AddressInfo).port}`;
  const c = await start({
    federation: { oidc: { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } },
    federationMisbehave: options.federationMisbehave ?? [],
    misbehave: options.misbehave ?? [],
  });
  const fed = c.server.federation!;
  const accounts = new Map<string, Claims>();
  const backchannel = { ok: 0, errors: [] as unknown[] };
  let tamper: IdTokenTamper | undefined;
  const harness: Harness = {
    c,
    fed,
    issuer,
    accounts,
    backchannel,
    opPaths,
    tokenRequests,
    tamperNextIdToken(next) {
      tamper = next;
    },
    tamperPending() {
      return tamper !== undefined;
    },
    attach() {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            redirect_uris: [fed.redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code'],
            backchannel_logout_uri: fed.backchannelLogoutUri,
            backchannel_logout_session_required: true,
          },
        ],
        jwks: { keys: [SIGNING_JWK] },
        adapter: memoryAdapter(),
        ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
        cookies: { keys: ['op-cookie-key-for-tests'] },
        claims: {
          openid: ['sub'],
          email: ['email', 'email_verified'],
          profile: ['name', 'given_name', 'family_name', 'preferred_username'],
          groups: ['groups'],
          department: ['department'],
        },
        conformIdTokenClaims: options.conformIdTokenClaims ?? true,
        // The OP's SSRF guard refuses loopback addresses, which is where the RP lives here.
        fetch: (url: string, init: RequestInit & { dispatcher?: unknown }) => {
          const { dispatcher: _guarded, ...rest } = init;
          return fetch(url, rest);
        },
        pkce: {
          required: (_ctx: unknown, client: { clientAuthMethod: string }) =>
            options.pkceRequired !== false || client.clientAuthMethod === 'none',
        },
        features: {
          devInteractions: { enabled: false },
          backchannelLogout: { enabled: true },
          rpInitiatedLogout: {
            enabled: true,
            logoutSource: async (ctx: any, form: string) => {
              ctx.body = form;
            },
          },
        },
        interactions: { url: (_ctx: any, interaction: any) => `/interaction/${interaction.uid}` },
        async findAccount(_ctx: any, id: string) {
          const claims = accounts.get(id);
          return claims && { accountId: id, claims: async () => ({ ...claims, sub: id }) };
        },
        // Consent is given: every login grants what the RP asked for.
        async loadExistingGrant(ctx: any) {
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
          grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
          grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
          await grant.save();
          return grant;
        },
      });
      // After the token endpoint has answered, its ID token is swapped for the spoiled one.
      provider.use(async (ctx, next) => {
        await next();
        if (ctx.method === 'POST' && ctx.path === '/token') tokenRequests.push(ctx.oidc?.params?.toPlainObject() ?? {});
        const armed = tamper;
        if (!armed || ctx.method !== 'POST' || ctx.path !== '/token' || typeof ctx.body?.id_token !== 'string') return;
        tamper = undefined;
        ctx.body = { ...ctx.body, id_token: await tamperIdToken(ctx.body.id_token, armed) };
      });
      provider.on('backchannel.success', () => backchannel.ok++);
      provider.on('backchannel.error', (_ctx: unknown, error: unknown) => backchannel.errors.push(error));
      provider.on('server_error', (_ctx: unknown, error: unknown) => console.error('OP server_error', error));
      const callback = provider.callback();
      handler = (req, res) => {
        if (req.url?.startsWith('/interaction/')) {
          interact(provider, req, res).catch((error: unknown) => {
            res.writeHead(500).end(String(error));
          });
          return;
        }
        callback(req, res);
      };
    },
    async close() {
      await c.close();
      await new Promise<void>((resolve) => {
        opServer.close(() => resolve());
        opServer.closeAllConnections();
      });
    },
  };
  if (options.attach ?? true) harness.attach();
  open.push(harness);
  return harness;
}

/** The OP's ID token with the tamper's defect, every other part as the OP made it. */
async function tamperIdToken(token: string, tamper: IdTokenTamper): Promise<string> {
  const header = decodeProtectedHeader(token);
  // Through JSON, so that a claim set to undefined is gone.
  const payload = JSON.parse(JSON.stringify({ ...decodeJwt(token), ...tamper.claims })) as Claims;
  if (tamper.alg === 'none') return `${base64url({ alg: 'none', typ: header.typ ?? 'JWT' })}.${base64url(payload)}.`;
  return new SignJWT(payload).setProtectedHeader({ ...header, alg: 'RS256' }).sign(signingKey);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The OP's storage, one per OP: a test ends long before anything in it would expire. */
function memoryAdapter() {
  const items = new Map<string, Record<string, unknown>>();
  return class {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    #where(field: string, value: string) {
      for (const [key, payload] of items) if (key.startsWith(`${this.model}:`) && payload[field] === value) return payload;
      return undefined;
    }
    async upsert(id: string, payload: Record<string, unknown>) {
      items.set(`${this.model}:${id}`, payload);
    }
    async find(id: string) {
      return items.get(`${this.model}:${id}`);
    }
    async findByUid(uid: string) {
      return this.#where('uid', uid);
    }
    async findByUserCode(userCode: string) {
      return this.#where('userCode', userCode);
    }
    async consume(id: string) {
      const payload = items.get(`${this.model}:${id}`);
      if (payload) payload['consumed'] = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      items.delete(`${this.model}:${id}`);
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, payload] of items) if (payload['grantId'] === grantId) items.delete(key);
    }
  };
}

/** The OP's login page: GET shows it, POST signs in as `login` (or says no, with `deny`). */
async function interact(provider: OidcProvider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<form method="post"><input name="login"></form>');
    return;
  }
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  const form = new URLSearchParams(raw);
  const details = await provider.interactionDetails(req, res);
  const options = { mergeWithLastSubmission: false };
  if (form.has('deny')) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user said no.' }, options);
    return;
  }
  assert.equal(details.prompt.name, 'login', 'consent is granted by loadExistingGrant; only login should be asked');
  await provider.interactionFinished(req, res, { login: { accountId: form.get('login') } }, options);
}

/** Signs in at the RP as `account`, following every redirect by hand; the last reply (the landing page or a refusal). */
async function login(h: Harness, agent: Agent, account: string, options: { deny?: boolean; redirects?: URL[] } = {}): Promise<Reply> {
  let reply = await agent.send(h.fed.loginUrl);
  for (let hop = 0; reply.location !== undefined; hop++) {
    assert.ok(hop < 20, 'too many redirects');
    const next = reply.location;
    options.redirects?.push(next);
    if (next.origin === h.issuer && next.pathname.startsWith('/interaction/')) {
      expectOk(await agent.send(next), 200, 'login page');
      reply = await agent.send(next, options.deny ? { deny: '1' } : { login: account });
    } else {
      reply = await agent.send(next);
    }
  }
  return reply;
}

/** A login that must succeed: it lands on /app/home signed in. */
async function signIn(h: Harness, account: string, agent = new Agent()): Promise<Agent> {
  const reply = await login(h, agent, account);
  expectOk(reply, 200, `login as ${account}`);
  assert.deepEqual(reply.json, { signedIn: true });
  return agent;
}

function expectOk(reply: Reply, status: number, what: string): void {
  assert.equal(reply.status, status, `${what}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 400)}`);
}

async function me(h: Harness, agent: Agent): Promise<Reply> {
  return agent.send(h.fed.sessionUrl);
}

async function userNamed(c: TestServer, userName: string): Promise<Json> {
  const list = await getJson(c, `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  assert.equal(list.totalResults, 1, `one user named ${userName}`);
  return list.Resources[0];
}

async function memberIdsOf(c: TestServer, groupId: string): Promise<string[]> {
  const group = await getJson(c, `/Groups/${groupId}`);
  return ((group.members ?? []) as Json[]).map((m) => m.value as string);
}

/** Ends the agent's session at the OP (RP-initiated logout, confirmed): the OP posts logout tokens before it answers. */
async function logoutAtOp(h: Harness, agent: Agent): Promise<void> {
  const page = await agent.send(`${h.issuer}/session/end?client_id=${CLIENT_ID}`);
  expectOk(page, 200, 'end-session page');
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1];
  assert.ok(xsrf, 'the end-session form has an xsrf value');
  const done = await agent.send(`${h.issuer}/session/end/confirm`, { xsrf, logout: 'yes' });
  assert.ok(done.status === 303 || done.status === 302, `end-session confirm: ${done.status} ${done.text.slice(0, 200)}`);
}

async function logoutToken(
  h: Harness,
  claims: Record<string, unknown>,
  options: { key?: Parameters<SignJWT['sign']>[0]; audience?: string; issuer?: string; sub?: string | null } = {},
) {
  const jwt = new SignJWT({ events: { [BACKCHANNEL_EVENT]: {} }, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: SIGNING_JWK.kid, typ: 'logout+jwt' })
    .setIssuer(options.issuer ?? h.issuer)
    .setAudience(options.audience ?? CLIENT_ID)
    .setIssuedAt()
    .setJti(crypto.randomUUID());
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'nobody');
  return jwt.sign(options.key ?? signingKey);
}

async function postLogoutToken(h: Harness, token: string): Promise<number> {
  const response = await request(h.fed.backchannelLogoutUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: token }).toString(),
  });
  await response.body.text();
  return response.statusCode;
}

function person(id: string, extra: Claims = {}): Claims {
  return {
    email: `${id}@example.com`,
    email_verified: true,
    preferred_username: id,
    given_name: id[0]!.toUpperCase() + id.slice(1),
    family_name: 'Example',
    name: `${id[0]!.toUpperCase() + id.slice(1)} Example`,
    ...extra,
  };
}

// --- Scenarios: each correct-behaviour test and its misbehaviour's test run the same one. ---

/** A first login, then one with changed claims: the user as SCIM shows it after each. */
async function loginTwiceWithChangedClaims(h: Harness) {
  const engineering = await createGroup(h.c, 'engineering');
  const sales = await createGroup(h.c, 'Sales');
  h.accounts.set('alice', person('alice', { groups: ['Engineering', 'No Such Group'], department: 'R&D' }));
  const firstAgent = await signIn(h, 'alice');
  const first = await userNamed(h.c, 'alice');
  const firstMe = (await me(h, firstAgent)).json;
  h.accounts.set('alice', person('alice', { family_name: 'Smith', name: 'Alice Smith', groups: ['sales'], department: 'Sales Ops' }));
  await signIn(h, 'alice');
  const second = await userNamed(h.c, 'alice');
  return {
    first,
    firstMe,
    second,
    engineeringMembers: await memberIdsOf(h.c, engineering.id),
    salesMembers: await memberIdsOf(h.c, sales.id),
    users: await countUsers(h.c),
  };
}

/** A user in one group, named by a one-element array, then by a lone string. */
async function loginWithOneGroup(h: Harness) {
  const admins = await createGroup(h.c, 'Admins');
  h.accounts.set('dave', person('dave', { groups: ['admins'] }));
  const agent = await signIn(h, 'dave');
  const afterArray = await memberIdsOf(h.c, admins.id);
  const meGroups = (await me(h, agent)).json.groups;
  const id = (await userNamed(h.c, 'dave')).id as string;
  // Taken out by SCIM, so that the second login's effect shows.
  const removed = await h.c.scim('PATCH', `/Groups/${admins.id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }],
  });
  expectStatus(removed, 200, 'remove member');
  h.accounts.set('dave', person('dave', { groups: 'Admins' }));
  await signIn(h, 'dave');
  return { id, afterArray, meGroups, afterString: await memberIdsOf(h.c, admins.id) };
}

/** Carol (no preferred_username: her userName is her email) changes her email at the IdP. */
async function loginBeforeAndAfterEmailChange(h: Harness) {
  h.accounts.set('carol', person('carol', { preferred_username: undefined, email: 'carol@old.example.com' }));
  const firstId = (await me(h, await signIn(h, 'carol'))).json.id as string;
  h.accounts.set('carol', person('carol', { preferred_username: undefined, email: 'carol@new.example.com' }));
  const secondId = (await me(h, await signIn(h, 'carol'))).json.id as string;
  return { firstId, secondId, users: await countUsers(h.c) };
}

/** A session, then the OP's back-channel logout for it: /app/api/me after. */
async function sessionAfterBackchannelLogout(h: Harness) {
  h.accounts.set('gina', person('gina'));
  const agent = await signIn(h, 'gina');
  expectOk(await me(h, agent), 200, 'me before logout');
  await logoutAtOp(h, agent);
  assert.deepEqual(h.backchannel, { ok: 1, errors: [] }, 'the OP delivered one logout token');
  return me(h, agent);
}

/** A user SCIM pre-created with an email; someone signs in with that email, unverified. */
async function loginWithUnverifiedEmail(h: Harness) {
  const existing = await h.c.scim('POST', '/Users', {
    schemas: [USER],
    userName: 'hank.existing',
    emails: [{ value: 'hank@example.com', type: 'work', primary: true }],
  });
  expectStatus(existing, 201, 'pre-create');
  h.accounts.set('hank', person('hank', { preferred_username: 'hank.federated', email_verified: false }));
  const mine = (await me(h, await signIn(h, 'hank'))).json;
  return { existingId: existing.json.id as string, signedInAs: mine.id as string, users: await countUsers(h.c) };
}

/**
 * A user who signed in before and one who never did sign in again, each with an ID token that
 * comes back with the tamper's defect; the known user's claims changed at the OP in between, so
 * that a login that went through shows in the user.
 */
async function loginsWithTamperedIdToken(h: Harness, tamper: IdTokenTamper, label: string) {
  const known = `olga-${label}`;
  const fresh = `pete-${label}`;
  h.accounts.set(known, person(known));
  const knownId = (await me(h, await signIn(h, known))).json.id as string;
  h.accounts.set(known, person(known, { family_name: 'Changed' }));
  h.accounts.set(fresh, person(fresh));
  const usersBefore = await countUsers(h.c);
  const attempt = async (account: string) => {
    h.tamperNextIdToken(tamper);
    const agent = new Agent();
    const reply = await login(h, agent, account);
    assert.equal(h.tamperPending(), false, `the OP spoiled the ID token of ${account}'s login`);
    return { reply, session: await me(h, agent) };
  };
  const knownLogin = await attempt(known);
  const freshLogin = await attempt(fresh);
  return {
    knownId,
    knownLogin,
    freshLogin,
    knownUser: await getJson(h.c, `/Users/${knownId}`),
    usersAdded: (await countUsers(h.c)) - usersBefore,
  };
}

type TamperedLogins = Awaited<ReturnType<typeof loginsWithTamperedIdToken>>;

/** Both logins refused for `reason`: no session, no user created, the known one as it was. */
function assertRefused(r: TamperedLogins, reason: RegExp, what: string): void {
  for (const { reply, session } of [r.knownLogin, r.freshLogin]) {
    expectOk(reply, 403, what);
    assert.equal(reply.json.error, 'login_failed', what);
    assert.match(reply.json.error_description, reason, what);
    assert.ok(!reply.setCookies.some((s) => s.startsWith('provspec_rp_session=') && !s.startsWith('provspec_rp_session=;')), what);
    expectOk(session, 401, `${what}: no session`);
  }
  assert.equal(r.usersAdded, 0, `${what}: no user created`);
  assert.deepEqual(r.knownUser.name, { givenName: r.knownUser.name.givenName, familyName: 'Example' }, `${what}: the user unchanged`);
}

/** Both logins went through on the token's claims: sessions, the new user created, the known one updated. */
function assertSignedIn(r: TamperedLogins, what: string): void {
  for (const { reply, session } of [r.knownLogin, r.freshLogin]) {
    expectOk(reply, 200, what);
    assert.deepEqual(reply.json, { signedIn: true }, what);
    expectOk(session, 200, `${what}: a session`);
  }
  assert.equal(r.knownLogin.session.json.id, r.knownId, what);
  assert.equal(r.knownUser.name.familyName, 'Changed', `${what}: the user updated from the claims`);
  assert.equal(r.usersAdded, 1, `${what}: the new user created`);
}

/** One login of a new account with an ID token with the tamper's defects: refused for `reason`, nobody created. */
async function assertTamperRefused(h: Harness, tamper: IdTokenTamper, account: string, reason: RegExp): Promise<void> {
  h.accounts.set(account, person(account));
  const users = await countUsers(h.c);
  h.tamperNextIdToken(tamper);
  const agent = new Agent();
  const reply = await login(h, agent, account);
  assert.equal(h.tamperPending(), false, 'the OP spoiled the ID token');
  expectOk(reply, 403, account);
  assert.match(reply.json.error_description, reason, account);
  expectOk(await me(h, agent), 401, `${account}: no session`);
  assert.equal(await countUsers(h.c), users, `${account}: no user created`);
}

/** One login of a new account with an ID token with the tamper's defects: it goes through, and the user is created from the claims. */
async function assertTamperAccepted(h: Harness, tamper: IdTokenTamper, account: string): Promise<void> {
  h.accounts.set(account, person(account));
  const users = await countUsers(h.c);
  h.tamperNextIdToken(tamper);
  const agent = await signIn(h, account);
  assert.equal(h.tamperPending(), false, 'the OP spoiled the ID token');
  const mine = await me(h, agent);
  expectOk(mine, 200, `${account}: a session`);
  assert.equal(mine.json.userName, account);
  assert.equal(await countUsers(h.c), users + 1, `${account}: the user created`);
}

/** A login that must succeed, and its PKCE: the authorization request's code_challenge(_method), the token request's code_verifier. */
async function pkceOfLogin(h: Harness, account: string) {
  h.accounts.set(account, person(account));
  const redirects: URL[] = [];
  const tokenRequests = h.tokenRequests.length;
  const reply = await login(h, new Agent(), account, { redirects });
  expectOk(reply, 200, `login as ${account}`);
  assert.deepEqual(reply.json, { signedIn: true });
  assert.equal(h.tokenRequests.length, tokenRequests + 1, 'one token request');
  const authorization = redirects[0]!;
  assert.equal(authorization.origin, h.issuer);
  return {
    challenge: authorization.searchParams.get('code_challenge'),
    method: authorization.searchParams.get('code_challenge_method'),
    nonce: authorization.searchParams.get('nonce'),
    verifier: h.tokenRequests.at(-1)!['code_verifier'],
  };
}

describe('reference relying party: OIDC login with JIT provisioning', () => {
  it('discovers the IdP at the first login, and again after a failed discovery', async () => {
    const h = await setup({ attach: false });
    const agent = new Agent();
    const early = await agent.send(h.fed.loginUrl);
    expectOk(early, 502, 'login before the IdP is up');
    assert.equal(early.json.error, 'idp_unavailable');
    h.attach();
    const redirect = await agent.send(h.fed.loginUrl);
    expectOk(redirect, 302, 'login');
    const target = redirect.location!;
    assert.equal(target.origin, h.issuer);
    const q = target.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), CLIENT_ID);
    assert.equal(q.get('redirect_uri'), h.fed.redirectUri);
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.ok(q.get('code_challenge') && q.get('state') && q.get('nonce'));
    assert.deepEqual(q.get('scope')!.split(' ').sort(), ['department', 'email', 'groups', 'openid', 'profile']);
    const tx = redirect.setCookies.find((s) => s.startsWith('provspec_rp_tx='));
    assert.ok(tx, 'a transaction cookie');
    assert.match(tx, /; HttpOnly/);
    assert.match(tx, /; Path=\/app(;|$)/);
    assert.match(tx, /; SameSite=Lax/);
    assert.deepEqual(h.c.server.federation, {
      loginUrl: `${new URL(h.c.baseUrl).origin}/app/login`,
      redirectUri: `${new URL(h.c.baseUrl).origin}/app/auth/callback`,
      sessionUrl: `${new URL(h.c.baseUrl).origin}/app/api/me`,
      logoutUrl: `${new URL(h.c.baseUrl).origin}/app/logout`,
      backchannelLogoutUri: `${new URL(h.c.baseUrl).origin}/app/auth/backchannel-logout`,
    });
    h.accounts.set('ida', person('ida'));
    await signIn(h, 'ida');
  });

  it('creates the user at the first login and updates it from the claims at the next', async () => {
    const h = await setup();
    const r = await loginTwiceWithChangedClaims(h);
    assert.equal(r.first.userName, 'alice');
    assert.deepEqual(r.first.name, { givenName: 'Alice', familyName: 'Example' });
    assert.equal(r.first.displayName, 'Alice Example');
    assert.deepEqual(r.first.emails, [{ value: 'alice@example.com', type: 'work', primary: true }]);
    assert.equal(r.first.active, true);
    assert.equal(r.first[ENTERPRISE]?.department, 'R&D');
    assert.deepEqual(
      r.first.groups.map((g: Json) => g.display),
      ['engineering'],
    );
    assert.deepEqual(r.firstMe, {
      id: r.first.id,
      userName: 'alice',
      displayName: 'Alice Example',
      emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
      groups: ['engineering'],
      active: true,
    });
    // The second login: the same user, with the new claims.
    assert.equal(r.second.id, r.first.id);
    assert.equal(r.users, 1);
    assert.deepEqual(r.second.name, { givenName: 'Alice', familyName: 'Smith' });
    assert.equal(r.second.displayName, 'Alice Smith');
    assert.equal(r.second[ENTERPRISE]?.department, 'Sales Ops');
    assert.deepEqual(r.engineeringMembers, [], 'left the group the claim no longer names');
    assert.deepEqual(r.salesMembers, [r.first.id], 'joined the group the claim names now');
  });

  it('a one-element groups claim, or a lone string, gives that membership', async () => {
    const h = await setup();
    const r = await loginWithOneGroup(h);
    assert.deepEqual(r.afterArray, [r.id]);
    assert.deepEqual(r.meGroups, ['Admins']);
    assert.deepEqual(r.afterString, [r.id]);
  });

  it('keeps one account when the email changes at the IdP', async () => {
    const h = await setup();
    const r = await loginBeforeAndAfterEmailChange(h);
    assert.equal(r.secondId, r.firstId);
    assert.equal(r.users, 1);
    const user = await userNamed(h.c, 'carol@new.example.com');
    assert.deepEqual(user.emails, [{ value: 'carol@new.example.com', type: 'work', primary: true }]);
  });

  it("is not subject to the SCIM endpoint's misbehaviours (rename-ignored)", async () => {
    const h = await setup({ misbehave: ['rename-ignored'] });
    const r = await loginBeforeAndAfterEmailChange(h);
    assert.equal(r.secondId, r.firstId);
    assert.equal((await userNamed(h.c, 'carol@new.example.com')).id, r.firstId);
  });

  it('links a user SCIM pre-created with the same verified email instead of creating another', async () => {
    const h = await setup();
    const created = await h.c.scim('POST', '/Users', {
      schemas: [USER],
      userName: 'Bob@Example.com',
      emails: [
        { value: 'Bob@Example.com', type: 'work', primary: true },
        { value: 'bob@home.example', type: 'home' },
      ],
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    });
    expectStatus(created, 201, 'pre-create');
    h.accounts.set('bob-sub', person('bob', { preferred_username: undefined, email: 'bob@example.com' }));
    const mine = (await me(h, await signIn(h, 'bob-sub'))).json;
    assert.equal(mine.id, created.json.id);
    assert.equal(await countUsers(h.c), 1);
    const user = await getJson(h.c, `/Users/${created.json.id}`);
    assert.equal(user.userName, 'bob@example.com', 'the claims are the source of truth');
    assert.deepEqual(user.emails, [
      { value: 'bob@example.com', type: 'work', primary: true },
      { value: 'bob@home.example', type: 'home' },
    ]);
    assert.deepEqual(user.phoneNumbers, [{ value: '+1 555 0100', type: 'work' }], 'what the claims do not speak of stays');
    // Linked now: a second login finds it by (iss, sub), not by email.
    await signIn(h, 'bob-sub');
    assert.equal(await countUsers(h.c), 1);
  });

  it('does not adopt an existing user by an unverified email', async () => {
    const h = await setup();
    const r = await loginWithUnverifiedEmail(h);
    assert.notEqual(r.signedInAs, r.existingId);
    assert.equal(r.users, 2);
    assert.equal((await getJson(h.c, `/Users/${r.existingId}`)).userName, 'hank.existing');
  });

  it('refuses a user SCIM deactivated, and ends its session', async () => {
    const h = await setup();
    h.accounts.set('erin', person('erin'));
    const agent = await signIn(h, 'erin');
    const id = (await me(h, agent)).json.id as string;
    const patched = await h.c.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expectStatus(patched, 200, 'deactivate');
    const session = await me(h, agent);
    expectOk(session, 401, 'me after deactivation');
    assert.deepEqual(session.json, { error: 'not signed in' });
    const fresh = new Agent();
    const refused = await login(h, fresh, 'erin');
    expectOk(refused, 403, 'login of a deactivated user');
    assert.equal(refused.json.error, 'account_disabled');
    assert.ok(!refused.setCookies.some((s) => s.startsWith('provspec_rp_session=') && !s.startsWith('provspec_rp_session=;')));
    expectOk(await me(h, fresh), 401, 'no session');
    assert.equal((await getJson(h.c, `/Users/${id}`)).active, false);
  });

  it('provisions anew a linked user SCIM deleted', async () => {
    const h = await setup();
    h.accounts.set('frank', person('frank'));
    const firstId = (await me(h, await signIn(h, 'frank'))).json.id as string;
    expectStatus(await h.c.scim('DELETE', `/Users/${firstId}`), 204, 'delete');
    const second = (await me(h, await signIn(h, 'frank'))).json;
    assert.notEqual(second.id, firstId);
    assert.equal((await userNamed(h.c, 'frank')).id, second.id);
  });

  it("ends the session when the OP's back-channel logout token arrives", async () => {
    const h = await setup();
    const reply = await sessionAfterBackchannelLogout(h);
    expectOk(reply, 401, 'me after back-channel logout');
    assert.deepEqual(reply.json, { error: 'not signed in' });
  });

  it('answers 400 to logout tokens that do not verify, and leaves sessions alone', async () => {
    const h = await setup();
    h.accounts.set('jack', person('jack'));
    const agent = await signIn(h, 'jack');
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const bad = {
      'not a JWT': 'not-a-jwt',
      'signed by another key': await logoutToken(h, {}, { key: otherKey, sub: 'jack' }),
      'for another client': await logoutToken(h, {}, { audience: 'someone-else', sub: 'jack' }),
      'from another issuer': await logoutToken(h, {}, { issuer: 'http://127.0.0.1:1', sub: 'jack' }),
      'without events': await logoutToken(h, { events: undefined }, { sub: 'jack' }),
      'with another event': await logoutToken(h, { events: { 'http://example.com/other': {} } }, { sub: 'jack' }),
      'with a nonce': await logoutToken(h, { nonce: 'n' }, { sub: 'jack' }),
      'naming neither sub nor sid': await logoutToken(h, {}, { sub: null }),
    };
    for (const [what, token] of Object.entries(bad)) assert.equal(await postLogoutToken(h, token), 400, what);
    const wrongType = await request(h.fed.backchannelLogoutUri, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await wrongType.body.text();
    assert.equal(wrongType.statusCode, 400);
    expectOk(await me(h, agent), 200, 'me after invalid tokens');
    // A valid token that names the subject only ends every session of that subject.
    assert.equal(await postLogoutToken(h, await logoutToken(h, {}, { sub: 'jack' })), 200);
    expectOk(await me(h, agent), 401, 'me after a valid token');
  });

  it('ends the session at GET /app/logout', async () => {
    const h = await setup();
    h.accounts.set('kim', person('kim'));
    const agent = await signIn(h, 'kim');
    const out = await agent.send(h.fed.logoutUrl);
    expectOk(out, 302, 'logout');
    assert.equal(out.location?.pathname, '/app/home');
    expectOk(await me(h, agent), 401, 'me after logout');
    assert.deepEqual((await agent.send(out.location!)).json, { signedIn: false });
  });

  it('refuses the login on an OAuth error or a forged callback, and changes nothing', async () => {
    const h = await setup();
    h.accounts.set('lee', person('lee'));
    const denied = await login(h, new Agent(), 'lee', { deny: true });
    expectOk(denied, 403, 'denied at the OP');
    assert.equal(denied.json.error, 'access_denied');
    assert.equal(typeof denied.json.error_description, 'string');
    // A callback nobody started, and one whose state is not the one sent.
    const stray = await new Agent().send(`${h.fed.redirectUri}?code=abc&state=xyz`);
    expectOk(stray, 403, 'callback without a login');
    const agent = new Agent();
    expectOk(await agent.send(h.fed.loginUrl), 302, 'login');
    const forged = await agent.send(`${h.fed.redirectUri}?code=abc&state=forged&iss=${encodeURIComponent(h.issuer)}`);
    expectOk(forged, 403, 'forged state');
    assert.equal(forged.json.error, 'login_failed');
    assert.match(forged.json.error_description, /state/);
    assert.equal(await countUsers(h.c), 0);
    expectOk(await me(h, agent), 401, 'no session');
  });

  it('refuses an ID token for another client, unsigned, from another issuer, expired, or with another nonce; changes nothing', async () => {
    const h = await setup();
    assertRefused(await loginsWithTamperedIdToken(h, WRONG_AUDIENCE, 'aud'), /"aud"/, 'wrong aud');
    assertRefused(await loginsWithTamperedIdToken(h, ALG_NONE, 'none'), /"alg"/, 'alg none');
    assertRefused(await loginsWithTamperedIdToken(h, WRONG_ISSUER, 'iss'), /"iss"/, 'wrong iss');
    assertRefused(await loginsWithTamperedIdToken(h, EXPIRED, 'exp'), /"exp"/, 'expired');
    assertRefused(await loginsWithTamperedIdToken(h, WRONG_NONCE, 'nonce'), /"nonce"/, 'wrong nonce');
    // Untouched, the same logins go through: the refusals were for the defects.
    for (const label of ['aud', 'none', 'iss', 'exp', 'nonce']) {
      await signIn(h, `olga-${label}`);
      await signIn(h, `pete-${label}`);
    }
  });

  it('sends a PKCE challenge (S256) and its verifier, also to an IdP that would do without', async () => {
    const h = await setup({ pkceRequired: false });
    const pkce = await pkceOfLogin(h, 'uma');
    assert.equal(pkce.method, 'S256');
    assert.match(pkce.challenge ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(typeof pkce.verifier, 'string');
  });

  it('reads the claims from the ID token, and from userinfo when the ID token lacks them', async () => {
    for (const conformIdTokenClaims of [false, true]) {
      const h = await setup({ conformIdTokenClaims });
      h.accounts.set('mia', person('mia', { groups: [], department: 'Ops' }));
      await signIn(h, 'mia');
      assert.equal((await userNamed(h.c, 'mia'))[ENTERPRISE]?.department, 'Ops');
      assert.equal(h.opPaths.includes('/me'), conformIdTokenClaims, `userinfo asked (conformIdTokenClaims ${conformIdTokenClaims})`);
    }
  });

  it('refuses unknown federation misbehaviours, and an issuer that is not a URL', async () => {
    await assert.rejects(startReferenceServer({ federationMisbehave: ['jit-nonsense'] }), /Unknown federation misbehaviour "jit-nonsense"/);
    await assert.rejects(startReferenceServer({ federation: { oidc: { issuer: 'idp', clientId: 'app' } } }), /is not a URL/);
  });

  it('answers the demo app as before when no IdP is configured', async () => {
    const c = await start({});
    try {
      assert.equal(c.server.federation, undefined);
      const response = await fetch(`${c.server.appUrl}/login`, { redirect: 'manual' });
      assert.equal(response.status, 404);
      await response.body?.cancel();
    } finally {
      await c.close();
    }
  });
});

describe('reference relying party misbehaviours', () => {
  it('jit-no-update: the second login changes nothing', async () => {
    const h = await setup({ federationMisbehave: ['jit-no-update'] });
    const r = await loginTwiceWithChangedClaims(h);
    assert.equal(r.second.id, r.first.id);
    assert.deepEqual(r.second.name, { givenName: 'Alice', familyName: 'Example' });
    assert.equal(r.second[ENTERPRISE]?.department, 'R&D');
    assert.deepEqual(r.engineeringMembers, [r.first.id]);
    assert.deepEqual(r.salesMembers, []);
  });

  it('jit-single-group-dropped: one group is no group', async () => {
    const h = await setup({ federationMisbehave: ['jit-single-group-dropped'] });
    const r = await loginWithOneGroup(h);
    assert.deepEqual(r.afterArray, []);
    assert.deepEqual(r.meGroups, []);
    assert.deepEqual(r.afterString, []);
  });

  it('jit-links-by-email: a changed email gives a second account', async () => {
    const h = await setup({ federationMisbehave: ['jit-links-by-email'] });
    const r = await loginBeforeAndAfterEmailChange(h);
    assert.notEqual(r.secondId, r.firstId);
    assert.equal(r.users, 2);
  });

  it('jit-session-survives-removal: the session outlives the logout token and the deactivation', async () => {
    const h = await setup({ federationMisbehave: ['jit-session-survives-removal'] });
    const reply = await sessionAfterBackchannelLogout(h);
    expectOk(reply, 200, 'me after back-channel logout');
    h.accounts.set('nina', person('nina'));
    const agent = await signIn(h, 'nina');
    const id = (await me(h, agent)).json.id as string;
    await h.c.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expectOk(await me(h, agent), 200, 'me after deactivation');
  });

  it('jit-backchannel-behind-login: a valid logout token gets a 302 to the login page and the session goes on', async () => {
    const h = await setup({ federationMisbehave: ['jit-backchannel-behind-login'] });
    h.accounts.set('olga', person('olga'));
    const agent = await signIn(h, 'olga');
    expectOk(await me(h, agent), 200, 'me before the logout token');
    assert.equal(await postLogoutToken(h, await logoutToken(h, {}, { sub: 'olga' })), 302);
    expectOk(await me(h, agent), 200, 'me after the refused logout token');
  });

  it('jit-links-unverified-email: an unverified email adopts the existing user', async () => {
    const h = await setup({ federationMisbehave: ['jit-links-unverified-email'] });
    const r = await loginWithUnverifiedEmail(h);
    assert.equal(r.signedInAs, r.existingId);
    assert.equal(r.users, 1);
  });

  it('jit-accepts-wrong-audience: an ID token for another client signs in; an unsigned one still does not', async () => {
    const h = await setup({ federationMisbehave: ['jit-accepts-wrong-audience'] });
    assertSignedIn(await loginsWithTamperedIdToken(h, WRONG_AUDIENCE, 'aud'), 'wrong aud');
    assertRefused(await loginsWithTamperedIdToken(h, ALG_NONE, 'none'), /"alg"/, 'alg none');
    // The library stops at aud, before the nonce: the app's own check of the rest still holds.
    await assertTamperRefused(h, { alg: 'RS256', claims: { ...WRONG_AUDIENCE.claims, nonce: 'not-sent' } }, 'quinn', /nonce/);
    await assertTamperRefused(h, { alg: 'RS256', claims: { ...WRONG_AUDIENCE.claims, iss: 'http://127.0.0.1:1' } }, 'rosa', /iss/);
  });

  it('jit-accepts-alg-none: an unsigned ID token signs in; one for another client still does not', async () => {
    const h = await setup({ federationMisbehave: ['jit-accepts-alg-none'] });
    assertSignedIn(await loginsWithTamperedIdToken(h, ALG_NONE, 'none'), 'alg none');
    assertRefused(await loginsWithTamperedIdToken(h, WRONG_AUDIENCE, 'aud'), /"aud"/, 'wrong aud');
    // alg is the library's first check: every claim of an unsigned token is the app's to check.
    await assertTamperRefused(h, { alg: 'none', claims: WRONG_AUDIENCE.claims }, 'quinn', /aud/);
    await assertTamperRefused(h, { alg: 'none', claims: { nonce: 'not-sent' } }, 'rosa', /nonce/);
    await assertTamperRefused(h, { alg: 'none', claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }, 'sam', /exp/);
  });

  it('jit-accepts-wrong-issuer: an ID token from another issuer signs in; the other defects still do not', async () => {
    const h = await setup({ federationMisbehave: ['jit-accepts-wrong-issuer'] });
    // A new person: the account is keyed by (iss, sub), so the foreign iss makes it a new account whoever it names.
    await assertTamperAccepted(h, WRONG_ISSUER, 'ursula');
    assertRefused(await loginsWithTamperedIdToken(h, WRONG_AUDIENCE, 'aud'), /"aud"/, 'wrong aud');
    assertRefused(await loginsWithTamperedIdToken(h, EXPIRED, 'exp'), /"exp"/, 'expired');
    // The library stops at iss, before aud and the nonce: the app's own check of the rest still holds.
    await assertTamperRefused(h, { alg: 'RS256', claims: { ...WRONG_ISSUER.claims, ...WRONG_AUDIENCE.claims } }, 'quinn', /aud/);
    await assertTamperRefused(h, { alg: 'RS256', claims: { ...WRONG_ISSUER.claims, ...WRONG_NONCE.claims } }, 'rosa', /nonce/);
    await assertTamperRefused(h, { alg: 'none', claims: WRONG_ISSUER.claims }, 'sam', /alg/);
  });

  it('jit-accepts-expired: an expired ID token signs in; the other defects still do not', async () => {
    const h = await setup({ federationMisbehave: ['jit-accepts-expired'] });
    assertSignedIn(await loginsWithTamperedIdToken(h, EXPIRED, 'exp'), 'expired');
    assertRefused(await loginsWithTamperedIdToken(h, WRONG_ISSUER, 'iss'), /"iss"/, 'wrong iss');
    // exp is the library's first claim check: every other claim of an expired token is the app's to check.
    await assertTamperRefused(h, { alg: 'RS256', claims: { ...EXPIRED.claims, ...WRONG_ISSUER.claims } }, 'quinn', /iss/);
    await assertTamperRefused(h, { alg: 'RS256', claims: { ...EXPIRED.claims, ...WRONG_AUDIENCE.claims } }, 'rosa', /aud/);
    await assertTamperRefused(h, { alg: 'RS256', claims: { ...EXPIRED.claims, ...WRONG_NONCE.claims } }, 'sam', /nonce/);
    await assertTamperRefused(h, { alg: 'RS256', claims: { ...EXPIRED.claims, sub: undefined } }, 'tina', /sub/);
    await assertTamperRefused(h, { alg: 'none', claims: EXPIRED.claims }, 'ulla', /alg/);
  });

  it('jit-skips-nonce: an ID token with another nonce signs in, though the app sends one; the other defects still do not', async () => {
    const h = await setup({ federationMisbehave: ['jit-skips-nonce'] });
    assert.ok((await pkceOfLogin(h, 'vic')).nonce, 'the authorization request carries a nonce');
    assertSignedIn(await loginsWithTamperedIdToken(h, WRONG_NONCE, 'nonce'), 'wrong nonce');
    assertRefused(await loginsWithTamperedIdToken(h, WRONG_AUDIENCE, 'aud'), /"aud"/, 'wrong aud');
    assertRefused(await loginsWithTamperedIdToken(h, EXPIRED, 'exp'), /"exp"/, 'expired');
    // No nonce at all is a token the IdP made without the request's: refused before the comparison.
    await assertTamperRefused(h, { alg: 'RS256', claims: { nonce: undefined } }, 'quinn', /nonce/);
    await assertTamperRefused(h, { alg: 'none', claims: WRONG_NONCE.claims }, 'rosa', /alg/);
  });

  it('jit-no-pkce: the login sends no PKCE and still works; state, nonce and the ID token are still checked', async () => {
    const h = await setup({ federationMisbehave: ['jit-no-pkce'], pkceRequired: false });
    const pkce = await pkceOfLogin(h, 'uma');
    assert.deepEqual(pkce, { challenge: null, method: null, nonce: pkce.nonce, verifier: undefined });
    assert.ok(pkce.nonce, 'a nonce all the same');
    assertRefused(await loginsWithTamperedIdToken(h, WRONG_AUDIENCE, 'aud'), /"aud"/, 'wrong aud');
    await assertTamperRefused(h, WRONG_NONCE, 'quinn', /nonce/);
    await assertTamperRefused(h, EXPIRED, 'rosa', /exp/);
    const agent = new Agent();
    expectOk(await agent.send(h.fed.loginUrl), 302, 'login');
    const forged = await agent.send(`${h.fed.redirectUri}?code=abc&state=forged&iss=${encodeURIComponent(h.issuer)}`);
    expectOk(forged, 403, 'forged state');
    assert.match(forged.json.error_description, /state/);
    // An IdP that insists on PKCE turns the login away: nothing was sent.
    const strict = await setup({ federationMisbehave: ['jit-no-pkce'] });
    strict.accounts.set('uma', person('uma'));
    const refused = await login(strict, new Agent(), 'uma');
    expectOk(refused, 403, 'at an IdP that requires PKCE');
    assert.match(refused.json.error_description, /PKCE/);
  });
});
