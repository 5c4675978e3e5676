// deactivate / reactivate: a leaver is switched off, not deleted. The account must stay
// readable by id and findable by filter (IdPs match and re-enable accounts that way), with
// active false; reactivation must bring active back to true.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import { getKey, type Resource } from '../../scim/resource.ts';
import { expectStatus } from '../protocol.ts';
import { findByUserName, readUser } from './verify.ts';

export async function setActive(ctx: ScenarioContext, state: UserState, step: StepInfo, active: boolean): Promise<void> {
  if (!state.id) return;
  const kind = active ? 'reactivate' : 'deactivate';
  let current: Resource | undefined;
  if (ctx.dialect.needsCurrent.has(kind)) current = (await readUser(ctx, state, { ...step, label: `${step.label}.before` }))?.resource;
  const exchange = await ctx.send(ctx.dialect.setActive(state.id, active, current), step.label);
  if (!expectStatus(ctx, exchange, [200, 204], `${step.label}.${kind}d`, `the ${kind} request succeeds`, step.range)) return;
  ctx.run.ledger.changed('User', state.id, state.userName ?? state.id, ctx.name);
  await verifyActive(ctx, state, step, active);
}

export async function verifyActive(ctx: ScenarioContext, state: UserState, step: StepInfo, active: boolean): Promise<void> {
  const read = await readUser(ctx, state, step);
  if (read?.resource) {
    const actual = getKey(read.resource, 'active');
    ctx.verdict(`${step.label}.active`, `active is ${active}`, step.range, actual === active ? 'pass' : 'fail', {
      message: actual === active ? '' : `after "${step.kind}" (step ${step.index + 1}), active is ${JSON.stringify(actual ?? null)}, expected ${active}${typeof actual === 'string' ? ' (a string, not a boolean)' : ''}`,
      expected: active,
      actual: actual ?? null,
      evidence: [read.exchange],
    });
  }
  if (!active && state.userName) {
    const { ids, exchange, filter } = await findByUserName(ctx, state.userName, step.label);
    const found = ids?.includes(state.id!) ?? false;
    ctx.verdict(`${step.label}.findable`, 'the deactivated user is still found by a userName filter', step.range, found ? 'pass' : ids ? 'fail' : 'error', {
      message: found ? '' : ids ? `the filter ${filter} no longer finds the deactivated user: an IdP cannot match it to reactivate it` : `the filter request failed (${exchange.error ?? exchange.status})`,
      expected: 'found',
      actual: found ? 'found' : 'not found',
      evidence: [exchange],
    });
  }
}
