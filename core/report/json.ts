// The JSON report: one document per run, every check with its 1-based source range. The
// Action, `provspec merge` and other tools read this; its shape is a contract, versioned and
// documented in docs/report.md. Version 2 stores each exchange once, in `exchanges` by request
// id, with its body once (as text); a check's `evidence` is the request ids of its exchanges.
// Only the exchanges of findings (failed, warned, blocked, errored checks) are in the report:
// a passing check names its exchanges, and the trace (--trace) has every one.
import type { Range } from '../diagnostic.ts';
import { addScenario, shownInFull, totalsOf, type CheckResult, type ScenarioResult, type SpecResult, type Totals } from '../run/result.ts';
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

type JsonSpec = JsonReport['specs'][number];
type JsonScenario = JsonSpec['scenarios'][number];

export function toJsonReport(specs: readonly SpecResult[], meta: { runId: string; startedAt: string; ms: number }): JsonReport {
  const cited = new Map<string, Exchange>();
  const jsonSpecs = specs.map((spec) => ({ ...jsonSpecFields(spec), scenarios: spec.scenarios.map((s) => jsonScenario(s, cited)) }));
  return { report: REPORT_VERSION, ...meta, totals: totalsOf(specs), exchanges: storedAll(cited), specs: jsonSpecs };
}

/** A spec's fields in a report, its scenarios aside. */
function jsonSpecFields(spec: SpecResult): Omit<JsonSpec, 'scenarios'> {
  const { scenarios: _scenarios, error, ...fields } = spec;
  return { ...fields, ...(error ? { error: { message: error.message, ...(error.range ? jsonRange(error.range) : {}) } } : {}) };
}

/** A scenario in a report; the exchanges its findings cite are added to `cited`. */
function jsonScenario({ range, checks, ...scenario }: ScenarioResult, cited: Map<string, Exchange>): JsonScenario {
  return {
    ...scenario,
    ...jsonRange(range),
    checks: checks.map(({ range: checkRange, evidence, evidenceIds, focus, message, ...check }) => {
      for (const exchange of evidence) if (!cited.has(exchange.id)) cited.set(exchange.id, exchange);
      // What only shapes a finding's display (focus, an empty message) is left out for the rest.
      const finding = shownInFull(check.status);
      return {
        ...check,
        ...(message || finding ? { message } : {}),
        ...(focus && finding ? { focus } : {}),
        ...jsonRange(checkRange),
        evidence: evidence.length ? evidence.map((e) => e.id) : (evidenceIds ?? []),
      };
    }),
  };
}

function storedAll(cited: ReadonlyMap<string, Exchange>): Record<string, StoredExchange> {
  const exchanges: Record<string, StoredExchange> = {};
  for (const [id, exchange] of cited) exchanges[id] = stored(exchange);
  return exchanges;
}

/**
 * The same report, written as the run goes: each scenario's checks are written when it ends
 * (and can then leave memory), the exchanges its findings cite are kept by reference and
 * written once at the end. Keys come in another order than `toJsonReport`'s (a spec's
 * scenarios before its status), which JSON readers do not see.
 */
export class JsonReportWriter {
  private readonly cited = new Map<string, Exchange>();
  private specs = 0;
  private scenarios = 0;
  private readonly totals: Totals = { pass: 0, fail: 0, warn: 0, blocked: 0, error: 0, skipped: 0 };

  private readonly write: (chunk: string) => void;

  constructor(write: (chunk: string) => void, meta: { runId: string; startedAt: string }) {
    this.write = write;
    write(`{"report":${REPORT_VERSION},"runId":${JSON.stringify(meta.runId)},"startedAt":${JSON.stringify(meta.startedAt)},"specs":[`);
  }

  /** A spec's scenarios are being written (its fields come when it ends). */
  private open = false;

  startSpec(): void {
    this.write(`${this.specs++ ? ',' : ''}{"scenarios":[`);
    this.scenarios = 0;
    this.open = true;
  }

  scenario(scenario: ScenarioResult): void {
    addScenario(this.totals, scenario);
    this.write(`${this.scenarios++ ? ',' : ''}${JSON.stringify(jsonScenario(scenario, this.cited))}`);
  }

  endSpec(spec: SpecResult): void {
    if (spec.error) this.totals.error++;
    this.write(`],${JSON.stringify(jsonSpecFields(spec)).slice(1)}`);
    this.open = false;
  }

  /** The rest of the report; a spec the runner never finished (it threw) is closed, so the file stays JSON. */
  end(ms: number): void {
    if (this.open) this.write('],"status":"error"}');
    this.write(`],"ms":${ms},"totals":${JSON.stringify(this.totals)},"exchanges":${JSON.stringify(storedAll(this.cited))}}\n`);
  }
}

/** The exchange's evidence form without its parsed body: the text body is the one copy. */
export function stored(exchange: Exchange): StoredExchange {
  const { json: _json, ...rest } = evidenceOf(exchange);
  return rest;
}
