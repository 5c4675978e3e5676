// Replay: a recorded scenario's requests sent again, in order, to the target as it is now (the
// same one, or --against another), to reproduce a failure from a CI run's trace and to confirm a
// fix. What is not in a trace is never taken from it: credentials come from the environment
// through the spec's own target (its auth, its allowed origins), the run tag is renewed, and
// the ids the server gives now replace the recorded ones as the answers come. Each failing
// check of the recording is then read again on the replayed answer: the same field the check
// compared (the status, a header the check names, the attributes it focused on), against what
// the check expected. What the replay created is removed at the end, as a run's is.
import type { Exchange } from '../scim/exchange.ts';
import type { ScimClient } from '../scim/client.ts';
import { idOf } from '../run/protocol.ts';
import { removeResource } from '../run/cleanup.ts';
import { REDACTED } from '../scim/secrets.ts';
import type { TraceEvent } from '../report/journey.ts';

export interface ReplayedExchange {
  recorded: TraceEvent;
  now: Exchange;
}

export type ReplayVerdict = 'still fails' | 'now passes' | 'answers differently' | 'not replayed';

export interface CheckReplay {
  check: TraceEvent;
  verdict: ReplayVerdict;
  /** What was read again: "status", "Location header", an attribute. */
  field?: string;
  recorded?: unknown;
  now?: unknown;
  detail: string;
}

export interface ReplayResult {
  exchanges: ReplayedExchange[];
  checks: CheckReplay[];
  created: number;
  removed: number;
  /** What the replay made and could not remove, by type and id. */
  left: string[];
}

export interface ReplayOptions {
  /** The whole trace. */
  events: readonly TraceEvent[];
  file: string;
  section: string;
  scenario: string;
  client: ScimClient;
  /** The recording's run id, and this replay's (the run tag in names is renewed). */
  recordedRunId: string;
  runId: string;
  signal?: AbortSignal;
}

/** Headers the client sets itself, or that belonged to the recorded connection, not to the request. */
const NOT_REPLAYED = new Set([
  'authorization',
  'cookie',
  'x-request-id',
  'traceparent',
  'content-length',
  'host',
  'user-agent',
  'accept-encoding',
]);
/** Where a SCIM path begins under any base URL (RFC 7644 §3.2). */
const ENDPOINT = /\/(Users|Groups|Schemas|ResourceTypes|ServiceProviderConfig|Bulk|Me|\.search)(?=[/?#]|$)/;

export async function replayScenario(options: ReplayOptions): Promise<ReplayResult> {
  const { events, client } = options;
  const ids = new Map<string, string>();
  const created: Array<{ type: 'User' | 'Group'; id: string }> = [];
  const deleted = new Set<string>();
  const renew = (text: string) => {
    let out = text.split(`ps-${options.recordedRunId}`).join(`ps-${options.runId}`);
    for (const [was, now] of ids) out = out.split(was).join(now);
    return out;
  };
  // The groups' set-up first (the scenario's memberships name them), then the scenario itself.
  const wanted = (e: TraceEvent, scenario: string) => e.type === 'exchange' && e.file === options.file && e.scenario === scenario;
  const recorded = [...events.filter((e) => wanted(e, 'setup')), ...byTime(events.filter((e) => wanted(e, options.scenario)))];
  const exchanges: ReplayedExchange[] = [];
  for (const event of recorded) {
    if (options.signal?.aborted) break;
    const path = pathOf(event.url ?? '');
    if (path === undefined) continue;
    // A header the trace holds redacted (an API key from target.headers) is the target's own to
    // send: the client adds it from the environment, and "[REDACTED]" must not replace it.
    const headers = Object.fromEntries(
      Object.entries((event['requestHeaders'] as Record<string, string> | undefined) ?? {}).filter(
        ([k, v]) => !NOT_REPLAYED.has(k.toLowerCase()) && !v.includes(REDACTED),
      ),
    );
    const body = typeof event['requestBody'] === 'string' ? renew(event['requestBody'] as string) : undefined;
    const now = await client.send({
      method: event.method ?? 'GET',
      url: renew(path),
      headers,
      ...(body !== undefined ? { rawBody: body } : {}),
      context: { scenario: `replay ${options.scenario}`, ...(event.step ? { step: event.step } : {}) },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    exchanges.push({ recorded: event, now });
    // What the recording created, and what it is called now: later requests name the new one.
    const wasId = recordedId(event);
    const nowId = now.status === 201 ? idOf(now) : undefined;
    if (wasId && nowId) ids.set(wasId, nowId);
    if (nowId && event.method === 'POST') created.push({ type: /\/Groups\/?$/.test(path) ? 'Group' : 'User', id: nowId });
    if (event.method === 'DELETE' && now.status !== undefined && now.status < 300) deleted.add(renew(path));
  }

  const byRequest = new Map(exchanges.map((x) => [x.recorded.requestId ?? x.recorded.id, x]));
  const checks = events
    .filter((e) => e.type === 'check' && e.file === options.file && e.scenario === options.scenario && e.section === options.section)
    .filter((e) => e.status === 'fail' || e.status === 'error')
    .map((check) => reread(check, byRequest, renew));

  // Users before the groups they are in, newest first; what the scenario deleted itself is gone.
  let removed = 0;
  const left: string[] = [];
  for (const { type, id } of created.reverse().sort((a, b) => (a.type === b.type ? 0 : a.type === 'User' ? -1 : 1))) {
    if ([...deleted].some((p) => p.endsWith(`/${id}`))) {
      removed++;
      continue;
    }
    // Not the replay's signal: an interrupted replay still removes what it made.
    const problem = await removeResource(client, type, id, undefined);
    if (problem === undefined) removed++;
    else left.push(`${type} ${id}: ${problem}`);
  }
  return { exchanges, checks, created: created.length, removed, left };
}

/** A failing check of the recording, read again on the replay of the exchange that decided it. */
function reread(
  check: TraceEvent,
  byRequest: ReadonlyMap<string | undefined, ReplayedExchange>,
  renew: (t: string) => string,
): CheckReplay {
  const evidence = (check.evidence ?? []).map((id) => byRequest.get(id)).filter((x): x is ReplayedExchange => x !== undefined);
  const decisive = evidence.at(-1);
  if (!decisive) return { check, verdict: 'not replayed', detail: 'the exchange that decided it is not in the trace' };
  const { recorded, now } = decisive;
  const expected = check['expected'];
  const actual = check['actual'];
  if (now.status === undefined) return { check, verdict: 'answers differently', detail: `no answer now: ${now.error ?? 'none'}` };
  // The status, when that is what the check found.
  if (typeof actual === 'number' && actual === Number(recorded.status)) {
    const allowed = statusesIn(expected);
    const ok = allowed.length > 0 && allowed.includes(now.status);
    return verdictOf(check, 'status', actual, now.status, ok, now.status === actual);
  }
  // A header the check names ("a Location header"), present or absent.
  const header = /\b([A-Z][A-Za-z-]+) header\b/.exec(`${check.title ?? ''} ${check.message ?? ''}`)?.[1];
  if (header) {
    const name = header.toLowerCase();
    const was = (recorded['responseHeaders'] as Record<string, string> | undefined)?.[name] ?? null;
    const value = now.responseHeaders?.[name] ?? null;
    const ok = value !== null && (typeof expected !== 'string' || matches(value, renew(expected)));
    return verdictOf(check, `${header} header`, was, value, ok, value === was || (was === null && value === null));
  }
  // The attributes the check focused on, in the JSON answer.
  const focus = (check['focus'] as string[] | undefined)?.[0];
  if (focus && now.json !== undefined) {
    const value = (now.json as Record<string, unknown> | null)?.[focus] ?? null;
    const ok = expected !== undefined && JSON.stringify(value) === JSON.stringify(expected);
    return verdictOf(check, focus, actual ?? null, value, ok, JSON.stringify(value) === JSON.stringify(actual ?? null));
  }
  const same = now.status === Number(recorded.status);
  return {
    check,
    verdict: 'answers differently',
    detail: same
      ? `the same status (${now.status}); what the check compared cannot be read from the trace alone: run the scenario to know`
      : `status ${String(recorded.status)} then, ${now.status} now`,
  };
}

function verdictOf(check: TraceEvent, field: string, recorded: unknown, now: unknown, passes: boolean, same: boolean): CheckReplay {
  const verdict: ReplayVerdict = passes ? 'now passes' : same ? 'still fails' : 'answers differently';
  const shown = (v: unknown) => (v === null ? 'absent' : JSON.stringify(v));
  const detail =
    verdict === 'still fails'
      ? `${field}: ${shown(now)}, as recorded`
      : verdict === 'now passes'
        ? `${field}: ${shown(recorded)} then, ${shown(now)} now, as the check expects`
        : `${field}: ${shown(recorded)} then, ${shown(now)} now, still not what the check expects (${shown(check['expected'])})`;
  return { check, verdict, field, recorded, now, detail };
}

/** Statuses a check's expectation names: 201, [200, 204], "200 or 204". */
function statusesIn(expected: unknown): number[] {
  if (typeof expected === 'number') return [expected];
  if (Array.isArray(expected)) return expected.filter((x): x is number => typeof x === 'number');
  if (typeof expected === 'string') return [...expected.matchAll(/\b[1-5]\d\d\b/g)].map((m) => Number(m[0]));
  return [];
}

/** An expectation as reports show it: "…" stands for what comes before (the base URL). */
function matches(value: string, expected: string): boolean {
  return expected.startsWith('…') ? value.endsWith(expected.slice(1)) : value === expected;
}

/** The path from the SCIM endpoint on (/Users/…?…): the base URL is the target's now. */
function pathOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const full = `${parsed.pathname}${parsed.search}`;
  const at = ENDPOINT.exec(parsed.pathname);
  return at ? full.slice(at.index) : undefined;
}

function recordedId(event: TraceEvent): string | undefined {
  if (event.method !== 'POST' || Number(event.status) !== 201) return undefined;
  const id = (event['json'] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id !== '' ? id : event.resource?.id;
}

function byTime(events: TraceEvent[]): TraceEvent[] {
  return [...events].sort((a, b) => a.offsetMs - b.offsetMs);
}
