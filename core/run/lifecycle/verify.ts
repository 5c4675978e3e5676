// After every write, read the resource back and hold it to the spec: each mapped attribute
// (checked at its mapping line), the roles and entitlements role rules grant, and group
// membership as the role rules require it (checked at the rule).
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import type { MappedValue, Resource } from '../../scim/resource.ts';
import { getPath, valuesMatch, getKey } from '../../scim/resource.ts';
import { expectJson, expectScimMediaType, listResources, statusCheck } from '../protocol.ts';
import type { Exchange } from '../../scim/exchange.ts';
import type { CheckResult } from '../result.ts';
import { joinPointer } from '../../document/index.ts';

export async function readUser(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
): Promise<{ resource?: Resource; exchange: Exchange } | undefined> {
  if (!state.id) return undefined;
  const exchange = await ctx.send({ method: 'GET', url: `/Users/${state.id}` }, step.label);
  const check = statusCheck(ctx, exchange, [200], 'user.read', `${step.label}.read-back`, 'the user can be read back by id', step.range);
  if (check.status !== 'pass') {
    state.unreadable = check;
    return { exchange };
  }
  expectScimMediaType(ctx, exchange, `${step.label}.read-back.media-type`, step.range);
  if (!expectJson(ctx, exchange, `${step.label}.read-back.json`, step.range)) return { exchange };
  const resource = exchange.json as Resource;
  state.current = resource;
  return { resource, exchange };
}

export function verifyAttributes(
  ctx: ScenarioContext,
  resource: Resource,
  values: readonly MappedValue[],
  step: StepInfo,
  exchange: Exchange,
  /** Attributes (top-level name, lower case) a check already found lost, by that check: a miss is blocked by it. */
  lost?: ReadonlyMap<string, CheckResult>,
): void {
  for (const mapped of values) {
    if (!mapped.verify) continue;
    const actual = getPath(resource, mapped.resolved);
    const ok = valuesMatch(mapped.value, actual, mapped.compare);
    const lostBy = ok ? undefined : lost?.get((mapped.resolved.parent ?? mapped.resolved.attribute).name.toLowerCase());
    if (lostBy) {
      ctx.blocked(
        'user.attribute',
        `${step.label}.attribute.${mapped.path}`,
        `${mapped.path} is stored as sent`,
        ctx.range(mapped.pointer),
        lostBy,
        `after "${step.kind}" (step ${step.index + 1}), ${mapped.path} is ${JSON.stringify(actual ?? null)}: it was lost before`,
        [exchange],
      );
      continue;
    }
    ctx.verdict(
      'user.attribute',
      `${step.label}.attribute.${mapped.path}`,
      `${mapped.path} is stored as sent`,
      ctx.range(mapped.pointer),
      ok ? 'pass' : 'fail',
      {
        message: ok
          ? ''
          : actual === undefined
            ? `after "${step.kind}" (step ${step.index + 1}), the server did not ` +
              `return ${mapped.path} (sent ${JSON.stringify(mapped.value)}): the attribute was dropped`
            : `after "${step.kind}" (step ${step.index + 1}), ${mapped.path} ` +
              `is ${JSON.stringify(actual)}, but ${JSON.stringify(mapped.value)} was sent`,
        expected: mapped.value,
        actual: actual ?? null,
        focus: [(mapped.resolved.parent ?? mapped.resolved.attribute).name, ...(typeof mapped.value === 'string' ? [mapped.value] : [])],
        evidence: [exchange],
      },
    );
  }
}

export function verifyValues(
  ctx: ScenarioContext,
  resource: Resource,
  attribute: 'roles' | 'entitlements',
  wanted: readonly string[],
  step: StepInfo,
  exchange: Exchange,
): void {
  if (wanted.length === 0) return;
  const list = getKey(resource, attribute);
  const values = Array.isArray(list) ? list.map((e) => getKey(e, 'value')) : [];
  for (const value of wanted) {
    const ok = values.includes(value);
    ctx.verdict('user.values', `${step.label}.${attribute}.${value}`, `${attribute} include ${value}`, step.range, ok ? 'pass' : 'fail', {
      message: ok ? '' : `the user's ${attribute} do not include ${JSON.stringify(value)} (role rules grant it)`,
      expected: value,
      actual: values,
      evidence: [exchange],
    });
  }
}

/**
 * Whether the target lists the user as a member of the group. Asked the way Entra asks it, by
 * filter (`id eq "g" and members[value eq "u"]`), so a group of 50,000 members is not read
 * whole; a server that cannot filter on members is read whole instead.
 */
export async function membership(
  ctx: ScenarioContext,
  groupId: string,
  userId: string,
  label: string,
): Promise<{ member?: boolean; exchange: Exchange }> {
  // A server that ignored the member part of the filter would make every user a member: probe
  // once per run with an id that is nobody's, and read groups whole if it answers the group.
  ctx.run.memberFilter ??= askMembership(ctx, groupId, '00000000-0000-4000-8000-00000000dead', label).then(
    ({ found }) => found !== undefined && found.length === 0,
  );
  if (await ctx.run.memberFilter) {
    const { found, exchange } = await askMembership(ctx, groupId, userId, label);
    if (found) return { member: found.some((g) => getKey(g, 'id') === groupId), exchange };
  }
  const exchange = await ctx.send({ method: 'GET', url: `/Groups/${groupId}?attributes=members` }, label);
  if (exchange.status !== 200 || !exchange.json) return { exchange };
  const members = getKey(exchange.json, 'members');
  const member = Array.isArray(members) && members.some((m) => getKey(m, 'value') === userId);
  return { member, exchange };
}

export async function verifyGroups(
  ctx: ScenarioContext,
  state: UserState,
  expected: { memberOf: ReadonlyMap<string, string | undefined>; notMemberOf: ReadonlyMap<string, string | undefined> },
  step: StepInfo,
): Promise<void> {
  if (!state.id) return;
  for (const [want, list] of [
    [true, expected.memberOf],
    [false, expected.notMemberOf],
  ] as const) {
    for (const [name, pointer] of list) {
      const range = pointer ? ctx.range(pointer, 'value') : step.range;
      const id = `${step.label}.${want ? 'member-of' : 'not-member-of'}.${name}`;
      const title = `${want ? 'is' : 'is not'} a member of ${name}`;
      const group = ctx.run.groups.get(name);
      if (!group) {
        ctx.blocked(
          'group.membership',
          id,
          title,
          range,
          ctx.run.groupProblems.get(name)?.check ?? 'setup',
          ctx.run.groupProblems.get(name)?.message ?? `group ${name} is not available on the target`,
        );
        continue;
      }
      const pushed = state.groupFailures.get(`${want ? 'add' : 'remove'}:${name}`);
      if (pushed) {
        ctx.blocked(
          'group.membership',
          id,
          title,
          range,
          pushed,
          `${want ? 'adding the user to' : 'removing the user from'} ${name} failed, so membership cannot be judged`,
        );
        continue;
      }
      const { member, exchange } = await membership(ctx, group.id, state.id, step.label);
      if (member === undefined) {
        ctx.verdict(
          'group.read-members',
          `${id}.read`,
          `group ${name} can be read`,
          range,
          exchange.status === undefined ? 'error' : 'fail',
          {
            message: `could not read group ${name} (${exchange.error ?? `status ${exchange.status}`})`,
            evidence: [exchange],
          },
        );
        continue;
      }
      const ok = member === want;
      if (!ok && state.writeFailure) {
        ctx.blocked(
          'group.membership',
          id,
          title,
          range,
          state.writeFailure,
          `the user is ${member ? '' : 'not '}a member of ${name}, but an earlier write was refused`,
        );
        continue;
      }
      ctx.verdict('group.membership', id, title, range, ok ? 'pass' : 'fail', {
        message: ok
          ? ''
          : want
            ? `after "${step.kind}" (step ${step.index + 1}), the user is not a member of ${name} (${group.displayName})`
            : `after "${step.kind}" (step ${step.index + 1}), the user is still a member of ${name} (${group.displayName})`,
        expected: want ? `member of ${name}` : `not a member of ${name}`,
        actual: member ? `member of ${name}` : `not a member of ${name}`,
        evidence: [exchange],
      });
    }
  }
}

async function askMembership(
  ctx: ScenarioContext,
  groupId: string,
  userId: string,
  label: string,
): Promise<{ found?: unknown[]; exchange: Exchange }> {
  const filter = `id eq ${JSON.stringify(groupId)} and members[value eq ${JSON.stringify(userId)}]`;
  const exchange = await ctx.send({ method: 'GET', url: `/Groups?filter=${encodeURIComponent(filter)}&excludedAttributes=members` }, label);
  const found = exchange.status === 200 ? listResources(exchange) : undefined;
  return { ...(found ? { found } : {}), exchange };
}

/**
 * Whether a `userName eq` filter finds the user (IdPs match accounts this way), asked with the
 * userName exactly as given: a finding about findability must not depend on case handling,
 * which is its own check (caseInsensitiveUserNameFilter).
 */
export async function findByUserName(
  ctx: ScenarioContext,
  userName: string,
  label: string,
): Promise<{ ids?: string[]; exchange: Exchange; filter: string }> {
  /** The filter as sent, for messages: it is what the server failed to answer. */
  const filter = `userName eq ${JSON.stringify(userName)}`;
  const exchange = await ctx.send({ method: 'GET', url: `/Users?filter=${encodeURIComponent(filter)}` }, label);
  const resources = exchange.status === 200 ? listResources(exchange) : undefined;
  if (!resources) return { exchange, filter };
  return { ids: resources.map((r) => getKey(r, 'id')).filter((id): id is string => typeof id === 'string'), exchange, filter };
}

/** The userName as the server stores it (what an IdP reads back and matches on later). */
export function storedUserName(state: UserState): string | undefined {
  const stored = state.current ? getKey(state.current, 'userName') : undefined;
  return typeof stored === 'string' && stored !== '' ? stored : state.userName;
}

/**
 * The precondition of every findability verdict: while the user is active, a userName filter with
 * the stored userName finds it. Asked once per scenario; the check that failed is what dependent
 * checks point at.
 */
export async function userNameFilterWorks(ctx: ScenarioContext, state: UserState, step: StepInfo): Promise<CheckResult | undefined> {
  if (state.filterCheck) return state.filterCheck;
  const userName = storedUserName(state);
  if (!state.id || !userName) return undefined;
  const { ids, exchange, filter } = await findByUserName(ctx, userName, step.label);
  const found = ids?.includes(state.id) ?? false;
  state.filterCheck = ctx.check(
    'filter.username',
    `${step.label}.filter`,
    'a userName filter finds the active user',
    step.range,
    found ? 'pass' : ids ? 'fail' : 'error',
    {
      message: found
        ? ''
        : ids
          ? `the filter ${filter} does not find the active user ${state.id} (it finds ${ids.length})`
          : `the filter request failed (${exchange.error ?? exchange.status})`,
      expected: 'found',
      actual: found ? 'found' : ids ? `${ids.length} other(s)` : (exchange.status ?? null),
      evidence: [exchange],
    },
  );
  return state.filterCheck;
}

/**
 * When the spec maps userName with `compare: case-insensitive` (as Entra and Okta match), whether a
 * filter in another case finds the user: userName is caseExact false (RFC 7643 §4.1.1). Once per
 * run (the same defect in every scenario is one finding), reported at the `compare` line.
 */
export async function caseInsensitiveUserNameFilter(ctx: ScenarioContext, state: UserState, step: StepInfo): Promise<void> {
  const entry = Object.entries(ctx.run.spec.mapping).find(([path]) => path.toLowerCase() === 'username');
  const rule = entry?.[1];
  if (!entry || typeof rule !== 'object' || rule.compare !== 'case-insensitive') return;
  const userName = storedUserName(state);
  if (!state.id || !userName || ctx.run.once.has('filter.username.case-insensitive')) return;
  ctx.run.once.add('filter.username.case-insensitive');
  const other = swapCase(userName);
  if (other === userName) return;
  const { ids, exchange, filter } = await findByUserName(ctx, other, step.label);
  const found = ids?.includes(state.id) ?? false;
  ctx.verdict(
    'filter.username.case-insensitive',
    `${step.label}.filter.case-insensitive`,
    'a userName filter in another case finds the user',
    ctx.range(joinPointer(joinPointer('/mapping', entry[0]), 'compare')),
    found ? 'pass' : ids ? 'fail' : 'error',
    {
      message: found
        ? ''
        : ids
          ? `the filter ${filter} does not find ${JSON.stringify(userName)}: userName ` +
            `is caseExact false (RFC 7643 §4.1.1), and IdPs match it case-insensitively`
          : `the filter request failed (${exchange.error ?? exchange.status})`,
      expected: 'found',
      actual: found ? 'found' : 'not found',
      evidence: [exchange],
    },
  );
}

/** Upper case where the text has lower case letters, else lower case: always a different case. */
export function swapCase(text: string): string {
  const upper = text.toUpperCase();
  return upper !== text ? upper : text.toLowerCase();
}
