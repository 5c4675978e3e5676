// The HTTP client every request of a run goes through: an undici Pool per origin (keep-alive,
// the spec's concurrency limit), per-request timeouts, a response size cap, request ids and
// W3C trace context, credentials only for allowed origins, redirects followed by hand with each
// hop re-checked, and 429/503 Retry-After honoured. It never throws for a server's behaviour:
// resets, timeouts and garbage come back as an Exchange with `error`, for a check to judge.
import { Pool, type Dispatcher } from 'undici';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { serialiseAsEvidence, type Exchange } from './exchange.ts';
import type { CredentialSource } from './auth.ts';
import { REDACTED, type SecretRegistry } from './secrets.ts';

export interface ClientOptions {
  baseUrl: string;
  credentials: CredentialSource;
  /** Origins the credential may be sent to; the target's own origin is always one. */
  allowedOrigins: readonly string[];
  requestTimeoutMs: number;
  concurrency: number;
  headers?: Readonly<Record<string, string>>;
  maxResponseBytes?: number;
  maxRetries?: number;
  /** Longest Retry-After honoured; a longer one fails the request instead of stalling the run. */
  maxRetryAfterMs?: number;
  secrets: SecretRegistry;
  runId: string;
  /** The W3C trace id every request's traceparent carries (32 hex digits); random when absent. */
  traceId?: string;
  onExchange?: (exchange: Exchange, context: RequestContext) => void;
}

export interface RequestContext {
  scenario?: string;
  step?: string;
}

export interface SendOptions {
  method: string;
  /** Absolute, or relative to the base URL ("/Users?filter=…"). */
  url: string;
  body?: unknown;
  /** A raw string body is sent as it is (negative cases send malformed JSON on purpose). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** false: send no credential (negative cases); a source: use that credential instead. */
  credentials?: CredentialSource | false;
  context?: RequestContext;
  signal?: AbortSignal;
  /**
   * Give up once the server starts answering, before reading the answer: an IdP whose request
   * timed out after the server applied it (a delivery fault, `timeout-then-retry`).
   */
  cutOffAnswer?: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_HOPS = 5;
const EVIDENCE_LIMIT = 16 * 1024;

export class ScimClient {
  readonly baseUrl: string;
  readonly #options: ClientOptions;
  readonly #pools = new Map<string, Pool>();
  readonly #allowed: Set<string>;
  readonly #traceId: string;
  /** Span ids are this prefix and the request counter: unique within the trace, no syscall each. */
  readonly #spanPrefix = randomBytes(4).toString('hex');
  #counter = 0;
  #closed = false;
  /** Each response's Location as sent, before redaction: a redirect is followed to the real URL. */
  readonly #locations = new WeakMap<Exchange, string>();

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#traceId =
      options.traceId !== undefined && /^[0-9a-f]{32}$/.test(options.traceId) ? options.traceId : randomBytes(16).toString('hex');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#allowed = new Set([new URL(this.baseUrl).origin, ...options.allowedOrigins.map((o) => new URL(o).origin)]);
  }

  resolve(url: string): string {
    return /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `${this.baseUrl}${url.startsWith('/') ? '' : '/'}${url}`;
  }

  isAllowed(url: string): boolean {
    // Most URLs are under an allowed origin; a prefix test spares parsing them.
    for (const origin of this.#allowed) if (url.startsWith(`${origin}/`)) return true;
    try {
      return this.#allowed.has(new URL(url).origin);
    } catch {
      return false;
    }
  }

  async send(options: SendOptions): Promise<Exchange> {
    const maxRetries = this.#options.maxRetries ?? 3;
    for (let attempt = 1; ; attempt++) {
      const exchange = await this.#sendFollowingRedirects(options, attempt);
      const status = exchange.status;
      if ((status === 429 || status === 503) && attempt <= maxRetries && !options.signal?.aborted) {
        const wait = retryAfterMs(exchange.responseHeaders?.['retry-after']);
        if (wait !== undefined && wait <= (this.#options.maxRetryAfterMs ?? 30_000)) {
          await sleep(wait, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => undefined);
          continue;
        }
      }
      if (status === 401 && attempt === 1 && options.credentials !== false) {
        const source = options.credentials ?? this.#options.credentials;
        if (source.invalidate()) continue; // a fetched OAuth token may have expired early
      }
      return exchange;
    }
  }

  async #sendFollowingRedirects(options: SendOptions, attempt: number): Promise<Exchange> {
    let url = this.resolve(options.url);
    let method = options.method.toUpperCase();
    let body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const redirects: { status: number; location: string }[] = [];
    for (let hop = 0; ; hop++) {
      const exchange = await this.#sendOnce(url, method, body, options, attempt);
      if (redirects.length)
        exchange.redirects = redirects.map((r) => ({ status: r.status, location: this.#options.secrets.redact(r.location) }));
      // The Location as the server sent it: a redirect to follow is resolved from the real value.
      const location = this.#locations.get(exchange);
      if (!exchange.status || !REDIRECTS.has(exchange.status) || !location) return exchange;
      if (hop + 1 >= MAX_HOPS) {
        exchange.error = `more than ${MAX_HOPS} redirects`;
        return exchange;
      }
      let next: string;
      try {
        next = new URL(location, url).toString();
      } catch {
        exchange.error = `redirected to an invalid URL ${JSON.stringify(this.#options.secrets.redact(location))}`;
        return exchange;
      }
      if (options.credentials !== false && !this.isAllowed(next)) {
        exchange.error =
          `redirected to ${new URL(next).origin}, which is not an allowed ` +
          `origin; the request was not followed and no credential was sent there`;
        return exchange;
      }
      redirects.push({ status: exchange.status, location: next });
      if (exchange.status === 303 || ((exchange.status === 301 || exchange.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  async #sendOnce(url: string, method: string, body: string | undefined, options: SendOptions, attempt: number): Promise<Exchange> {
    const secrets = this.#options.secrets;
    const id = `${this.#options.runId}-${(++this.#counter).toString(36)}`;
    const parsed = new URL(url);
    const allowed = this.isAllowed(url);
    const headers: Record<string, string> = {
      accept: 'application/scim+json, application/json;q=0.9',
      'user-agent': 'provspec',
      'x-request-id': id,
      traceparent: `00-${this.#traceId}-${this.#spanPrefix}${(this.#counter & 0xffffffff).toString(16).padStart(8, '0')}-01`,
      // target.headers belong to the target (they often carry a key): only allowed origins get them.
      ...(allowed ? lowerKeys(this.#options.headers ?? {}) : {}),
      ...lowerKeys(options.headers ?? {}),
    };
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/scim+json';
    const started = performance.now();
    const exchange: Exchange = {
      id,
      method,
      url: secrets.redact(url),
      requestHeaders: {},
      ms: 0,
      ...(attempt > 1 ? { attempt } : {}),
    };
    serialiseAsEvidence(exchange);
    if (body !== undefined) exchange.requestBody = truncate(secrets.redact(body));
    try {
      // A secret written into a probe's URL, headers or body is a credential too.
      if (!allowed && [url, body ?? '', ...Object.values(headers)].some((text) => secrets.contains(text))) {
        exchange.requestHeaders = redactHeaders(headers, secrets);
        exchange.error =
          `the request to ${parsed.origin} carries a secret (a credential of this ` +
          `run) and ${parsed.origin} is not an allowed origin; it was not sent`;
        return exchange;
      }
      if (options.credentials !== false) {
        if (!allowed) {
          exchange.error = `${parsed.origin} is not an allowed origin; no credential was sent and the request was not made`;
          return exchange;
        }
        const source = options.credentials ?? this.#options.credentials;
        Object.assign(headers, await source.headers());
      }
      exchange.requestHeaders = redactHeaders(headers, secrets);
      const pool = this.#pool(parsed.origin);
      // undici's connect, headers and body timeouts bound the waits; the body loop below bounds
      // the whole; the scenario's signal (its deadline, the run's, Ctrl-C) cuts in at any point.
      const timeout = this.#options.requestTimeoutMs;
      const response = await pool.request({
        path: `${parsed.pathname}${parsed.search}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(body === undefined ? {} : { body }),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      exchange.status = response.statusCode;
      if (options.cutOffAnswer) {
        // Destroyed unread, the body reports its own abort: that is the point, not an error.
        response.body.on('error', () => undefined);
        response.body.destroy();
        exchange.error = 'the client gave up before reading the answer (a timeout, as an IdP has; the request is retried)';
        exchange.responseHeaders = redactHeaders(flattenHeaders(response.headers), secrets);
      } else await this.#readAnswer(exchange, response, started, secrets);
    } catch (error) {
      if (exchange.status === undefined && isConnectFailure(error)) NOT_CONNECTED.add(exchange);
      exchange.error = secrets.redact(describeNetworkError(error, this.#options.requestTimeoutMs, options.signal));
    } finally {
      exchange.ms = Math.round((performance.now() - started) * 10) / 10;
    }
    this.#options.onExchange?.(exchange, options.context ?? {});
    return exchange;
  }

  /** The answer's headers and body, bounded in size and in time (the request's whole budget). */
  async #readAnswer(exchange: Exchange, response: Dispatcher.ResponseData, started: number, secrets: SecretRegistry): Promise<void> {
    const timeout = this.#options.requestTimeoutMs;
    // A server may echo the credential in a header (a debug header, a proxy reflecting
    // Authorization): response headers are evidence too, redacted as request headers are.
    const responseHeaders = flattenHeaders(response.headers);
    if (responseHeaders['location'] !== undefined) this.#locations.set(exchange, responseHeaders['location']);
    exchange.responseHeaders = redactHeaders(responseHeaders, secrets);
    const limit = this.#options.maxResponseBytes ?? 10 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        response.body.destroy();
        exchange.error = `the response body is larger than ${limit} bytes`;
        break;
      }
      // undici's body timeout only bounds the gaps between chunks; a body dribbled out
      // byte by byte is cut here, at the request's whole budget.
      if (performance.now() - started > timeout) {
        response.body.destroy();
        exchange.error = `no complete response within ${timeout} ms (the body was still arriving)`;
        break;
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text !== '') {
      const redacted = secrets.redact(text);
      exchange.responseBody = truncate(redacted);
      if (!exchange.error) lazyJson(exchange, text, redacted, secrets);
    }
  }

  #pool(origin: string): Pool {
    if (this.#closed) throw new Error('the client is closed');
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.#options.concurrency,
        keepAliveTimeout: 10_000,
        connectTimeout: this.#options.requestTimeoutMs,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pools.values()].map((p) => p.destroy().catch(() => undefined)));
    this.#pools.clear();
  }
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key']);
const AUTH_SCHEME_HEADERS = new Set(['authorization', 'proxy-authorization']);

function redactHeaders(headers: Record<string, string>, secrets: SecretRegistry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    // An Authorization header keeps its scheme (Bearer, Basic), which says how the run
    // authenticated; a cookie or key keeps nothing.
    const scheme = AUTH_SCHEME_HEADERS.has(k) && /^[A-Za-z][\w-]* /.exec(v)?.[0];
    out[k] = SENSITIVE_HEADERS.has(k) ? `${scheme || ''}${REDACTED}` : secrets.redact(v);
  }
  return out;
}

/**
 * Many responses are never looked into (a membership PATCH echoing a group of thousands), so
 * the body is parsed when a check first reads `json`, once. The property stays enumerable, so
 * reports and traces that serialise the exchange still carry it.
 */
function lazyJson(exchange: Exchange, text: string, redacted: string, secrets: SecretRegistry): void {
  let parsed: { value: unknown } | undefined;
  Object.defineProperty(exchange, 'json', {
    enumerable: true,
    configurable: true,
    get: () => (parsed ??= { value: parseRedacted(text, redacted, secrets) }).value,
    set: (value: unknown) => (parsed = { value }),
  });
}

/**
 * The body as JSON with secrets redacted. Parsing the already-redacted text is the cheap way;
 * only if redaction broke the JSON (a secret spanning an escape) is the original parsed and
 * walked. Not JSON at all: undefined, for the checks to report with the body as evidence.
 */
function parseRedacted(text: string, redacted: string, secrets: SecretRegistry): unknown {
  try {
    return JSON.parse(redacted) as unknown;
  } catch {
    if (redacted === text) return undefined;
    try {
      return secrets.redactDeep(JSON.parse(text) as unknown);
    } catch {
      return undefined;
    }
  }
}

function truncate(text: string): string {
  return text.length > EVIDENCE_LIMIT ? `${text.slice(0, EVIDENCE_LIMIT)}… [${text.length - EVIDENCE_LIMIT} more characters]` : text;
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exchanges whose request never reached a server: no connection could be made at all. */
const NOT_CONNECTED = new WeakSet<Exchange>();

/** Whether the request could not connect (refused, no such host, no route, connect timeout). */
export function failedToConnect(exchange: Exchange): boolean {
  return NOT_CONNECTED.has(exchange);
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'EADDRNOTAVAIL',
]);

function isConnectFailure(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string }; errors?: Array<{ code?: string }> } | null;
  const codes = [e?.code, e?.cause?.code, ...(e?.errors ?? []).map((x) => x.code)];
  return codes.some((code) => code !== undefined && CONNECT_FAILURES.has(code));
}

function describeNetworkError(error: unknown, timeoutMs: number, signal: AbortSignal | undefined): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (signal?.aborted) return 'the run was stopped before the response arrived';
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.name === 'AbortError') {
    return `no complete response within ${timeoutMs} ms`;
  }
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was reset by the server';
  if (code === 'ECONNREFUSED') return 'the connection was refused (is the server running?)';
  return `${code ? `${code}: ` : ''}${e.message ?? String(error)}`;
}
