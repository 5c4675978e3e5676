// provspec's own OpenID Connect identity provider, for testing an app's federation (just-in-time
// provisioning, claims mapping, back-channel logout): oidc-provider on 127.0.0.1 with one client
// (the app), the accounts the tester sets, consent granted without asking, and its own sign-in
// page (interaction.ts). Removing an account is what deleting a user at a real IdP does: its next
// sign-in is refused and each of its sessions ends with a logout token POSTed to the app.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { generateKeyPair, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { Provider, interactionPolicy, type Client, type KoaContextWithOIDC } from 'oidc-provider';
import { IdpStore } from './store.ts';
import { scopesForClaims } from './scopes.ts';
import { handleInteraction, isInteractionPath } from './interaction.ts';
import { tamperIdToken, type IdTokenTamper, type TamperKeys } from './tamper.ts';

export interface IdpClient {
  clientId: string;
  /** Absent: a public client (token_endpoint_auth_method none, PKCE required). */
  clientSecret?: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Where logout tokens go (OpenID Connect Back-Channel Logout 1.0). */
  backchannelLogoutUri?: string;
}

export interface IdpAccount {
  sub: string;
  /** email, email_verified, given_name, family_name, name, preferred_username, groups (string[]), any custom claim. */
  claims: Record<string, unknown>;
}

export interface OidcIdpOptions {
  client: IdpClient;
  /**
   * Claim names the accounts carry. The scopes that release them are generated from these
   * (standard claims in their standard OIDC scopes, any other claim in a scope of its own name).
   */
  claims: string[];
  /** 0 (default): a free port on 127.0.0.1. */
  port?: number;
  signal?: AbortSignal;
  /** The IdP's own failures (a 500 it answered); it never logs to the console. */
  onServerError?: (error: Error) => void;
}

export interface BackchannelDelivery {
  sub: string;
  sid?: string;
  /** The app's answer; absent when none came (see error). */
  status?: number;
  error?: string;
}

export interface OidcIdp {
  /** http://127.0.0.1:PORT (discovery at /.well-known/openid-configuration). */
  readonly issuer: string;
  /** Scope name → the claims it releases, as generated from the claim names (openid → sub). */
  readonly scopes: Readonly<Record<string, readonly string[]>>;
  /** The client has a secret (so an HS256 ID token can be made for it). */
  readonly confidential: boolean;
  /** Adds or replaces an account; its next sign-in (and userinfo) sees the new claims. */
  setAccount(account: IdpAccount): void;
  /**
   * The account is gone: its next sign-in is refused (access_denied at the app's redirect URI),
   * and each of its sessions ends, with a logout token POSTed to the client's back-channel logout
   * URI for each (when it has one). Resolves when those were answered or failed; never throws
   * for the app's answer.
   */
  removeAccount(sub: string): Promise<BackchannelDelivery[]>;
  /** The next ID token the account gets at the token endpoint comes with this one defect (tamper.ts). */
  tamperNextIdToken(sub: string, tamper: IdTokenTamper): void;
  /** What the app asked for in the account's last code exchange: whether it sent a nonce, which PKCE method. */
  lastCodeGrant(sub: string): CodeGrant | undefined;
  close(): Promise<void>;
}

export interface CodeGrant {
  nonce: boolean;
  codeChallengeMethod?: string;
}

const generateRsaKeyPair = promisify(generateKeyPair);

export async function startOidcIdp(options: OidcIdpOptions): Promise<OidcIdp> {
  options.signal?.throwIfAborted();
  const scopes = scopesForClaims(options.claims);
  const accounts = new Map<string, Record<string, unknown>>();
  const store = new IdpStore();
  const onServerError = options.onServerError ?? (() => {});

  let provider: Provider | undefined;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (!provider || !handler) return void res.writeHead(503).end();
    if (isInteractionPath(new URL(req.url ?? '/', 'http://idp').pathname)) {
      handleInteraction(provider, (sub) => accounts.has(sub), req, res).catch((error: unknown) => {
        onServerError(error instanceof Error ? error : new Error(String(error)));
        if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
      });
      return;
    }
    handler(req, res);
  });
  // Listen first: the issuer is the real URL, port and all, and oidc-provider takes it at construction.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const [{ privateKey }, rollover] = await Promise.all([
      generateRsaKeyPair('rsa', { modulusLength: 2048 }),
      generateRsaKeyPair('rsa', { modulusLength: 2048 }),
    ]);
    const jwk: JsonWebKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
    const keys: TamperKeys = {
      signing: privateKey,
      rollover: { key: rollover.privateKey, kid: randomUUID() },
      ...(options.client.clientSecret === undefined ? {} : { clientSecret: options.client.clientSecret }),
    };
    // The next key, published beside the signing one from the start, as Entra ID and Okta publish
    // theirs ahead of a rollover; it signs nothing but the tokens a test asks for (`rollover-key`).
    const rolloverJwk = { ...rollover.publicKey.export({ format: 'jwk' }), kid: keys.rollover.kid, alg: 'RS256', use: 'sig' };
    const deliveries = new AsyncLocalStorage<BackchannelDelivery>();
    const backchannelOrigin = options.client.backchannelLogoutUri ? new URL(options.client.backchannelLogoutUri).origin : undefined;
    provider = new Provider(issuer, {
      adapter: store.adapter,
      clients: [clientMetadata(options.client)],
      jwks: { keys: [jwk] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      claims: scopes,
      // Claims in the ID token as well as at userinfo: many apps read only the ID token.
      conformIdTokenClaims: false,
      responseTypes: ['code'],
      pkce: { required: (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod === 'none' },
      findAccount: (_ctx: unknown, sub: string) => {
        const claims = accounts.get(sub);
        return claims && { accountId: sub, claims: () => ({ ...structuredClone(claims), sub }) };
      },
      loadExistingGrant,
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`, policy: signInPolicy() },
      features: {
        // The built-in pages are a development aid that warns on start; interaction.ts is ours.
        devInteractions: { enabled: false },
        backchannelLogout: { enabled: true },
        rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
        // Off: its default resource-server lookup is a stub that warns when an RP sends `resource`.
        resourceIndicators: { enabled: false },
        userinfo: { enabled: true },
      },
      // Numbers, not the defaults' functions: those print a notice on first use.
      ttl: {
        AccessToken: 3600,
        AuthorizationCode: 60,
        BackchannelAuthenticationRequest: 600,
        ClientCredentials: 600,
        DeviceCode: 600,
        Grant: 86_400,
        IdToken: 3600,
        Interaction: 600,
        PreAuthorizedCode: 600,
        RefreshToken: 86_400,
        Session: 86_400,
      },
      renderError,
      clientBasedCORS: (_ctx: unknown, origin: string, client: Client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
      // oidc-provider's outgoing requests go through a dispatcher that refuses special-use
      // addresses (SSRF protection), 127.0.0.1 included; the app's back-channel logout URI is on
      // loopback here, so requests go out without it, and to that one origin only.
      fetch: async (url: string, init: RequestInit & { dispatcher?: unknown }) => {
        const { dispatcher: _refusesLoopback, ...rest } = init;
        if (new URL(url).origin !== backchannelOrigin)
          throw new Error(`the IdP only calls the client's back-channel logout URI, not ${url}`);
        const response = await fetch(url, rest);
        const delivery = deliveries.getStore();
        if (delivery) delivery.status = response.status;
        // Only the status matters; an app's body is never read (nor held).
        await response.body?.cancel();
        return response;
      },
    });
    // Koa logs errors to the console unless someone listens; the IdP reports them instead.
    provider.on('error', (error) => onServerError(asError(error)));
    provider.on('server_error', (_ctx, error) => onServerError(asError(error)));
    // The token endpoint's answer, seen on its way out: what the code exchange asked for, and an
    // ID token tampered with when the test asked for that.
    const tampers = new Map<string, IdTokenTamper>();
    const grants = new Map<string, CodeGrant>();
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.oidc?.route === 'jwks') {
        const jwks = ctx.body as { keys?: unknown[] } | undefined;
        if (Array.isArray(jwks?.keys)) ctx.body = { keys: [...jwks.keys, rolloverJwk] };
        return;
      }
      const code = ctx.oidc?.entities?.AuthorizationCode;
      const body = ctx.body as { id_token?: unknown } | undefined;
      if (!code?.accountId || typeof body?.id_token !== 'string') return;
      grants.set(code.accountId, {
        nonce: typeof code.nonce === 'string',
        ...(code.codeChallengeMethod ? { codeChallengeMethod: code.codeChallengeMethod } : {}),
      });
      const tamper = tampers.get(code.accountId);
      if (!tamper) return;
      tampers.delete(code.accountId);
      ctx.body = { ...body, id_token: await tamperIdToken(body.id_token, tamper, keys) };
    });
    handler = provider.callback();

    const registered = provider;
    const deliver = async (client: Client, sub: string, sid: string | undefined): Promise<BackchannelDelivery> => {
      const delivery: BackchannelDelivery = { sub, ...(sid === undefined ? {} : { sid }) };
      try {
        await deliveries.run(delivery, () => client.backchannelLogout(sub, sid));
      } catch (error) {
        delivery.error = asError(error).message;
      }
      return delivery;
    };

    let closed: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        store.clear();
      }));
    options.signal?.addEventListener('abort', () => void close(), { once: true });

    return {
      issuer,
      scopes,
      confidential: options.client.clientSecret !== undefined,
      setAccount(account) {
        if (typeof account.sub !== 'string' || account.sub === '') throw new Error('an account needs a non-empty sub');
        accounts.set(account.sub, structuredClone(account.claims));
      },
      async removeAccount(sub) {
        accounts.delete(sub);
        const client = await registered.Client.find(options.client.clientId);
        const pending: Array<Promise<BackchannelDelivery>> = [];
        for (const { id, payload } of store.sessionsOf(sub)) {
          // The session goes first, so that no sign-in can ride on it while logout tokens travel.
          store.destroy('Session', id);
          for (const [clientId, authorization] of Object.entries(payload.authorizations ?? {})) {
            if (authorization.grantId) store.revokeGrant(authorization.grantId);
            if (client && clientId === client.clientId && client.backchannelLogoutUri)
              pending.push(deliver(client, sub, authorization.sid));
          }
        }
        // Grants outlive the sessions they came from (tokens issued before a sign-out).
        for (const grantId of store.grantsOf(sub)) store.revokeGrant(grantId);
        return Promise.all(pending);
      },
      tamperNextIdToken(sub, tamper) {
        tampers.set(sub, tamper);
      },
      lastCodeGrant(sub) {
        return grants.get(sub);
      },
      close,
    };
  } catch (error) {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    throw error;
  }
}

function clientMetadata(client: IdpClient): Record<string, unknown> {
  return {
    client_id: client.clientId,
    ...(client.clientSecret === undefined
      ? { token_endpoint_auth_method: 'none' }
      : { client_secret: client.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
    redirect_uris: client.redirectUris,
    ...(client.postLogoutRedirectUris ? { post_logout_redirect_uris: client.postLogoutRedirectUris } : {}),
    // The sid goes into ID and logout tokens both, so the app can end the one session it names.
    ...(client.backchannelLogoutUri
      ? { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
}

/**
 * Consent without asking (a test IdP): the grant is the account's existing one, or a new one,
 * with every scope and claim the request asks for added, so the consent prompt never shows.
 */
async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
  let grant = grantId === undefined ? undefined : await oidc.provider.Grant.find(grantId);
  // A grant of another account (the browser signed in as someone else since) is not this one's.
  if (grant && grant.accountId !== oidc.session.accountId) grant = undefined;
  grant ??= new oidc.provider.Grant({
    clientId: oidc.client.clientId,
    ...(oidc.session.accountId ? { accountId: oidc.session.accountId } : {}),
  });
  const scope = [...oidc.requestParamOIDCScopes].join(' ');
  if (scope) grant.addOIDCScope(scope);
  if (oidc.requestParamClaims.size) grant.addOIDCClaims([...oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

/** The default policy, and one more reason to sign in: the session's account was removed. */
function signInPolicy() {
  const policy = interactionPolicy.base();
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'account_removed',
        'the signed-in account no longer exists',
        'login_required',
        (ctx) => ctx.oidc.session.accountId !== undefined && ctx.oidc.account === undefined,
      ),
    );
  return policy;
}

/** Errors shown at the IdP (a bad redirect_uri, an unknown client) as JSON: for a machine to read. */
async function renderError(ctx: KoaContextWithOIDC, out: Record<string, unknown>) {
  ctx.type = 'json';
  ctx.body = { error: out['error'], error_description: out['error_description'] };
}

/**
 * The "sign out?" page: the one form, with `logout=yes` in it, so that a user agent submitting it
 * signs out of the IdP (ending the session and notifying each app) as the "Yes" button would.
 */
async function logoutSource(ctx: KoaContextWithOIDC, form: string) {
  const signOut = '<input type="hidden" name="logout" value="yes"><button type="submit">Sign out</button></form>';
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out — provspec test IdP</title></head>
<body><h1>Sign out?</h1>${form.replace(/<\/form>/i, signOut)}</body></html>
`;
}

async function postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>Signed out</h1></body></html>
`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
