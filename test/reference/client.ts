// Test helpers for the reference SCIM server: start one in-process, talk to it over real HTTP on
// 127.0.0.1, and check the things every SCIM response must get right (media type, error shape).
import assert from 'node:assert/strict';
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../reference/index.ts';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const MS_LEGACY_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

// SCIM bodies are open-ended JSON; the tests assert on them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ScimResponse {
  status: number;
  headers: Headers;
  /** Parsed body; undefined when the body is empty. */
  json: Json;
  text: string;
}

/** Header values of null remove a default header (e.g. `{ authorization: null }`). */
export type HeaderOverrides = Record<string, string | null>;

export interface TestServer {
  server: ReferenceServer;
  baseUrl: string;
  token: string;
  /** A request with the bearer token and SCIM media types; `body` strings are sent verbatim. */
  scim(method: string, path: string, body?: unknown, headers?: HeaderOverrides): Promise<ScimResponse>;
  close(): Promise<void>;
}

export interface StartOptions extends ReferenceServerOptions {
  /** Assert application/scim+json on every response that has a body (default: true unless misbehaving). */
  checkContentType?: boolean;
}

export async function start(options: StartOptions = {}): Promise<TestServer> {
  const { checkContentType, ...serverOptions } = options;
  const server = await startReferenceServer(serverOptions);
  const check = checkContentType ?? (options.misbehave ?? []).length === 0;
  return {
    server,
    baseUrl: server.baseUrl,
    token: server.token,
    async scim(method, path, body, headers = {}) {
      const merged: Record<string, string | null> = {
        authorization: `Bearer ${server.token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      };
      for (const [name, value] of Object.entries(headers)) merged[name.toLowerCase()] = value;
      const sent: Record<string, string> = {};
      for (const [name, value] of Object.entries(merged)) if (value !== null) sent[name] = value;
      const url = /^https?:/.test(path) ? path : `${server.baseUrl}${path}`;
      const response = await fetch(url, {
        method,
        headers: sent,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: Json;
      if (text.length > 0) {
        try {
          json = JSON.parse(text);
        } catch {
          assert.fail(`${method} ${path} → ${response.status}: body is not JSON: ${text.slice(0, 200)}`);
        }
        if (check) {
          assert.match(
            response.headers.get('content-type') ?? '',
            /^application\/scim\+json/,
            `${method} ${path} → ${response.status}: Content-Type must be application/scim+json`,
          );
        }
      }
      return { status: response.status, headers: response.headers, json, text };
    },
    close: () => server.close(),
  };
}

/** Asserts an RFC 7644 §3.12 error: the status, the Error schema, status as a string, a detail. */
export function assertScimError(res: ScimResponse, status: number, scimType?: string | null): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
  assert.ok(res.json !== undefined, `error ${status} must have a body`);
  assert.deepEqual(res.json.schemas, [ERROR]);
  assert.equal(res.json.status, String(status), 'Error.status is a string holding the HTTP status');
  assert.equal(typeof res.json.detail, 'string', 'Error.detail is a string');
  if (scimType === null) assert.equal(res.json.scimType, undefined, 'no scimType expected');
  else if (scimType !== undefined) assert.equal(res.json.scimType, scimType);
}

export function expectStatus(res: ScimResponse, status: number, what = ''): void {
  assert.equal(res.status, status, `${what} expected ${status}, got ${res.status}: ${res.text.slice(0, 400)}`);
}

let counter = 0;
/** A userName no other test uses, even on a shared server. */
export function unique(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export async function createUser(c: TestServer, attributes: Record<string, unknown> = {}): Promise<Json> {
  const res = await c.scim('POST', '/Users', { schemas: [USER], userName: unique(), ...attributes });
  expectStatus(res, 201, 'create user');
  return res.json;
}

export async function createGroup(c: TestServer, displayName: string, memberIds: string[] = []): Promise<Json> {
  const res = await c.scim('POST', '/Groups', {
    schemas: [GROUP],
    displayName,
    ...(memberIds.length > 0 ? { members: memberIds.map((value) => ({ value })) } : {}),
  });
  expectStatus(res, 201, 'create group');
  return res.json;
}

export async function getJson(c: TestServer, path: string): Promise<Json> {
  const res = await c.scim('GET', path);
  expectStatus(res, 200, `GET ${path}`);
  return res.json;
}

export function patch(...Operations: unknown[]): Json {
  return { schemas: [PATCH_OP], Operations };
}

export async function patchOk(c: TestServer, path: string, ...operations: unknown[]): Promise<Json> {
  const res = await c.scim('PATCH', path, patch(...operations));
  assert.ok(res.status === 200 || res.status === 204, `PATCH ${path} expected 200/204, got ${res.status}: ${res.text.slice(0, 400)}`);
  return res.status === 200 ? res.json : getJson(c, path);
}

/** totalResults of GET /Users (with an optional filter). */
export async function countUsers(c: TestServer, filter?: string): Promise<number> {
  const q = filter === undefined ? '?count=0' : `?count=0&filter=${encodeURIComponent(filter)}`;
  const res = await c.scim('GET', `/Users${q}`);
  expectStatus(res, 200, 'count users');
  return res.json.totalResults as number;
}

/** userNames matched by a filter, sorted. */
export async function filterUserNames(c: TestServer, filter: string): Promise<string[]> {
  const res = await c.scim('GET', `/Users?filter=${encodeURIComponent(filter)}&count=1000`);
  expectStatus(res, 200, `filter ${filter}`);
  const resources: Json[] = res.json.Resources ?? [];
  assert.equal(res.json.totalResults, resources.length, `totalResults for ${filter}`);
  return resources.map((r) => r.userName as string).sort();
}

export function memberIds(group: Json): string[] {
  return ((group.members ?? []) as Json[]).map((m) => m.value as string).sort();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
