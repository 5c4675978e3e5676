// The pipeline every front end shares: spec sources → validation → plans → runs → one report.
// The top layer of core (it uses all the others). The CLI, the Action and `provspec merge`
// differ only in where sources come from and where results go; the language server hands in
// the validation it already has.
import type { WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closed, openFile } from './streams.ts';
import type { Diagnostic } from '../diagnostic.ts';
import { validateText, type ValidationResult } from '../validate/index.ts';
import { buildPlan, PlanError, type Plan, type PlanOptions } from '../plan/plan.ts';
import { JsonReportWriter } from '../report/json.ts';
import { missingEnvironment, type EnvironmentOptions } from '../plan/environment.ts';
import { newRunId, runPlan, type RunOptions } from '../run/runner.ts';
import { totalsOf, type ScenarioResult, type SpecResult, type Totals } from '../run/result.ts';
import { traceWriter } from '../report/trace.ts';
import { HtmlTimeline } from '../report/html/timeline.ts';
import { toHtml } from '../report/html/page.ts';
import { randomBytes } from 'node:crypto';

export interface SpecSource {
  /** How the file is named in every report (relative, forward slashes). */
  display: string;
  text: string;
}

export interface CheckedSpec {
  source: SpecSource;
  result: ValidationResult;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function checkSources(sources: readonly SpecSource[]): CheckedSpec[] {
  return sources.map((source) => checkedSpec(source, validateText(source.text, source.display)));
}

/** A spec validated elsewhere (the language server keeps one validation per document version). */
export function checkedSpec(source: SpecSource, result: ValidationResult): CheckedSpec {
  return {
    source,
    // Its own list: checkEnvironment adds to it, and a cached validation must not change.
    result: { ...result, diagnostics: [...result.diagnostics] },
    errors: result.diagnostics.filter((d) => d.severity === 'error'),
    warnings: result.diagnostics.filter((d) => d.severity === 'warning'),
  };
}

/**
 * Plans for the valid specs. A scenario filter that matches nothing in one file is fine when
 * several files are given (it names another file's scenarios); matching nothing anywhere is not.
 */
export function planSpecs(checked: readonly CheckedSpec[], options: PlanOptions): Plan[] {
  const plans: Plan[] = [];
  const misses: string[] = [];
  for (const spec of checked) {
    if (spec.errors.length || !spec.result.spec) continue;
    try {
      plans.push(buildPlan(spec.source.display, spec.result.document, spec.result.spec, options));
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      misses.push(error.message);
    }
  }
  if (plans.length === 0 && misses.length) throw new PlanError(misses.join(' '));
  return plans;
}

/**
 * Missing configuration, found before anything is sent: each `${{ env.X }}` a plan would evaluate
 * and `env` lacks becomes an `unset-env` error of its spec, so every front end reports it as it
 * reports an invalid spec (located, exit 2 or a failed step, nothing sent). Returns them.
 */
export function checkEnvironment(
  checked: readonly CheckedSpec[],
  plans: readonly Plan[],
  env: Readonly<Record<string, string | undefined>>,
  options: EnvironmentOptions = {},
): Diagnostic[] {
  const all: Diagnostic[] = [];
  for (const plan of plans) {
    const unset = missingEnvironment(plan, env, options);
    if (!unset.length) continue;
    const spec = checked.find((c) => c.source.display === plan.file);
    if (spec) {
      spec.errors.push(...unset);
      spec.result.diagnostics.push(...unset);
    }
    all.push(...unset);
  }
  return all;
}

export interface Session {
  runId: string;
  startedAt: string;
  ms: number;
  /**
   * What every reporter but the JSON report needs: each scenario with its findings (failed,
   * warned, blocked, errored checks and their evidence), what passed or was skipped counted.
   */
  results: SpecResult[];
  totals: Totals;
  /** The trace could not be written (the run went on without it). */
  traceError?: Error;
  /** The HTML report could not be written. */
  htmlError?: Error;
  /** Spans could not be exported (the run went on). */
  otlpError?: Error;
  /** The W3C trace id of the run: in every request's traceparent, and of its exported spans. */
  traceId: string;
  /** The report stopped being writable during the run (it is incomplete; the run went on). */
  reportError?: Error;
}

export interface SessionOptions extends Omit<RunOptions, 'onScenarioEnd' | 'onScenarioResult' | 'keep'> {
  /** Also write the NDJSON trace of every exchange and check to this file (its folder is made). */
  trace?: string;
  /** Also write the HTML report to this file when the run ends, however it ends (its folder is made). */
  html?: string;
  /** Also export the run as OpenTelemetry spans over OTLP/HTTP (see core/report/otel.ts, otlpTarget). */
  otlp?: { url: string; headers?: Record<string, string>; version?: string; timeoutMs?: number };
  /**
   * Write the JSON report to this file as scenarios finish (its folder is made; opened before
   * anything is sent, so a report that cannot be written stops the run before it starts).
   */
  report?: string;
  /** Each scenario as it finishes, with the plan it belongs to (the terminal's and the log's progress lines). */
  onScenarioEnd?: (scenario: ScenarioResult, plan: Plan) => void;
  onSpecEnd?: (result: SpecResult, plan: Plan) => void;
}

/** The report file named could not be opened; nothing was sent. */
export class ReportFileError extends Error {}

/**
 * Runs plans one after the other (each cleans up after itself), writing the trace and the JSON
 * report as it goes: what every front end does between "the specs are valid and configured"
 * and "show the results". A finished scenario keeps only its findings in memory once the
 * report has it, so a run's memory does not grow with the size of its suite.
 */
export async function runSession(plans: readonly Plan[], options: SessionOptions): Promise<Session> {
  const { trace: traceFile, report: reportFile, html: htmlFile, otlp, onScenarioEnd, onSpecEnd, ...run } = options;
  const runId = run.runId ?? newRunId();
  const startedAt = new Date();
  const results: SpecResult[] = [];
  const report =
    reportFile === undefined
      ? undefined
      : await openFile(reportFile).catch((error: Error) => {
          throw new ReportFileError(`the report ${reportFile} cannot be written: ${error.message}`);
        });
  let traceError: Error | undefined;
  let trace: WriteStream | undefined;
  if (traceFile !== undefined) {
    try {
      trace = await openFile(traceFile);
      trace.on('error', (error) => (traceError ??= error));
    } catch (error) {
      traceError = error as Error;
    }
  }
  let reportError: Error | undefined;
  report?.on('error', (error) => (reportError ??= error));
  const writer = report && new JsonReportWriter((chunk) => report.write(chunk), { runId, startedAt: startedAt.toISOString() });
  const traceId = run.traceId ?? randomBytes(16).toString('hex');
  const tracer =
    trace &&
    traceWriter(
      (line) => {
        if (!traceError) trace.write(line);
      },
      runId,
      traceId,
    );
  tracer?.start();
  const timeline = htmlFile === undefined ? undefined : new HtmlTimeline();
  // Loaded only when asked for: the SDK is most of a run's start-up otherwise.
  const otel =
    otlp &&
    (await import('../report/otel.ts')).startOtelExport({
      url: otlp.url,
      headers: otlp.headers ?? {},
      runId,
      traceId,
      ...(otlp.version ? { version: otlp.version } : {}),
      ...(otlp.timeoutMs ? { timeoutMs: otlp.timeoutMs } : {}),
    });
  let ms = 0;
  let otlpError: Error | undefined;
  try {
    for (const plan of plans) {
      if (run.signal?.aborted) break;
      const traced = listeners(tracer?.forPlan(plan), timeline?.forPlan(plan), otel?.forPlan(plan));
      writer?.startSpec();
      const result = await runPlan(plan, {
        ...run,
        runId,
        traceId,
        keep: 'findings',
        // Each callback to the caller's and to the trace's both.
        onScenarioStart: (scenario) => {
          run.onScenarioStart?.(scenario);
          traced.onScenarioStart?.(scenario);
        },
        onExchange: (exchange, context) => {
          run.onExchange?.(exchange, context);
          traced.onExchange?.(exchange, context);
        },
        onCheck: (check, scenario) => {
          run.onCheck?.(check, scenario);
          traced.onCheck?.(check, scenario);
        },
        onScenarioEnd: (scenario) => {
          onScenarioEnd?.(scenario, plan);
          traced.onScenarioEnd?.(scenario);
        },
        onScenarioResult: (scenario) => writer?.scenario(scenario),
      });
      writer?.endSpec(result);
      tracer?.specEnd(plan, result);
      otel?.specEnd(plan, result);
      results.push(result);
      onSpecEnd?.(result, plan);
    }
  } finally {
    ms = Date.now() - startedAt.getTime();
    tracer?.end(run.signal?.aborted ? 'interrupted' : worstStatus(results));
    otlpError = await otel?.end(run.signal?.aborted ? 'interrupted' : worstStatus(results));
    writer?.end(ms);
    await Promise.all([trace, report].map(closed));
  }
  let htmlError: Error | undefined;
  if (htmlFile !== undefined) {
    try {
      await writeFileMakingFolder(
        htmlFile,
        toHtml({
          runId,
          startedAt: startedAt.toISOString(),
          ms,
          results,
          sources: new Map(plans.map((p) => [p.file, { text: p.document.text, lineStarts: p.document.lineStarts }])),
          ...(timeline ? { timeline } : {}),
          identities: identitiesOf(plans),
        }),
      );
    } catch (error) {
      htmlError = error as Error;
    }
  }
  return {
    runId,
    startedAt: startedAt.toISOString(),
    ms,
    results,
    totals: totalsOf(results),
    ...(traceError ? { traceError } : {}),
    ...(htmlError ? { htmlError } : {}),
    ...(otlpError ? { otlpError } : {}),
    traceId,
    ...(reportError ? { reportError } : {}),
  };
}

/** The run's status for the trace's last event: the worst of its specs'. */
function worstStatus(results: readonly SpecResult[]): string {
  for (const status of ['error', 'fail', 'warn', 'pass'] as const) if (results.some((r) => r.status === status)) return status;
  return results.length ? results[0]!.status : 'pass';
}

/** Callbacks of several listeners (the trace's, the HTML timeline's) as one set. */
function listeners(...all: Array<Partial<RunOptions> | undefined>): Partial<RunOptions> {
  const present = all.filter((l): l is Partial<RunOptions> => l !== undefined);
  return {
    onScenarioStart: (scenario) => {
      for (const l of present) l.onScenarioStart?.(scenario);
    },
    onExchange: (exchange, context) => {
      for (const l of present) l.onExchange?.(exchange, context);
    },
    onCheck: (check, scenario) => {
      for (const l of present) l.onCheck?.(check, scenario);
    },
    onScenarioEnd: (scenario) => {
      for (const l of present) l.onScenarioEnd?.(scenario);
    },
  };
}

/** Who each scenario is about, keyed as the HTML timeline keys scenarios. */
function identitiesOf(plans: readonly Plan[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const plan of plans)
    for (const s of plan.scenarios) {
      const identity = s.lifecycle?.identity ?? s.concurrency?.identity;
      if (identity) out.set(HtmlTimeline.key(plan.file, s.section, s.name), identity);
    }
  return out;
}

async function writeFileMakingFolder(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, text);
}
