// The JSON report: one document per run, every check with its 1-based source range. The
// Action, `provspec merge` and other tools read this; its shape is a contract, versioned and
// documented in docs/report.md. Version 2 stores each exchange once, in `exchanges` by request
// id, with its body once (as text); a check's `evidence` is the request ids of its exchanges.
// Only the exchanges of findings (failed, warned, blocked, errored checks) are in the report:
// a passing check names its exchanges, and the trace (--trace) has every one.
import type { Range } from '../diagnostic.ts';
import { totalsOf, type CheckResult, type SpecResult, type Totals } from '../run/result.ts';
import { evidenceOf, type Exchange } from '../scim/exchange.ts';

export const REPORT_VERSION = 2;

/** An exchange as a report stores it: the response body as text only (it is parsed again when read). */
export type StoredExchange = Omit<Exchange, 'json'>;

/** A check in a report: its spec's file is the spec's (version 1 repeated it in every check). */
type JsonCheck = Omit<CheckResult, 'range' | 'evidence' | 'evidenceIds' | 'message'> &
  JsonRange & { file?: string; message?: string; evidence: string[] };

export interface JsonRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonReport {
  report: typeof REPORT_VERSION;
  runId: string;
  startedAt: string;
  ms: number;
  totals: Totals;
  /** Every exchange a finding cites, once, by request id. */
  exchanges: Record<string, StoredExchange>;
  specs: Array<
    Omit<SpecResult, 'scenarios' | 'error'> & {
      error?: { message: string } & Partial<JsonRange>;
      scenarios: Array<
        Omit<SpecResult['scenarios'][number], 'range' | 'checks'> &
          JsonRange & {
            checks: JsonCheck[];
          }
      >;
    }
  >;
}

export function jsonRange(range: Range): JsonRange {
  return { line: range.start.line + 1, column: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

export function toJsonReport(specs: readonly SpecResult[], meta: { runId: string; startedAt: string; ms: number }): JsonReport {
  const exchanges: Record<string, StoredExchange> = {};
  return {
    report: REPORT_VERSION,
    ...meta,
    totals: totalsOf(specs),
    exchanges,
    specs: specs.map((spec) => ({
      ...spec,
      ...(spec.error ? { error: { message: spec.error.message, ...(spec.error.range ? jsonRange(spec.error.range) : {}) } } : {}),
      scenarios: spec.scenarios.map(({ range, checks, ...scenario }) => ({
        ...scenario,
        ...jsonRange(range),
        checks: checks.map(({ range: checkRange, evidence, evidenceIds, focus, message, ...check }) => {
          for (const exchange of evidence) exchanges[exchange.id] ??= stored(exchange);
          // What only shapes a finding's display (focus, an empty message) is left out for the rest.
          const finding = check.status !== 'pass' && check.status !== 'skipped';
          return {
            ...check,
            ...(message || finding ? { message } : {}),
            ...(focus && finding ? { focus } : {}),
            ...jsonRange(checkRange),
            evidence: evidence.length ? evidence.map((e) => e.id) : (evidenceIds ?? []),
          };
        }),
      })),
    })),
  };
}

/** The exchange's evidence form without its parsed body: the text body is the one copy. */
export function stored(exchange: Exchange): StoredExchange {
  const { json: _json, ...rest } = evidenceOf(exchange);
  return rest;
}
