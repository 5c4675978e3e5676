// Credentials for the target, resolved from the spec once per run. OAuth 2.0 client credentials
// (RFC 6749 §4.4) fetch an access token, cache it until shortly before it expires, and fetch a
// new one when the target answers 401 to a token that was fine before.
import { request } from 'undici';
import type { Auth } from '../spec/types.ts';
import type { SecretRegistry } from './secrets.ts';

export type ResolvedAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string };

export function resolveAuth(auth: Auth, evaluate: (text: string) => string, secrets: SecretRegistry): ResolvedAuth {
  if (auth === 'none') return { kind: 'none' };
  if ('bearer' in auth) {
    const token = evaluate(auth.bearer);
    secrets.add(token);
    return { kind: 'bearer', token };
  }
  if ('basic' in auth) {
    const username = evaluate(auth.basic.username);
    const password = evaluate(auth.basic.password);
    secrets.addBasic(username, password);
    return { kind: 'basic', username, password };
  }
  if ('header' in auth) {
    const value = evaluate(auth.header.value);
    secrets.add(value);
    return { kind: 'header', name: auth.header.name, value };
  }
  const o = auth.oauth2;
  const clientSecret = evaluate(o.clientSecret);
  secrets.add(clientSecret);
  return {
    kind: 'oauth2',
    tokenUrl: evaluate(o.tokenUrl),
    clientId: evaluate(o.clientId),
    clientSecret,
    ...(o.scope === undefined ? {} : { scope: evaluate(o.scope) }),
    ...(o.audience === undefined ? {} : { audience: evaluate(o.audience) }),
  };
}

export class AuthError extends Error {}

/** Produces the Authorization (or custom) header for a resolved credential. */
export class CredentialSource {
  readonly auth: ResolvedAuth;
  readonly #secrets: SecretRegistry;
  readonly #timeoutMs: number;
  #token: { value: string; expires: number } | undefined;
  #fetching: Promise<string> | undefined;

  readonly #isAllowed: (url: string) => boolean;

  /** `isAllowed` guards the token endpoint as the client guards the target: the secret goes only to allowed origins. */
  constructor(auth: ResolvedAuth, secrets: SecretRegistry, timeoutMs: number, isAllowed: (url: string) => boolean) {
    this.auth = auth;
    this.#secrets = secrets;
    this.#timeoutMs = timeoutMs;
    this.#isAllowed = isAllowed;
  }

  async headers(): Promise<Record<string, string>> {
    const auth = this.auth;
    switch (auth.kind) {
      case 'none':
        return {};
      case 'bearer':
        return { authorization: `Bearer ${auth.token}` };
      case 'basic':
        return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
      case 'header':
        return { [auth.name.toLowerCase()]: auth.value };
      case 'oauth2':
        return { authorization: `Bearer ${await this.#accessToken()}` };
    }
  }

  /** After a 401: forget a fetched token so the next request fetches a fresh one. */
  invalidate(): boolean {
    if (this.auth.kind !== 'oauth2' || !this.#token) return false;
    this.#token = undefined;
    return true;
  }

  async #accessToken(): Promise<string> {
    if (this.#token && Date.now() < this.#token.expires) return this.#token.value;
    this.#fetching ??= this.#fetchToken().finally(() => (this.#fetching = undefined));
    return this.#fetching;
  }

  async #fetchToken(): Promise<string> {
    const auth = this.auth as Extract<ResolvedAuth, { kind: 'oauth2' }>;
    if (!this.#isAllowed(auth.tokenUrl)) {
      throw new AuthError(
        `The token endpoint ${originOf(auth.tokenUrl)} is not an allowed origin, so the client secret ` +
          `was not sent there. Add it to target.allowedOrigins (or the Action's allowed-origins).`,
      );
    }
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) form.set('scope', auth.scope);
    if (auth.audience) form.set('audience', auth.audience);
    let response;
    try {
      const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64');
      response = await request(auth.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${basic}`,
        },
        body: form.toString(),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (error) {
      throw new AuthError(`Could not reach the token endpoint ${auth.tokenUrl}: ${(error as Error).message}`);
    }
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      throw new AuthError(`The token endpoint answered ${response.statusCode}: ${this.#secrets.redact(text.slice(0, 300))}`);
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new AuthError('The token endpoint did not answer JSON.');
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new AuthError('The token endpoint answered without an access_token.');
    this.#secrets.add(body.access_token);
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.#token = { value: body.access_token, expires: Date.now() + Math.max(lifetime - 30, 5) * 1000 };
    return body.access_token;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return JSON.stringify(url);
  }
}
