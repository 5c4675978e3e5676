// A `load` scenario: a bounded mix of reads, filters and group lists sent open-loop at a target
// rate against run-scoped users, as Entra's gallery requirement (25 requests per second per
// tenant) and Okta's /Groups latency bound ask. Requests are scheduled at fixed times and not
// held back by slow answers (up to `inFlight` at once), so a slow server shows as latency and a
// saturated one as a rate below target. If provspec itself could not keep the schedule (a loaded
// machine), the rate is no verdict on the server: it is reported as an error, not a failure.
import type { ScenarioContext } from './context.ts';
import type { LoadCase } from '../spec/types.ts';
import type { Exchange } from '../scim/exchange.ts';
import { Suite, plural, query, filterText } from './conformance/suite.ts';
import { createPool, isPool } from './conformance/pool.ts';
import { durationMs } from '../spec/duration.ts';
import { joinPointer } from '../document/index.ts';
import type { Range } from '../diagnostic.ts';

type Kind = 'read' | 'filter' | 'groups';
const DEFAULT_MIX: Record<Kind, number> = { read: 6, filter: 3, groups: 1 };
const MAX_DURATION_MS = 120_000;

export interface LoadFigures {
  sent: number;
  answered: number;
  /** Answers per second, between the first answer and the last. */
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** Answers that came after a 429 or 503 and its Retry-After (the client waited as told). */
  retried: number;
  /** How late provspec itself sent, at the 95th percentile, when the server was not holding it back. */
  clientLagP95: number;
}

export async function runLoad(ctx: ScenarioContext, load: LoadCase, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const suite = new Suite(ctx, tagged, tag);
  const base = ctx.planned.pointer;
  const at = (path: string): Range => ctx.range(path.split('/').reduce(joinPointer, base), 'key');
  const pool = await createPool(suite, load.users ?? 5, 'l', load.identity);
  if (!isPool(pool)) {
    for (const [rule, title] of TITLES) suite.blocked(rule, `load.${rule.slice(5)}`, title, pool, 'the users to load could not be created');
    return;
  }
  const mix = { ...(load.mix ? { read: 0, filter: 0, groups: 0 } : DEFAULT_MIX), ...load.mix };
  const kinds = (Object.keys(mix) as Kind[]).flatMap((k) => Array.from({ length: mix[k] ?? 0 }, () => k));
  const total = load.requests ?? 250;
  const budget = Math.min(durationMs(load.duration, MAX_DURATION_MS), MAX_DURATION_MS);
  const interval = 1000 / load.rate;
  const inFlightCap = load.inFlight ?? 64;

  const latencies: number[] = [];
  const errors: Exchange[] = [];
  const lags: number[] = [];
  let retried = 0;
  let inFlight = 0;
  let sent = 0;
  let lastAnswer = 0;
  let firstAnswer = 0;
  const slots: Array<() => void> = [];
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < total && !ctx.signal.aborted; i++) {
    const due = started + i * interval;
    if (due - started > budget) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    let heldByServer = false;
    while (inFlight >= inFlightCap) {
      heldByServer = true;
      await new Promise<void>((resolve) => slots.push(resolve));
    }
    if (!heldByServer) lags.push(Math.max(0, performance.now() - due));
    const kind = kinds[i % kinds.length] ?? 'read';
    const user = pool.users[i % pool.users.length]!;
    const url =
      kind === 'read'
        ? `/Users/${encodeURIComponent(user.id)}`
        : kind === 'filter'
          ? query('/Users', { filter: filterText('userName', 'eq', user.userName) })
          : query('/Groups', { count: 10, excludedAttributes: 'members' });
    inFlight++;
    sent++;
    const begun = performance.now();
    running.push(
      ctx.send({ method: 'GET', url }, 'load').then((exchange) => {
        inFlight--;
        slots.shift()?.();
        lastAnswer = performance.now();
        firstAnswer ||= lastAnswer;
        if (exchange.attempt !== undefined && exchange.attempt > 1) retried++;
        if (exchange.status === undefined || exchange.status < 200 || exchange.status >= 300) errors.push(exchange);
        else latencies.push(exchange.ms > 0 ? exchange.ms : lastAnswer - begun);
      }),
    );
  }
  await Promise.all(running);
  const answered = latencies.length + errors.length;
  const figures: LoadFigures = {
    sent,
    answered,
    // Answers per second between the first and the last: a server that keeps up answers at the
    // rate sent whatever its latency; a saturated one, at the rate it can.
    rate: answered > 1 && lastAnswer > firstAnswer ? round((answered - 1) / ((lastAnswer - firstAnswer) / 1000)) : 0,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: errors.length,
    retried,
    clientLagP95: percentile(lags, 95),
  };
  const summary =
    `${plural(figures.sent, 'request')} at ${load.rate}/s: ${figures.rate}/s achieved, ` +
    `p50 ${figures.p50} ms, p95 ${figures.p95} ms, p99 ${figures.p99} ms, ${plural(figures.errors, 'error')}` +
    (figures.retried ? `, ${figures.retried} answered after a 429/503 and its Retry-After` : '');

  // The rate: the spec's, or 90% of what was sent.
  const wanted = load.expect?.rate ?? round(load.rate * 0.9);
  const rateRange = load.expect?.rate !== undefined ? at('expect/rate') : at('rate');
  const rateTitle = `the server answers at least ${wanted} requests per second`;
  const clientBound = Math.max(50, 2 * interval);
  let rateCheck;
  if (figures.rate < wanted && figures.clientLagP95 > clientBound) {
    rateCheck = ctx.check('load.rate', 'load.rate', rateTitle, rateRange, 'error', {
      message: `${summary}; provspec itself sent late (p95 ${figures.clientLagP95} ms behind schedule): ${NO_VERDICT}`,
      actual: figures,
    });
  } else {
    rateCheck = ctx.check('load.rate', 'load.rate', rateTitle, rateRange, figures.rate >= wanted ? 'pass' : 'fail', {
      message: figures.rate >= wanted ? '' : `${summary}: below ${wanted}/s`,
      expected: `at least ${wanted}/s`,
      actual: figures,
      evidence: errors.slice(0, 2),
    });
  }

  // Latency bounds, each at its own line.
  const bounds = (['p50', 'p95', 'p99'] as const).filter((p) => load.expect?.[p] !== undefined);
  if (bounds.length > 0 && rateCheck.status !== 'pass') {
    // Below the rate, requests queue: the latency measured is the queue's, and the rate is the finding.
    const first = bounds[0]!;
    ctx.blocked(
      'load.latency',
      'load.latency',
      'latency under load is within the bounds',
      at(`expect/${first}`),
      rateCheck,
      'the server did not keep the rate',
    );
  } else if (bounds.length > 0) {
    const over = bounds.filter((p) => figures[p] > durationMs(load.expect![p], 0));
    const first = over[0] ?? bounds[0]!;
    ctx.verdict(
      'load.latency',
      'load.latency',
      'latency under load is within the bounds',
      at(`expect/${first}`),
      over.length ? 'fail' : 'pass',
      {
        message: over.length ? `${summary}: ${over.map((p) => `${p} ${figures[p]} ms is above ${load.expect![p]}`).join(', ')}` : '',
        expected: Object.fromEntries(bounds.map((p) => [p, load.expect![p]])),
        actual: { p50: figures.p50, p95: figures.p95, p99: figures.p99 },
      },
    );
  }

  const allowed = load.expect?.errors ?? 0;
  const errorRange = load.expect?.errors !== undefined ? at('expect/errors') : ctx.planned.range;
  ctx.verdict(
    'load.errors',
    'load.errors',
    `at most ${plural(allowed, 'error')} under load`,
    errorRange,
    errors.length <= allowed ? 'pass' : 'fail',
    {
      message: errors.length <= allowed ? '' : `${summary}: ${errorKinds(errors)}`,
      expected: `at most ${allowed}`,
      actual: errors.length,
      evidence: errors.slice(0, 3),
    },
  );
}

const NO_VERDICT = 'this is no verdict on the server';

const TITLES: ReadonlyArray<['load.rate' | 'load.errors', string]> = [
  ['load.rate', 'the server answers at the rate asked'],
  ['load.errors', 'no errors under load'],
];

function errorKinds(errors: readonly Exchange[]): string {
  const counts = new Map<string, number>();
  for (const e of errors) {
    const key = e.status === undefined ? (e.error ?? 'no answer') : String(e.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} × ${k}`).join(', ');
}

/** Nearest-rank percentile of a list of milliseconds, rounded to 0.1 ms; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return round(sorted[rank - 1]!);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
