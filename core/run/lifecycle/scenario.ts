// A lifecycle scenario: its steps in order against one scenario-scoped user. A step that cannot
// go on (the user was never created) makes the steps after it errors, not crashes.
import type { ScenarioContext } from '../context.ts';
import type { IdentityValue, LifecycleScenario, Step } from '../../spec/types.ts';
import { stepKind } from '../../spec/types.ts';
import { joinPointer } from '../../document/index.ts';
import { durationMs } from '../../spec/duration.ts';
import { scenarioIdentity, tagIdentityValue } from '../identity.ts';
import type { StepInfo, UserState } from './state.ts';
import { provision } from './provision.ts';
import { update } from './update.ts';
import { setActive } from './active.ts';
import { deprovision } from './deprovision.ts';
import { expectState } from './expect.ts';
import { probe } from './probe.ts';
import { addToGroups, removeFromGroups } from './groups.ts';
import { setTimeout as sleep } from 'node:timers/promises';

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
  for (const [index, step] of scenario.steps.entries()) {
    if (ctx.signal.aborted) return;
    const kind = stepKind(step) ?? 'unknown';
    const pointer = joinPointer(joinPointer(ctx.planned.pointer, 'steps'), String(index));
    const info: StepInfo = {
      index,
      kind,
      label: `${index + 1}-${kind}`,
      pointer,
      range: typeof step === 'string' ? ctx.range(pointer, 'value') : ctx.range(joinPointer(pointer, kind), 'key'),
    };
    if (kind !== 'provision' && kind !== 'wait' && kind !== 'probe' && !state.id) {
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
    await runStep(ctx, state, info, step);
  }
}

async function runStep(ctx: ScenarioContext, state: UserState, info: StepInfo, step: Step): Promise<void> {
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
      return deprovision(ctx, state, info);
    case 'assign':
      return addToGroups(ctx, state, body as string[], info);
    case 'unassign':
      return removeFromGroups(ctx, state, body as string[], info);
    case 'expect':
      return expectState(ctx, state, info, body as never, base);
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

/** Retries an expectation or probe until its checks pass or `within` runs out; the last try counts. */
async function eventually(
  ctx: ScenarioContext,
  state: UserState,
  info: StepInfo,
  body: { within: string; every?: string; expect?: never; probe?: never },
  base: string,
): Promise<void> {
  const deadline = Date.now() + durationMs(body.within, 30_000);
  const every = durationMs(body.every, 1000);
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
      if (!settled)
        for (const c of results)
          if (c.status !== 'pass' && c.status !== 'blocked')
            c.message = `${c.message} (still so after ${attempt} tries within ${body.within})`;
      for (const c of results) ctx.run.onCheck?.(c, ctx.planned);
      return;
    }
    ctx.rollback(before);
    await sleep(every, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}
