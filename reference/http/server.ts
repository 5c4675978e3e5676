// The HTTP face of the reference server: authentication, routing, body limits, SCIM response
// framing and one structured log line per request. Everything SCIM-specific is in scim/.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DEMO_APP_PATH, demoApp } from './demo-app.ts';
import { randomBytes, randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_SCHEMA, ScimError, errorBody } from '../scim/errors.ts';
import { type ScimService, type Written, etagMatches, type Preconditions } from '../scim/service.ts';
import { etagOf, project, readProjection, shapeForVariants, type Projection } from '../scim/representation.ts';
import { resourceTypes, schemas, serviceProviderConfig } from '../scim/discovery.ts';
import { RESOURCE_TYPES, type ResourceTypeName } from '../schema/definitions.ts';
import { parseJsonBody, readBody } from './body.ts';
import { bulk } from '../scim/bulk.ts';
import { offersBulk } from '../scim/discovery.ts';
import type { Misbehaviour } from '../misbehaviours.ts';
import type { OidcRelyingParty } from '../federation/oidc-rp.ts';
import type { SamlServiceProvider } from '../federation/saml-sp.ts';
import type { Variant } from '../variants.ts';

export const BASE_PATH = '/scim/v2';

export interface RequestLogLine {
  time: string;
  requestId: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  /**
   * W3C Trace Context of the request, when it came with a valid traceparent: its trace id, the
   * client's span (the parent) and this server's own span for the request, so that the client's
   * records (provspec's trace, its OpenTelemetry spans) and the server's line up.
   */
  traceId?: string;
  parentSpanId?: string;
  spanId?: string;
}

export interface HttpOptions {
  token: string;
  flags: ReadonlySet<Misbehaviour>;
  /** Legal variants (variants.ts): behaviours the RFCs permit, which a correct client must take. */
  variants: ReadonlySet<Variant>;
  maxBodyBytes: number;
  slowMs: number;
  log: ((line: RequestLogLine) => void) | undefined;
  /** The demo app's relying party (federation/), when the server was given an IdP; ready once listening. */
  federation?: (() => OidcRelyingParty | undefined) | undefined;
  /** The demo app's SAML service provider (federation/saml-sp.ts), when the server was given a SAML IdP. */
  saml?: (() => SamlServiceProvider | undefined) | undefined;
}

interface Reply {
  status: number;
  body?: unknown;
  /** Arrays for headers that repeat (several Set-Cookie). */
  headers?: Record<string, string | string[]>;
  /** The relying party's JSON is not SCIM; SCIM's media type otherwise. */
  contentType?: string;
  /** A body sent verbatim with `contentType` (the SAML SP's XML metadata), in place of `body`. */
  text?: string;
}

const SCIM_TYPE = 'application/scim+json; charset=utf-8';
/** `overload-503`: above this many requests at once, the buggy server sheds load. */
const OVERLOAD_LIMIT = 4;

export function createScimServer(service: () => ScimService, options: HttpOptions): Server {
  const tokenDigest = digest(options.token);
  let counter = 0;
  /** `one-at-a-time`: the turn of the request being answered; the next waits for it. */
  let turn: Promise<void> = Promise.resolve();
  /** `overload-503`: requests being answered right now. */
  let inFlight = 0;
  /** `retry-creates-duplicate`: creates waiting between their uniqueness check and their insert, by folded userName. */
  const twins = new Map<string, () => void>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = readRequestId(request.headers['x-request-id']);
    const traceContext = readTraceparent(request.headers['traceparent']);
    const url = new URL(request.url ?? '/', 'http://reference.invalid');
    const method = request.method ?? 'GET';
    let reply: Reply;
    inFlight++;
    let release = () => {};
    const mine = turn;
    if (options.flags.has('one-at-a-time')) turn = new Promise<void>((resolve) => (release = resolve));
    try {
      await mine;
      if (options.flags.has('overload-503') && inFlight > OVERLOAD_LIMIT) throw new ScimError(503, 'The server is busy.');
      reply = await route(request, url, method, requestId);
    } catch (error) {
      reply = errorReply(error, options.flags, options.variants);
      // A client that hangs up mid-request is not a server fault worth a stack trace.
      if (!(error instanceof ScimError) && !request.destroyed)
        console.error(`[provspec reference] ${requestId}: ${error instanceof Error ? error.stack : String(error)}`);
    }
    inFlight--;
    release();
    send(response, reply, requestId, options.flags, options.variants);
    options.log?.({
      time: new Date().toISOString(),
      requestId,
      method,
      path: url.pathname,
      status: reply.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
      ...(traceContext
        ? { traceId: traceContext.traceId, parentSpanId: traceContext.parentSpanId, spanId: randomBytes(8).toString('hex') }
        : {}),
    });
  };

  const route = async (request: IncomingMessage, url: URL, method: string, requestId: string): Promise<Reply> => {
    void requestId;
    const rp = options.federation?.();
    const sp = options.saml?.();
    // The app's shared pages (/app/home, /app/api/me, /app/logout) go to the protocol whose session the cookie holds.
    const app = sp?.handles(url.pathname, request.headers.cookie, rp === undefined) ? sp : rp?.handles(url.pathname) ? rp : undefined;
    if (app) {
      const body = method === 'POST' ? await readBody(request, options.maxBodyBytes) : undefined;
      if (body === undefined) await drain(request, options.maxBodyBytes);
      return app.handle({ method, url, headers: request.headers, body });
    }
    if (url.pathname.startsWith(`${DEMO_APP_PATH}/`)) {
      await drain(request, options.maxBodyBytes);
      return demoApp(service(), url.pathname, method);
    }
    if (!url.pathname.startsWith(`${BASE_PATH}/`) && url.pathname !== BASE_PATH) {
      throw new ScimError(404, `Nothing here; the SCIM endpoint is ${BASE_PATH}.`);
    }
    authenticate(request.headers.authorization, tokenDigest);
    counter++;
    if (options.flags.has('flaky') && counter % 3 === 0) {
      // Fail before touching anything, so a retry is always safe.
      if ((counter / 3) % 2 === 1) throw new ScimError(429, 'Too many requests (flaky misbehaviour).', undefined, { 'retry-after': '1' });
      throw new ScimError(500, 'Internal error (flaky misbehaviour).');
    }
    if (options.flags.has('slow')) await sleep(options.slowMs);

    const segments = url.pathname.slice(BASE_PATH.length).split('/').filter(Boolean).map(decodeURIComponent);
    const [collection, id, ...extra] = segments;
    const svc = service();
    const baseUrl = svc.baseUrl;
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const body = hasBody ? parseJsonBody(await readBody(request, options.maxBodyBytes), request.headers['content-type']) : undefined;
    if (!hasBody) await drain(request, options.maxBodyBytes);
    const typeName = collectionType(collection);
    const variants = options.variants;
    const shape = (resource: Record<string, unknown>) => shapeForVariants(resource, variants);

    if (typeName && extra.length === 0) {
      // `no-etags`: a server without versions has nothing to compare a precondition with, and ignores it.
      const flags = options.flags;
      const preconditions: Preconditions = variants.has('no-etags')
        ? {}
        : {
            ifMatch: flags.has('advertises-etag-without-412') ? undefined : header(request, 'if-match'),
            ifNoneMatch: flags.has('etag-no-304') ? undefined : header(request, 'if-none-match'),
          };
      const projection = ignoring(readProjection(url.searchParams), flags);
      if (id === undefined) {
        if (method === 'GET') return list(svc, typeName, url.searchParams, projection, shape);
        if (method === 'POST') {
          const written =
            typeName === 'User' && options.flags.has('retry-creates-duplicate')
              ? await createCheckingFirst(svc, body, twins)
              : svc.create(typeName, body);
          const headers: Record<string, string> = { etag: etagOf(written.stored) };
          if (!options.flags.has('no-location'))
            headers['location'] = `${baseUrl}${RESOURCE_TYPES[typeName].endpoint}/${written.stored.id}`;
          return { status: 201, body: project(shape(written.resource), RESOURCE_TYPES[typeName], projection), headers };
        }
        throw methodNotAllowed(method, 'GET, POST');
      }
      if (id === '.search') {
        if (method !== 'POST') throw methodNotAllowed(method, 'POST');
        return search(svc, typeName, body, shape, options.flags);
      }
      if (method === 'GET') {
        const { stored, resource } = svc.get(typeName, id);
        if (etagMatches(stored, preconditions.ifNoneMatch)) return { status: 304, headers: { etag: etagOf(stored) } };
        return { status: 200, body: project(shape(resource), RESOURCE_TYPES[typeName], projection), headers: { etag: etagOf(stored) } };
      }
      if (method === 'PUT' && typeName === 'User' && flags.has('put-creates') && !svc.store.get(typeName, id)) {
        const written = svc.create(typeName, body);
        return { status: 201, body: shape(written.resource), headers: { etag: etagOf(written.stored) } };
      }
      if (method === 'PUT' || method === 'PATCH') {
        const written = method === 'PUT' ? svc.replace(typeName, id, body, preconditions) : svc.patch(typeName, id, body, preconditions);
        // `patch-204`: RFC 7644 §3.5.2 lets a PATCH answer 204, except when "attributes" is asked for.
        if (method === 'PATCH' && variants.has('patch-204') && !url.searchParams.has('attributes')) {
          return { status: 204, headers: { etag: etagOf(written.stored) } };
        }
        return {
          status: 200,
          body: project(shape(written.resource), RESOURCE_TYPES[typeName], projection),
          headers: { etag: etagOf(written.stored) },
        };
      }
      if (method === 'DELETE') {
        if (flags.has('delete-unknown-204') && !svc.store.get(typeName, id)) return { status: 204 };
        const { resource } = svc.delete(typeName, id, preconditions);
        return options.flags.has('delete-returns-200') ? { status: 200, body: shape(resource) } : { status: 204 };
      }
      throw methodNotAllowed(method, 'GET, PUT, PATCH, DELETE');
    }

    if (method !== 'GET' && collection !== 'Bulk' && collection !== '.search') throw methodNotAllowed(method, 'GET');
    switch (collection) {
      case 'ServiceProviderConfig':
        if (id !== undefined) break;
        return { status: 200, body: serviceProviderConfig(baseUrl, variants, options.flags) };
      case 'Schemas':
        if (extra.length > 0) break;
        return { status: 200, body: schemas(baseUrl, id, variants, options.flags) };
      case 'ResourceTypes':
        if (extra.length > 0) break;
        return { status: 200, body: resourceTypes(baseUrl, id, variants, options.flags) };
      case 'Me':
        if (options.flags.has('me-404')) throw new ScimError(404, `No endpoint ${url.pathname}.`);
        throw new ScimError(501, 'This server has no authenticated subject to map to a User, so /Me is not supported (RFC 7644 §3.11).');
      case 'Bulk':
        if (offersBulk(variants, options.flags)) {
          if (method !== 'POST') throw methodNotAllowed(method, 'POST');
          return bulk(svc, body, options.flags);
        }
        if (options.flags.has('bulk-denied-200'))
          return { status: 200, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkResponse'], Operations: [] } };
        throw new ScimError(501, 'Bulk operations are not supported here (ServiceProviderConfig says bulk.supported false).');
      case '.search':
        throw new ScimError(501, 'Search across resource types is not supported; POST to /Users/.search or /Groups/.search.');
      default:
        break;
    }
    throw new ScimError(404, `No endpoint ${url.pathname}.`);
  };

  return createServer({ keepAliveTimeout: 65_000, requestTimeout: 60_000, headersTimeout: 30_000 }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('[provspec reference] could not answer a request:', error);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });
}

type Shape = (resource: Record<string, unknown>) => Record<string, unknown>;

function list(svc: ScimService, typeName: ResourceTypeName, params: URLSearchParams, projection: Projection, shape: Shape): Reply {
  const { body } = svc.list(typeName, {
    filter: params.get('filter') ?? undefined,
    startIndex: params.get('startIndex') ?? undefined,
    count: params.get('count') ?? undefined,
    sortBy: params.get('sortBy') ?? undefined,
    sortOrder: params.get('sortOrder') ?? undefined,
  });
  const type = RESOURCE_TYPES[typeName];
  body['Resources'] = (body['Resources'] as Record<string, unknown>[]).map((r) => project(shape(r), type, projection));
  return { status: 200, body };
}

/** POST /.search (RFC 7644 §3.4.3): the query parameters as a SearchRequest body. */
function search(svc: ScimService, typeName: ResourceTypeName, body: unknown, shape: Shape, flags: ReadonlySet<Misbehaviour>): Reply {
  if (typeof body !== 'object' || body === null) throw new ScimError(400, 'A search body must be a SearchRequest object.', 'invalidSyntax');
  const request = body as Record<string, unknown>;
  const params = new URLSearchParams();
  for (const key of ['filter', 'startIndex', 'count', 'sortBy', 'sortOrder']) {
    if (key === 'filter' && flags.has('search-ignores-filter')) continue;
    if (request[key] !== undefined) params.set(key, String(request[key]));
  }
  return list(svc, typeName, params, ignoring(readProjection(request), flags), shape);
}

/** `ignores-attributes` / `ignores-excluded-attributes`: the projection a buggy server does not apply. */
function ignoring(projection: Projection, flags: ReadonlySet<Misbehaviour>): Projection {
  const out = { ...projection };
  if (flags.has('ignores-attributes')) delete out.attributes;
  if (flags.has('ignores-excluded-attributes')) delete out.excludedAttributes;
  return out;
}

function collectionType(collection: string | undefined): ResourceTypeName | undefined {
  if (collection === 'Users') return 'User';
  if (collection === 'Groups') return 'Group';
  return undefined;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function methodNotAllowed(method: string, allow: string): ScimError {
  return new ScimError(405, `${method} is not allowed here.`, undefined, { allow });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function authenticate(authorization: string | undefined, tokenDigest: Buffer): void {
  const match = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (!match) {
    throw new ScimError(401, 'Send the bearer token in the Authorization header.', undefined, {
      'www-authenticate': 'Bearer realm="provspec-reference"',
    });
  }
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  if (!timingSafeEqual(digest(match[1]!), tokenDigest)) {
    throw new ScimError(401, 'The bearer token is not valid.', undefined, {
      'www-authenticate': 'Bearer realm="provspec-reference", error="invalid_token"',
    });
  }
}

function readRequestId(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && /^[\x21-\x7e]{1,128}$/.test(text) ? text : randomUUID();
}

/**
 * W3C Trace Context §3.2: version 00, a trace id and a parent id, neither all zeros. Anything
 * else is not a trace context, and is ignored as the spec says a receiver must.
 */
function readTraceparent(value: string | string[] | undefined): { traceId: string; parentSpanId: string } | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const match = text === undefined ? null : /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(text.trim());
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, parentSpanId: match[2]! };
}

/** A body nobody asked for is still read (within the limit) so the connection can be reused. */
async function drain(request: IncomingMessage, maxBytes: number): Promise<void> {
  if (request.readableEnded) return;
  await readBody(request, maxBytes);
}

function errorReply(error: unknown, flags: ReadonlySet<Misbehaviour>, variants: ReadonlySet<Variant>): Reply {
  const scimError = error instanceof ScimError ? error : new ScimError(500, 'The server failed to handle this request.');
  const withScimType = !(scimError.status === 409 && flags.has('no-scimtype-on-409'));
  const headers = { ...scimError.headers };
  // After a body was refused unread, the connection cannot carry another request.
  if (scimError.status === 413) headers['connection'] = 'close';
  const body = errorBody(scimError, withScimType);
  return { status: scimError.status, body: variants.has('no-scimtype') ? bareError(body) : body, headers };
}

/**
 * `no-scimtype`: scimType and detail are OPTIONAL (RFC 7644 §3.12), so they go, except where
 * another sentence requires them: a 409's "uniqueness" (§3.3), "invalidFilter" with its
 * human-readable message (§3.4.2.2) and "noTarget" (§3.5.2.2, §3.5.2.3).
 */
function bareError(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { schemas: [ERROR_SCHEMA], status: body['status'] };
  const scimType = body['scimType'];
  if (scimType !== undefined && (body['status'] === '409' || scimType === 'invalidFilter' || scimType === 'noTarget'))
    out['scimType'] = scimType;
  if (scimType === 'invalidFilter') out['detail'] = body['detail'];
  return out;
}

function send(
  response: ServerResponse,
  reply: Reply,
  requestId: string,
  flags: ReadonlySet<Misbehaviour>,
  variants: ReadonlySet<Variant>,
): void {
  const headers: Record<string, string | string[]> = { 'x-request-id': requestId, ...reply.headers };
  if (variants.has('no-etags')) delete headers['etag'];
  if (reply.text !== undefined) {
    headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(reply.text));
    response.writeHead(reply.status, headers).end(reply.text);
    return;
  }
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers).end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  headers['content-type'] = reply.contentType ?? (flags.has('wrong-content-type') ? 'application/json; charset=utf-8' : SCIM_TYPE);
  headers['content-length'] = String(Buffer.byteLength(payload));
  response.writeHead(reply.status, headers).end(payload);
}

/** How long a `retry-creates-duplicate` create waits for its twin before it inserts anyway. */
const INSERT_DELAY_MS = 1500;

/**
 * `retry-creates-duplicate`: uniqueness checked, then a slow insert with nothing in the store to
 * stop a second one. A create that arrives while its twin waits passes the same check, and both
 * insert; a create that arrives after its twin inserted is refused (the check sees it).
 */
async function createCheckingFirst(svc: ScimService, body: unknown, twins: Map<string, () => void>): Promise<Written> {
  svc.assertCreatable('User', body);
  const userName = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['userName'] : undefined;
  const key = typeof userName === 'string' ? userName.toLowerCase() : undefined;
  const waiting = key === undefined ? undefined : twins.get(key);
  if (waiting) waiting();
  else if (key !== undefined) {
    // The insert is slow (a remote store, a queue): the wait ends early when the twin arrives.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, INSERT_DELAY_MS);
      twins.set(key, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    twins.delete(key);
  }
  return svc.create('User', body, { unchecked: true });
}
