// A lifecycle scenario: its steps in order against one scenario-scoped user. A step that cannot
// go on (the user was never created) makes the steps after it errors, not crashes.
import type { ScenarioContext } from '../context.ts';
import type { Expectation, IdentityValue, IdpChange, LifecycleScenario, Step } from '../../spec/types.ts';
import { deliveryFault, stepKind } from '../../spec/types.ts';
import { joinPointer } from '../../document/index.ts';
import { durationMs } from '../../spec/duration.ts';
import { scenarioIdentity, tagIdentityValue } from '../identity.ts';
import type { StepInfo, UserState } from './state.ts';
import { provision } from './provision.ts';
import { update } from './update.ts';
import { setActive } from './active.ts';
import { deprovision, type DeclaredOffboarding } from './deprovision.ts';
import { expectState } from './expect.ts';
import { probe } from './probe.ts';
import { addToGroups, removeFromGroups } from './groups.ts';
import { changeAtIdp, expectSession, login, logout } from './login.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeliveryFault } from './delivery.ts';
import { reorder } from './reorder.ts';
import { rehire } from './rehire.ts';
import { atomicUpdate } from './atomic-update.ts';

export async function runLifecycle(
  ctx: ScenarioContext,
  scenario: LifecycleScenario,
  tagged: ReadonlySet<string>,
  tag: string,
): Promise<void> {
  const identity = ctx.run.spec.identities[scenario.identity] ?? {};
  const scoped = (attribute: string, value: IdentityValue) => (tagged.has(attribute) ? tagIdentityValue(value, tag) : value);
  const state: UserState = {
    identity: scenarioIdentity(identity, tagged, tag),
    scoped,
    exists: false,
    groups: new Set(),
    groupFailures: new Map(),
    wrongFacts: new Map(),
  };
  try {
    await runSteps(ctx, scenario, state);
  } finally {
    // The person's browser (federation steps): its connections go with the scenario.
    await state.person?.agent.close();
  }
}

async function runSteps(ctx: ScenarioContext, scenario: LifecycleScenario, state: UserState): Promise<void> {
  for (const [index, step] of scenario.steps.entries()) {
    if (ctx.signal.aborted) return;
    const kind = stepKind(step) ?? 'unknown';
    const pointer = joinPointer(joinPointer(ctx.planned.pointer, 'steps'), String(index));
    const fault = deliveryFault(step);
    const info: StepInfo = {
      index,
      kind,
      label: `${index + 1}-${kind}`,
      pointer,
      range: typeof step === 'string' ? ctx.range(pointer, 'value') : ctx.range(joinPointer(pointer, kind), 'key'),
      ...(fault
        ? {
            fault: {
              key: fault.key,
              times: typeof fault.value === 'number' ? fault.value : 1,
              range: ctx.range(joinPointer(pointer, fault.key), 'key'),
            },
          }
        : {}),
    };
    if (!state.id && needsUser(kind, step)) {
      if (state.createFailure)
        ctx.blocked(
          'run.completes',
          `${info.label}.user`,
          `a user to ${kind}`,
          info.range,
          state.createFailure,
          `step ${index + 1} ("${kind}") needs the user that step ${state.createFailure.id.split('-')[0]} failed to create`,
        );
      else
        ctx.verdict('run.completes', `${info.label}.user`, `a user to ${kind}`, info.range, 'error', {
          message: `no user was provisioned before step ${index + 1} ("${kind}"), so it could not run`,
        });
      continue;
    }
    await withDeliveryFault(ctx, state, info, () => runStep(ctx, scenario, state, info, step));
  }
}

/** The scenario's offboarding, else the spec's, with where it is declared. */
function offboardingOf(ctx: ScenarioContext, scenario: LifecycleScenario): DeclaredOffboarding | undefined {
  if (scenario.offboarding) return { ...scenario.offboarding, pointer: joinPointer(ctx.planned.pointer, 'offboarding') };
  return ctx.run.spec.offboarding ? { ...ctx.run.spec.offboarding, pointer: '/offboarding' } : undefined;
}

/** Whether a step acts on the scenario's user, so that it cannot run before one exists. */
function needsUser(kind: string, step: Step): boolean {
  if (['provision', 'reorder', 'rehire', 'wait', 'probe', 'login', 'logout', 'idp'].includes(kind)) return false;
  // An expectation of the session alone asks the app, not the user on the target.
  if (kind === 'expect') return Object.keys((step as { expect: Expectation }).expect).some((k) => k !== 'session');
  return true;
}

async function runStep(ctx: ScenarioContext, scenario: LifecycleScenario, state: UserState, info: StepInfo, step: Step): Promise<void> {
  const body = typeof step === 'string' ? undefined : (step as Record<string, unknown>)[info.kind];
  const base = joinPointer(info.pointer, info.kind);
  switch (info.kind) {
    case 'provision':
      return provision(ctx, state, info);
    case 'update':
      return update(ctx, state, info, body as Record<string, never>);
    case 'deactivate':
      return setActive(ctx, state, info, false);
    case 'reactivate':
      return setActive(ctx, state, info, true);
    case 'deprovision':
      return deprovision(ctx, state, info, offboardingOf(ctx, scenario));
    case 'rehire':
      return rehire(ctx, state, info, (body ?? {}) as Record<string, IdentityValue>);
    case 'atomic-update':
      return atomicUpdate(ctx, state, info, body as Record<string, IdentityValue>);
    case 'reorder':
      return reorder(ctx, state, info, (body as [{ update: Record<string, IdentityValue> }, 'provision'])[0].update);
    case 'assign':
      return addToGroups(ctx, state, body as string[], info);
    case 'unassign':
      return removeFromGroups(ctx, state, body as string[], info);
    case 'expect': {
      // The session is the app's to show, not the SCIM target's: its own check, then the rest.
      const { session, ...rest } = body as Expectation;
      if (session) await expectSession(ctx, state, info, session);
      if (Object.keys(rest).length) await expectState(ctx, state, info, rest as never, base);
      return;
    }
    case 'login':
      return login(ctx, state, info, body as { expect?: 'session' | 'refused' } | undefined);
    case 'logout':
      return logout(ctx, state, info);
    case 'idp':
      return changeAtIdp(ctx, state, info, body as IdpChange);
    case 'probe':
      return probe(ctx, state, info, body as never, base);
    case 'wait': {
      await sleep(durationMs(body as string, 0), undefined, { signal: ctx.signal }).catch(() => undefined);
      return;
    }
    case 'eventually':
      return eventually(ctx, state, info, body as { within: string; every?: string; expect?: never; probe?: never }, base);
    default:
      ctx.verdict('run.completes', `${info.label}`, 'a known step', info.range, 'error', { message: `unknown step "${info.kind}"` });
  }
}

/**
 * Retries an expectation or probe until its checks pass or `within` runs out; the last try counts.
 * The pause starts at `every` and grows by half each try (to a quarter of `within` at most), so a
 * slow target is not hammered; how long the state took to hold is reported with the checks.
 */
async function eventually(
  ctx: ScenarioContext,
  state: UserState,
  info: StepInfo,
  body: { within: string; every?: string; expect?: never; probe?: never },
  base: string,
): Promise<void> {
  const started = Date.now();
  const within = durationMs(body.within, 30_000);
  const deadline = started + within;
  let every = durationMs(body.every, 1000);
  for (let attempt = 1; ; attempt++) {
    const before = ctx.checks.length;
    ctx.quiet = true;
    if (body.expect) await expectState(ctx, state, info, body.expect, joinPointer(base, 'expect'));
    else if (body.probe) await probe(ctx, state, info, body.probe, joinPointer(base, 'probe'));
    const results = ctx.checks.slice(before);
    // A blocked result will not change by waiting: its cause is an earlier failure.
    const settled = results.every((c) => c.status === 'pass') || results.some((c) => c.status === 'blocked');
    ctx.quiet = false;
    if (settled || Date.now() + every > deadline || ctx.signal.aborted) {
      const took = `${attempt} ${attempt === 1 ? 'try' : 'tries'}, ${((Date.now() - started) / 1000).toFixed(1)} s`;
      for (const c of results)
        if (!settled && c.status !== 'pass' && c.status !== 'blocked')
          c.message = `${c.message} (still so after ${took} within ${body.within})`;
        else if (c.status === 'pass' && attempt > 1) c.message = `held after ${took}`;
      for (const c of results) ctx.run.onCheck?.(c, ctx.planned);
      return;
    }
    ctx.rollback(before);
    await sleep(every, undefined, { signal: ctx.signal }).catch(() => undefined);
    every = Math.min(Math.round(every * 1.5), Math.max(every, Math.round(within / 4)));
  }
}
