// The runner acting as the IdP's group push: adding the user to the groups role rules (or an
// assign step) give, and removing it from the ones it leaves, in the dialect's request shapes.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import { expectStatus } from '../protocol.ts';

export async function addToGroups(ctx: ScenarioContext, state: UserState, names: Iterable<string>, step: StepInfo): Promise<void> {
  for (const name of names) await changeMembership(ctx, state, name, 'add', step);
}

export async function removeFromGroups(ctx: ScenarioContext, state: UserState, names: Iterable<string>, step: StepInfo): Promise<void> {
  for (const name of names) await changeMembership(ctx, state, name, 'remove', step);
}

async function changeMembership(ctx: ScenarioContext, state: UserState, name: string, change: 'add' | 'remove', step: StepInfo): Promise<void> {
  if (!state.id) return;
  const id = `${step.label}.${change}-member.${name}`;
  const title = change === 'add' ? `adding the user to ${name} succeeds` : `removing the user from ${name} succeeds`;
  const group = ctx.run.groups.get(name);
  if (!group) {
    ctx.verdict(id, title, step.range, 'error', { message: ctx.run.groupProblems.get(name) ?? `group ${name} is not available on the target` });
    return;
  }
  const member = { id: state.id, ...(state.userName ? { display: state.userName } : {}) };
  const request = change === 'add' ? ctx.dialect.addMembers(group.id, [member]) : ctx.dialect.removeMembers(group.id, [member]);
  const exchange = await ctx.send(request, step.label);
  if (expectStatus(ctx, exchange, [200, 204], id, title, step.range)) {
    if (change === 'add') state.groups.add(name);
    else state.groups.delete(name);
    ctx.run.ledger.changed('Group', group.id, group.displayName, ctx.name);
  }
}
