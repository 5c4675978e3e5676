// deactivate / reactivate: a leaver is switched off, not deleted. The account must stay
// readable by id and findable by filter (IdPs match and re-enable accounts that way), with
// active false; reactivation must bring active back to true.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import { getKey, type Resource } from '../../scim/resource.ts';
import { effectCheck, statusCheck } from '../protocol.ts';
import type { Exchange } from '../../scim/exchange.ts';
import { findByUserName, readUser, storedUserName, userNameFilterWorks } from './verify.ts';

export async function setActive(ctx: ScenarioContext, state: UserState, step: StepInfo, active: boolean): Promise<void> {
  if (!state.id) return;
  const kind = active ? 'reactivate' : 'deactivate';
  let current: Resource | undefined;
  if (ctx.dialect.needsCurrent.has(kind)) current = (await readUser(ctx, state, { ...step, label: `${step.label}.before` }))?.resource;
  // Findability after deactivation means something only if a filter found the user while active.
  if (!active) await userNameFilterWorks(ctx, state, step);
  const exchange = await ctx.send(ctx.dialect.setActive(state.id, active, current), step.label);
  const changed = statusCheck(
    ctx,
    exchange,
    [200, 204],
    'user.set-active',
    `${step.label}.${kind}d`,
    `the ${kind} request succeeds`,
    step.range,
  );
  if (changed.status !== 'pass') {
    state.writeFailure = changed;
    return;
  }
  ctx.run.ledger.record({
    action: active ? 'reactivated' : 'deactivated',
    resourceType: 'User',
    id: state.id,
    display: state.userName ?? state.id,
    scenario: ctx.name,
    ...ctx.audit(step.label, {
      changes: [{ attribute: 'active', before: getKey(current ?? state.current ?? {}, 'active') ?? null, after: active }],
    }),
  });
  await verifyActive(ctx, state, step, active, exchange);
}

export async function verifyActive(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  active: boolean,
  write?: Exchange,
): Promise<void> {
  const read = await readUser(ctx, state, step);
  if (read?.resource) {
    const actual = getKey(read.resource, 'active');
    state.wrongFacts.delete('active');
    const message =
      `after "${step.kind}" (step ${step.index + 1}), active is ${JSON.stringify(actual ?? null)}, ` +
      `expected ${active}${typeof actual === 'string' ? ' (a string, not a boolean)' : ''}`;
    const check = effectCheck(
      ctx,
      write,
      actual === active,
      () =>
        ctx.check('user.active', `${step.label}.active`, `active is ${active}`, step.range, actual === active ? 'pass' : 'fail', {
          message: actual === active ? '' : message,
          expected: active,
          actual: actual ?? null,
          evidence: [...(write ? [write] : []), read.exchange],
        }),
      (by) =>
        ctx.blocked(
          'user.active',
          `${step.label}.active`,
          `active is ${active}`,
          step.range,
          by,
          `${message}: the server ignored a write of this shape before`,
          [read.exchange],
        ),
    );
    if (check.status !== 'pass') state.wrongFacts.set('active', check);
  }
  state.wrongFacts.delete('findable');
  const userName = storedUserName(state);
  if (!active && userName) {
    const title = 'the deactivated user is still found by a userName filter';
    const precondition = await userNameFilterWorks(ctx, state, step);
    // A second deactivation (Okta's deprovision) meets the same defect: the first finding stands.
    const earlier = ctx.checks.find((c) => c.rule === 'user.findable-inactive' && (c.status === 'fail' || c.status === 'warn'));
    const by = precondition && precondition.status !== 'pass' ? precondition : earlier;
    if (by) {
      const why =
        by === precondition
          ? 'a userName filter did not find the user even while it was active'
          : 'the server hid a deactivated user before';
      ctx.blocked('user.findable-inactive', `${step.label}.findable`, title, step.range, by, why);
      state.wrongFacts.set('findable', by);
      return;
    }
    const { ids, exchange, filter } = await findByUserName(ctx, userName, step.label);
    const found = ids?.includes(state.id!) ?? false;
    const check = ctx.check(
      'user.findable-inactive',
      `${step.label}.findable`,
      title,
      step.range,
      found ? 'pass' : ids ? 'fail' : 'error',
      {
        message: found
          ? ''
          : ids
            ? `the filter ${filter} found the user while it was active, and no ` +
              `longer finds it deactivated: an IdP cannot match it to reactivate it`
            : `the filter request failed (${exchange.error ?? exchange.status})`,
        expected: 'found',
        actual: found ? 'found' : 'not found',
        evidence: [exchange],
      },
    );
    if (check.status !== 'pass') state.wrongFacts.set('findable', check);
  }
}
