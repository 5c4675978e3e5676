// rehire: the leaver comes back (same person: same userName, externalId and email, perhaps a
// new department). After a deletion the IdP creates a new account, so the old one's unique
// values must be free again; after a deactivation it finds the old account, turns it back on and
// sends what changed, and takes away the groups the rules no longer grant. Either way, nothing
// of the old account's access may come back unless the role rules grant it again.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import type { IdentityValue } from '../../spec/types.ts';
import { groupExpectations } from '../identity.ts';
import { getKey } from '../../scim/resource.ts';
import { provision } from './provision.ts';
import { setActive } from './active.ts';
import { changedIdentity, update } from './update.ts';
import { membership, verifyGroups } from './verify.ts';
import { removeFromGroups } from './groups.ts';

export async function rehire(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  changes: Record<string, IdentityValue>,
): Promise<void> {
  const left = state.left;
  if (!left || !state.deprovisioned) {
    ctx.verdict('run.completes', `${step.label}.user`, 'a leaver to rehire', step.range, 'error', {
      message: `no step before step ${step.index + 1} offboarded the user, so there is no leaver to rehire`,
    });
    return;
  }
  if (state.deprovisioned === 'deactivated') {
    await setActive(ctx, state, step, true);
    state.deprovisioned = undefined;
    if (state.writeFailure) return;
    // The mover part (a new department) is an update: it moves the groups and checks the move.
    if (Object.keys(changes).length) await update(ctx, state, step, changes);
    // A rehire starts afresh: what the old job held beyond the rules (a group assigned by hand)
    // is taken away, as an IdP's authoritative group push does, and must be gone.
    const granted = groupExpectations(ctx.run.spec.roles, state.identity);
    const stale = [...state.groups].filter((g) => !granted.memberOf.has(g));
    if (stale.length) {
      await removeFromGroups(ctx, state, stale, step);
      await verifyGroups(ctx, state, { memberOf: new Map(), notMemberOf: new Map(stale.map((g) => [g, undefined])) }, step);
    }
    return;
  }
  state.identity = changedIdentity(ctx, state, changes);
  // A new account: nothing of the old one's is this scenario's any more.
  delete state.id;
  delete state.current;
  delete state.createFailure;
  delete state.writeFailure;
  delete state.unreadable;
  delete state.filterCheck;
  state.exists = false;
  state.groups = new Set();
  state.groupFailures.clear();
  state.wrongFacts.clear();
  state.deprovisioned = undefined;
  await provision(ctx, state, step, { createRule: 'rehire.create' });
  if (state.id) await verifyNothingCameBack(ctx, state, step, left);
}

/** The new account holds none of the old one's groups, roles or entitlements that the rules no longer grant. */
async function verifyNothingCameBack(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  left: NonNullable<UserState['left']>,
): Promise<void> {
  const granted = groupExpectations(ctx.run.spec.roles, state.identity);
  for (const name of left.groups) {
    if (granted.memberOf.has(name)) continue;
    const group = ctx.run.groups.get(name);
    if (!group) continue;
    const title = `the rehired person is not back in ${name}`;
    const { member, exchange } = await membership(ctx, group.id, state.id!, step.label);
    if (member === undefined) {
      ctx.verdict('group.read-members', `${step.label}.left-group.${name}.read`, `group ${name} can be read`, step.range, 'error', {
        message: `could not read group ${name} (${exchange.error ?? `status ${exchange.status}`})`,
        evidence: [exchange],
      });
      continue;
    }
    ctx.verdict('rehire.access', `${step.label}.left-group.${name}`, title, step.range, member ? 'fail' : 'pass', {
      message: member
        ? `the new account ${state.id} is a member of ${name}, which the leaver's old account ${left.id} had and no role rule grants now`
        : '',
      expected: `not a member of ${name}`,
      actual: member ? `member of ${name}` : `not a member of ${name}`,
      evidence: [exchange],
    });
  }
  const current = state.current;
  if (!current) return;
  for (const [attribute, old, now] of [
    ['roles', left.roles, granted.roles],
    ['entitlements', left.entitlements, granted.entitlements],
  ] as const) {
    const list = getKey(current, attribute);
    const held = Array.isArray(list) ? list.map((e) => getKey(e, 'value')) : [];
    for (const value of old) {
      if (now.includes(value)) continue;
      const back = held.includes(value);
      ctx.verdict(
        'rehire.access',
        `${step.label}.left-${attribute}.${value}`,
        `the rehired person does not hold ${value} again`,
        step.range,
        back ? 'fail' : 'pass',
        {
          message: back
            ? `the new account holds ${attribute} ${JSON.stringify(value)}, which the leaver had and no role rule grants now`
            : '',
          expected: `no ${value}`,
          actual: back ? value : `no ${value}`,
        },
      );
    }
  }
}
