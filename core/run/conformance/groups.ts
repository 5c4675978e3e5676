// What a client sees of groups besides membership: attribute projection (Entra reads groups with
// excludedAttributes=members), displayName filters that match exactly the group, and the group
// negatives: a duplicate name where the server declares names unique, a member that does not
// exist, and a group that is gone for every operation once deleted.
import type { Suite } from './suite.ts';
import { filterText, listedIds, query } from './suite.ts';
import type { MemberGroup } from './members.ts';
import type { Declared } from './declared.ts';
import { characteristics } from './declared.ts';
import { CORE_GROUP_URN, CORE_USER_URN } from '../../scim-schema/index.ts';
import { getKey } from '../../scim/resource.ts';
import { statusCheck, expectStatus } from '../protocol.ts';
import type { Exchange } from '../../scim/exchange.ts';
import { swapCase } from '../lifecycle/verify.ts';
import { patch } from '../../scim/dialects/base.ts';

const UNKNOWN_ID = '00000000-0000-4000-8000-0000000000fe';

/** excludedAttributes=members and attributes= on a group that has members, and attributes= on a user. */
export async function projectionChecks(
  suite: Suite,
  group: MemberGroup,
  user: { id: string; full: Record<string, unknown> },
  declared: Declared,
): Promise<void> {
  const { ctx } = suite;
  const url = `/Groups/${encodeURIComponent(group.id)}`;
  const excludedTitle = 'excludedAttributes=members leaves members out, on a read and on a filtered list';
  if (group.broken || group.members.size === 0) {
    suite.blocked(
      'projection.excluded',
      'projection.excluded-members',
      excludedTitle,
      group.broken ?? 'members.add-50',
      'the group has no members to leave out',
    );
  } else {
    const one = await ctx.send({ method: 'GET', url: `${url}?excludedAttributes=members` }, 'projection');
    const list = await ctx.send(
      {
        method: 'GET',
        url: query('/Groups', { filter: filterText('displayName', 'eq', group.displayName), excludedAttributes: 'members' }),
      },
      'projection',
    );
    const problems: string[] = [];
    if (one.status !== 200) problems.push(`GET ${url}?excludedAttributes=members answered ${one.status ?? one.error}`);
    else if (getKey(one.json, 'members') !== undefined)
      problems.push(`GET ${url}?excludedAttributes=members still returns ${countOf(one.json)} members`);
    else if (getKey(one.json, 'displayName') === undefined)
      problems.push('the group read with excludedAttributes=members has no displayName');
    const listed =
      list.status === 200
        ? (list.json as { Resources?: unknown[] } | undefined)?.Resources?.find((r) => getKey(r, 'id') === group.id)
        : undefined;
    if (list.status !== 200) problems.push(`the filtered list answered ${list.status ?? list.error}`);
    else if (listed === undefined)
      problems.push(`the list filtered by displayName eq ${JSON.stringify(group.displayName)} does not hold the group`);
    else if (getKey(listed, 'members') !== undefined)
      problems.push(`the filtered list with excludedAttributes=members still returns ${countOf(listed)} members`);
    suite.check('projection.excluded', 'projection.excluded-members', excludedTitle, problems.length === 0, problems.join('; '), {
      focus: ['members'],
      evidence: [one, list],
    });
  }

  // attributes=: only what was asked for, and what is always returned (RFC 7643 §7 "always").
  const attributesTitle = 'attributes= returns the attributes asked for and those always returned, no others';
  const groupOnly = await ctx.send({ method: 'GET', url: `${url}?attributes=displayName` }, 'projection');
  const userOnly = await ctx.send({ method: 'GET', url: `/Users/${encodeURIComponent(user.id)}?attributes=userName` }, 'projection');
  // The common attributes (RFC 7643 §3.1: id, externalId, meta) are not judged: servers differ
  // on which of them they count as the minimum set. An extension's attributes are judged by its
  // own schema's "returned".
  const COMMON = new Set(['id', 'externalid', 'schemas', 'meta']);
  const extra = (json: unknown, urn: string, asked: string): string[] => {
    if (typeof json !== 'object' || json === null) return [];
    const out: string[] = [];
    for (const [key, value] of Object.entries(json)) {
      const lower = key.toLowerCase();
      if (lower === asked.toLowerCase() || COMMON.has(lower)) continue;
      if (lower.startsWith('urn:')) {
        const inner = typeof value === 'object' && value !== null ? Object.keys(value) : [];
        for (const name of inner) if (characteristics(declared, key, name)?.returned !== 'always') out.push(`${key}:${name}`);
        continue;
      }
      if (characteristics(declared, urn, key)?.returned !== 'always') out.push(key);
    }
    return out;
  };
  const problems: string[] = [];
  if (groupOnly.status !== 200) problems.push(`GET ${url}?attributes=displayName answered ${groupOnly.status ?? groupOnly.error}`);
  else {
    const more = extra(groupOnly.json, CORE_GROUP_URN, 'displayName');
    if (more.length) problems.push(`the group read with attributes=displayName also returns ${more.join(', ')}`);
  }
  if (userOnly.status !== 200) problems.push(`GET /Users/${user.id}?attributes=userName answered ${userOnly.status ?? userOnly.error}`);
  else {
    const more = extra(userOnly.json, CORE_USER_URN, 'userName').filter(
      (key) => key.split(/:(?=[^:]+$)/)[0]! in user.full || key in user.full,
    );
    if (more.length) problems.push(`the user read with attributes=userName also returns ${more.join(', ')}`);
    if (getKey(userOnly.json, 'userName') === undefined) problems.push('the user read with attributes=userName has no userName');
  }
  suite.check('projection.attributes', 'projection.attributes', attributesTitle, problems.length === 0, problems.join('; '), {
    evidence: [groupOnly, userOnly],
  });
}

/** displayName eq finds exactly the group: the name (hit), a prefix of it (miss), the name in the other case. */
export async function displayNameFilterChecks(suite: Suite, group: { id: string; displayName: string }, declared: Declared): Promise<void> {
  const { ctx } = suite;
  const find = (name: string) =>
    ctx.send(
      { method: 'GET', url: query('/Groups', { filter: filterText('displayName', 'eq', name), excludedAttributes: 'members' }) },
      'group-filter',
    );
  const hit = await find(group.displayName);
  const prefix = group.displayName.slice(0, -2);
  const miss = await find(prefix);
  const hitIds = listedIds(hit);
  const missIds = listedIds(miss);
  const problems: string[] = [];
  if (!hitIds) problems.push(`displayName eq ${JSON.stringify(group.displayName)} answered ${hit.status ?? hit.error}`);
  else if (!hitIds.includes(group.id)) problems.push(`displayName eq ${JSON.stringify(group.displayName)} does not find the group`);
  else if (hitIds.length !== 1) problems.push(`displayName eq ${JSON.stringify(group.displayName)} finds ${hitIds.length} groups, not 1`);
  if (!missIds) problems.push(`displayName eq ${JSON.stringify(prefix)} answered ${miss.status ?? miss.error}`);
  else if (missIds.includes(group.id)) problems.push(`displayName eq ${JSON.stringify(prefix)} (a prefix of the name) finds the group`);
  const exact = suite.check(
    'filter.group-display-name',
    'group-filter.display-name',
    'displayName eq finds exactly the group named',
    problems.length === 0,
    problems.join('; '),
    {
      evidence: [hit, miss],
    },
  );
  const caseTitle = 'displayName eq compares as the schema says (caseExact)';
  const other = swapCase(group.displayName);
  if (exact.status !== 'pass') {
    suite.blocked(
      'filter.group-display-name.case',
      'group-filter.other-case',
      caseTitle,
      exact,
      'an exact displayName filter does not work either',
    );
    return;
  }
  if (other === group.displayName) return;
  const caseExact = characteristics(declared, CORE_GROUP_URN, 'displayName')?.caseExact ?? false;
  const swapped = await find(other);
  const ids = listedIds(swapped);
  const found = ids?.includes(group.id) ?? false;
  suite.check(
    'filter.group-display-name.case',
    'group-filter.other-case',
    caseTitle,
    ids !== undefined && found === !caseExact,
    ids === undefined
      ? `displayName eq ${JSON.stringify(other)} answered ${swapped.status ?? swapped.error}`
      : caseExact
        ? `the server declares displayName caseExact, yet displayName eq ${JSON.stringify(other)} ` +
          `finds ${JSON.stringify(group.displayName)}`
        : `displayName eq ${JSON.stringify(other)} does not find ${JSON.stringify(group.displayName)}, ` +
          'though displayName is caseExact false' +
          ` (${characteristics(declared, CORE_GROUP_URN, 'displayName')?.declared ? 'as the server declares' : 'RFC 7643 §8.7.1'})`,
    { evidence: [swapped] },
  );
}

/** A duplicate name (where names are unique), an unknown member, and a group gone once deleted. */
export async function groupNegativeChecks(suite: Suite, group: { id: string; displayName: string }, declared: Declared): Promise<void> {
  const { ctx } = suite;
  const uniqueTitle = 'a second group with the same displayName is refused with 409, as the server declares names unique';
  const uniqueness = characteristics(declared, CORE_GROUP_URN, 'displayName');
  if (!uniqueness?.declared || uniqueness.uniqueness === 'none') {
    suite.skipped(
      'group.uniqueness',
      'group.duplicate-name',
      uniqueTitle,
      'the server does not declare Group displayName unique (RFC 7643 §4.2 makes it uniqueness "none")',
    );
  } else {
    const again = await ctx.send(ctx.dialect.createGroup(group.displayName, undefined), 'group-negative');
    expectStatus(ctx, again, [409], 'group.uniqueness', 'group.duplicate-name', uniqueTitle, suite.range);
  }

  const unknown = await ctx.send(
    patch(`/Groups/${encodeURIComponent(group.id)}`, [{ op: 'add', path: 'members', value: [{ value: UNKNOWN_ID }] }]),
    'group-negative',
  );
  const unknownTitle = 'adding a member that does not exist is refused (400 or 404)';
  if (!suite.unanswered('group.member-unknown', 'group.unknown-member', unknownTitle, unknown)) {
    suite.check(
      'group.member-unknown',
      'group.unknown-member',
      unknownTitle,
      unknown.status === 400 || unknown.status === 404,
      `the add of member ${UNKNOWN_ID}, which is nobody, answered ${unknown.status}`,
      {
        expected: '400 or 404',
        actual: unknown.status ?? null,
        evidence: [unknown],
      },
    );
  }

  const url = `/Groups/${encodeURIComponent(group.id)}`;
  const deleted = await ctx.send({ method: 'DELETE', url }, 'group-negative');
  if (deleted.status === 204 || deleted.status === 200) ctx.run.ledger.removed('Group', group.id, ctx.name);
  // A server that answers a user's DELETE wrongly answers a group's the same way: one defect.
  const userDelete = ctx.checks.find((c) => c.rule === 'user.delete' && c.status === 'fail' && c.actual === deleted.status);
  if (userDelete && deleted.status !== 204) {
    suite.blocked(
      'group.delete',
      'group.delete',
      'DELETE of a group answers 204',
      userDelete,
      `DELETE of the group answered ${deleted.status} too`,
      [deleted],
    );
    return;
  }
  if (!expectStatus(ctx, deleted, [204], 'group.delete', 'group.delete', 'DELETE of a group answers 204', suite.range)) return;
  const gone = await ctx.send({ method: 'GET', url }, 'group-negative');
  const goneCheck = statusCheck(ctx, gone, [404], 'group.deleted', 'group.deleted', 'a deleted group answers 404', suite.range);
  const againTitle = 'deleting a deleted group again answers 404';
  if (goneCheck.status !== 'pass') {
    suite.blocked('group.deleted', 'group.deleted-again', againTitle, goneCheck, 'the deleted group is still there');
    return;
  }
  const twice: Exchange = await ctx.send({ method: 'DELETE', url }, 'group-negative');
  expectStatus(ctx, twice, [404], 'group.deleted', 'group.deleted-again', againTitle, suite.range);
}

function countOf(json: unknown): number {
  const members = getKey(json, 'members');
  return Array.isArray(members) ? members.length : 0;
}
