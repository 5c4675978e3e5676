// Concurrency races: what an IdP's retries and parallel workers do to a server. N identical
// creates must make exactly one user (the rest 409 uniqueness); parallel member adds must all
// land; removing one member must leave the others.
import type { ScenarioContext } from './context.ts';
import type { ConcurrencyCase } from '../spec/types.ts';
import { joinPointer } from '../document/index.ts';
import { buildUser, getKey } from '../scim/resource.ts';
import { mappedValues, scenarioIdentity } from './identity.ts';
import { expectStatus, idOf } from './protocol.ts';
import { findByUserName, membership } from './lifecycle/verify.ts';
import type { Exchange } from '../scim/exchange.ts';

export async function runConcurrency(ctx: ScenarioContext, race: ConcurrencyCase, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  if (race.action === 'provision') return provisionRace(ctx, race, tagged, tag);
  return membershipRace(ctx, race, tagged, tag);
}

async function provisionRace(ctx: ScenarioContext, race: ConcurrencyCase, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const base = ctx.planned.pointer;
  const parallel = race.parallel ?? 8;
  const identity = scenarioIdentity(ctx.run.spec.identities[race.identity ?? ''] ?? {}, tagged, tag);
  const user = buildUser(mappedValues(ctx.run.spec, ctx.scope({ identity })));
  const userName = String(user['userName'] ?? '');
  const exchanges = await Promise.all(Array.from({ length: parallel }, () => ctx.send(ctx.dialect.createUser(user), 'create')));
  const createdIds = new Set<string>();
  for (const exchange of exchanges) {
    const id = exchange.status === 201 ? idOf(exchange) : undefined;
    if (id) {
      createdIds.add(id);
      ctx.run.ledger.created('User', id, userName, ctx.name);
    }
  }
  const created = exchanges.filter((e) => e.status === 201).length;
  const conflicts = exchanges.filter((e) => e.status === 409);
  const others = exchanges.filter((e) => e.status !== 201 && e.status !== 409);
  const expectedCreated = race.expect?.created ?? 1;
  const createdRange = race.expect?.created !== undefined ? ctx.range(joinPointer(joinPointer(base, 'expect'), 'created')) : ctx.planned.range;
  ctx.verdict('created', `exactly ${expectedCreated} of ${parallel} identical creates succeed`, createdRange, created === expectedCreated ? 'pass' : 'fail', {
    message: created === expectedCreated ? '' : created > expectedCreated
      ? `${created} of ${parallel} racing creates answered 201 (${createdIds.size} distinct users): the race created duplicates`
      : `${created} of ${parallel} racing creates answered 201 (the others: ${[...new Set(exchanges.filter((e) => e.status !== 201).map((e) => e.status ?? e.error))].join(', ')})`,
    expected: expectedCreated,
    actual: created,
    evidence: exchanges.filter((e) => e.status === 201).slice(0, 3),
  });
  if (race.expect?.conflict !== undefined) {
    ctx.verdict('conflict', `${race.expect.conflict} creates answer 409`, ctx.range(joinPointer(joinPointer(base, 'expect'), 'conflict')), conflicts.length === race.expect.conflict ? 'pass' : 'fail', {
      message: conflicts.length === race.expect.conflict ? '' : `${conflicts.length} answered 409, ${others.length} answered something else (${[...new Set(others.map((e) => e.status ?? e.error))].join(', ')})`,
      expected: race.expect.conflict,
      actual: conflicts.length,
      evidence: [...conflicts.slice(0, 1), ...others.slice(0, 2)],
    });
  }
  const untyped = conflicts.filter((e) => getKey(e.json, 'scimType') !== 'uniqueness');
  if (conflicts.length > 0) {
    ctx.verdict('conflict.scim-type', 'every 409 says scimType uniqueness', ctx.planned.range, untyped.length === 0 ? 'pass' : 'fail', {
      message: untyped.length === 0 ? '' : `${untyped.length} of ${conflicts.length} 409 answers have no scimType "uniqueness" (RFC 7644 §3.3): an IdP cannot tell a duplicate from another conflict`,
      expected: 'uniqueness',
      actual: getKey(untyped[0]?.json, 'scimType') ?? null,
      evidence: untyped.slice(0, 1),
    });
  }
  const { ids, exchange, filter } = await findByUserName(ctx, userName, 'verify');
  ctx.verdict('one-user', 'afterwards exactly one user has this userName', ctx.planned.range, ids?.length === 1 ? 'pass' : ids ? 'fail' : 'error', {
    message: ids?.length === 1 ? '' : ids ? `the filter ${filter} finds ${ids.length} users` : `the filter request failed (${exchange.error ?? exchange.status})`,
    expected: 1,
    actual: ids?.length ?? null,
    evidence: [exchange],
  });
}

async function membershipRace(ctx: ScenarioContext, race: ConcurrencyCase, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const group = ctx.run.groups.get(race.group ?? '');
  if (!group) {
    ctx.verdict('group', `group ${race.group} is available`, ctx.planned.range, 'error', { message: ctx.run.groupProblems.get(race.group ?? '') ?? `group ${race.group} is not available on the target` });
    return;
  }
  const names = race.identities ?? [];
  const users: Array<{ name: string; id: string; userName: string }> = [];
  for (const [i, name] of names.entries()) {
    const identity = scenarioIdentity(ctx.run.spec.identities[name] ?? {}, tagged, `${tag}-${i + 1}`);
    const user = buildUser(mappedValues(ctx.run.spec, ctx.scope({ identity })));
    const exchange = await ctx.send(ctx.dialect.createUser(user), 'setup');
    const id = exchange.status === 201 ? idOf(exchange) : undefined;
    if (id) ctx.run.ledger.created('User', id, String(user['userName']), ctx.name);
    if (!expectStatus(ctx, exchange, [201], `setup.${name}`, `${name} is created for the race`, ctx.planned.range) || !id) return;
    users.push({ name, id, userName: String(user['userName']) });
  }
  const parallel = race.parallel ?? users.length;
  if (race.action === 'add-members') {
    const adds = await Promise.all(users.slice(0, parallel).map((u) => ctx.send(ctx.dialect.addMembers(group.id, [{ id: u.id, display: u.userName }]), 'add')));
    adds.forEach((exchange, i) => expectStatus(ctx, exchange, [200, 204], `add.${users[i]!.name}`, `adding ${users[i]!.name} succeeds while others are added`, ctx.planned.range));
    await verifyMembers(ctx, group.id, users.map((u) => [u, true] as const), adds);
    return;
  }
  // remove-member: everyone in, then one out; the others must stay.
  const add = await ctx.send(ctx.dialect.addMembers(group.id, users.map((u) => ({ id: u.id, display: u.userName }))), 'add');
  if (!expectStatus(ctx, add, [200, 204], 'add-all', 'adding every member succeeds', ctx.planned.range)) return;
  const [leaver, ...stayers] = users;
  if (!leaver) return;
  const remove = await ctx.send(ctx.dialect.removeMembers(group.id, [{ id: leaver.id, display: leaver.userName }]), 'remove');
  if (!expectStatus(ctx, remove, [200, 204], 'remove-one', `removing ${leaver.name} succeeds`, ctx.planned.range)) return;
  await verifyMembers(ctx, group.id, [[leaver, false] as const, ...stayers.map((u) => [u, true] as const)], [remove]);
}

async function verifyMembers(ctx: ScenarioContext, groupId: string, expected: ReadonlyArray<readonly [{ name: string; id: string }, boolean]>, cause: Exchange[]): Promise<void> {
  for (const [user, want] of expected) {
    const { member, exchange } = await membership(ctx, groupId, user.id, 'verify');
    const ok = member === want;
    ctx.verdict(`${want ? 'member' : 'not-member'}.${user.name}`, `${user.name} ${want ? 'is' : 'is not'} a member afterwards`, ctx.planned.range, member === undefined ? 'error' : ok ? 'pass' : 'fail', {
      message: ok ? '' : member === undefined ? `could not read the group (${exchange.error ?? exchange.status})` : want ? `${user.name} is no longer a member: the change wiped or lost other members` : `${user.name} is still a member`,
      expected: want ? 'member' : 'not a member',
      actual: member === undefined ? null : member ? 'member' : 'not a member',
      evidence: [...cause.slice(0, 1), exchange],
    });
  }
}
