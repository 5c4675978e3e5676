// What every conformance module works with: its scenario, the item's range every check is
// reported at, and small verdict helpers. A module that depends on an earlier observation (the
// pool of users, a group in a known state) is handed it, or blocks its checks by the check
// that failed to provide it: one defect, one failure.
import type { ScenarioContext, CheckDetail } from '../context.ts';
import type { Range } from '../../diagnostic.ts';
import type { RuleId } from '../../checks/rules.ts';
import type { CheckResult } from '../result.ts';
import type { Exchange } from '../../scim/exchange.ts';
import { getKey } from '../../scim/resource.ts';
import { listResources } from '../protocol.ts';

export class Suite {
  readonly ctx: ScenarioContext;
  readonly range: Range;
  readonly tagged: ReadonlySet<string>;
  readonly tag: string;

  constructor(ctx: ScenarioContext, tagged: ReadonlySet<string>, tag: string) {
    this.ctx = ctx;
    this.range = ctx.planned.range;
    this.tagged = tagged;
    this.tag = tag;
  }

  /** A verdict: pass, or a failure with its message (the rule's level decides fail or warn). */
  check(rule: RuleId, id: string, title: string, ok: boolean, message: string, detail: CheckDetail = {}): CheckResult {
    return this.ctx.check(rule, id, title, this.range, ok ? 'pass' : 'fail', { ...detail, message: ok ? '' : message });
  }

  /** A check that could not be made because `by` did not pass. */
  blocked(rule: RuleId, id: string, title: string, by: CheckResult | string, message: string, evidence: Exchange[] = []): CheckResult {
    return this.ctx.blocked(rule, id, title, this.range, by, message, evidence);
  }

  /** A check the server's own declarations make moot (a feature it does not offer, a MAY it took). */
  skipped(rule: RuleId, id: string, title: string, why: string, evidence: Exchange[] = []): CheckResult {
    return this.ctx.check(rule, id, title, this.range, 'skipped', { message: why, evidence });
  }

  /** A request that got no answer at all: an error, not a verdict on the server's semantics. */
  unanswered(rule: RuleId, id: string, title: string, exchange: Exchange): CheckResult | undefined {
    if (exchange.status !== undefined) return undefined;
    return this.ctx.check(rule, id, title, this.range, 'error', {
      message: `${exchange.method} ${exchange.url}: ${exchange.error ?? 'no response'}`,
      evidence: [exchange],
    });
  }
}

/** The ids of a list response's resources, or undefined when the body is no list. */
export function listedIds(exchange: Exchange): string[] | undefined {
  if (exchange.status !== 200) return undefined;
  const resources = listResources(exchange);
  if (!resources) return undefined;
  return resources.map((r) => getKey(r, 'id')).filter((id): id is string => typeof id === 'string');
}

/** `sw "…"` filter text for a value (quotes and backslashes escaped as JSON strings are). */
export function filterText(attribute: string, operator: string, value: string): string {
  return `${attribute} ${operator} ${JSON.stringify(value)}`;
}

export function query(path: string, params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

/** The longest common prefix of some strings. */
export function commonPrefix(values: readonly string[]): string {
  if (values.length === 0) return '';
  let prefix = values[0]!;
  for (const value of values.slice(1)) {
    let i = 0;
    while (i < prefix.length && i < value.length && prefix[i] === value[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The paging check that failed in this scenario, if one did: what a many-page answer depends on. */
export function brokenPaging(suite: Suite): CheckResult | undefined {
  return suite.ctx.checks.find((c) => c.rule.startsWith('list.paging.') && (c.status === 'fail' || c.status === 'warn'));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Every id a list query matches, page by page: a server MAY return fewer than count (RFC 7644
 * §3.4.2.4), so one response is never taken as the whole answer. Bounded to `maxPages`.
 * Returns the first exchange and, when a page was not a list, that page.
 */
export async function collectIds(
  suite: Suite,
  path: string,
  params: Record<string, string | number | undefined>,
  step: string,
  maxPages = 60,
): Promise<{ ids?: string[]; first: Exchange; failed?: Exchange; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let start = 1;
  let first: Exchange | undefined;
  for (let n = 0; n < maxPages; n++) {
    const exchange = await suite.ctx.send({ method: 'GET', url: query(path, { ...params, startIndex: start }) }, step);
    first ??= exchange;
    const page = listedIds(exchange);
    if (!page) return { first, failed: exchange, pages };
    pages++;
    ids.push(...page);
    // A short page that completes the total is the last; a full one may not be (the total may be wrong).
    const total = getKey(exchange.json, 'totalResults');
    const count = Number(params['count']);
    if (page.length === 0 || (typeof total === 'number' && ids.length >= total && !(page.length >= count))) break;
    start += page.length;
  }
  return { ids, first: first!, pages };
}
