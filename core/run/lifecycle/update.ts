// update: the identity changes in the source of truth (a mover). The IdP sends only what the
// mapping makes of the change, in the dialect's shape; the read-back must show every mapped
// attribute, and role rules must move the user out of the groups it no longer qualifies for.
import { diffResources } from '../audit-diff.ts';
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import type { IdentityValue } from '../../spec/types.ts';
import { mappedValues, groupExpectations } from '../identity.ts';
import { buildUser, type MappedValue, type Resource } from '../../scim/resource.ts';
import { statusCheck } from '../protocol.ts';
import { interpolate } from '../../expressions/evaluate.ts';
import { readUser, verifyAttributes, verifyGroups } from './verify.ts';
import { addToGroups, removeFromGroups } from './groups.ts';

export async function update(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  changes: Record<string, IdentityValue>,
): Promise<void> {
  if (!state.id) return;
  const oldGroups = groupExpectations(ctx.run.spec.roles, state.identity);
  const { next, after, changed } = changedMapping(ctx, state, changes);
  state.identity = next;

  if (changed.length > 0) {
    let current: Resource | undefined;
    if (ctx.dialect.needsCurrent.has('update'))
      current = (await readUser(ctx, state, { ...step, label: `${step.label}.before` }))?.resource;
    const exchange = await ctx.send(ctx.dialect.updateUser(state.id, changed, buildUser(after), current), step.label);
    const updated = statusCheck(ctx, exchange, [200, 204], 'user.update', `${step.label}.updated`, 'the update succeeds', step.range);
    if (updated.status !== 'pass') {
      state.writeFailure = updated;
      return;
    }
    // What the server showed before the change (the last read, or the one the dialect needed).
    const shownBefore = current ?? state.current;
    const read = await readUser(ctx, state, step);
    const source = ctx.auditRedacted(Object.fromEntries(Object.keys(changes).map((key) => [key, next[key]])));
    ctx.run.ledger.changed(
      'User',
      state.id,
      state.userName ?? state.id,
      ctx.name,
      ctx.audit(step.label, {
        source,
        ...(read?.resource && shownBefore ? { changes: ctx.auditRedacted(diffResources(shownBefore, read.resource)) } : {}),
      }),
    );
    if (read?.resource) verifyAttributes(ctx, read.resource, after, step, read.exchange, state.lostAtOffboarding);
  }

  const newGroups = groupExpectations(ctx.run.spec.roles, next);
  const leaving = [...state.groups].filter((g) => !newGroups.memberOf.has(g) && oldGroups.memberOf.has(g));
  const joining = [...newGroups.memberOf.keys()].filter((g) => !state.groups.has(g));
  await removeFromGroups(ctx, state, leaving, step);
  await addToGroups(ctx, state, joining, step);
  if (leaving.length || joining.length || newGroups.memberOf.size) {
    const notMemberOf = new Map<string, string | undefined>(newGroups.notMemberOf);
    for (const g of leaving) if (!notMemberOf.has(g)) notMemberOf.set(g, undefined);
    await verifyGroups(ctx, state, { memberOf: newGroups.memberOf, notMemberOf }, step);
  }
}

/** What a change in the source of truth makes of the identity and its mapped values, and which of those it changes. */
export function changedMapping(
  ctx: ScenarioContext,
  state: UserState,
  changes: Record<string, IdentityValue>,
): { next: Record<string, IdentityValue>; after: MappedValue[]; changed: MappedValue[] } {
  const before = mappedValues(ctx.run.spec, ctx.scope({ identity: state.identity }));
  const next = changedIdentity(ctx, state, changes);
  const after = mappedValues(ctx.run.spec, ctx.scope({ identity: next }));
  const changed = after.filter((v) => JSON.stringify(before.find((b) => b.path === v.path)?.value) !== JSON.stringify(v.value));
  return { next, after, changed };
}

/** The identity after a change in the source of truth, each changed value scoped as the scenario scopes it. */
export function changedIdentity(
  ctx: ScenarioContext,
  state: UserState,
  changes: Record<string, IdentityValue>,
): Record<string, IdentityValue> {
  const scope = ctx.scope({ identity: state.identity });
  const next: Record<string, IdentityValue> = { ...state.identity };
  // A new email is as unique as the old one: it is run-scoped the same way.
  for (const [key, value] of Object.entries(changes))
    next[key] = state.scoped(key, (typeof value === 'string' ? interpolate(value, scope) : value) as IdentityValue);
  return next;
}
