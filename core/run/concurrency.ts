// Concurrency races: what an IdP's retries and parallel workers do to a server. N identical
// creates must make exactly one user (the rest 409 uniqueness); parallel member adds must all
// land; removing one member must leave the others.
import type { ScenarioContext } from './context.ts';
import type { ConcurrencyCase } from '../spec/types.ts';
import { joinPointer } from '../document/index.ts';
import { buildUser, getKey } from '../scim/resource.ts';
import { mappedValues, scenarioIdentity } from './identity.ts';
import { expectStatus, idOf, statusCheck } from './protocol.ts';
import type { CheckResult } from './result.ts';
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
  const createdRange =
    race.expect?.created !== undefined ? ctx.range(joinPointer(joinPointer(base, 'expect'), 'created')) : ctx.planned.range;
  const outcomes = distinctOutcomes(exchanges);
  const createdCheck = ctx.check(
    'race.created',
    'created',
    `exactly ${expectedCreated} of ${parallel} identical creates succeed`,
    createdRange,
    created === expectedCreated ? 'pass' : 'fail',
    {
      message:
        created === expectedCreated
          ? ''
          : created > expectedCreated
            ? `${created} of ${parallel} racing creates answered 201 (${createdIds.size} distinct users): the race created duplicates`
            : `${created} of ${parallel} racing creates answered 201; the answers were: ${outcomes.map((o) => o.label).join('; ')}`,
      expected: expectedCreated,
      actual: created,
      focus: ['detail', 'scimType'],
      // Each distinct answer once: the cause is in the one that differs.
      evidence: outcomes.map((o) => o.exchange),
    },
  );
  if (race.expect?.conflict !== undefined) {
    ctx.verdict(
      'race.conflict',
      'conflict',
      `${race.expect.conflict} creates answer 409`,
      ctx.range(joinPointer(joinPointer(base, 'expect'), 'conflict')),
      conflicts.length === race.expect.conflict ? 'pass' : 'fail',
      {
        message:
          conflicts.length === race.expect.conflict
            ? ''
            : `${conflicts.length} answered 409, ${others.length} answered something ` +
              `else (${[...new Set(others.map((e) => e.status ?? e.error))].join(', ')})`,
        expected: race.expect.conflict,
        actual: conflicts.length,
        evidence: [...conflicts.slice(0, 1), ...others.slice(0, 2)],
      },
    );
  }
  const untyped = conflicts.filter((e) => getKey(e.json, 'scimType') !== 'uniqueness');
  if (conflicts.length > 0) {
    ctx.verdict(
      'conflict.scim-type',
      'conflict.scim-type',
      'every 409 says scimType uniqueness',
      ctx.planned.range,
      untyped.length === 0 ? 'pass' : 'fail',
      {
        message:
          untyped.length === 0
            ? ''
            : `${untyped.length} of ${conflicts.length} 409 answers have no scimType ` +
              `"uniqueness" (RFC 7644 §3.3): an IdP cannot tell a duplicate from another conflict`,
        expected: 'uniqueness',
        actual: getKey(untyped[0]?.json, 'scimType') ?? null,
        evidence: untyped.slice(0, 1),
      },
    );
  }
  const title = 'afterwards exactly one user has this userName';
  if (createdIds.size === 0) {
    // Nothing was created that could be counted: the created check said why.
    if (createdCheck.status !== 'pass')
      ctx.blocked('race.one-user', 'one-user', title, ctx.planned.range, createdCheck, 'no create of the race answered a user id');
    return;
  }
  const { ids, exchange, filter } = await findByUserName(ctx, userName, 'verify');
  if (ids && ids.length === 0) {
    // The server says it created users the filter does not find: the filter is what is broken.
    const filterCheck = ctx.check(
      'filter.username',
      'filter',
      'a userName filter finds a user the race created',
      ctx.planned.range,
      'fail',
      {
        message: `the filter ${filter} finds nothing, though the race created ${[...createdIds].join(', ')}`,
        expected: 'found',
        actual: 'not found',
        evidence: [exchange],
      },
    );
    ctx.blocked(
      'race.one-user',
      'one-user',
      title,
      ctx.planned.range,
      filterCheck,
      "the userName filter does not find the race's users, so they cannot be counted",
    );
    return;
  }
  ctx.verdict('race.one-user', 'one-user', title, ctx.planned.range, ids?.length === 1 ? 'pass' : ids ? 'fail' : 'error', {
    message:
      ids?.length === 1
        ? ''
        : ids
          ? `the filter ${filter} finds ${ids.length} users`
          : `the filter request failed (${exchange.error ?? exchange.status})`,
    expected: 1,
    actual: ids?.length ?? null,
    evidence: [exchange],
  });
}

/** The distinct answers among many (status, scimType, detail), each with its first exchange. */
function distinctOutcomes(exchanges: readonly Exchange[]): Array<{ label: string; exchange: Exchange }> {
  const seen = new Map<string, { label: string; exchange: Exchange; count: number }>();
  for (const exchange of exchanges) {
    const scimType = getKey(exchange.json, 'scimType');
    const detail = getKey(exchange.json, 'detail');
    const parts = [
      exchange.status ?? exchange.error ?? 'no response',
      typeof scimType === 'string' ? scimType : undefined,
      typeof detail === 'string' ? JSON.stringify(detail.slice(0, 160)) : undefined,
    ].filter(Boolean);
    const key = parts.join(' ');
    const entry = seen.get(key);
    if (entry) entry.count++;
    else seen.set(key, { label: key, exchange, count: 1 });
  }
  return [...seen.values()].map((e) => ({ label: `${e.count}× ${e.label}`, exchange: e.exchange }));
}

async function membershipRace(ctx: ScenarioContext, race: ConcurrencyCase, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const group = ctx.run.groups.get(race.group ?? '');
  if (!group) {
    const problem = ctx.run.groupProblems.get(race.group ?? '');
    ctx.blocked(
      'race.members',
      'group',
      `group ${race.group} is available`,
      ctx.planned.range,
      problem?.check ?? 'setup',
      problem?.message ?? `group ${race.group} is not available on the target`,
    );
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
    if (!expectStatus(ctx, exchange, [201], 'race.setup', `setup.${name}`, `${name} is created for the race`, ctx.planned.range) || !id)
      return;
    users.push({ name, id, userName: String(user['userName']) });
  }
  const parallel = race.parallel ?? users.length;
  if (race.action === 'add-members') {
    const adds = await Promise.all(
      users.slice(0, parallel).map((u) => ctx.send(ctx.dialect.addMembers(group.id, [{ id: u.id, display: u.userName }]), 'add')),
    );
    const failed = new Map<string, CheckResult>();
    adds.forEach((exchange, i) => {
      const check = statusCheck(
        ctx,
        exchange,
        [200, 204],
        'group.change-member',
        `add.${users[i]!.name}`,
        `adding ${users[i]!.name} succeeds while others are added`,
        ctx.planned.range,
      );
      if (check.status !== 'pass') failed.set(users[i]!.id, check);
    });
    await verifyMembers(
      ctx,
      group.id,
      users.map((u) => [u, true] as const),
      adds,
      failed,
    );
    return;
  }
  // remove-member: everyone in, then one out; the others must stay.
  const add = await ctx.send(
    ctx.dialect.addMembers(
      group.id,
      users.map((u) => ({ id: u.id, display: u.userName })),
    ),
    'add',
  );
  if (!expectStatus(ctx, add, [200, 204], 'group.change-member', 'add-all', 'adding every member succeeds', ctx.planned.range)) return;
  // The precondition of "the others stay": they were members to begin with, as the server shows it.
  const listed = await verifyMembers(
    ctx,
    group.id,
    users.map((u) => [u, true] as const),
    [add],
    new Map(),
    'added',
  );
  const [leaver, ...stayers] = users;
  if (!leaver) return;
  const remove = await ctx.send(ctx.dialect.removeMembers(group.id, [{ id: leaver.id, display: leaver.userName }]), 'remove');
  if (!expectStatus(ctx, remove, [200, 204], 'group.change-member', 'remove-one', `removing ${leaver.name} succeeds`, ctx.planned.range))
    return;
  const blockedBy = new Map<string, CheckResult>();
  const firstUnlisted = listed.find((c) => c.status !== 'pass');
  if (firstUnlisted) for (const u of users) blockedBy.set(u.id, firstUnlisted);
  await verifyMembers(ctx, group.id, [[leaver, false] as const, ...stayers.map((u) => [u, true] as const)], [remove], blockedBy);
}

async function verifyMembers(
  ctx: ScenarioContext,
  groupId: string,
  expected: ReadonlyArray<readonly [{ name: string; id: string }, boolean]>,
  cause: Exchange[],
  blockedBy: ReadonlyMap<string, CheckResult>,
  prefix?: string,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const [user, want] of expected) {
    const id = `${prefix ? `${prefix}.` : ''}${want ? 'member' : 'not-member'}.${user.name}`;
    const title = prefix
      ? `${user.name} is listed as a member after the add`
      : `${user.name} ${want ? 'is' : 'is not'} a member afterwards`;
    const blocker = blockedBy.get(user.id);
    if (blocker) {
      ctx.blocked(
        'race.members',
        id,
        title,
        ctx.planned.range,
        blocker,
        prefix
          ? `${user.name} could not be added`
          : 'the members were not listed after they were added, so what the change did cannot be told',
      );
      continue;
    }
    const { member, exchange } = await membership(ctx, groupId, user.id, 'verify');
    const ok = member === want;
    out.push(
      ctx.check('race.members', id, title, ctx.planned.range, member === undefined ? 'error' : ok ? 'pass' : 'fail', {
        message: ok
          ? ''
          : member === undefined
            ? `could not read the group (${exchange.error ?? exchange.status})`
            : prefix
              ? `${user.name} was added (the server answered ${cause[0]?.status}) but the group does not list it`
              : want
                ? `${user.name} is no longer a member: the change wiped or lost other members`
                : `${user.name} is still a member`,
        expected: want ? 'member' : 'not a member',
        actual: member === undefined ? null : member ? 'member' : 'not a member',
        evidence: [...cause.slice(0, 1), exchange],
      }),
    );
  }
  return out;
}
