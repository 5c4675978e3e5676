// Running a spec from the editor: the core runner, its failing checks turned into diagnostics on
// the steps that failed (expected vs actual in the message), and a plain-text report for the
// output channel.
import { createWriteStream } from 'node:fs';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { validateDocument } from '../../core/validate/index.ts';
import { buildPlan } from '../../core/plan/plan.ts';
import { missingEnvironment } from '../../core/plan/environment.ts';
import { newRunId, runPlan } from '../../core/run/runner.ts';
import { traceCallbacks } from '../../core/report/trace.ts';
import { DIALECTS, type Dialect } from '../../core/spec/types.ts';
import type { ParsedDocument } from '../../core/document/index.ts';
import type { SpecResult } from '../../core/run/result.ts';
import { failureBlock, scenarioLine, summary, type Paint } from '../../core/report/pretty.ts';
import type { RunRequest, RunResponse } from '../protocol.ts';

export type { RunRequest, RunResponse };

const plain: Paint = (_style, text) => text;

export async function runDocument(
  doc: ParsedDocument,
  file: string,
  request: RunRequest,
  env: Readonly<Record<string, string | undefined>>,
  signal?: AbortSignal,
): Promise<{ response: RunResponse; diagnostics: Diagnostic[] }> {
  const validation = validateDocument(doc);
  if (!validation.spec) {
    const errors = validation.diagnostics.filter((d) => d.severity === 'error').length;
    return {
      response: { text: `${file}: the spec has ${errors} error(s); fix them before running.`, passed: 0, failed: 0, errored: 1 },
      diagnostics: [],
    };
  }
  const dialect =
    validation.spec.target.dialect ?? (DIALECTS.includes(request.defaultDialect as Dialect) ? request.defaultDialect : undefined);
  const plan = buildPlan(file, doc, validation.spec, {
    ...(request.scenarios?.length ? { scenarios: request.scenarios } : {}),
    ...(dialect ? { dialect } : {}),
  });
  // Configuration the run needs is checked before anything is sent: each unset variable is an
  // error at its use, as on the command line.
  const runEnv = { ...env, ...request.env };
  const unset = missingEnvironment(plan, runEnv);
  if (unset.length) {
    return {
      response: {
        text: [
          ...unset.map((d) => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: error ${d.code}: ${d.message}`),
          'Nothing was sent.',
        ].join('\n'),
        passed: 0,
        failed: 0,
        errored: unset.length,
      },
      diagnostics: unset.map((d) => ({
        range: d.range,
        severity: DiagnosticSeverity.Error,
        source: 'provspec run',
        code: d.code,
        message: d.message,
      })),
    };
  }
  const runId = newRunId();
  const trace = request.trace ? createWriteStream(request.trace) : undefined;
  let traceError: Error | undefined;
  trace?.on('error', (error) => (traceError ??= error));
  let result: SpecResult;
  try {
    result = await runPlan(plan, {
      env: runEnv,
      runId,
      ...(signal ? { signal } : {}),
      ...(trace ? traceCallbacks((line) => trace.write(line), runId)(plan) : {}),
    });
  } finally {
    if (trace) await new Promise<void>((resolve) => (trace.destroyed ? resolve() : trace.end(() => resolve())));
  }
  const lines: string[] = [];
  if (traceError) lines.push(`! the trace could not be written: ${traceError.message}`);
  for (const scenario of result.scenarios) lines.push(scenarioLine(file, scenario, plain));
  if (result.error) lines.push(`! ${result.error.message}`);
  const failures = result.scenarios.flatMap((s) =>
    s.checks.filter((c) => c.status === 'fail' || c.status === 'error' || c.status === 'warn'),
  );
  for (const check of failures) lines.push('', failureBlock(file, check, { text: doc.text, lineStarts: doc.lineStarts }, plain));
  lines.push('', summary([result], result.ms, plain));
  const diagnostics = runDiagnostics(result);
  const all = result.scenarios.flatMap((s) => s.checks);
  return {
    response: {
      text: lines.join('\n'),
      passed: all.filter((c) => c.status === 'pass').length,
      failed: all.filter((c) => c.status === 'fail').length,
      errored: all.filter((c) => c.status === 'error').length + (result.error ? 1 : 0),
    },
    diagnostics,
  };
}

/** A run's failing and warning checks (and a spec-level error) as diagnostics on their spec ranges. */
export function runDiagnostics(result: SpecResult): Diagnostic[] {
  const failures = result.scenarios.flatMap((s) =>
    s.checks.filter((c) => c.status === 'fail' || c.status === 'error' || c.status === 'warn'),
  );
  const diagnostics: Diagnostic[] = failures.map((check) => ({
    range: check.range,
    severity: check.status === 'fail' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: 'provspec run',
    code: check.id,
    message:
      `${check.title}: ${check.message}\n${check.level} · ${check.basis}` +
      `${check.count && check.count > 1 ? ` · the same on ${check.count} responses` : ''}` +
      `${'expected' in check ? `\nexpected: ${JSON.stringify(check.expected)}` : ''}` +
      `${'actual' in check ? `\nactual: ${JSON.stringify(check.actual)}` : ''}`,
  }));
  if (result.error?.range)
    diagnostics.push({
      range: result.error.range,
      severity: DiagnosticSeverity.Error,
      source: 'provspec run',
      message: result.error.message,
    });
  return diagnostics;
}
