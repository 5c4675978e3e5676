// Group membership semantics over a group of 50+ members, in the shapes each client sends:
// RFC 7644 PATCH add / remove by value filter / replace / remove-all, Entra's capitalised Add and
// value-array Remove, Okta's group push by PUT with the full member list. After every write the
// group is read back and its members compared with what must be there: the members named are
// changed, every member not named survives. A step whose precondition (the state before it)
// was already wrong is blocked by the step that found it.
import type { Suite } from './suite.ts';
import { plural } from './suite.ts';
import type { Pool } from './pool.ts';
import type { PlannedRequest } from '../../scim/dialects/index.ts';
import { CORE_GROUP_URN, patch } from '../../scim/dialects/base.ts';
import { getKey } from '../../scim/resource.ts';
import { idOf, statusCheck } from '../protocol.ts';
import type { Exchange } from '../../scim/exchange.ts';
import type { CheckResult } from '../result.ts';
import type { RuleId } from '../../checks/rules.ts';

export interface MemberGroup {
  id: string;
  displayName: string;
  /** The members it has now (ids), when the last step left it as expected. */
  members: Set<string>;
  /** The check that found the group in an unexpected state, if one did. */
  broken?: CheckResult;
}

interface MemberStep {
  label: string;
  title: string;
  rule: RuleId;
  request: PlannedRequest;
  after: Set<string>;
}

/** A group created (empty) for the membership checks; undefined when the create failed (reported). */
export async function createMemberGroup(suite: Suite, name: string): Promise<MemberGroup | CheckResult> {
  const created = await suite.ctx.send(suite.ctx.dialect.createGroup(name, undefined), 'members');
  const id = created.status === 201 ? idOf(created) : undefined;
  const check = statusCheck(
    suite.ctx,
    created,
    [201],
    'group.setup',
    'members.group',
    'a group for the membership checks is created',
    suite.range,
  );
  if (check.status !== 'pass') return check;
  if (!id)
    return suite.check('user.create.identifiable', 'members.group.id', 'a group create names the new group', false, 'the 201 names no id', {
      evidence: [created],
    });
  return { id, displayName: name, members: new Set() };
}

/** The membership steps of a suite, in its client's shapes. */
export function memberSteps(suite: Suite, group: MemberGroup, pool: Pool): MemberStep[] {
  const ids = pool.users.map((u) => u.id);
  const many = ids.slice(0, 50);
  const [first, second, third] = [ids[0]!, ids[1]!, ids[2]!];
  const extra = ids[50]!;
  const url = `/Groups/${encodeURIComponent(group.id)}`;
  const all = (list: readonly string[]) => new Set(list);
  const without = (set: readonly string[], ...out: string[]) => new Set(set.filter((id) => !out.includes(id)));
  const dialect = suite.ctx.dialect;
  const after51 = [...many, extra];
  switch (suite.ctx.planned.conformance) {
    case 'okta': {
      const put = (members: readonly string[]): PlannedRequest => ({
        method: 'PUT',
        url,
        body: { schemas: [CORE_GROUP_URN], id: group.id, displayName: group.displayName, members: members.map((value) => ({ value })) },
      });
      return [
        step('put-50', `a group push by PUT with ${many.length} members keeps them all`, 'group.members.put', put(many), all(many)),
        step(
          'add-one',
          'adding one member keeps the other 50',
          'group.members.add',
          dialect.addMembers(group.id, [{ id: extra }]),
          all(after51),
        ),
        step(
          'remove-one',
          'removing one member keeps the other 50',
          'group.members.remove',
          dialect.removeMembers(group.id, [{ id: first }]),
          without(after51, first),
        ),
        // Okta's full push of the membership (OIN apps, by PATCH), then an AIW app's PUT of none.
        step(
          'replace-two',
          "Okta's full push (replace of members) leaves exactly the two members sent",
          'group.members.replace',
          dialect.replaceMembers(group.id, [{ id: second }, { id: third }]),
          all([second, third]),
        ),
        step('put-none', 'a PUT with no members leaves none', 'group.members.put', put([]), all([])),
      ];
    }
    case 'entra':
      return [
        step(
          'add-50',
          `adding ${many.length} members in one PATCH keeps them all`,
          'group.members.add',
          dialect.addMembers(
            group.id,
            many.map((id) => ({ id })),
          ),
          all(many),
        ),
        step(
          'add-one',
          'adding one member keeps the other 50',
          'group.members.add',
          dialect.addMembers(group.id, [{ id: extra }]),
          all(after51),
        ),
        step(
          'remove-one',
          "Entra's Remove with a value array removes that member and keeps the other 50",
          'group.members.remove-by-value',
          dialect.removeMembers(group.id, [{ id: first }]),
          without(after51, first),
        ),
        step(
          'remove-two',
          "Entra's Remove with two values removes both and keeps the rest",
          'group.members.remove-by-value',
          dialect.removeMembers(group.id, [{ id: second }, { id: third }]),
          without(after51, first, second, third),
        ),
        step(
          'replace',
          'a Replace of members leaves exactly the members sent',
          'group.members.replace',
          dialect.replaceMembers(group.id, [{ id: second }, { id: third }]),
          all([second, third]),
        ),
      ];
    default:
      return [
        step(
          'add-50',
          `adding ${many.length} members in one PATCH keeps them all`,
          'group.members.add',
          patch(url, [{ op: 'add', path: 'members', value: many.map((value) => ({ value })) }]),
          all(many),
        ),
        step(
          'add-one',
          'adding one member keeps the other 50',
          'group.members.add',
          patch(url, [{ op: 'add', path: 'members', value: [{ value: extra }] }]),
          all(after51),
        ),
        step(
          'remove-one',
          'removing one member by value filter keeps the other 50',
          'group.members.remove',
          patch(url, [{ op: 'remove', path: `members[value eq ${JSON.stringify(first)}]` }]),
          without(after51, first),
        ),
        step(
          'replace',
          'replacing members leaves exactly the members sent',
          'group.members.replace',
          dialect.replaceMembers(group.id, [{ id: second }, { id: third }]),
          all([second, third]),
        ),
        step(
          'remove-all',
          'removing members without a filter leaves none',
          'group.members.remove-all',
          patch(url, [{ op: 'remove', path: 'members' }]),
          all([]),
        ),
      ];
  }
}

function step(label: string, title: string, rule: RuleId, request: PlannedRequest, after: Set<string>): MemberStep {
  return { label, title, rule, request, after };
}

/** Runs the steps; the group's state after each must be exactly what the step says. */
export async function membershipChecks(suite: Suite, group: MemberGroup, steps: readonly MemberStep[]): Promise<void> {
  const { ctx } = suite;
  for (const s of steps) {
    const id = `members.${s.label}`;
    if (group.broken) {
      suite.blocked(s.rule, id, s.title, group.broken, "the group's members were already not as expected");
      continue;
    }
    const write = await ctx.send(s.request, 'members');
    const accepted = statusCheck(
      ctx,
      write,
      [200, 204],
      'group.change-member',
      `${id}.accepted`,
      `${s.title}: the write is accepted`,
      suite.range,
    );
    if (accepted.status !== 'pass') {
      group.broken = accepted;
      continue;
    }
    const read = await readMembers(suite, group.id);
    if (!read.members) {
      group.broken = suite.check('group.read-members', `${id}.read`, "the group's members can be read back", false, read.message, {
        evidence: read.evidence,
      });
      continue;
    }
    const actual = read.members;
    const missing = [...s.after].filter((m) => !actual.has(m));
    const unexpected = [...actual].filter((m) => !s.after.has(m));
    const ok = missing.length === 0 && unexpected.length === 0;
    const check = suite.check(
      s.rule,
      id,
      s.title,
      ok,
      `after ${write.method} ${write.url} the group has ${plural(actual.size, 'member')}, not ${s.after.size}: ` +
        [
          missing.length ? `${plural(missing.length, 'member')} missing (${some(missing)})` : '',
          unexpected.length ? `${plural(unexpected.length, 'member')} that should be gone (${some(unexpected)})` : '',
        ]
          .filter(Boolean)
          .join(', '),
      { expected: `${plural(s.after.size, 'member')}`, actual: `${plural(actual.size, 'member')}`, evidence: [write, ...read.evidence] },
    );
    if (check.status === 'pass') group.members = actual;
    else group.broken = check;
  }
}

/** The first few of some ids, for a message. */
function some(ids: readonly string[]): string {
  return `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}`;
}

/**
 * The group's member ids, read by GET. A server whose schema returns members only on request
 * (returned "request") is asked again with attributes=members before an absence counts.
 */
export async function readMembers(suite: Suite, id: string): Promise<{ members?: Set<string>; message: string; evidence: Exchange[] }> {
  const url = `/Groups/${encodeURIComponent(id)}`;
  const plain = await suite.ctx.send({ method: 'GET', url }, 'members');
  if (plain.status !== 200 || typeof plain.json !== 'object' || plain.json === null) {
    return {
      message: `GET ${url} ${plain.status === undefined ? `got no answer: ${plain.error}` : `answered ${plain.status}`}`,
      evidence: [plain],
    };
  }
  let exchange = plain;
  if (getKey(plain.json, 'members') === undefined) {
    const asked = await suite.ctx.send({ method: 'GET', url: `${url}?attributes=members` }, 'members');
    if (asked.status === 200) exchange = asked;
  }
  const members = getKey(exchange.json, 'members');
  if (members !== undefined && !Array.isArray(members)) {
    return { message: `"members" is ${JSON.stringify(members).slice(0, 80)}, not a list`, evidence: [exchange] };
  }
  const out = new Set<string>();
  for (const m of (members as unknown[] | undefined) ?? []) {
    const value = getKey(m, 'value');
    if (typeof value === 'string') out.add(value);
  }
  return { members: out, message: '', evidence: exchange === plain ? [plain] : [plain, exchange] };
}
