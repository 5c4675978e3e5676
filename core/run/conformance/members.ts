// Group membership semantics over a group of 50+ members, in the shapes each client sends:
// RFC 7644 PATCH add / remove by value filter / replace / remove-all, Entra's capitalised Add and
// value-array Remove, Okta's group push by PUT with the full member list. After every write the
// group is read back and its members compared with what must be there: the members named are
// changed, every member not named survives. A step whose precondition (the state before it)
// was already wrong is blocked by the step that found it.
import type { Suite } from './suite.ts';
import { plural } from './suite.ts';
import type { Pool } from './pool.ts';
import { dialectFor, type PlannedRequest, type ScimDialect } from '../../scim/dialects/index.ts';
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

/**
 * The membership steps of a suite, in its client's shapes: the rfc7644 suite speaks plain RFC
 * 7644 whatever the spec's dialect; the entra and okta suites speak their IdP's. Every client
 * adds one member and removes one (every other member must survive); then Entra removes two at
 * once, each replaces the whole list, and the RFC client removes all, Okta's AIW push by PUT none.
 */
export function memberSteps(suite: Suite, group: MemberGroup, pool: Pool): MemberStep[] {
  const ids = pool.users.map((u) => u.id);
  const many = ids.slice(0, 50);
  const [first, second, third] = [ids[0]!, ids[1]!, ids[2]!];
  const after51 = [...many, ids[50]!];
  const suiteName = suite.ctx.planned.conformance;
  const client: ScimDialect = suiteName === 'entra' || suiteName === 'okta' ? suite.ctx.dialect : dialectFor('rfc7644');
  const url = `/Groups/${encodeURIComponent(group.id)}`;
  const put = (members: readonly string[]): PlannedRequest => ({
    method: 'PUT',
    url,
    body: { schemas: [CORE_GROUP_URN], id: group.id, displayName: group.displayName, members: members.map((value) => ({ value })) },
  });
  const refs = (list: readonly string[]) => list.map((id) => ({ id }));
  const except = (...out: string[]) => new Set(after51.filter((id) => !out.includes(id)));
  const removeRule: RuleId = suiteName === 'entra' ? 'group.members.remove-by-value' : 'group.members.remove';
  return [
    suiteName === 'okta'
      ? step('put-50', `a group push by PUT with ${many.length} members keeps them all`, 'group.members.put', put(many), new Set(many))
      : step(
          'add-50',
          `adding ${many.length} members in one PATCH keeps them all`,
          'group.members.add',
          client.addMembers(group.id, refs(many)),
          new Set(many),
        ),
    step(
      'add-one',
      'adding one member keeps the other 50',
      'group.members.add',
      client.addMembers(group.id, refs([ids[50]!])),
      new Set(after51),
    ),
    step('remove-one', 'removing one member keeps the other 50', removeRule, client.removeMembers(group.id, refs([first])), except(first)),
    ...(suiteName === 'entra'
      ? [
          step(
            'remove-two',
            'removing two members at once keeps the rest',
            removeRule,
            client.removeMembers(group.id, refs([second, third])),
            except(first, second, third),
          ),
        ]
      : []),
    step(
      'replace',
      'replacing the members leaves exactly the two sent',
      'group.members.replace',
      client.replaceMembers(group.id, refs([second, third])),
      new Set([second, third]),
    ),
    ...(suiteName === 'okta'
      ? [step('put-none', 'a PUT with no members leaves none', 'group.members.put', put([]), new Set<string>())]
      : []),
    ...(suiteName === 'rfc7644'
      ? [
          step(
            'remove-all',
            'removing members without a filter leaves none',
            'group.members.remove-all',
            patch(url, [{ op: 'remove', path: 'members' }]),
            new Set<string>(),
          ),
        ]
      : []),
  ];
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
