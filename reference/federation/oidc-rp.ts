// The demo app as an OpenID Connect relying party: authorization code flow with PKCE through
// openid-client, sessions of its own, back-channel logout, and just-in-time provisioning into the
// store the SCIM endpoint serves (jit.ts). Protocol checks are the library's (state, nonce, PKCE,
// RFC 9207 iss, ID token claims; the signature of a token straight from the token endpoint it
// leaves to TLS, as OpenID Connect Core §3.1.3.7 item 6 allows); what is left here is the app's
// own business: who the user is, what a session is, when it ends.
//
// Routes (under the reference server's origin):
//   GET  /app/login                   → 302 to the IdP, with a transaction cookie
//   GET  /app/auth/callback           → validate, provision, session cookie, 302 /app/home
//   GET  /app/home                    → { signedIn }
//   GET  /app/api/me                  → the session's user, or 401
//   POST /app/auth/backchannel-logout → ends the sessions a valid logout token names
//   GET  /app/logout                  → ends this browser's session, 302 /app/home
//
// Tokens, codes and cookies are never logged: the server's log line carries the path only.
import {
  cookie,
  expireCookie,
  json,
  messageOf,
  notAllowed,
  randomId,
  readCookies,
  SESSION_COOKIE,
  SESSION_LIFETIME_MS,
  sessionEntry,
  userView,
  type AppReply,
  type AppRequest,
} from './app-session.ts';
import * as oidc from 'openid-client';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import type { ScimService } from '../scim/service.ts';
import type { StoredResource } from '../store/resources.ts';
import { JitProvisioner, MAPPED_CLAIMS, identityFromClaims } from './jit.ts';
import type { FederationMisbehaviour } from './misbehaviours.ts';

export const RP_PATHS = {
  login: '/app/login',
  callback: '/app/auth/callback',
  home: '/app/home',
  me: '/app/api/me',
  backchannelLogout: '/app/auth/backchannel-logout',
  logout: '/app/logout',
} as const;

const PATHS: ReadonlySet<string> = new Set(Object.values(RP_PATHS));

/** The app's requests and replies, the same for both protocols (app-session.ts). */
export type RpRequest = AppRequest;
export type RpReply = AppReply;

export interface RelyingPartyOptions {
  /** The IdP's issuer; a function when the IdP is started later and told to this server then (provspec run --embedded). */
  issuer: string | (() => string | undefined);
  clientId: string;
  clientSecret?: string | undefined;
  /** The reference server's origin (http://127.0.0.1:port): the redirect URI is built on it. */
  origin: string;
  service: ScimService;
  flags: ReadonlySet<FederationMisbehaviour>;
}

export interface RelyingPartyUrls {
  loginUrl: string;
  redirectUri: string;
  sessionUrl: string;
  logoutUrl: string;
  backchannelLogoutUri: string;
}

interface Discovered {
  config: oidc.Configuration;
  issuer: string;
  scope: string;
  /** What ID tokens and logout tokens may be signed with. */
  algorithms: string[];
  jwks: ReturnType<typeof createRemoteJWKSet>;
}

interface Transaction {
  state: string;
  nonce: string;
  /** Undefined under `jit-no-pkce`, which sends no code_challenge. */
  codeVerifier: string | undefined;
  expires: number;
}

/** What the token endpoint said of the person: the ID token's claims and the access token for userinfo. */
interface Redeemed {
  claims: Record<string, unknown> & { sub: string };
  accessToken: string | undefined;
}

interface Session {
  userId: string;
  issuer: string;
  subject: string;
  sid: string | undefined;
  expires: number;
  /** The user as at login: what `jit-session-survives-removal` keeps showing once the user is gone. */
  snapshot: Record<string, unknown>;
}

const TX_COOKIE = 'provspec_rp_tx';
const TX_LIFETIME_S = 10 * 60;
const BASE_SCOPES = ['openid', 'profile', 'email', 'groups'];
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const HTTP_TIMEOUT_S = 10;
/** The leeway openid-client (oauth4webapi) gives exp and nbf by default; the misbehaviours' own checks give the same. */
const CLOCK_TOLERANCE_S = 30;
// oauth4webapi's error codes, which openid-client's ClientError carries on; openid-client does not re-export the constants.
const JWT_CLAIM_COMPARISON_FAILED = 'OAUTH_JWT_CLAIM_COMPARISON_FAILED';
const JWT_TIMESTAMP_CHECK_FAILED = 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED';
const INVALID_RESPONSE = 'OAUTH_INVALID_RESPONSE';

/** An ID token check a misbehaviour leaves out; `alg` is the one that the token is signed at all, `hs256` that it is not MACed. */
type IdTokenCheck = 'alg' | 'hs256' | 'iss' | 'aud' | 'azp' | 'exp' | 'sub' | 'nonce';

/** The library's refusal, as libraryRefusal reads it. */
interface Refusal {
  code: string;
  detail: Record<string, unknown>;
}

/**
 * The misbehaviours that override a refusal of the ID token (and so need the raw token response):
 * which refusal of the library each one swallows, and which check the app then leaves out of its own.
 */
const ID_TOKEN_OVERRIDES: ReadonlyArray<{ flag: FederationMisbehaviour; check: IdTokenCheck; swallows: (r: Refusal) => boolean }> = [
  { flag: 'jit-accepts-wrong-audience', check: 'aud', swallows: (r) => isClaimRefusal(r, JWT_CLAIM_COMPARISON_FAILED, 'aud') },
  { flag: 'jit-accepts-alg-none', check: 'alg', swallows: (r) => r.code === INVALID_RESPONSE && headerAlg(r.detail) === 'none' },
  { flag: 'jit-accepts-wrong-issuer', check: 'iss', swallows: (r) => isClaimRefusal(r, JWT_CLAIM_COMPARISON_FAILED, 'iss') },
  { flag: 'jit-accepts-expired', check: 'exp', swallows: (r) => isClaimRefusal(r, JWT_TIMESTAMP_CHECK_FAILED, 'exp') },
  { flag: 'jit-skips-nonce', check: 'nonce', swallows: (r) => isClaimRefusal(r, JWT_CLAIM_COMPARISON_FAILED, 'nonce') },
  { flag: 'jit-accepts-hs256', check: 'hs256', swallows: (r) => r.code === INVALID_RESPONSE && headerAlg(r.detail) === 'HS256' },
  { flag: 'jit-accepts-extra-audience', check: 'azp', swallows: (r) => isClaimRefusal(r, JWT_CLAIM_COMPARISON_FAILED, 'azp') },
  {
    flag: 'jit-accepts-missing-sub',
    check: 'sub',
    swallows: (r) => r.code === INVALID_RESPONSE && lacksSub(r.detail),
  },
];

export class OidcRelyingParty {
  readonly urls: RelyingPartyUrls;
  /** The IdP's issuer, or how to learn it at the next login (an IdP started after this server). */
  readonly #issuer: string | (() => string | undefined);
  readonly #clientId: string;
  readonly #clientSecret: string | undefined;
  readonly #origin: string;
  readonly #service: ScimService;
  readonly #jit: JitProvisioner;
  readonly #flags: ReadonlySet<FederationMisbehaviour>;
  readonly #transactions = new Map<string, Transaction>();
  readonly #sessions = new Map<string, Session>();
  /**
   * Raw token endpoint response bodies by the authorization code the request redeemed, i.e. by
   * login (concurrent logins share the Configuration; a code_verifier is not always sent); kept
   * only under ID_TOKEN_OVERRIDES, and dropped when the callback that asked for it ends.
   */
  readonly #tokenResponses = new Map<string, string>();
  /** `jit-pins-first-key`: the first key of the IdP's JWKS, as fetched once, by issuer. */
  #pinnedKey: { issuer: string; key: ReturnType<typeof importJWK> } | undefined;
  #discovered: { issuer: string; metadata: Promise<Discovered> } | undefined;

  constructor(options: RelyingPartyOptions) {
    this.#issuer = options.issuer;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#origin = options.origin;
    this.#service = options.service;
    this.#flags = options.flags;
    this.#jit = new JitProvisioner(options.service, options.flags);
    this.urls = {
      loginUrl: `${options.origin}${RP_PATHS.login}`,
      redirectUri: `${options.origin}${RP_PATHS.callback}`,
      sessionUrl: `${options.origin}${RP_PATHS.me}`,
      logoutUrl: `${options.origin}${RP_PATHS.logout}`,
      backchannelLogoutUri: `${options.origin}${RP_PATHS.backchannelLogout}`,
    };
  }

  handles(pathname: string): boolean {
    return PATHS.has(pathname);
  }

  async handle(request: RpRequest): Promise<RpReply> {
    const { method } = request;
    switch (request.url.pathname) {
      case RP_PATHS.login:
        return method === 'GET' ? this.#login() : notAllowed('GET');
      case RP_PATHS.callback:
        return method === 'GET' ? this.#callback(request) : notAllowed('GET');
      case RP_PATHS.home:
        return method === 'GET' ? json(200, { signedIn: this.#session(request) !== undefined }) : notAllowed('GET');
      case RP_PATHS.me:
        return method === 'GET' ? this.#me(request) : notAllowed('GET');
      case RP_PATHS.backchannelLogout:
        return method === 'POST' ? this.#backchannelLogout(request) : notAllowed('POST');
      case RP_PATHS.logout:
        return method === 'GET' || method === 'POST' ? this.#logout(request) : notAllowed('GET, POST');
      default:
        return json(404, { error: 'not found' });
    }
  }

  /**
   * The IdP's metadata, fetched at first need rather than at start-up (the IdP usually starts
   * after this server); a failed discovery is forgotten so the next login tries again.
   */
  #discover(): Promise<Discovered> {
    const issuer = this.#issuerNow();
    if (issuer === undefined) return Promise.reject(new Error('no identity provider is configured yet'));
    // A new issuer (the next run's IdP) is discovered anew.
    if (this.#discovered?.issuer !== issuer) {
      const metadata = this.#fetchMetadata(issuer).catch((error: unknown) => {
        if (this.#discovered?.metadata === metadata) this.#discovered = undefined;
        throw error;
      });
      this.#discovered = { issuer, metadata };
    }
    return this.#discovered.metadata;
  }

  #issuerNow(): string | undefined {
    return typeof this.#issuer === 'function' ? this.#issuer() : this.#issuer;
  }

  async #fetchMetadata(issuer: string): Promise<Discovered> {
    const issuerUrl = new URL(issuer);
    // Plain http is for IdPs on loopback in tests; openid-client refuses it unless told.
    const insecure = issuerUrl.protocol === 'http:';
    const found = await oidc.discovery(issuerUrl, this.#clientId, undefined, undefined, {
      execute: insecure ? [oidc.allowInsecureRequests] : [],
      timeout: HTTP_TIMEOUT_S,
    });
    const server = { ...found.serverMetadata() };
    const algorithms = signingAlgorithms(server.id_token_signing_alg_values_supported);
    const config = new oidc.Configuration(
      server,
      this.#clientId,
      { id_token_signed_response_alg: algorithms[0]!, ...(this.#clientSecret === undefined ? {} : { client_secret: this.#clientSecret }) },
      clientAuthentication(this.#clientSecret, server.token_endpoint_auth_methods_supported),
    );
    if (insecure) oidc.allowInsecureRequests(config);
    config.timeout = HTTP_TIMEOUT_S;
    if (ID_TOKEN_OVERRIDES.some((o) => this.#flags.has(o.flag))) config[oidc.customFetch] = this.#fetchKeepingTokenResponses;
    if (server.jwks_uri === undefined) throw new Error(`${server.issuer} publishes no jwks_uri.`);
    // Custom claims (department) come with scopes of their own: ask for every scope the IdP offers,
    // except offline_access, which would ask for refresh tokens the app has no use for.
    const extra = (server.scopes_supported ?? []).filter((s) => s !== 'offline_access' && !BASE_SCOPES.includes(s));
    return {
      config,
      issuer: server.issuer,
      scope: [...BASE_SCOPES, ...extra].join(' '),
      algorithms,
      jwks: createRemoteJWKSet(new URL(server.jwks_uri), { timeoutDuration: HTTP_TIMEOUT_S * 1000 }),
    };
  }

  async #login(): Promise<RpReply> {
    let discovered: Discovered;
    try {
      discovered = await this.#discover();
    } catch (error) {
      return json(502, {
        error: 'idp_unavailable',
        error_description: `Discovery of ${this.#issuerNow() ?? 'the IdP'} failed: ${messageOf(error)}`,
      });
    }
    this.#sweep();
    // `jit-no-pkce`: a confidential client "has its secret", so PKCE was left out; an IdP that does
    // not insist on it for such clients (most do not, by default) serves the login all the same.
    const codeVerifier = this.#flags.has('jit-no-pkce') ? undefined : oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const pkce: Record<string, string> =
      codeVerifier === undefined
        ? {}
        : { code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256' };
    const target = oidc.buildAuthorizationUrl(discovered.config, {
      redirect_uri: this.urls.redirectUri,
      response_type: 'code',
      scope: discovered.scope,
      state,
      nonce,
      ...pkce,
    });
    const id = randomId();
    this.#transactions.set(id, { state, nonce, codeVerifier, expires: Date.now() + TX_LIFETIME_S * 1000 });
    return {
      status: 302,
      headers: { location: target.href, 'set-cookie': cookie(TX_COOKIE, id, TX_LIFETIME_S), 'cache-control': 'no-store' },
    };
  }

  async #callback(request: RpRequest): Promise<RpReply> {
    const cookies = readCookies(request.headers.cookie);
    const params = request.url.searchParams;
    // The bug: the login in progress is the one the callback's state names, in whichever browser.
    const txId = this.#flags.has('jit-tx-by-state') ? this.#transactionByState(params.get('state')) : cookies.get(TX_COOKIE);
    const tx = txId === undefined ? undefined : this.#transactions.get(txId);
    // One callback per transaction, whatever it brings: a replayed callback finds nothing.
    if (txId !== undefined) this.#transactions.delete(txId);
    const fail = (status: number, error: string, description: string): RpReply =>
      json(status, { error, error_description: description }, { 'set-cookie': expireCookie(TX_COOKIE) });
    if (!tx || tx.expires < Date.now()) {
      const error = params.get('error');
      if (error !== null) return fail(403, error, params.get('error_description') ?? 'The IdP refused the login.');
      return fail(403, 'invalid_request', 'No login is in progress in this browser, or it expired: start at /app/login.');
    }
    let claims: Record<string, unknown>;
    try {
      const discovered = await this.#discover();
      const current = new URL(this.urls.redirectUri);
      current.search = request.url.search;
      // The bug: whichever IdP the answer says it came from, the app's own is taken to be it.
      if (this.#flags.has('jit-ignores-iss-parameter') && current.searchParams.has('iss'))
        current.searchParams.set('iss', discovered.issuer);
      const tokens = await this.#redeem(discovered, current, tx);
      claims = { ...tokens.claims };
      // Many IdPs keep the ID token small and release profile claims at userinfo only.
      const userinfo = discovered.config.serverMetadata().userinfo_endpoint;
      if (MAPPED_CLAIMS.some((c) => claims[c] === undefined) && userinfo !== undefined && tokens.accessToken) {
        // `jit-accepts-missing-sub`: with no subject to compare, userinfo's is not compared either.
        const subject = typeof tokens.claims.sub === 'string' ? tokens.claims.sub : oidc.skipSubjectCheck;
        const info = await oidc.fetchUserInfo(discovered.config, tokens.accessToken, subject);
        for (const [name, value] of Object.entries(info)) if (claims[name] === undefined) claims[name] = value;
      }
    } catch (error) {
      const failure = describeFailure(error);
      return fail(403, failure.error, failure.description);
    }
    const issuer = String(claims['iss']);
    const subject = String(claims['sub']);
    const outcome = await this.#jit.signIn(identityFromClaims(issuer, subject, claims));
    if (!outcome.ok) return fail(outcome.status, outcome.error, outcome.description);
    // A fresh id at every login: a session id known before the login (fixation) is worth nothing after.
    const previous = cookies.get(SESSION_COOKIE);
    if (previous !== undefined) this.#sessions.delete(previous);
    const id = randomId();
    const user = this.#service.store.get('User', outcome.userId);
    this.#sessions.set(id, {
      userId: outcome.userId,
      issuer,
      subject,
      sid: typeof claims['sid'] === 'string' ? claims['sid'] : undefined,
      expires: Date.now() + SESSION_LIFETIME_MS,
      snapshot: user ? this.#view(user) : { id: outcome.userId },
    });
    return {
      status: 302,
      headers: {
        location: `${this.#origin}${RP_PATHS.home}`,
        'set-cookie': [expireCookie(TX_COOKIE), cookie(SESSION_COOKIE, id)],
        'cache-control': 'no-store',
      },
    };
  }

  /** The authorization code for tokens, every check the library's; under a misbehaviour, one of its refusals overridden. */
  async #redeem(discovered: Discovered, current: URL, tx: Transaction): Promise<Redeemed> {
    const code = current.searchParams.get('code');
    try {
      const tokens = await oidc.authorizationCodeGrant(discovered.config, current, {
        pkceCodeVerifier: tx.codeVerifier,
        expectedState: this.#flags.has('jit-ignores-state') ? oidc.skipStateCheck : tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || tokens.id_token === undefined) throw new Error('The token response has no ID token.');
      if (this.#flags.has('jit-pins-first-key')) await this.#verifyWithPinnedKey(discovered, tokens.id_token);
      return { claims, accessToken: tokens.access_token };
    } catch (error) {
      const overridden = this.#overrideRefusal(error, discovered, code, tx);
      if (overridden === undefined) throw error;
      return overridden;
    } finally {
      if (code !== null) this.#tokenResponses.delete(code);
    }
  }

  /**
   * ID_TOKEN_OVERRIDES, the way the bug is written in real apps: the library's refusal of the ID
   * token, of exactly one kind, is caught, and the person signed in from the token's unverified
   * claims. The library stops at its first failed check (alg, then exp, iss, aud, sub, azp, and the
   * nonce last), so what it did not get to is checked here by hand, leaving out only the checks of
   * the flags set: each flag lets its own defect through, and no other.
   */
  #overrideRefusal(error: unknown, discovered: Discovered, code: string | null, tx: Transaction): Redeemed | undefined {
    const refusal = libraryRefusal(error);
    const active = ID_TOKEN_OVERRIDES.filter((o) => this.#flags.has(o.flag));
    if (refusal === undefined || !active.some((o) => o.swallows(refusal))) return undefined;
    const raw = code === null ? undefined : this.#tokenResponses.get(code);
    if (raw === undefined) return undefined;
    let response: Record<string, unknown>;
    let idHeader: ProtectedHeaderParameters;
    let claims: JWTPayload;
    try {
      response = JSON.parse(raw) as Record<string, unknown>;
      if (typeof response['id_token'] !== 'string') return undefined;
      idHeader = decodeProtectedHeader(response['id_token']);
      claims = decodeJwt(response['id_token']);
    } catch {
      return undefined;
    }
    // The library looks at the token_type only once the ID token has passed.
    const tokenType = response['token_type'];
    if (typeof tokenType !== 'string' || !['bearer', 'dpop'].includes(tokenType.toLowerCase())) {
      throw new Error(`The token response's token_type ${JSON.stringify(tokenType)} is not one the app supports.`);
    }
    const expected = { algorithms: [discovered.algorithms[0]!], issuer: discovered.issuer, clientId: this.#clientId, nonce: tx.nonce };
    const problem = idTokenProblem(idHeader, claims, expected, new Set(active.map((o) => o.check)));
    if (problem !== undefined) throw new Error(`The ID token is not valid: ${problem}`);
    const accessToken = response['access_token'];
    return {
      claims: claims as Redeemed['claims'],
      accessToken: typeof accessToken === 'string' && accessToken !== '' ? accessToken : undefined,
    };
  }

  /**
   * `jit-pins-first-key`, the way the bug is written: the app verifies ID tokens itself, with the
   * key it found first in the IdP's JWKS, and never looks at the token's kid.
   */
  async #verifyWithPinnedKey(discovered: Discovered, idToken: string): Promise<void> {
    if (this.#pinnedKey?.issuer !== discovered.issuer) {
      const jwksUri = discovered.config.serverMetadata().jwks_uri!;
      const key = fetch(jwksUri, { signal: AbortSignal.timeout(HTTP_TIMEOUT_S * 1000) })
        .then((response) => response.json() as Promise<{ keys?: JWK[] }>)
        .then(({ keys }) => {
          if (!keys?.[0]) throw new Error(`${jwksUri} lists no key`);
          return importJWK({ ...keys[0], alg: keys[0].alg ?? 'RS256' });
        });
      this.#pinnedKey = { issuer: discovered.issuer, key };
    }
    try {
      await jwtVerify(idToken, await this.#pinnedKey.key, { algorithms: discovered.algorithms });
    } catch (error) {
      throw new Error(`The ID token's signature does not verify: ${messageOf(error)}`);
    }
  }

  #transactionByState(state: string | null): string | undefined {
    for (const [id, tx] of this.#transactions) if (state !== null && tx.state === state) return id;
    return undefined;
  }

  /** fetch for openid-client that also keeps each token response body, for the login whose authorization code it redeems. */
  readonly #fetchKeepingTokenResponses: oidc.CustomFetch = async (url, options) => {
    const response = await fetch(url, options);
    const form = options.method === 'POST' && options.body instanceof URLSearchParams ? options.body : undefined;
    const code = form?.get('grant_type') === 'authorization_code' ? form.get('code') : null;
    // A clone, so the library still reads the body it was sent.
    if (code !== null && code !== undefined) this.#tokenResponses.set(code, await response.clone().text());
    return response;
  };

  #me(request: RpRequest): RpReply {
    const found = this.#sessionEntry(request);
    if (!found) return json(401, { error: 'not signed in' });
    const [id, session] = found;
    const user = this.#service.store.get('User', session.userId);
    if (this.#flags.has('jit-session-survives-removal')) return json(200, user ? this.#view(user) : session.snapshot);
    // A session is only as good as its user: deleted or deactivated by SCIM, it ends.
    if (!user || user.data['active'] === false) {
      this.#sessions.delete(id);
      return json(401, { error: 'not signed in' });
    }
    return json(200, this.#view(user));
  }

  #logout(request: RpRequest): RpReply {
    const id = readCookies(request.headers.cookie).get(SESSION_COOKIE);
    if (id !== undefined) this.#sessions.delete(id);
    return {
      status: 302,
      headers: { location: `${this.#origin}${RP_PATHS.home}`, 'set-cookie': expireCookie(SESSION_COOKIE), 'cache-control': 'no-store' },
    };
  }

  /** OpenID Connect Back-Channel Logout 1.0 §2.5-2.8. */
  async #backchannelLogout(request: RpRequest): Promise<RpReply> {
    // The bug: the app's "signed in?" middleware guards every path, this one too, and the IdP has no session cookie.
    if (this.#flags.has('jit-backchannel-behind-login')) return { status: 302, headers: { location: `${this.#origin}${RP_PATHS.login}` } };
    const invalid = (description: string) => json(400, { error: 'invalid_request', error_description: description });
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type))
      return invalid('Post the logout token as application/x-www-form-urlencoded.');
    const tokens = new URLSearchParams(request.body?.toString('utf8') ?? '').getAll('logout_token');
    if (tokens.length !== 1 || tokens[0] === '') return invalid('Send exactly one logout_token.');
    let discovered: Discovered;
    try {
      discovered = await this.#discover();
    } catch (error) {
      return json(503, {
        error: 'temporarily_unavailable',
        error_description: `Discovery of ${this.#issuerNow() ?? 'the IdP'} failed: ${messageOf(error)}`,
      });
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(tokens[0]!, discovered.jwks, {
        issuer: discovered.issuer,
        audience: this.#clientId,
        algorithms: discovered.algorithms,
        requiredClaims: ['iat'],
        clockTolerance: 60,
      }));
    } catch (error) {
      return invalid(`The logout token does not verify: ${messageOf(error)}`);
    }
    const problem = logoutTokenProblem(payload);
    if (problem !== undefined) return invalid(problem);
    if (!this.#flags.has('jit-session-survives-removal')) {
      const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
      const sid = typeof payload['sid'] === 'string' ? payload['sid'] : undefined;
      for (const [id, session] of this.#sessions) {
        if (session.issuer !== payload.iss) continue;
        if (sub !== undefined && session.subject !== sub) continue;
        if (sid !== undefined && session.sid !== sid) continue;
        this.#sessions.delete(id);
      }
    }
    return { status: 200, headers: { 'cache-control': 'no-store' } };
  }

  #sessionEntry(request: RpRequest): [string, Session] | undefined {
    return sessionEntry(this.#sessions, request);
  }

  #session(request: RpRequest): Session | undefined {
    return this.#sessionEntry(request)?.[1];
  }

  #view(user: StoredResource): Record<string, unknown> {
    return userView(this.#service, user);
  }

  /** Abandoned logins and old sessions go, so the maps do not grow with every visit. */
  #sweep(): void {
    const now = Date.now();
    for (const [id, tx] of this.#transactions) if (tx.expires < now) this.#transactions.delete(id);
    for (const [id, session] of this.#sessions) if (session.expires < now) this.#sessions.delete(id);
  }
}

/**
 * openid-client's ClientError wrapping oauth4webapi's OperationProcessingError: its code, and the
 * details the inner error carries (for a claim comparison `claim`, for an alg check `header`).
 */
function libraryRefusal(error: unknown): Refusal | undefined {
  if (!(error instanceof oidc.ClientError) || error.code === undefined) return undefined;
  const inner = error.cause;
  if (!(inner instanceof Error) || typeof inner.cause !== 'object' || inner.cause === null) return undefined;
  return { code: error.code, detail: inner.cause as Record<string, unknown> };
}

/** A refusal with this code for this claim (oauth4webapi names the claim a comparison or a timestamp check failed on). */
function isClaimRefusal(refusal: Refusal, code: string, claim: string): boolean {
  return refusal.code === code && refusal.detail['claim'] === claim;
}

/** The library's presence check names the claims it looked at: a refusal of them without a sub is the missing sub's. */
function lacksSub(detail: Record<string, unknown>): boolean {
  const claims = detail['claims'];
  return typeof claims === 'object' && claims !== null && (claims as Record<string, unknown>)['sub'] === undefined;
}

function headerAlg(detail: Record<string, unknown>): unknown {
  const header = detail['header'];
  return typeof header === 'object' && header !== null ? (header as Record<string, unknown>)['alg'] : undefined;
}

function audiencesOf(claims: JWTPayload): unknown[] {
  return Array.isArray(claims.aud) ? claims.aud : [claims.aud];
}

/**
 * The ID token checks of §3.1.3.7 that need no key, as openid-client makes them, for a token the
 * library did not finish checking: the alg, iss, aud, azp, exp, iat, nbf, sub, auth_time and
 * nonce. The `unchecked` ones are a misbehaviour's: alg none is let through, a foreign iss, an
 * aud without this client (several audiences with it still need azp), a past exp, another nonce.
 * A claim that is missing or of the wrong type is refused whatever the flags: not their defect.
 * Why the token is not valid, or undefined when nothing is wrong.
 */
function idTokenProblem(
  header: ProtectedHeaderParameters,
  claims: JWTPayload,
  expected: { algorithms: readonly string[]; issuer: string; clientId: string; nonce: string },
  unchecked: ReadonlySet<IdTokenCheck>,
): string | undefined {
  const algorithms = [...expected.algorithms, ...(unchecked.has('alg') ? ['none'] : []), ...(unchecked.has('hs256') ? ['HS256'] : [])];
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) return `unexpected alg ${JSON.stringify(header.alg)}`;
  if (typeof claims.iss !== 'string' || claims.iss === '') return 'iss is missing';
  if (!unchecked.has('iss') && claims.iss !== expected.issuer) return 'unexpected iss';
  if (claims.aud === undefined) return 'aud is missing';
  const audiences = audiencesOf(claims);
  if (audiences.includes(expected.clientId)) {
    if (audiences.length > 1 && claims['azp'] !== expected.clientId && !unchecked.has('azp'))
      return 'several audiences, and azp is not this client';
  } else if (!unchecked.has('aud')) return 'unexpected aud';
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number') return 'exp is missing';
  if (!unchecked.has('exp') && claims.exp <= now - CLOCK_TOLERANCE_S) return 'exp is past';
  if (typeof claims.iat !== 'number') return 'iat is missing';
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + CLOCK_TOLERANCE_S)) return 'nbf is in the future';
  if ((typeof claims.sub !== 'string' || claims.sub === '') && !unchecked.has('sub')) return 'sub is missing';
  if (claims['auth_time'] !== undefined && typeof claims['auth_time'] !== 'number') return 'auth_time is not a number';
  if (typeof claims['nonce'] !== 'string') return 'nonce is missing';
  if (!unchecked.has('nonce') && claims['nonce'] !== expected.nonce) return 'unexpected nonce';
  return undefined;
}

/** The checks of §2.6 that a JWT library does not make: what makes a JWT a logout token. */
function logoutTokenProblem(payload: JWTPayload): string | undefined {
  const events = payload['events'];
  if (typeof events !== 'object' || events === null || Array.isArray(events)) return 'The logout token has no "events" object.';
  const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return `The logout token's "events" has no ${BACKCHANNEL_LOGOUT_EVENT} member (a JSON object).`;
  }
  if (typeof payload.sub !== 'string' && typeof payload['sid'] !== 'string') return 'The logout token names neither a sub nor a sid.';
  // An ID token carries a nonce; a logout token must not, so one cannot pass for the other.
  if (payload['nonce'] !== undefined) return 'A logout token must not contain a nonce.';
  return undefined;
}

/**
 * RS256 is what OpenID Connect signs with when a client registers no algorithm, and what every
 * OP must support; an OP that lists only others is taken at its word.
 */
function signingAlgorithms(supported: readonly string[] | undefined): string[] {
  const asymmetric = (supported ?? []).filter((alg) => alg !== 'none' && !alg.startsWith('HS'));
  if (asymmetric.length === 0 || asymmetric.includes('RS256')) return ['RS256', ...asymmetric.filter((a) => a !== 'RS256')];
  return asymmetric;
}

/** client_secret_basic is the OpenID Connect default for a client with a secret; _post where the IdP offers only that. */
function clientAuthentication(secret: string | undefined, supported: readonly string[] | undefined): oidc.ClientAuth {
  if (secret === undefined) return oidc.None();
  if (supported !== undefined && !supported.includes('client_secret_basic') && supported.includes('client_secret_post')) {
    return oidc.ClientSecretPost(secret);
  }
  return oidc.ClientSecretBasic(secret);
}

function describeFailure(error: unknown): { error: string; description: string } {
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) {
    return { error: error.error, description: error.error_description ?? error.message };
  }
  return { error: 'login_failed', description: messageOf(error) };
}
