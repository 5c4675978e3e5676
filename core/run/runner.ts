// Runs a plan against its target: resolve the target and credential, prepare groups, run the
// scenarios (up to the spec's concurrency, each within its timeout), then clean up whatever
// happened. Returns the results; never throws for anything a server does.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Plan, PlannedScenario } from '../plan/plan.ts';
import { rangeAt } from '../plan/plan.ts';
import { durationMs } from '../plan/duration.ts';
import { ExpressionError } from '../expressions/evaluate.ts';
import { openTarget } from './target.ts';
import { failedToConnect } from '../scim/client.ts';
import type { Exchange } from '../scim/exchange.ts';
import { dialectFor } from '../scim/dialects/index.ts';
import { CleanupLedger } from './ledger.ts';
import { ScenarioContext, type RunContext } from './context.ts';
import { taggedAttributes } from './identity.ts';
import { runLifecycle } from './lifecycle/scenario.ts';
import { runNegative } from './negative.ts';
import { runConcurrency } from './concurrency.ts';
import { setUpGroups } from './setup-groups.ts';
import { cleanUp } from './cleanup.ts';
import { rfc7644Suite } from './conformance/rfc7644.ts';
import { idpShapesSuite } from './conformance/idp-shapes.ts';
import { worst, type CheckResult, type ScenarioResult, type SpecResult } from './result.ts';
import type { RequestContext } from '../scim/client.ts';
import { profileOfDialect, type Profile } from '../checks/rules.ts';
import { FindingFolder } from './fold.ts';

export interface RunOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Stops the run (SIGINT); cleanup still happens. */
  signal?: AbortSignal;
  /** Overrides target.baseUrl (the Action's base-url input, --base-url). */
  baseUrl?: string;
  /** Overrides target.allowedOrigins (set by the workflow, not by the spec). */
  allowedOrigins?: readonly string[];
  runId?: string;
  /** Whose needs decide the verdicts; the spec's dialect's IdP unless given. */
  profile?: Profile;
  onScenarioStart?: (scenario: PlannedScenario) => void;
  onScenarioEnd?: (result: ScenarioResult) => void;
  onCheck?: (check: CheckResult, scenario: PlannedScenario) => void;
  onExchange?: (exchange: Exchange, context: RequestContext) => void;
}

export function newRunId(): string {
  return randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6);
}

export async function runPlan(plan: Plan, options: RunOptions): Promise<SpecResult> {
  const started = performance.now();
  const runId = options.runId ?? newRunId();
  const { spec, document } = plan;
  const result: SpecResult = {
    file: plan.file,
    name: spec.name ?? plan.file,
    runId,
    dialect: plan.dialect,
    profile: options.profile ?? profileOfDialect(plan.dialect),
    baseUrl: '',
    status: 'pass',
    ms: 0,
    scenarios: [],
    audit: [],
    orphans: [],
  };
  const opened = await openTarget(spec, document, {
    env: options.env,
    runId,
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  });
  if ('error' in opened) {
    result.status = 'error';
    result.baseUrl = opened.baseUrl;
    result.error = opened.error;
    result.ms = Math.round(performance.now() - started);
    return result;
  }
  const { client, secrets, vars, requestTimeoutMs } = opened.target;
  result.baseUrl = opened.target.baseUrl;

  // One request first, to tell an unreachable target (not running, wrong port, DNS) from a
  // server that answers: otherwise every request of every scenario fails with the same reason.
  const reachable = await client.send({
    method: 'GET',
    url: '/ServiceProviderConfig',
    context: { scenario: 'reachability' },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (failedToConnect(reachable) && !options.signal?.aborted) {
    await client.close();
    result.status = 'error';
    result.error = {
      message: `The target ${opened.target.origin} cannot be reached: ${reachable.error ?? 'no answer'}. Nothing else was sent.`,
      range: rangeAt(document, '/target/baseUrl', 'value'),
      kind: 'unreachable',
    };
    result.ms = Math.round(performance.now() - started);
    return result;
  }

  const ledger = new CleanupLedger();
  const run: RunContext = {
    runId,
    spec,
    document,
    client,
    ledger,
    secrets,
    requestTimeoutMs,
    env: options.env,
    vars,
    groups: new Map(),
    groupProblems: new Map(),
    ranges: new Map(),
    once: new Set(),
    ...(options.profile ? { profile: options.profile } : {}),
    folder: new FindingFolder(),
    ...(options.onCheck ? { onCheck: options.onCheck } : {}),
  };
  const runTimeout = AbortSignal.timeout(durationMs(spec.target.timeouts?.run, 15 * 60_000));
  const runSignal = options.signal ? AbortSignal.any([options.signal, runTimeout]) : runTimeout;
  const scenarioMs = durationMs(spec.target.timeouts?.scenario, 2 * 60_000);
  const tagged = taggedAttributes(spec);

  try {
    const needsGroups = plan.scenarios.some((s) => !s.skip && s.section !== 'negative');
    if (needsGroups && Object.keys(spec.groups ?? {}).length > 0) {
      const setupPlanned: PlannedScenario = {
        section: 'lifecycle',
        name: 'setup',
        pointer: '/groups',
        range: rangeAt(document, '/groups'),
        dialect: plan.dialect,
      };
      const setup = new ScenarioContext(run, setupPlanned, dialectFor(plan.dialect), runSignal);
      const t0 = performance.now();
      await setUpGroups(setup);
      const setupResult: ScenarioResult = {
        section: 'setup',
        name: 'groups',
        range: setupPlanned.range,
        dialect: plan.dialect,
        status: worst(setup.checks.map((c) => c.status)),
        ms: Math.round(performance.now() - t0),
        checks: setup.checks,
      };
      run.folder.fold(setupResult);
      result.scenarios.push(setupResult);
    }

    const queue = plan.scenarios.map((planned, index) => ({ planned, index }));
    const results: ScenarioResult[] = new Array(queue.length);
    const workers = Array.from({ length: Math.max(1, Math.min(spec.target.concurrency ?? 4, queue.length)) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        results[next.index] = await runScenario(
          run,
          next.planned,
          `ps-${runId}-${next.index + 1}`,
          tagged,
          runSignal,
          scenarioMs,
          requestTimeoutMs,
          options,
        );
      }
    });
    await Promise.all(workers);
    result.scenarios.push(...results.filter(Boolean));
  } finally {
    result.orphans = await cleanUp(client, ledger, 60_000, runId);
    result.audit = ledger.audit;
    await client.close();
  }
  result.status = worst([...result.scenarios.map((s) => s.status), ...(result.orphans.length ? (['fail'] as const) : [])]);
  if (result.scenarios.every((s) => s.status === 'skipped')) result.status = 'skipped';
  result.ms = Math.round(performance.now() - started);
  return result;
}

async function runScenario(
  run: RunContext,
  planned: PlannedScenario,
  tag: string,
  tagged: ReadonlySet<string>,
  runSignal: AbortSignal,
  scenarioMs: number,
  requestTimeoutMs: number,
  options: RunOptions,
): Promise<ScenarioResult> {
  const base = { section: planned.section, name: planned.name, range: planned.range, dialect: planned.dialect };
  if (planned.skip) {
    const skipped: ScenarioResult = { ...base, status: 'skipped', ms: 0, checks: [], skipped: planned.skip };
    options.onScenarioEnd?.(skipped);
    return skipped;
  }
  if (runSignal.aborted) {
    const skipped: ScenarioResult = {
      ...base,
      status: 'skipped',
      ms: 0,
      checks: [],
      skipped: options.signal?.aborted ? 'the run was interrupted' : 'the run timed out',
    };
    options.onScenarioEnd?.(skipped);
    return skipped;
  }
  options.onScenarioStart?.(planned);
  const timeoutMs = planned.lifecycle?.timeout !== undefined ? durationMs(planned.lifecycle.timeout, scenarioMs) : scenarioMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([runSignal, timeout]);
  const ctx = new ScenarioContext(run, planned, dialectFor(planned.dialect), signal);
  const started = performance.now();
  try {
    if (planned.lifecycle) await runLifecycle(ctx, planned.lifecycle, tagged, tag);
    else if (planned.negative) await runNegative(ctx, planned.negative, tagged, tag, requestTimeoutMs);
    else if (planned.concurrency) await runConcurrency(ctx, planned.concurrency, tagged, tag);
    else if (planned.conformance === 'rfc7644') await rfc7644Suite(ctx, tagged, tag);
    else if (planned.conformance) await idpShapesSuite(ctx, tagged, tag);
  } catch (error) {
    const message =
      error instanceof ExpressionError ? error.message : `the runner failed: ${error instanceof Error ? error.message : String(error)}`;
    ctx.verdict('run.completes', 'runner', 'the scenario runs', planned.range, 'error', { message: run.secrets.redact(message) });
  }
  // Interrupted (Ctrl-C, a cancelled job) is not a finding about the server: the scenario is
  // cut short, said so, and what it checked before stands. A deadline is a finding.
  const interrupted = signal.aborted && !timeout.aborted && options.signal?.aborted === true;
  if (signal.aborted) {
    const why = timeout.aborted
      ? `the scenario did not finish within ${timeoutMs} ms`
      : interrupted
        ? 'the run was interrupted before this scenario finished; the checks after this point were not made'
        : 'the run timed out';
    const deadline = interrupted
      ? ctx.check('run.completes', 'interrupted', 'the scenario runs to its end', planned.range, 'skipped', { message: why })
      : ctx.check('run.completes', 'deadline', 'the scenario finishes in time', planned.range, 'error', { message: why });
    // A check whose request the deadline cut off has no verdict of its own: the deadline is the finding.
    for (const check of ctx.checks) {
      if (check.status === 'error' && check !== deadline && check.evidence.some((e) => e.error?.includes('stopped before'))) {
        check.status = 'blocked';
        check.blockedBy = deadline.id;
        check.message = `${check.message} (blocked by ${deadline.id})`;
      }
    }
  }
  const status = ctx.checks.length ? worst(ctx.checks.map((c) => c.status)) : 'pass';
  const result: ScenarioResult = {
    ...base,
    profile: ctx.profile,
    status: interrupted && status === 'pass' ? 'skipped' : status,
    ms: Math.round(performance.now() - started),
    checks: ctx.checks,
    ...(interrupted ? { skipped: 'the run was interrupted' } : {}),
  };
  run.folder.fold(result);
  options.onScenarioEnd?.(result);
  return result;
}
