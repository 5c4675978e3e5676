// The pipeline every front end shares: spec sources → validation → plans → runs → one report.
// The top layer of core (it uses all the others). The CLI, the Action and `provspec merge`
// differ only in where sources come from and where results go.
import type { Diagnostic } from '../diagnostic.ts';
import { validateText, type ValidationResult } from '../validate/index.ts';
import { buildPlan, PlanError, type Plan, type PlanOptions } from '../plan/plan.ts';
import { toJsonReport, type JsonReport } from '../report/json.ts';
import { missingEnvironment, type EnvironmentOptions } from '../plan/environment.ts';
import { newRunId, runPlan, type RunOptions } from '../run/runner.ts';
import type { SpecResult } from '../run/result.ts';

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
  return sources.map((source) => {
    const result = validateText(source.text, source.display);
    return {
      source,
      result,
      errors: result.diagnostics.filter((d) => d.severity === 'error'),
      warnings: result.diagnostics.filter((d) => d.severity === 'warning'),
    };
  });
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
  results: SpecResult[];
  report: JsonReport;
}

/** Runs plans one after the other (each cleans up after itself) and builds the report. */
export async function runPlans(
  plans: readonly Plan[],
  options: RunOptions & {
    /** Callbacks that need to know which spec they report on (a trace names the file). */
    perPlan?: (plan: Plan) => Partial<RunOptions>;
    onSpecEnd?: (result: SpecResult, plan: Plan) => void;
  },
): Promise<Session> {
  const runId = options.runId ?? newRunId();
  const startedAt = new Date();
  const results: SpecResult[] = [];
  for (const plan of plans) {
    if (options.signal?.aborted) break;
    const result = await runPlan(plan, { ...options, ...options.perPlan?.(plan), runId });
    results.push(result);
    options.onSpecEnd?.(result, plan);
  }
  const report = toJsonReport(results, { runId, startedAt: startedAt.toISOString(), ms: Date.now() - startedAt.getTime() });
  return { runId, results, report };
}
