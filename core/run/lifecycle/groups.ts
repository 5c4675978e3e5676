// The runner acting as the IdP's group push: adding the user to the groups role rules (or an
// assign step) give, and removing it from the ones it leaves, in the dialect's request shapes.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import { statusCheck } from '../protocol.ts';

export async function addToGroups(ctx: ScenarioContext, state: UserState, names: Iterable<string>, step: StepInfo): Promise<void> {
  for (const name of names) await changeMembership(ctx, state, name, 'add', step);
}

export async function removeFromGroups(ctx: ScenarioContext, state: UserState, names: Iterable<string>, step: StepInfo): Promise<void> {
  for (const name of names) await changeMembership(ctx, state, name, 'remove', step);
}

async function changeMembership(
  ctx: ScenarioContext,
  state: UserState,
  name: string,
  change: 'add' | 'remove',
  step: StepInfo,
): Promise<void> {
  if (!state.id) return;
  const id = `${step.label}.${change}-member.${name}`;
  const title = change === 'add' ? `adding the user to ${name} succeeds` : `removing the user from ${name} succeeds`;
  const group = ctx.run.groups.get(name);
  if (!group) {
    const problem = ctx.run.groupProblems.get(name);
    ctx.blocked(
      'group.change-member',
      id,
      title,
      step.range,
      problem?.check ?? 'setup',
      problem?.message ?? `group ${name} is not available on the target`,
    );
    return;
  }
  const member = { id: state.id, ...(state.userName ? { display: state.userName } : {}) };
  const request = change === 'add' ? ctx.dialect.addMembers(group.id, [member]) : ctx.dialect.removeMembers(group.id, [member]);
  const exchange = await ctx.send(request, step.label);
  const check = statusCheck(ctx, exchange, [200, 204], 'group.change-member', id, title, step.range);
  if (check.status === 'pass') {
    if (change === 'add') state.groups.add(name);
    else state.groups.delete(name);
    state.groupFailures.delete(`${change}:${name}`);
    ctx.run.ledger.record({
      action: change === 'add' ? 'added to group' : 'removed from group',
      resourceType: 'User',
      id: state.id,
      display: state.userName ?? state.id,
      scenario: ctx.name,
      ...ctx.audit(step.label, { group: name }),
    });
  } else {
    state.groupFailures.set(`${change}:${name}`, check);
  }
}
