// Running a spec from the editor: the session every front end shares, on the validation the
// server already holds for the document's version; its findings become diagnostics on the steps
// that failed, and a plain-text report goes to the output channel.
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';
import type { ValidationResult } from '../../core/validate/index.ts';
import { PlanError } from '../../core/plan/plan.ts';
import { checkedSpec, checkEnvironment, planSpecs, runSession } from '../../core/session/session.ts';
import { DIALECTS, type Dialect } from '../../core/spec/types.ts';
import { checkCount, isFailing, totalsOf, type SpecResult } from '../../core/run/result.ts';
import type { ScenarioOutcome } from '../protocol.ts';
import { failureBlocks, scenarioLine, summary, type Paint } from '../../core/report/pretty.ts';
import { fromDiagnostic, locationOf, runFindings } from '../../core/report/finding.ts';
import type { RunRequest, RunResponse } from '../protocol.ts';
import { toLspDiagnostic } from './diagnostics.ts';

export type { RunRequest, RunResponse };

const plain: Paint = (_style, text) => text;

function notRun(text: string, errored: number): { response: RunResponse; diagnostics: LspDiagnostic[] } {
  return { response: { text, passed: 0, failed: 0, errored }, diagnostics: [] };
}

export async function runDocument(
  validation: ValidationResult,
  file: string,
  request: RunRequest,
  env: Readonly<Record<string, string | undefined>>,
  signal?: AbortSignal,
  target: { baseUrl?: string; allowedOrigins?: readonly string[] } = {},
): Promise<{ response: RunResponse; diagnostics: LspDiagnostic[] }> {
  const checked = [checkedSpec({ display: file, text: validation.document.text }, validation)];
  if (checked[0]!.errors.length || !validation.spec)
    return notRun(`${file}: the spec has ${checked[0]!.errors.length} error(s); fix them before running.`, 1);
  const dialect =
    validation.spec.target.dialect ?? (DIALECTS.includes(request.defaultDialect as Dialect) ? request.defaultDialect : undefined);
  let plans;
  try {
    plans = planSpecs(checked, {
      ...(request.scenarios?.length ? { scenarios: request.scenarios } : {}),
      ...(dialect ? { dialect } : {}),
    });
  } catch (error) {
    if (error instanceof PlanError) return notRun(error.message, 1);
    throw error;
  }
  // Configuration the run needs is checked before anything is sent: each unset variable is an
  // error at its use, as on the command line.
  const runEnv = { ...env, ...request.env };
  const unset = checkEnvironment(checked, plans, runEnv, { baseUrlGiven: target.baseUrl !== undefined }).map((d) =>
    fromDiagnostic(file, d),
  );
  if (unset.length) {
    return {
      response: {
        text: [...unset.map((f) => `${locationOf(f)}: error ${f.code}: ${f.message}`), 'Nothing was sent.'].join('\n'),
        passed: 0,
        failed: 0,
        errored: unset.length,
      },
      diagnostics: unset.map((f) => toLspDiagnostic(f, 'provspec run')),
    };
  }
  const session = await runSession(plans, {
    env: runEnv,
    ...target,
    ...(signal ? { signal } : {}),
    ...(request.trace ? { trace: request.trace } : {}),
  });
  const result = session.results[0];
  if (!result) return notRun('The run was stopped before it started; nothing was sent.', 1);
  const lines: string[] = [];
  if (session.traceError) lines.push(`! the trace could not be written: ${session.traceError.message}`);
  for (const scenario of result.scenarios) lines.push(scenarioLine(file, scenario, plain));
  if (result.error) lines.push(`! ${result.error.message}`);
  const source = new Map([[file, { text: validation.document.text, lineStarts: validation.document.lineStarts }]]);
  for (const block of failureBlocks([result], source, plain)) lines.push('', block);
  lines.push('', summary([result], result.ms, plain));
  const totals = totalsOf([result]);
  return {
    response: {
      text: lines.join('\n'),
      passed: totals.pass,
      failed: totals.fail,
      errored: totals.error,
      scenarios: scenarioOutcomes(result),
    },
    diagnostics: runDiagnostics(result),
  };
}

/** Each scenario's result, as its lens (until the file changes) and a test explorer show it. */
function scenarioOutcomes(result: SpecResult): ScenarioOutcome[] {
  return result.scenarios
    .filter((s) => s.section !== 'setup')
    .map((s) => ({
      section: s.section,
      name: s.name,
      status: s.status,
      checks: checkCount(s),
      failed: s.checks.filter(isFailing).length,
      ms: s.ms,
      findings: s.checks
        .filter((c) => isFailing(c) || c.status === 'warn')
        .map((c) => ({
          id: c.id,
          status: c.status,
          message: `${c.title}: ${c.message}`,
          line: c.range.start.line,
          character: c.range.start.character,
        })),
    }));
}

/**
 * A run's findings as diagnostics on their spec ranges: failing and warning checks, and a spec
 * that could not run when it is known where (otherwise the report text says it).
 */
export function runDiagnostics(result: SpecResult): LspDiagnostic[] {
  return runFindings([result])
    .filter((f) => f.check || result.error?.range)
    .map((f) => toLspDiagnostic(f, 'provspec run'));
}
