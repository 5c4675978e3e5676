// Checks every SCIM response must pass whatever the scenario: the expected status, the
// application/scim+json media type, and the SCIM Error schema on errors (RFC 7644 §3.12).
import type { Range } from '../diagnostic.ts';
import type { Exchange } from '../scim/exchange.ts';
import type { ScenarioContext } from './context.ts';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Records the status check; a request that got no response is an error, a wrong status a failure. */
export function expectStatus(ctx: ScenarioContext, exchange: Exchange, expected: readonly number[], id: string, title: string, range: Range): boolean {
  if (exchange.error !== undefined && exchange.status === undefined) {
    return ctx.verdict(id, title, range, 'error', { message: `${exchange.method} ${exchange.url}: ${exchange.error}`, expected: statusText(expected), evidence: [exchange] });
  }
  if (exchange.error !== undefined) {
    return ctx.verdict(id, title, range, 'fail', { message: `${exchange.method} ${exchange.url} → ${exchange.status}, but ${exchange.error}`, expected: statusText(expected), actual: exchange.status, evidence: [exchange] });
  }
  const ok = expected.includes(exchange.status!);
  return ctx.verdict(id, title, range, ok ? 'pass' : 'fail', {
    message: ok ? '' : `${exchange.method} ${exchange.url} answered ${exchange.status}${errorDetail(exchange)}, expected ${statusText(expected)}`,
    expected: statusText(expected),
    actual: exchange.status,
    evidence: [exchange],
  });
}

function statusText(expected: readonly number[]): string | number {
  return expected.length === 1 ? expected[0]! : expected.join(' or ');
}

function errorDetail(exchange: Exchange): string {
  const json = exchange.json as { detail?: unknown; scimType?: unknown } | undefined;
  const parts = [json?.scimType, json?.detail].filter((p) => typeof p === 'string');
  return parts.length ? ` (${parts.join(': ')})` : '';
}

/** A response with a body must say it is SCIM (RFC 7644 §3.1, §8.1). */
export function expectScimMediaType(ctx: ScenarioContext, exchange: Exchange, id: string, range: Range): boolean {
  if (exchange.responseBody === undefined || exchange.status === undefined) return true;
  const type = exchange.responseHeaders?.['content-type'] ?? '';
  const ok = /^application\/scim\+json\s*(;|$)/i.test(type);
  return ctx.verdict(id, 'response is application/scim+json', range, ok ? 'pass' : 'fail', {
    message: ok ? '' : `${exchange.method} ${exchange.url} answered with Content-Type ${type ? JSON.stringify(type) : '(none)'}`,
    expected: 'application/scim+json',
    actual: type || null,
    evidence: [exchange],
  });
}

/** The body is JSON (a SCIM response always is). */
export function expectJson(ctx: ScenarioContext, exchange: Exchange, id: string, range: Range): boolean {
  if (exchange.status === undefined) return false;
  const ok = exchange.json !== undefined;
  if (ok) return true;
  return ctx.verdict(id, 'response body is JSON', range, 'fail', {
    message: `${exchange.method} ${exchange.url} answered ${exchange.status} with a body that is not JSON`,
    actual: exchange.responseBody?.slice(0, 200) ?? null,
    evidence: [exchange],
  });
}

/** Error responses carry the SCIM Error schema, `status` as a string, and (when asked) a scimType. */
export function expectScimError(ctx: ScenarioContext, exchange: Exchange, id: string, range: Range, scimType?: string): boolean {
  const json = exchange.json as { schemas?: unknown; status?: unknown; scimType?: unknown } | undefined;
  const problems: string[] = [];
  if (!json) problems.push('the body is not a SCIM Error (not JSON)');
  else {
    if (!Array.isArray(json.schemas) || !json.schemas.includes(ERROR_SCHEMA)) problems.push(`"schemas" does not list ${ERROR_SCHEMA}`);
    if (json.status !== String(exchange.status)) problems.push(`"status" is ${JSON.stringify(json.status)}, not the string "${exchange.status}"`);
    if (scimType !== undefined && json.scimType !== scimType) {
      problems.push(json.scimType === undefined ? `there is no "scimType" (expected "${scimType}")` : `"scimType" is ${JSON.stringify(json.scimType)}, not "${scimType}"`);
    }
  }
  return ctx.verdict(id, scimType ? `SCIM error with scimType ${scimType}` : 'SCIM error body', range, problems.length ? 'fail' : 'pass', {
    message: problems.join('; '),
    ...(scimType ? { expected: { scimType } } : {}),
    ...(json && typeof json === 'object' ? { actual: { scimType: json.scimType ?? null, status: json.status ?? null } } : {}),
    evidence: [exchange],
  });
}

export function idOf(exchange: Exchange): string | undefined {
  const id = (exchange.json as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export function listResources(exchange: Exchange): unknown[] | undefined {
  const json = exchange.json as { Resources?: unknown; totalResults?: unknown } | undefined;
  if (!json || typeof json !== 'object') return undefined;
  if (json.Resources === undefined && json.totalResults === 0) return [];
  return Array.isArray(json.Resources) ? json.Resources : undefined;
}
