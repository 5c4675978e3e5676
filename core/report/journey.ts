// Journeys through a recorded run (a version 1 trace, docs/trace.md): what happened in one
// scenario, or to one person or SCIM resource across all of them, in the order it happened,
// exchanges and checks interleaved on the run's clock. `provspec show` prints them; the same
// selection will feed the HTML report's journey view.
import type { CheckStatus } from '../run/result.ts';
import { TRACE_VERSION } from './trace.ts';
import { MARK, type Paint } from './pretty.ts';

/** One event of a trace, as read back: the fields journeys use; the rest is kept as it came. */
export interface TraceEvent {
  type: string;
  runId: string;
  time: string;
  offsetMs: number;
  file?: string;
  section?: string;
  scenario?: string | null;
  step?: string | null;
  identity?: string;
  resource?: { type: string; id: string };
  requestId?: string;
  method?: string;
  url?: string;
  status?: string | number;
  ms?: number;
  error?: string;
  id?: string;
  rule?: string;
  level?: string;
  basis?: string;
  title?: string;
  message?: string;
  blockedBy?: string;
  line?: number;
  column?: number;
  evidence?: string[];
  [field: string]: unknown;
}

/** A trace that cannot be read: where, and why. */
export class TraceFormatError extends Error {}

/** Reads a trace: one event per line, opening with a `run` event of a version this reader knows. */
export function parseTrace(text: string, name: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new TraceFormatError(`${name}:${i + 1}: not a JSON object (a trace has one event per line)`);
    }
    if (!isEvent(event)) throw new TraceFormatError(`${name}:${i + 1}: not a trace event (no type, runId, time and offsetMs)`);
    if (events.length === 0 && (event.type !== 'run' || event['version'] !== TRACE_VERSION)) {
      throw new TraceFormatError(
        `${name}:${i + 1}: not a version ${TRACE_VERSION} provspec trace (it must open with {"type":"run","version":${TRACE_VERSION}}); ` +
          'traces written before version 1 carry no times: run again with --trace',
      );
    }
    events.push(event);
  }
  if (events.length === 0) throw new TraceFormatError(`${name}: empty: no events`);
  return events;
}

function isEvent(value: unknown): value is TraceEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['type'] === 'string' && typeof v['runId'] === 'string' && typeof v['time'] === 'string' && typeof v['offsetMs'] === 'number'
  );
}

export interface Journey {
  /** "lifecycle.leaver", or "alice" / the resource id for a person's journey. */
  title: string;
  file?: string;
  identity?: string;
  /** The scenario's status, or the worst of the checks on a person's journey. */
  status: CheckStatus;
  /** When it began, on the run's clock. */
  offsetMs: number;
  time: string;
  ms?: number;
  /** Its exchanges and checks, in the order they happened. */
  events: TraceEvent[];
}

export interface JourneyFilter {
  /** A scenario by name, or section.name. */
  scenario?: string;
  /** A person: the spec's identity name, or a SCIM resource id. */
  user?: string;
  /** Only journeys with a failing or erroring check. */
  failed?: boolean;
}

const FAILING = new Set(['fail', 'error']);
const ORDER: CheckStatus[] = ['error', 'fail', 'warn', 'blocked', 'pass', 'skipped'];

export function journeys(events: readonly TraceEvent[], filter: JourneyFilter = {}): Journey[] {
  const found =
    filter.user === undefined ? scenarioJourneys(events, filter.scenario) : [personJourney(events, filter.user, filter.scenario)];
  return found.filter(
    (j): j is Journey => j !== undefined && (!filter.failed || j.events.some((e) => e.type === 'check' && FAILING.has(String(e.status)))),
  );
}

function scenarioJourneys(events: readonly TraceEvent[], wanted: string | undefined): Journey[] {
  const out: Journey[] = [];
  for (const scenario of events.filter((e) => e.type === 'scenario')) {
    const name = `${scenario.section}.${scenario.scenario}`;
    if (wanted !== undefined && wanted !== scenario.scenario && wanted !== name) continue;
    const own = events.filter(
      (e) =>
        (e.type === 'exchange' || e.type === 'check') &&
        e.file === scenario.file &&
        e.scenario === scenario.scenario &&
        (e.type === 'exchange' || e.section === scenario.section),
    );
    out.push({
      title: name,
      ...(scenario.file ? { file: scenario.file } : {}),
      ...(scenario.identity ? { identity: scenario.identity } : {}),
      status: asStatus(scenario.status),
      offsetMs: scenario.offsetMs,
      time: scenario.time,
      ...(typeof scenario.ms === 'number' ? { ms: scenario.ms } : {}),
      events: byTime(own),
    });
  }
  return out.sort((a, b) => a.offsetMs - b.offsetMs);
}

/**
 * Everything that happened to one person: the events naming the identity or the resource, and
 * the exchanges on any resource that person's scenarios touched (cleanup, other scenarios).
 */
function personJourney(events: readonly TraceEvent[], user: string, wanted: string | undefined): Journey | undefined {
  // The person's own accounts: the users their scenarios made or touched (the groups they were
  // added to are everyone's, and would pull in every other member's journey).
  const resources = new Set<string>([user]);
  for (const e of events) if (e.identity === user && e.resource?.type === 'User') resources.add(e.resource.id);
  const inScenario = (e: TraceEvent) => wanted === undefined || e.scenario === wanted || `${e.section}.${e.scenario}` === wanted;
  const own = events.filter(
    (e) =>
      (e.type === 'exchange' || e.type === 'check') &&
      inScenario(e) &&
      (e.identity === user || (e.resource !== undefined && resources.has(e.resource.id))),
  );
  if (own.length === 0) return undefined;
  const sorted = byTime(own);
  const statuses = sorted.filter((e) => e.type === 'check').map((e) => asStatus(e.status));
  return {
    title: user,
    status: ORDER.find((s) => statuses.includes(s)) ?? 'pass',
    offsetMs: sorted[0]!.offsetMs,
    time: sorted[0]!.time,
    events: sorted,
  };
}

function byTime(events: TraceEvent[]): TraceEvent[] {
  // Stable: events of the same moment keep the order they were written in.
  return events
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].offsetMs - b[0].offsetMs || a[1] - b[1])
    .map(([e]) => e);
}

function asStatus(status: unknown): CheckStatus {
  return ORDER.includes(status as CheckStatus) ? (status as CheckStatus) : 'error';
}

/** Journeys as terminal text: a heading each, then one line per exchange and check, offsets from the journey's start. */
export function renderJourneys(list: readonly Journey[], paint: Paint): string {
  return list.map((journey) => renderJourney(journey, paint)).join('\n\n');
}

function renderJourney(journey: Journey, paint: Paint): string {
  const [mark, colour] = MARK[journey.status];
  const facts = [
    journey.identity,
    journey.file,
    journey.status,
    journey.ms === undefined ? undefined : `${journey.ms} ms`,
    `began ${journey.time}`,
  ].filter((f): f is string => f !== undefined);
  const lines = [`${paint(colour, mark)} ${paint('bold', journey.title)} ${paint('dim', facts.join(' · '))}`];
  const person = journey.file === undefined;
  for (const event of journey.events) {
    const at = paint('dim', `+${(event.offsetMs - journey.offsetMs).toFixed(1).padStart(8)} ms`);
    const where = person ? `${paint('cyan', event.scenario ?? '(cleanup)')} ` : '';
    lines.push(`  ${at}  ${where}${event.type === 'exchange' ? exchangeLine(event, paint) : checkLine(event, paint)}`);
  }
  if (journey.events.length === 0) lines.push(paint('dim', '  (no exchanges or checks)'));
  return lines.join('\n');
}

function exchangeLine(e: TraceEvent, paint: Paint): string {
  const answer = e.error !== undefined ? paint('red', `failed: ${e.error}`) : `→ ${colourStatus(e.status, paint)}`;
  const facts = [
    e.ms === undefined ? undefined : `${e.ms} ms`,
    e.step ?? undefined,
    e.resource ? `${e.resource.type} ${e.resource.id}` : undefined,
    e.requestId ? `request id ${e.requestId}` : undefined,
  ].filter((f): f is string => f !== undefined);
  return `${e.method ?? '?'} ${shortUrl(e.url)} ${answer}  ${paint('dim', facts.join(' · '))}`;
}

function checkLine(e: TraceEvent, paint: Paint): string {
  const [mark, colour] = MARK[asStatus(e.status)];
  const failing = e.status !== 'pass' && e.status !== 'skipped';
  const said = failing && e.message ? `: ${e.message}` : '';
  const where = e.file && e.line ? `${e.file}:${e.line}${e.column ? `:${e.column}` : ''}` : undefined;
  const facts = failing ? [e.level && e.basis ? `${e.level} · ${e.basis}` : undefined, where].filter(Boolean).join('  ') : '';
  return `${paint(colour, mark)} ${e.id ?? e.rule ?? 'check'}  ${e.title ?? ''}${said}${facts ? `  ${paint('dim', facts)}` : ''}`;
}

function colourStatus(status: unknown, paint: Paint): string {
  const code = typeof status === 'number' ? status : Number(status);
  if (!Number.isFinite(code)) return String(status ?? '?');
  return paint(code >= 500 ? 'red' : code >= 400 ? 'yellow' : 'green', String(code));
}

/** The path and query, cut to a line's width: the origin is the same on every line. */
function shortUrl(url: string | undefined): string {
  if (url === undefined) return '?';
  let shown = url;
  try {
    const parsed = new URL(url);
    shown = `${parsed.pathname}${parsed.search}`;
  } catch {
    // Not a URL: shown as it is.
  }
  return shown.length > 100 ? `${shown.slice(0, 99)}…` : shown;
}
