// Runs a plan against its target: resolve the target and credential, prepare groups, run the
// scenarios (up to the spec's concurrency, each within its timeout), then clean up whatever
// happened. Returns the results; never throws for anything a server does.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Plan, PlannedScenario } from '../plan/plan.ts';
import { rangeAt } from '../plan/plan.ts';
import { durationMs } from '../spec/duration.ts';
import { ExpressionError } from '../expressions/evaluate.ts';
import { openTarget, type OpenTarget } from './target.ts';
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
import { runLoad } from './load.ts';
import { idpShapesSuite } from './conformance/idp-shapes.ts';
import { oidcRpSuite } from './conformance/oidc-rp.ts';
import { samlSpSuite } from './conformance/saml-sp.ts';
import { retirePassing, worst, type CheckResult, type ScenarioResult, type SpecResult } from './result.ts';
import type { RequestContext } from '../scim/client.ts';
import { profileOfDialect, type Profile } from '../checks/rules.ts';
import { FindingFolder } from './fold.ts';
import { signsIn, startFederation, type RunFederation } from './federation.ts';

export interface RunOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Stops the run (SIGINT); cleanup still happens. */
  signal?: AbortSignal;
  /** Overrides target.baseUrl (the Action's base-url input, --base-url). */
  baseUrl?: string;
  /** Overrides target.allowedOrigins (set by the workflow, not by the spec). */
  allowedOrigins?: readonly string[];
  runId?: string;
  /** The W3C trace id the run's requests carry, one for every spec (a session's exporter names it too). */
  traceId?: string;
  /** Whose needs decide the verdicts; the spec's dialect's IdP unless given. */
  profile?: Profile;
  onScenarioStart?: (scenario: PlannedScenario) => void;
  /** Each scenario as it finishes (in the order they finish): progress lines. */
  onScenarioEnd?: (result: ScenarioResult) => void;
  /**
   * Each scenario's whole result, in the order the run takes them (the groups' setup first, then
   * the plan's scenarios, load runs last), after it finished: where a reporter that lists every
   * check (the JSON report) writes it, before `keep` retires its passing checks.
   */
  onScenarioResult?: (result: ScenarioResult) => void;
  /**
   * What a finished scenario keeps in memory: everything (the default), or, once
   * onScenarioResult has seen it, its findings only, what passed counted (retirePassing): a
   * run's memory then stays flat in the size of its suite.
   */
  keep?: 'all' | 'findings';
  onCheck?: (check: CheckResult, scenario: PlannedScenario) => void;
  onExchange?: (exchange: Exchange, context: RequestContext) => void;
  /**
   * The IdP a federation spec's run started, once it listens: an app told it at run time (the
   * embedded one) learns its issuer here, and for SAML its SSO URL and signing certificate.
   */
  onFederation?: (federation: StartedIdp) => void;
}

export interface StartedIdp {
  protocol: 'oidc' | 'saml';
  issuer: string;
  ssoUrl?: string;
  certificatePem?: string;
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
    startedAt: new Date().toISOString(),
    scenarios: [],
    audit: [],
    orphans: [],
  };
  const stopped = (error: NonNullable<SpecResult['error']>): SpecResult => {
    result.status = 'error';
    result.error = error;
    result.ms = Math.round(performance.now() - started);
    return result;
  };
  const opened = await openTarget(spec, document, {
    env: options.env,
    runId,
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    ...(options.traceId ? { traceId: options.traceId } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  });
  if ('error' in opened) {
    result.baseUrl = opened.baseUrl;
    return stopped(opened.error);
  }
  const { client, secrets, vars, requestTimeoutMs } = opened.target;
  result.baseUrl = opened.target.baseUrl;
  const unreachable = await reachability(opened.target, options.signal);
  if (unreachable) {
    await client.close();
    return stopped({ message: unreachable, range: rangeAt(document, '/target/baseUrl', 'value'), kind: 'unreachable' });
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
    ...(options.onExchange ? { recordExchange: options.onExchange } : {}),
  };
  // The IdP a federation spec's sign-ins go through: started by the first step that needs it.
  let federation: Promise<RunFederation> | undefined;
  if (spec.federation && signsIn(spec)) {
    const scope = { env: options.env, vars, run: { id: runId } };
    run.federation = () =>
      (federation ??= startFederation(spec, scope, secrets).then((started) => {
        const { saml } = started.idp;
        options.onFederation?.({
          protocol: started.idp.protocol,
          issuer: started.idp.issuer,
          ...(saml ? { ssoUrl: saml.ssoUrl, certificatePem: saml.certificatePem } : {}),
        });
        return started;
      }));
  }
  const runTimeout = AbortSignal.timeout(durationMs(spec.target.timeouts?.run, 15 * 60_000));
  const schedule: Schedule = {
    run,
    tagged: taggedAttributes(spec),
    signal: options.signal ? AbortSignal.any([options.signal, runTimeout]) : runTimeout,
    scenarioMs: durationMs(spec.target.timeouts?.scenario, 2 * 60_000),
    options,
  };
  try {
    const setup = await setUpGroupsOf(plan, schedule);
    if (setup) {
      settle(setup, options);
      result.scenarios.push(setup);
    }
    result.scenarios.push(...(await runScenarios(plan.scenarios, spec.target.concurrency ?? 4, schedule)));
  } finally {
    await federation?.then(
      (f) => f.idp.close(),
      () => undefined,
    );
    result.orphans = await cleanUp(client, ledger, 60_000, runId);
    result.audit = ledger.audit;
    await client.close();
  }
  result.status = worst([...result.scenarios.map((s) => s.status), ...(result.orphans.length ? (['fail'] as const) : [])]);
  if (result.scenarios.every((s) => s.status === 'skipped')) result.status = 'skipped';
  result.ms = Math.round(performance.now() - started);
  return result;
}

/** What every scenario of a run shares: the run, its signal (interrupt or run deadline) and the default scenario deadline. */
interface Schedule {
  run: RunContext;
  /** Attributes that carry the run tag (identity.ts). */
  tagged: ReadonlySet<string>;
  signal: AbortSignal;
  scenarioMs: number;
  options: RunOptions;
}

/**
 * One request first, to tell an unreachable target (not running, wrong port, DNS) from a server
 * that answers: otherwise every request of every scenario fails with the same reason. Returns
 * why it cannot be reached, or nothing.
 */
async function reachability(target: OpenTarget, signal: AbortSignal | undefined): Promise<string | undefined> {
  const answer = await target.client.send({
    method: 'GET',
    url: '/ServiceProviderConfig',
    context: { scenario: 'reachability' },
    ...(signal ? { signal } : {}),
  });
  if (!failedToConnect(answer) || signal?.aborted) return undefined;
  return `The target ${target.origin} cannot be reached: ${answer.error ?? 'no answer'}. Nothing else was sent.`;
}

/** The spec's groups, made before any scenario that may need them (not for negative-only runs). */
async function setUpGroupsOf(plan: Plan, schedule: Schedule): Promise<ScenarioResult | undefined> {
  const { spec, document } = plan;
  const needsGroups = plan.scenarios.some((s) => !s.skip && s.section !== 'negative');
  if (!needsGroups || Object.keys(spec.groups ?? {}).length === 0) return undefined;
  const planned: PlannedScenario = {
    section: 'lifecycle',
    name: 'setup',
    pointer: '/groups',
    range: rangeAt(document, '/groups'),
    dialect: plan.dialect,
  };
  const setup = new ScenarioContext(schedule.run, planned, dialectFor(plan.dialect), schedule.signal);
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  await setUpGroups(setup);
  const result: ScenarioResult = {
    section: 'setup',
    name: 'groups',
    range: planned.range,
    dialect: plan.dialect,
    status: worst(setup.checks.map((c) => c.status)),
    ms: Math.round(performance.now() - t0),
    startedAt,
    checks: setup.checks,
  };
  schedule.run.folder.fold(result);
  slimPassing(result);
  return result;
}

/**
 * The scenarios, at most `concurrency` at a time, their results in plan order. Load runs go
 * last and one at a time: what they measure is the server, not the other scenarios' traffic.
 */
async function runScenarios(scenarios: readonly PlannedScenario[], concurrency: number, schedule: Schedule): Promise<ScenarioResult[]> {
  const all = scenarios.map((planned, index) => ({ planned, index }));
  // The order the run takes them, which is the order onScenarioResult sees them: a scenario that
  // finishes before an earlier one waits for it (at most the scenarios running beside it).
  const order = [...all.filter((s) => !s.planned.load), ...all.filter((s) => s.planned.load)];
  const results: ScenarioResult[] = new Array(all.length);
  let settled = 0;
  const finished = (index: number, result: ScenarioResult) => {
    results[index] = result;
    for (let next = order[settled]; next && results[next.index]; next = order[++settled]) settle(results[next.index]!, schedule.options);
  };
  const queue = order.filter((s) => !s.planned.load);
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) finished(next.index, await runScenario(schedule, next.planned, next.index));
  });
  await Promise.all(workers);
  for (const next of order.filter((s) => s.planned.load)) finished(next.index, await runScenario(schedule, next.planned, next.index));
  return results.filter(Boolean);
}

/** A finished scenario to the reporter that lists every check, then kept as the run asked. */
function settle(result: ScenarioResult, options: RunOptions): void {
  options.onScenarioResult?.(result);
  if (options.keep === 'findings') retirePassing(result);
}

async function runScenario(schedule: Schedule, planned: PlannedScenario, index: number): Promise<ScenarioResult> {
  const { run, options } = schedule;
  const base = { section: planned.section, name: planned.name, range: planned.range, dialect: planned.dialect };
  const skip =
    planned.skip || (schedule.signal.aborted ? (options.signal?.aborted ? 'the run was interrupted' : 'the run timed out') : undefined);
  if (skip !== undefined) {
    const skipped: ScenarioResult = { ...base, status: 'skipped', ms: 0, checks: [], skipped: skip };
    options.onScenarioEnd?.(skipped);
    return skipped;
  }
  options.onScenarioStart?.(planned);
  // Resources this scenario creates carry its tag, so a sweep finds them whatever happens.
  const tag = `ps-${run.runId}-${index + 1}`;
  const timeoutMs = durationMs(planned.lifecycle?.timeout, schedule.scenarioMs);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([schedule.signal, timeout]);
  const ctx = new ScenarioContext(run, planned, dialectFor(planned.dialect), signal);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  try {
    if (planned.lifecycle) await runLifecycle(ctx, planned.lifecycle, schedule.tagged, tag);
    else if (planned.negative) await runNegative(ctx, planned.negative, schedule.tagged, tag, run.requestTimeoutMs);
    else if (planned.concurrency) await runConcurrency(ctx, planned.concurrency, schedule.tagged, tag);
    else if (planned.load) await runLoad(ctx, planned.load, schedule.tagged, tag);
    else if (planned.conformance === 'rfc7644') await rfc7644Suite(ctx, schedule.tagged, tag);
    else if (planned.conformance === 'oidc-rp') await oidcRpSuite(ctx, schedule.tagged, tag);
    else if (planned.conformance === 'saml-sp') await samlSpSuite(ctx, schedule.tagged, tag);
    else if (planned.conformance) await idpShapesSuite(ctx, schedule.tagged, tag);
  } catch (error) {
    const message =
      error instanceof ExpressionError ? error.message : `the runner failed: ${error instanceof Error ? error.message : String(error)}`;
    ctx.verdict('run.completes', 'runner', 'the scenario runs', planned.range, 'error', { message: run.secrets.redact(message) });
  }
  // Interrupted (Ctrl-C, a cancelled job) is not a finding about the server: the scenario is
  // cut short, said so, and what it checked before stands. A deadline is a finding.
  const interrupted = signal.aborted && !timeout.aborted && options.signal?.aborted === true;
  if (signal.aborted)
    stopEarly(ctx, planned, timeout.aborted ? `the scenario did not finish within ${timeoutMs} ms` : undefined, interrupted);
  const status = ctx.checks.length ? worst(ctx.checks.map((c) => c.status)) : 'pass';
  const result: ScenarioResult = {
    ...base,
    profile: ctx.profile,
    status: interrupted && status === 'pass' ? 'skipped' : status,
    ms: Math.round(performance.now() - started),
    startedAt,
    checks: ctx.checks,
    ...(interrupted ? { skipped: 'the run was interrupted' } : {}),
  };
  run.folder.fold(result);
  slimPassing(result);
  options.onScenarioEnd?.(result);
  return result;
}

/**
 * What passed keeps its evidence by request id only: the exchanges (bodies and all) stay with
 * the findings that show them, so a run's memory grows with its findings, not its size.
 */
function slimPassing(result: ScenarioResult): void {
  for (const check of result.checks) {
    if ((check.status !== 'pass' && check.status !== 'skipped') || check.evidence.length === 0) continue;
    check.evidenceIds = check.evidence.map((e) => e.id);
    check.evidence = [];
  }
}

/** A scenario cut short: said once (interrupted, or a deadline as the finding), its cut-off requests blocked by it. */
function stopEarly(ctx: ScenarioContext, planned: PlannedScenario, missedDeadline: string | undefined, interrupted: boolean): void {
  const why =
    missedDeadline ??
    (interrupted
      ? 'the run was interrupted before this scenario finished; the checks after this point were not made'
      : 'the run timed out');
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
