// Clearing values (RFC 7643 §2.5, RFC 7644 §3.5.2.2-3): a PATCH replace with null, a remove of a
// simple and of a multi-valued attribute, a remove of one element by value filter, each leaves
// the attribute unassigned (absent from the read-back, not an empty string); and a replace
// through a value path that matches nothing is refused with 400 noTarget, not turned into an
// add. Each runs on its own pool user so that one result never feeds the next.
import type { Suite } from './suite.ts';
import type { PoolUser } from './pool.ts';
import type { Declared } from './declared.ts';
import { characteristics } from './declared.ts';
import { patch } from '../../scim/dialects/base.ts';
import { getKey, getPath, type Resource } from '../../scim/resource.ts';
import { earlierRefusal, expectScimError, statusCheck } from '../protocol.ts';
import type { Exchange } from '../../scim/exchange.ts';
import { mappedValues, scenarioIdentity } from '../identity.ts';
import { CORE_USER_URN } from '../../scim-schema/index.ts';
import type { RuleId } from '../../checks/rules.ts';
import type { CheckResult } from '../result.ts';

export async function readResource(suite: Suite, url: string, step: string): Promise<{ exchange: Exchange; resource?: Resource }> {
  const exchange = await suite.ctx.send({ method: 'GET', url }, step);
  const resource =
    exchange.status === 200 && typeof exchange.json === 'object' && exchange.json !== null ? (exchange.json as Resource) : undefined;
  return resource ? { exchange, resource } : { exchange };
}

/** A write, then a read-back of the resource; when either fails, the check that says so (recorded). */
export async function writeThenRead(
  suite: Suite,
  request: Parameters<Suite['ctx']['send']>[0],
  url: string,
  rule: RuleId,
  id: string,
  title: string,
  /** Why a refusal of this write is the server's right (the check is then skipped), if it is. */
  excused?: (write: Exchange) => string | undefined,
): Promise<{ write: Exchange; read: Exchange; resource: Resource } | CheckResult> {
  const write = await suite.ctx.send(request, 'clearing');
  const excuse = excused?.(write);
  if (excuse) return suite.skipped(rule, id, title, excuse, [write]);
  // A refusal is judged by the rule the write is for; one the scenario already saw (the same
  // status and explanation) is blocked by the first (core/run/protocol.ts).
  const accepted = statusCheck(suite.ctx, write, [200, 204], rule, `${id}.accepted`, `${title}: the write is accepted`, suite.range);
  if (accepted.status !== 'pass') return accepted;
  const { exchange, resource } = await readResource(suite, url, 'clearing');
  if (!resource) return statusCheck(suite.ctx, exchange, [200], 'user.read', `${id}.read`, 'the user can be read back by id', suite.range);
  return { write, read: exchange, resource };
}

export function isRecorded(value: unknown): value is CheckResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'rule' in value;
}

/**
 * A clearing write the server refused with 400 "mutability" holds the attribute required (RFC
 * 7644 §3.5.2.2: "If an attribute is removed or becomes unassigned and is defined as a required
 * attribute ..., the server SHALL return ... a "scimType" error code of "mutability""). That is
 * the server's to decide: the check is skipped, saying so.
 */
function heldRequired(write: Exchange): string | undefined {
  return write.status === 400 && getKey(write.json, 'scimType') === 'mutability'
    ? 'the server refuses to unassign the attribute (400 mutability): it holds it required'
    : undefined;
}

/** A mapped, single-valued, simple attribute of the pool user that is not required: what null and remove clear. */
function simpleAttribute(suite: Suite, resource: Resource, declared: Declared): { path: string; value: unknown } | undefined {
  const first = Object.keys(suite.ctx.run.spec.identities)[0];
  const identity = scenarioIdentity(suite.ctx.run.spec.identities[first ?? ''] ?? {}, suite.tagged, suite.tag);
  for (const mapped of mappedValues(suite.ctx.run.spec, suite.ctx.scope({ identity }))) {
    const { attribute, parent, schema } = mapped.resolved;
    if (attribute.multiValued || attribute.type === 'complex' || parent?.multiValued) continue;
    const top = (parent ?? attribute).name;
    if (top.toLowerCase() === 'username' || top.toLowerCase() === 'active') continue;
    const declaredTop = characteristics(declared, schema.id, top);
    if (declaredTop?.required || (declaredTop && declaredTop.mutability !== 'readWrite')) continue;
    const value = getPath(resource, mapped.resolved);
    if (value === undefined || value === null || value === '') continue;
    return { path: mapped.path, value };
  }
  return undefined;
}

export async function clearingChecks(suite: Suite, users: readonly PoolUser[], declared: Declared): Promise<void> {
  const [nullUser, removeUser, elementUser] = users;
  if (!nullUser || !removeUser || !elementUser) return;

  // replace with null, and remove, of a simple attribute.
  for (const [user, how] of [
    [nullUser, 'null'],
    [removeUser, 'remove'],
  ] as const) {
    const url = `/Users/${encodeURIComponent(user.id)}`;
    const id = how === 'null' ? 'clear.replace-null' : 'clear.remove-simple';
    const title =
      how === 'null'
        ? 'a PATCH replace with null leaves the attribute unassigned'
        : 'a PATCH remove of a simple attribute leaves it unassigned';
    const before = await readResource(suite, url, 'clearing');
    if (!before.resource) {
      statusCheck(suite.ctx, before.exchange, [200], 'user.read', `${id}.read`, 'the user can be read back by id', suite.range);
      continue;
    }
    const target = simpleAttribute(suite, before.resource, declared);
    if (!target) {
      suite.skipped('user.clear', id, title, 'the mapping writes no optional single-valued attribute the server kept');
      continue;
    }
    const op = how === 'null' ? { op: 'replace', path: target.path, value: null } : { op: 'remove', path: target.path };
    const result = await writeThenRead(suite, patch(url, [op]), url, 'user.clear', id, title, heldRequired);
    if (isRecorded(result)) continue;
    const after = lookup(result.resource, target.path);
    suite.check(
      'user.clear',
      id,
      title,
      after === undefined,
      `after ${JSON.stringify(op)} the user still has ${target.path} = ${JSON.stringify(after)}`,
      {
        expected: '(absent)',
        actual: after ?? null,
        focus: [target.path.split(/[.:]/).pop() ?? target.path],
        evidence: [result.write, result.read],
      },
    );
  }

  // Multi-valued: add a second email, remove it by value filter (the other stays), then the
  // value path that matches nothing, then remove every email.
  const url = `/Users/${encodeURIComponent(elementUser.id)}`;
  const before = await readResource(suite, url, 'clearing');
  if (!before.resource) {
    statusCheck(suite.ctx, before.exchange, [200], 'user.read', 'clear.element.read', 'the user can be read back by id', suite.range);
    return;
  }
  const emails = getKey(before.resource, 'emails');
  const elementTitle = 'a PATCH remove by value filter removes that element and keeps the others';
  if (!Array.isArray(emails) || emails.length === 0) {
    suite.skipped('user.clear.element', 'clear.remove-element', elementTitle, 'the test user has no emails (the mapping writes none)');
    return;
  }
  const home = `home+${suite.tag}@example.test`;
  const added = await writeThenRead(
    suite,
    patch(url, [{ op: 'add', path: 'emails', value: [{ type: 'home', value: home }] }]),
    url,
    'user.clear.element',
    'clear.add-element',
    'a second email is added',
  );
  if (isRecorded(added)) return;
  const withHome = getKey(added.resource, 'emails');
  const hasHome = Array.isArray(withHome) && withHome.some((e) => getKey(e, 'type') === 'home');
  if (!hasHome) {
    suite.check(
      'user.clear.element',
      'clear.add-element',
      'an added email reads back',
      false,
      `after adding a home email the user's emails are ${JSON.stringify(withHome ?? null)}`,
      {
        evidence: [added.write, added.read],
      },
    );
    return;
  }
  const removed = await writeThenRead(
    suite,
    patch(url, [{ op: 'remove', path: 'emails[type eq "home"]' }]),
    url,
    'user.clear.element',
    'clear.remove-element',
    elementTitle,
  );
  if (!isRecorded(removed)) {
    const left = getKey(removed.resource, 'emails');
    const list = Array.isArray(left) ? left : [];
    const homeLeft = list.some((e) => getKey(e, 'type') === 'home');
    const kept = list.length === emails.length;
    suite.check(
      'user.clear.element',
      'clear.remove-element',
      elementTitle,
      !homeLeft && kept,
      homeLeft ? 'the home email is still there' : `${emails.length - list.length} of the other emails went with it`,
      { expected: emails.length, actual: list.length, focus: ['emails'], evidence: [removed.write, removed.read] },
    );
  }

  // A value path that matches no element: 400 noTarget (RFC 7644 §3.5.2.3), the user unchanged.
  const noMatch = await suite.ctx.send(
    patch(url, [{ op: 'replace', path: 'emails[type eq "other"].value', value: `other+${suite.tag}@example.test` }]),
    'clearing',
  );
  const refused = statusCheck(
    suite.ctx,
    noMatch,
    [400],
    'patch.no-target',
    'patch.value-path-no-match',
    'a replace through a value path that matches nothing is refused with 400',
    suite.range,
  );
  const sameRefusal = refused.status === 'pass' ? earlierRefusal(suite.ctx, noMatch) : undefined;
  if (sameRefusal && getKey(noMatch.json, 'scimType') !== 'noTarget') {
    // The server refuses every value path the same way: that it refuses this one too says nothing new.
    suite.blocked(
      'patch.no-target',
      'patch.value-path-no-match.scim-type',
      'SCIM error with scimType noTarget',
      sameRefusal,
      'the server refused value paths before',
      [noMatch],
    );
  } else if (refused.status === 'pass') {
    expectScimError(suite.ctx, noMatch, 'patch.value-path-no-match.body', suite.range, {
      value: 'noTarget',
      rule: 'patch.no-target',
      id: 'patch.value-path-no-match.scim-type',
    });
  }

  const allTitle = 'a PATCH remove of a multi-valued attribute leaves it unassigned';
  const emailsDeclared = characteristics(declared, CORE_USER_URN, 'emails');
  if (emailsDeclared?.required) {
    suite.skipped('user.clear', 'clear.remove-multi', allTitle, 'the server declares emails required');
    return;
  }
  const cleared = await writeThenRead(
    suite,
    patch(url, [{ op: 'remove', path: 'emails' }]),
    url,
    'user.clear',
    'clear.remove-multi',
    allTitle,
    heldRequired,
  );
  if (isRecorded(cleared)) return;
  const after = getKey(cleared.resource, 'emails');
  const none = after === undefined || after === null || (Array.isArray(after) && after.length === 0);
  suite.check('user.clear', 'clear.remove-multi', allTitle, none, `after removing "emails" the user still has ${JSON.stringify(after)}`, {
    expected: '(absent)',
    actual: after ?? null,
    focus: ['emails'],
    evidence: [cleared.write, cleared.read],
  });
}

/** The value at a mapping path (`name.givenName`, `urn:…:User:department`) in a resource, read case-insensitively. */
export function lookup(resource: Resource, path: string): unknown {
  const urn = /^(urn:.+):([^:]+)$/i.exec(path);
  let container: unknown = resource;
  let rest = path;
  if (urn) {
    const [, schema, attribute] = urn;
    if (schema!.toLowerCase() !== CORE_USER_URN.toLowerCase()) container = getKey(resource, schema!);
    rest = attribute!;
  }
  let value = container;
  for (const part of rest.split('.')) value = getKey(value, part);
  if (value === null || value === '') return undefined;
  return value;
}
