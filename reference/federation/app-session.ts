// What the demo app's sign-in protocols share: the app's own pages, its session cookie, the user
// as /app/api/me shows it, and the small HTTP helpers of its replies. The SAML service provider
// (saml-sp.ts) uses this module; the OIDC relying party (oidc-rp.ts) predates it and keeps copies of
// the same cookie name and view, which must stay equal to these (one browser, one session, one shape).
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ScimService } from '../scim/service.ts';
import type { StoredResource } from '../store/resources.ts';

/** The app's pages every protocol serves; the HTTP layer gives each request to the protocol whose session the cookie holds. */
export const APP_PATHS = { home: '/app/home', me: '/app/api/me', logout: '/app/logout' } as const;

/** The OIDC relying party's session cookie too: a login of either kind replaces the browser's one session. */
export const SESSION_COOKIE = 'provspec_rp_session';
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
const JSON_TYPE = 'application/json; charset=utf-8';

export interface AppRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The body of a POST, read by the HTTP layer within its size limit. */
  body: Buffer | undefined;
}

export interface AppReply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent verbatim with `contentType` (XML metadata), in place of `body`. */
  text?: string;
  headers?: Record<string, string | string[]>;
  contentType?: string;
}

/** The user as the app shows it at /app/api/me, whichever protocol signed them in. */
export function userView(service: ScimService, user: StoredResource): Record<string, unknown> {
  const data = user.data;
  return {
    id: user.id,
    userName: data['userName'],
    displayName: data['displayName'] ?? null,
    emails: data['emails'] ?? [],
    groups: service.store.groupsOf(user.id).map((g) => g.display ?? g.value),
    active: data['active'] !== false,
  };
}

export function json(status: number, body: unknown, headers: Record<string, string | string[]> = {}): AppReply {
  return { status, body, contentType: JSON_TYPE, headers: { 'cache-control': 'no-store', ...headers } };
}

export function notAllowed(allow: string): AppReply {
  return json(405, { error: `Only ${allow} here.` }, { allow });
}

export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

export function cookie(name: string, value: string, maxAgeSeconds?: number): string {
  const age = maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`;
  return `${name}=${value}; Path=/app; HttpOnly; SameSite=Lax${age}`;
}

export function expireCookie(name: string): string {
  return `${name}=; Path=/app; HttpOnly; SameSite=Lax; Max-Age=0`;
}

/** The Cookie header as name → value; the first of a repeated name wins (the most specific path, RFC 6265 §5.4). */
export function readCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name !== '' && !out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** The message and its causes'; never their data, which may hold tokens or assertions. */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? messageOf(error.cause) : undefined;
  return cause === undefined || error.message.includes(cause) ? error.message : `${error.message}: ${cause}`;
}

/** The session a request's cookie names in `sessions`, as [id, session]; an expired one is dropped on the way. */
export function sessionEntry<S extends { expires: number }>(sessions: Map<string, S>, request: AppRequest): [string, S] | undefined {
  const id = readCookies(request.headers.cookie).get(SESSION_COOKIE);
  const session = id === undefined ? undefined : sessions.get(id);
  if (id === undefined || !session) return undefined;
  if (session.expires < Date.now()) {
    sessions.delete(id);
    return undefined;
  }
  return [id, session];
}
