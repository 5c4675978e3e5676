// deprovision: the dialect's way of removing a leaver. A DELETE must answer 204 and leave
// nothing behind (404 by id, absent from filters); dialects that never delete (Okta)
// deactivate instead, and the account must then stay readable and inactive.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import { expectStatus } from '../protocol.ts';
import { findByUserName, storedUserName } from './verify.ts';
import { setActive } from './active.ts';

export async function deprovision(ctx: ScenarioContext, state: UserState, step: StepInfo): Promise<void> {
  if (!state.id) return;
  if (ctx.dialect.deprovision === 'deactivate') {
    await setActive(ctx, state, step, false);
    state.deprovisioned = 'deactivated';
    return;
  }
  const exchange = await ctx.send(ctx.dialect.deleteUser(state.id), step.label);
  if (exchange.status === 204 || exchange.status === 200 || exchange.status === 404)
    ctx.run.ledger.removed('User', state.id, ctx.name, ctx.audit(step.label));
  if (!expectStatus(ctx, exchange, [204], 'user.delete', `${step.label}.deleted`, 'the DELETE answers 204 No Content', step.range)) {
    if (exchange.status !== 200) return;
  }
  state.exists = false;
  state.deprovisioned = 'deleted';
  await verifyGone(ctx, state, step);
}

export async function verifyGone(ctx: ScenarioContext, state: UserState, step: StepInfo): Promise<void> {
  const read = await ctx.send({ method: 'GET', url: `/Users/${state.id}` }, step.label);
  expectStatus(ctx, read, [404], 'user.deleted', `${step.label}.gone`, 'the deleted user is gone (404 by id)', step.range);
  const userName = storedUserName(state);
  if (userName) {
    const { ids, exchange, filter } = await findByUserName(ctx, userName, step.label);
    const found = ids?.includes(state.id!) ?? false;
    ctx.verdict(
      'user.deleted',
      `${step.label}.gone.filter`,
      'the deleted user is absent from filters',
      step.range,
      ids ? (found ? 'fail' : 'pass') : 'error',
      {
        message: !ids
          ? `the filter request failed (${exchange.error ?? exchange.status})`
          : found
            ? `the filter ${filter} still finds the deleted user ${state.id}`
            : '',
        evidence: [exchange],
      },
    );
  }
}
