// One HTTP request and what came back: the evidence behind every check. Stored redacted.
import { bounded } from './bounded.ts';

export interface Exchange {
  /** X-Request-Id sent with the request. */
  id: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  /** The response body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** Wall time from sending to the end of the body. */
  ms: number;
  /** Why no (complete) response arrived: reset, timeout, oversize, refused redirect. */
  error?: string;
  /** Earlier hops when redirects were followed. */
  redirects?: { status: number; location: string }[];
  /** When this request was a retry after 429/503. */
  attempt?: number;
}

export function header(exchange: Exchange, name: string): string | undefined {
  return exchange.responseHeaders?.[name.toLowerCase()];
}

export function describeExchange(exchange: Exchange): string {
  const outcome = exchange.error ? `failed: ${exchange.error}` : `→ ${exchange.status}`;
  return `${exchange.method} ${exchange.url} ${outcome}`;
}

/**
 * The exchange as it is stored in reports and traces: its parsed body cut to the evidence
 * bounds (the text body is already cut where it is read). Checks keep reading the whole answer.
 */
export function evidenceOf(exchange: Exchange): Exchange {
  const out = { ...exchange };
  if (out.json !== undefined) out.json = bounded(out.json);
  return out;
}

/** Serialising the exchange (JSON reports, `--format json`) writes its evidence form. */
export function serialiseAsEvidence(exchange: Exchange): void {
  Object.defineProperty(exchange, 'toJSON', { enumerable: false, configurable: true, value: () => evidenceOf(exchange) });
}
