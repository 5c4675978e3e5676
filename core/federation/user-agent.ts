// A headless browser for sign-in flows: HTTP with undici, a cookie jar per origin, redirects
// followed by hand. It visits only the origins it is given (each URL checked before anything is
// sent, every Location again), reads bodies up to a limit and gives each request a deadline, so a
// hostile app or IdP yields an error, never a hang or unbounded memory. What it records (hops)
// is evidence for traces, and redacted; the raw Location and body of each hop stay in memory,
// for following redirects and reading the page's forms.
import { randomBytes } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { CookieJar } from 'tough-cookie';
import { performance } from 'node:perf_hooks';
import { readBounded } from './body.ts';
import { Redactor } from './redact.ts';

export interface Hop {
  method: string;
  url: string;
  status: number;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  /** The response body as text, redacted, cut to EVIDENCE_BODY characters for the trace. */
  body?: string;
  ms: number;
  started: string;
  /** The urlencoded request body, redacted. */
  requestBody?: string;
  /** The response body went on past maxBodyBytes; the rest was discarded unread. */
  truncated?: boolean;
}

export interface UserAgentOptions {
  allowedOrigins: string[];
  /** Whole request, connect to last body byte. */
  timeoutMs?: number;
  maxBodyBytes?: number;
  maxRedirects?: number;
  /** Aborts whatever request is in flight (a run's deadline, Ctrl-C). */
  signal?: AbortSignal;
}

export interface RequestInit {
  /** Sent urlencoded. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface NavigateInit extends RequestInit {
  /** GET unless a form is given (then POST). */
  method?: string;
  /**
   * Sees each redirect before it is followed: returns where to go on to (the Location, or a
   * rewrite of it, checked against the allowed origins like any), or undefined to stop there.
   */
  onRedirect?: (from: Hop, to: string) => string | undefined;
}

export type UserAgentFailure = 'origin' | 'redirects' | 'timeout' | 'network';

/** A request that could not be made or completed. `hops` are those completed before it. */
export class UserAgentError extends Error {
  readonly reason: UserAgentFailure;
  /** The URL it failed at, redacted. */
  readonly url: string;
  readonly hops: Hop[];

  constructor(reason: UserAgentFailure, message: string, url: string, hops: Hop[] = []) {
    super(message);
    this.name = 'UserAgentError';
    this.reason = reason;
    this.url = url;
    this.hops = hops;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Request headers that belong to a POST, dropped when a redirect turns it into a GET. */
const BODY_ONLY = new Set(['origin', 'content-type', 'content-length']);
/** Recorded body text per hop; the whole (bounded) body stays in memory for the flow. */
export const EVIDENCE_BODY = 16 * 1024;
/** Raw bodies kept: enough for a flow to read the page it is on and follow its redirects. */
const RAW_KEPT = 32;
const USER_AGENT = 'provspec-user-agent (+https://github.com/provspec)';
const ACCEPT = 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8';

export class UserAgent {
  readonly #allowed: Set<string>;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #maxRedirects: number;
  readonly #signal: AbortSignal | undefined;
  /** 127.0.0.1:3000 and 127.0.0.1:4000 are one cookie domain; a jar per origin keeps them apart. */
  readonly #jars = new Map<string, CookieJar>();
  readonly #redactor = new Redactor();
  /**
   * Each request's X-Request-Id: this browser's prefix and a counter, so that a hop in a report
   * can be found in the app's and the IdP's own logs, as the SCIM client's requests can.
   */
  readonly #requestIdPrefix = randomBytes(4).toString('hex');
  #requests = 0;
  /**
   * The raw Location and body of the most recent hops. Not a WeakMap: hops live on in traces,
   * and would keep every body (up to maxBodyBytes each) alive with them.
   */
  readonly #raw = new Map<Hop, { location?: string; body: string }>();
  readonly #dispatcher: Agent;

  constructor(options: UserAgentOptions) {
    this.#allowed = new Set(options.allowedOrigins.map(originOf));
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.#maxRedirects = options.maxRedirects ?? 10;
    this.#signal = options.signal;
    this.#dispatcher = new Agent({ connectTimeout: this.#timeoutMs, headersTimeout: this.#timeoutMs, bodyTimeout: this.#timeoutMs });
  }

  /** One request, no redirect followed; cookies of the URL's origin sent and stored. */
  async request(method: string, url: string, init: RequestInit = {}): Promise<Hop> {
    const target = this.#check(url, []);
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: ACCEPT,
      'x-request-id': `ua-${this.#requestIdPrefix}-${++this.#requests}`,
    };
    for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
    const cookies = this.#jar(target.origin).getCookieStringSync(target.href);
    if (cookies) {
      headers['cookie'] = cookies;
      for (const pair of cookies.split('; ')) this.#redactor.register(pair.slice(pair.indexOf('=') + 1));
    }
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      this.#redactor.registerParameters(body);
    }
    this.#redactor.registerParameters(target.href);
    const started = new Date();
    const t0 = performance.now();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = this.#signal ? AbortSignal.any([timeout, this.#signal]) : timeout;
    try {
      const response = await this.#dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: method.toUpperCase() as Dispatcher.HttpMethod,
        headers,
        ...(body === undefined ? {} : { body }),
        signal,
      });
      const responseHeaders = flatten(response.headers);
      for (const line of responseHeaders['set-cookie']?.split('\n') ?? []) {
        const cookie = this.#jar(target.origin).setCookieSync(line, target.href, { ignoreError: true });
        this.#redactor.register(cookie?.value);
      }
      const location = responseHeaders['location'];
      if (location !== undefined) this.#redactor.registerParameters(location);
      const read = await readBounded(response.body, this.#maxBodyBytes);
      const text = read.bytes.toString('utf8');
      this.#redactor.registerBody(text);
      const hop: Hop = {
        method: method.toUpperCase(),
        url: this.#redactor.url(target.href),
        status: response.statusCode,
        requestHeaders: this.#redactor.headers(headers),
        responseHeaders: this.#redactor.headers(responseHeaders),
        ms: Math.round((performance.now() - t0) * 10) / 10,
        started: started.toISOString(),
      };
      if (text !== '') hop.body = evidence(this.#redactor.text(text.slice(0, EVIDENCE_BODY + 4096)), text.length);
      if (body !== undefined) hop.requestBody = this.#redactor.text(body);
      if (read.truncated) hop.truncated = true;
      this.#raw.set(hop, { ...(location === undefined ? {} : { location }), body: text });
      if (this.#raw.size > RAW_KEPT) this.#raw.delete(this.#raw.keys().next().value!);
      return hop;
    } catch (error) {
      const at = this.#redactor.url(target.href);
      if (timeout.aborted) {
        throw new UserAgentError('timeout', `${method.toUpperCase()} ${at}: no complete response within ${this.#timeoutMs} ms`, at);
      }
      if (this.#signal?.aborted) throw new UserAgentError('network', `${method.toUpperCase()} ${at}: aborted`, at);
      throw new UserAgentError('network', `${method.toUpperCase()} ${at}: ${describe(error)}`, at);
    }
  }

  /** Follows redirects by hand (each Location checked against the allowed origins), every hop in order. */
  async navigate(url: string, init: NavigateInit = {}): Promise<Hop[]> {
    const hops: Hop[] = [];
    let method = (init.method ?? (init.form ? 'POST' : 'GET')).toUpperCase();
    let form = init.form;
    let headers = init.headers;
    let next = url;
    for (;;) {
      let hop: Hop;
      try {
        hop = await this.request(method, next, { ...(form ? { form } : {}), ...(headers ? { headers } : {}) });
      } catch (error) {
        if (error instanceof UserAgentError) throw new UserAgentError(error.reason, error.message, error.url, hops);
        throw error;
      }
      hops.push(hop);
      const location = this.#raw.get(hop)?.location;
      if (!REDIRECTS.has(hop.status) || location === undefined) return hops;
      if (hops.length > this.#maxRedirects) {
        throw new UserAgentError(
          'redirects',
          `more than ${this.#maxRedirects} redirects, the last to ${this.#redactor.url(location)}`,
          hop.url,
          hops,
        );
      }
      let resolved: string;
      try {
        resolved = new URL(location, next).href;
      } catch {
        throw new UserAgentError('network', `${hop.url} redirects to an invalid URL: ${this.#redactor.url(location)}`, hop.url, hops);
      }
      if (init.onRedirect) {
        const onward = init.onRedirect(hop, resolved);
        if (onward === undefined) return hops;
        resolved = onward;
      }
      this.#check(resolved, hops);
      // As browsers do: 303 turns anything into a GET, and so do 301/302 a POST; 307/308 repeat
      // the request as it was.
      if (hop.status === 303 ? method !== 'HEAD' : (hop.status === 301 || hop.status === 302) && method === 'POST') {
        method = 'GET';
        form = undefined;
        // A browser's navigation GET carries no Origin, and a body's content type goes with the body.
        if (headers) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !BODY_ONLY.has(name.toLowerCase())));
      }
      next = resolved;
    }
  }

  /** Removes the cookies of one origin (a new browser for that site), or of all. */
  clearCookies(origin?: string): void {
    if (origin === undefined) this.#jars.clear();
    else this.#jars.delete(originOf(origin));
  }

  /** The hop's response body as it came (bounded, unredacted), for one of the 32 latest hops: for reading a page's forms. */
  bodyOf(hop: Hop): string | undefined {
    return this.#raw.get(hop)?.body;
  }

  /** The hop's Location as it came (unredacted), for one of the 32 latest hops. */
  locationOf(hop: Hop): string | undefined {
    return this.#raw.get(hop)?.location;
  }

  isAllowed(url: string): boolean {
    try {
      return this.#allowed.has(new URL(url).origin);
    } catch {
      return false;
    }
  }

  /** A URL redacted as hops are. */
  redactUrl(url: string): string {
    return this.#redactor.url(url);
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  #check(url: string, hops: Hop[]): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UserAgentError('origin', `not a URL: ${this.#redactor.url(url)}`, this.#redactor.url(url), hops);
    }
    if (!this.#allowed.has(parsed.origin)) {
      const at = this.#redactor.url(parsed.href);
      throw new UserAgentError('origin', `${parsed.origin} is not an allowed origin; nothing was sent to ${at}`, at, hops);
    }
    return parsed;
  }

  #jar(origin: string): CookieJar {
    let jar = this.#jars.get(origin);
    if (!jar) this.#jars.set(origin, (jar = new CookieJar()));
    return jar;
  }
}

function originOf(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`not an http(s) origin: ${url}`);
  return parsed.origin;
}

/** undici gives repeated headers as arrays; Set-Cookie lines are kept apart by newlines (they hold commas). */
function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(name === 'set-cookie' ? '\n' : ', ') : value;
  }
  return out;
}

function evidence(redacted: string, length: number): string {
  if (redacted.length <= EVIDENCE_BODY) return redacted;
  return `${redacted.slice(0, EVIDENCE_BODY)}…[cut: ${length - EVIDENCE_BODY} more characters]`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  const cause = error.cause instanceof Error && error.cause.message !== error.message ? ` (${error.cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${cause}`;
}
