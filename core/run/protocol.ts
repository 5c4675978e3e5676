// Checks every SCIM response must pass whatever the scenario: the expected status, the
// application/scim+json media type, and the SCIM Error schema on errors (RFC 7644 §3.12).
import type { Range } from '../diagnostic.ts';
import type { Exchange } from '../scim/exchange.ts';
import type { ScenarioContext } from './context.ts';
import type { CheckResult } from './result.ts';
import type { RuleId } from '../checks/rules.ts';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The failed check of an earlier write the server refused the same way as this one, if there was one. */
export function earlierRefusal(ctx: ScenarioContext, exchange: Exchange): CheckResult | undefined {
  if (exchange.status === undefined || exchange.status < 400 || exchange.status >= 500) return undefined;
  return ctx.refusals.get(refusalKey(exchange));
}

function refusalKey(exchange: Exchange): string {
  return `${exchange.method} ${exchange.status} ${String(getScimType(exchange) ?? '')} ${detailShape(exchange)}`;
}

/** Records the status check; a request that got no response is an error, a wrong status a failure. */
export function expectStatus(
  ctx: ScenarioContext,
  exchange: Exchange,
  expected: readonly number[],
  rule: RuleId,
  id: string,
  title: string,
  range: Range,
): boolean {
  return statusCheck(ctx, exchange, expected, rule, id, title, range).status === 'pass';
}

/** As expectStatus, returning the check (for the checks that depend on it to point at). */
export function statusCheck(
  ctx: ScenarioContext,
  exchange: Exchange,
  expected: readonly number[],
  rule: RuleId,
  id: string,
  title: string,
  range: Range,
): CheckResult {
  if (exchange.error !== undefined && exchange.status === undefined) {
    return ctx.check(rule, id, title, range, 'error', {
      message: `${exchange.method} ${exchange.url}: ${exchange.error}`,
      expected: statusText(expected),
      evidence: [exchange],
    });
  }
  if (exchange.error !== undefined) {
    return ctx.check(rule, id, title, range, 'fail', {
      message: `${exchange.method} ${exchange.url} → ${exchange.status}, but ${exchange.error}`,
      expected: statusText(expected),
      actual: exchange.status,
      evidence: [exchange],
    });
  }
  const ok = expected.includes(exchange.status!);
  const refusal = !ok && WRITES.has(rule) && exchange.status! >= 400 && exchange.status! < 500 ? refusalKey(exchange) : undefined;
  const earlier = refusal ? ctx.refusals.get(refusal) : undefined;
  if (earlier) {
    return ctx.blocked(
      rule,
      id,
      title,
      range,
      earlier,
      `${exchange.method} ${exchange.url} was refused the same way (${exchange.status}${errorDetail(exchange)})`,
      [exchange],
    );
  }
  const check = ctx.check(rule, id, title, range, ok ? 'pass' : 'fail', {
    message: ok
      ? ''
      : `${exchange.method} ${exchange.url} answered ${exchange.status}${errorDetail(exchange)}, expected ${statusText(expected)}`,
    // An error's own explanation is what a reader needs to see of its body.
    ...(ok ? {} : { focus: ['detail', 'scimType'] }),
    expected: statusText(expected),
    actual: exchange.status,
    evidence: [exchange],
  });
  if (refusal && check.status === 'fail') ctx.refusals.set(refusal, check);
  return check;
}

/**
 * A write's shape, for telling one defect from several: the method and, for PATCH, each
 * operation's op and whether it has a path ("PATCH replace:no-path"). A server that silently
 * ignores path-less PATCH ignores the deactivation and the group rename alike.
 */
export function writeShape(exchange: Exchange): string {
  if (exchange.method !== 'PATCH' || !exchange.requestBody) return exchange.method;
  try {
    const ops = (JSON.parse(exchange.requestBody) as { Operations?: Array<{ op?: unknown; path?: unknown }> }).Operations ?? [];
    return `PATCH ${ops.map((o) => `${String(o.op).toLowerCase()}:${o.path === undefined ? 'no-path' : 'path'}`).join(',')}`;
  } catch {
    return 'PATCH';
  }
}

/**
 * Records the check that found a 2xx write had no effect, or, when a write of the same shape was
 * already found ignored in this scenario, blocks this one by it. Returns the recorded check.
 */
export function effectCheck(
  ctx: ScenarioContext,
  write: Exchange | undefined,
  ok: boolean,
  record: () => CheckResult,
  blocked: (by: CheckResult) => CheckResult,
): CheckResult {
  const key = write && write.status !== undefined && write.status < 300 ? `ignored ${writeShape(write)}` : undefined;
  const earlier = !ok && key ? ctx.refusals.get(key) : undefined;
  if (earlier) return blocked(earlier);
  const check = record();
  if (check.status === 'fail' && key) ctx.refusals.set(key, check);
  return check;
}

/** Writes in the dialect's shape: one refused shape is one defect, however many requests use it. */
const WRITES: ReadonlySet<RuleId> = new Set([
  'user.update',
  'user.set-active',
  'group.change-member',
  'group.rename',
  'user.clear',
  'user.clear.element',
  'user.manager.set',
  'user.manager.idp-shape',
  'user.manager.removed',
  'user.rename',
]);

/**
 * The error's explanation with what varies between requests taken out (quoted names and values,
 * numbers, ids): two refusals that say the same thing are one defect; a server that says
 * different things ("'active' expects a boolean", "'manager' expects a complex value") has two.
 */
function detailShape(exchange: Exchange): string {
  const detail = (exchange.json as { detail?: unknown } | undefined)?.detail;
  if (typeof detail !== 'string') return '';
  return detail
    .replace(/"(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`/g, '…')
    .replace(/\([^()]*\)|\[[^[\]]*\]/g, '…')
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '…')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function getScimType(exchange: Exchange): unknown {
  return (exchange.json as { scimType?: unknown } | undefined)?.scimType;
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
  return ctx.verdict('response.media-type', id, 'response is application/scim+json', range, ok ? 'pass' : 'fail', {
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
  return ctx.verdict('response.json', id, 'response body is JSON', range, 'fail', {
    message: `${exchange.method} ${exchange.url} answered ${exchange.status} with a body that is not JSON`,
    actual: exchange.responseBody?.slice(0, 200) ?? null,
    evidence: [exchange],
  });
}

/**
 * Error responses carry the SCIM Error schema and `status` as a string (RFC 7644 §3.12). A
 * scimType is checked only where a rule requires one (`scimType` with its rule): RFC 7644 §3.12
 * makes it OPTIONAL in general, §3.3 requires "uniqueness" on a create conflict.
 */
export function expectScimError(
  ctx: ScenarioContext,
  exchange: Exchange,
  id: string,
  range: Range,
  scimType?: { value: string; rule: RuleId; range?: Range; id?: string },
): boolean {
  const json = exchange.json as { schemas?: unknown; status?: unknown; scimType?: unknown } | undefined;
  const isObject = json !== undefined && json !== null && typeof json === 'object';
  const schemasOk = isObject && Array.isArray(json.schemas) && json.schemas.includes(ERROR_SCHEMA);
  let body = ctx.verdict('response.scim-error', id, 'SCIM error body', range, schemasOk ? 'pass' : 'fail', {
    message: schemasOk ? '' : !isObject ? 'the error body is not a JSON object' : `"schemas" does not list ${ERROR_SCHEMA}`,
    expected: { schemas: [ERROR_SCHEMA] },
    actual: isObject ? { schemas: json.schemas ?? null } : (exchange.responseHeaders?.['content-type'] ?? null),
    evidence: [exchange],
  });
  if (isObject) {
    const statusOk = json.status === String(exchange.status);
    body =
      ctx.verdict(
        'response.scim-error.status',
        `${id}.status`,
        'the error states its status as a string',
        range,
        statusOk ? 'pass' : 'fail',
        {
          message: statusOk ? '' : `"status" is ${JSON.stringify(json.status ?? null)}, not the string "${exchange.status}"`,
          expected: { status: String(exchange.status) },
          actual: { status: json.status ?? null },
          evidence: [exchange],
        },
      ) && body;
  }
  if (!scimType) return body;
  const actual = json && typeof json === 'object' ? json.scimType : undefined;
  const ok = actual === scimType.value;
  return (
    ctx.verdict(
      scimType.rule,
      scimType.id ?? `${id}.scim-type`,
      `SCIM error with scimType ${scimType.value}`,
      scimType.range ?? range,
      ok ? 'pass' : 'fail',
      {
        message: ok
          ? ''
          : actual === undefined
            ? `there is no "scimType" (expected "${scimType.value}")`
            : `"scimType" is ${JSON.stringify(actual)}, not "${scimType.value}"`,
        expected: { scimType: scimType.value },
        actual: { scimType: actual ?? null },
        evidence: [exchange],
      },
    ) && body
  );
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
