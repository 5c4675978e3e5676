// reorder: an update that overtakes its create, as a queue-based IdP connector's parallel
// workers deliver them. The update arrives first and, finding no account, creates it with what
// the source holds now; then the create queued before the change arrives with the older values.
// A correct server refuses the late create (409, uniqueness) or leaves the account as it is: the
// newer values survive, and one user holds the userName.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import type { IdentityValue } from '../../spec/types.ts';
import { groupExpectations, mappedValues, type GroupExpectations } from '../identity.ts';
import { buildUser, getPath, valuesMatch, type MappedValue, type Resource } from '../../scim/resource.ts';
import { idOf, statusCheck } from '../protocol.ts';
import { changedIdentity } from './update.ts';
import { findByUserName, readUser, verifyAttributes, verifyGroups } from './verify.ts';
import { addToGroups } from './groups.ts';

export async function reorder(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  changes: Record<string, IdentityValue>,
): Promise<void> {
  const stale = userOf(ctx, state.identity);
  state.identity = changedIdentity(ctx, state, changes);
  const fresh = userOf(ctx, state.identity);
  const userName = typeof fresh.user['userName'] === 'string' ? fresh.user['userName'] : undefined;

  const first = await ctx.send(ctx.dialect.createUser(fresh.user), step.label);
  const created = statusCheck(
    ctx,
    first,
    [201],
    'user.create',
    `${step.label}.created`,
    'the update that arrived first creates the user with the newer values',
    step.range,
  );
  const id = idOf(first);
  if (created.status !== 'pass' || !id) {
    state.createFailure = created;
    return;
  }
  ctx.run.ledger.created('User', id, userName ?? id, ctx.name, ctx.audit(step.label, { source: ctx.auditRedacted(state.identity) }));
  state.id = id;
  state.userName = userName;
  state.exists = true;

  const late = await ctx.send(ctx.dialect.createUser(stale.user), step.label);
  const read = await readUser(ctx, state, step);
  const found = userName === undefined ? undefined : await findByUserName(ctx, userName, step.label);
  // Whatever the late create made is this run's to remove.
  for (const extra of found?.ids ?? []) if (extra !== id) ctx.run.ledger.created('User', extra, userName ?? extra, ctx.name);
  const changed = fresh.values.filter((v) => {
    const old = stale.values.find((s) => s.path === v.path);
    return JSON.stringify(old?.value) !== JSON.stringify(v.value);
  });
  if (!read?.resource) return; // the read's own check failed
  const lost = changed.filter((v) => v.verify && !valuesMatch(v.value, getPath(read.resource, v.resolved), v.compare));
  const second = (found?.ids ?? []).filter((other) => other !== id);
  const problems = [
    ...lost.map(
      (v) =>
        `${v.path} is ${JSON.stringify(getPath(read.resource as Resource, v.resolved) ?? null)}, ` +
        `the late create's value, not ${JSON.stringify(v.value)}, the update's`,
    ),
    ...(second.length ? [`the late create made ${second.length} more user(s) with userName ${userName} (${second.join(', ')})`] : []),
  ];
  ctx.verdict(
    'delivery.reorder',
    `${step.label}.newer-values-kept`,
    'the newer values survive the late create',
    step.range,
    problems.length ? 'fail' : 'pass',
    {
      message: problems.length ? `after the late create (answered ${late.status ?? late.error}), ${problems.join('; ')}` : '',
      expected: Object.fromEntries(changed.map((v) => [v.path, v.value])),
      actual: Object.fromEntries(changed.map((v) => [v.path, getPath(read.resource as Resource, v.resolved) ?? null])),
      evidence: [first, late, read.exchange, ...(found ? [found.exchange] : [])],
    },
  );
  // The rest of the mapping, as any create's: what the reorder changed is judged above, once.
  verifyAttributes(
    ctx,
    read.resource,
    fresh.values.filter((v) => !changed.includes(v)),
    step,
    read.exchange,
  );
  await pushGroups(ctx, state, step, fresh.expectations);
}

function userOf(
  ctx: ScenarioContext,
  identity: Record<string, IdentityValue>,
): { user: Resource; values: MappedValue[]; expectations: GroupExpectations } {
  const values = mappedValues(ctx.run.spec, ctx.scope({ identity }));
  const expectations = groupExpectations(ctx.run.spec.roles, identity);
  const user = buildUser(values);
  if (expectations.roles.length) user['roles'] = expectations.roles.map((value) => ({ value }));
  if (expectations.entitlements.length) user['entitlements'] = expectations.entitlements.map((value) => ({ value }));
  return { user, values, expectations };
}

async function pushGroups(ctx: ScenarioContext, state: UserState, step: StepInfo, expectations: GroupExpectations): Promise<void> {
  if (expectations.memberOf.size === 0) return;
  await addToGroups(ctx, state, expectations.memberOf.keys(), step);
  await verifyGroups(ctx, state, expectations, step);
}
