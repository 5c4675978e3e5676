// The NDJSON trace, format version 1 (schemas/trace.schema.json, docs/trace.md): one event per
// run start and end, per spec, per scenario, per HTTP exchange (redacted, as the runner stored
// it) and per check. Every event carries when it happened twice over: an ISO timestamp, for
// people and other tools, and a monotonic offset from the run's start, for ordering and
// timelines (wall clocks jump; performance.now() does not). Every event also carries the ids
// that tie it to the rest: run, file, scenario, step, check, the identity and the SCIM resource
// it concerns, the request id and the W3C traceparent sent, so that one person's journey, or one
// request, can be followed from a failed check to the bytes that decided it.
import { performance } from 'node:perf_hooks';
import type { Plan, PlannedScenario } from '../plan/plan.ts';
import type { RunOptions } from '../run/runner.ts';
import type { SpecResult } from '../run/result.ts';
import { evidenceOf, type Exchange } from '../scim/exchange.ts';

export const TRACE_VERSION = 1;

/** The SCIM resource an exchange concerns: named in its URL, or made by it (a create's answer). */
export interface TracedResource {
  type: 'User' | 'Group';
  id: string;
}

export interface TraceWriter {
  /** The run's first event; the clock's zero. */
  start(): void;
  /** The callbacks a plan's run reports to, each an event. */
  forPlan(plan: Plan): Partial<RunOptions>;
  /** The spec's result, after its run (and cleanup). */
  specEnd(plan: Plan, result: SpecResult): void;
  /** The run's last event. */
  end(status: string): void;
}

export function traceWriter(write: (line: string) => void, runId: string, traceId?: string): TraceWriter {
  let zero = performance.now();
  const at = (offset = performance.now() - zero) => ({
    time: new Date(performance.timeOrigin + zero + offset).toISOString(),
    offsetMs: round(offset),
  });
  const event = (value: Record<string, unknown>) => write(`${JSON.stringify(value)}\n`);
  return {
    start() {
      zero = performance.now();
      event({ type: 'run', version: TRACE_VERSION, runId, ...(traceId ? { traceId } : {}), ...at(0) });
    },
    forPlan(plan) {
      const started = new Map<string, number>();
      const scenarioOf = new Map(plan.scenarios.map((s) => [s.name, s] as const));
      event({ type: 'spec', runId, file: plan.file, ...at() });
      return {
        onScenarioStart: (scenario) => started.set(`${scenario.section}.${scenario.name}`, performance.now() - zero),
        onScenarioEnd: (scenario) => {
          const offset = started.get(`${scenario.section}.${scenario.name}`) ?? performance.now() - zero - scenario.ms;
          const identity = identityOf(scenarioOf.get(scenario.name));
          event({
            type: 'scenario',
            runId,
            file: plan.file,
            section: scenario.section,
            scenario: scenario.name,
            ...(identity ? { identity } : {}),
            status: scenario.status,
            ...at(offset),
            ms: scenario.ms,
          });
        },
        onExchange: (exchange, context) => {
          // Reported when it ends: it began its own duration earlier.
          const offset = Math.max(0, performance.now() - zero - exchange.ms);
          const identity = context.scenario === undefined ? undefined : identityOf(scenarioOf.get(context.scenario));
          const resource = resourceOf(exchange);
          const traceparent = exchange.requestHeaders['traceparent'];
          event({
            type: 'exchange',
            runId,
            file: plan.file,
            scenario: context.scenario ?? null,
            step: context.step ?? null,
            ...(identity ? { identity } : {}),
            ...(resource ? { resource } : {}),
            requestId: exchange.id,
            ...(traceparent ? { traceparent } : {}),
            ...at(offset),
            ...evidenceOf(exchange),
          });
        },
        onCheck: (check, scenario) => {
          const identity = identityOf(scenario);
          event({
            type: 'check',
            runId,
            file: plan.file,
            section: scenario.section,
            scenario: scenario.name,
            ...(identity ? { identity } : {}),
            id: check.id,
            rule: check.rule,
            level: check.level,
            basis: check.basis,
            status: check.status,
            title: check.title,
            message: check.message,
            ...(check.blockedBy ? { blockedBy: check.blockedBy } : {}),
            // What it compared: replay re-reads the same field of the answer it gets now.
            ...(check.expected !== undefined ? { expected: check.expected } : {}),
            ...(check.actual !== undefined ? { actual: check.actual } : {}),
            ...(check.focus?.length ? { focus: check.focus } : {}),
            line: check.range.start.line + 1,
            column: check.range.start.character + 1,
            endLine: check.range.end.line + 1,
            endColumn: check.range.end.character + 1,
            evidence: check.evidence.map((e) => e.id),
            ...at(),
          });
        },
      };
    },
    specEnd(plan, result) {
      event({ type: 'spec-end', runId, file: plan.file, status: result.status, ...at() });
    },
    end(status) {
      event({ type: 'end', runId, status, ...at() });
    },
  };
}

/** Whose scenario it is: the identity a lifecycle (or single-identity concurrency) scenario names. */
function identityOf(scenario: PlannedScenario | undefined): string | undefined {
  return scenario?.lifecycle?.identity ?? scenario?.concurrency?.identity;
}

const RESOURCE_PATH = /\/(Users|Groups)\/([^/?#]+)/;

/**
 * The resource an exchange concerns: the one its URL names (/Users/{id}, /Groups/{id}), or the
 * one a create made (POST /Users or /Groups answered with an id).
 */
export function resourceOf(exchange: Exchange): TracedResource | undefined {
  let pathname: string;
  try {
    pathname = new URL(exchange.url).pathname;
  } catch {
    return undefined;
  }
  const named = RESOURCE_PATH.exec(pathname);
  // `.search` is the POST query endpoint (RFC 7644 §3.4.3), not a resource.
  if (named && !named[2]!.startsWith('.')) return { type: named[1] === 'Users' ? 'User' : 'Group', id: decoded(named[2]!) };
  const created = /\/(Users|Groups)\/?$/.exec(pathname);
  const id = (exchange.json as { id?: unknown } | undefined)?.id;
  if (created && exchange.method === 'POST' && exchange.status === 201 && typeof id === 'string' && id !== '') {
    return { type: created[1] === 'Users' ? 'User' : 'Group', id };
  }
  return undefined;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
