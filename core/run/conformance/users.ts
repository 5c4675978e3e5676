// What a client observes of users beyond the lifecycle: a PUT replaces the resource (what it
// leaves out is gone; Okta updates by GET + PUT), a PUT to an id that does not exist does not
// create one, userName can be renamed, a password is never returned, an attribute the server
// does not know is ignored or refused cleanly, and a deleted user's userName can be provisioned
// again. Entra's string booleans on a create are in the entra suite.
import type { Suite } from './suite.ts';
import { filterText, listedIds, query } from './suite.ts';
import type { PoolUser } from './pool.ts';
import type { Declared } from './declared.ts';
import { characteristics } from './declared.ts';
import { isRecorded, readResource, writeThenRead } from './clearing.ts';
import { patch } from '../../scim/dialects/base.ts';
import { getKey, type Resource } from '../../scim/resource.ts';
import { CORE_USER_URN, ENTERPRISE_USER_URN } from '../../scim-schema/index.ts';
import { userBody } from './pool.ts';
import { expectStatus, idOf, statusCheck } from '../protocol.ts';
import { tagValue } from '../identity.ts';
import { randomBytes } from 'node:crypto';
import { diffResources } from '../audit-diff.ts';

const UNKNOWN_ID = '00000000-0000-4000-8000-0000000000fd';
/** Optional core attributes a PUT can clear with null (the first the server kept is used). */
const DROPPABLE = [
  'title',
  'nickName',
  'displayName',
  'profileUrl',
  'locale',
  'timezone',
  'preferredLanguage',
  'userType',
  'name',
  'phoneNumbers',
  'addresses',
];

/**
 * A PUT of the user as read, with one stored attribute sent as null: afterwards it is gone
 * (RFC 7644 §3.5.1: values provided replace; null clears). Leaving the attribute out instead
 * is not checked: for an omitted readWrite attribute the RFC lets the server clear it or keep
 * a default (MAY), so no verdict on it could be fair.
 */
export async function putReplacesChecks(suite: Suite, user: PoolUser, declared: Declared): Promise<void> {
  const url = `/Users/${encodeURIComponent(user.id)}`;
  const title = 'a PUT replaces the user: an attribute it sends as null is gone afterwards';
  // A title of ours, so there is a plain optional attribute to clear whatever the mapping writes.
  const seeded = await writeThenRead(
    suite,
    patch(url, [{ op: 'replace', path: 'title', value: `provspec ${suite.tag}` }]),
    url,
    'user.update',
    'put.seed',
    'a title is set to clear',
  );
  if (isRecorded(seeded)) return;
  const current = seeded.resource;
  const left = DROPPABLE.find((name) => {
    const value = getKey(current, name);
    const declaredAttr = characteristics(declared, CORE_USER_URN, name);
    return (
      value !== undefined &&
      value !== null &&
      value !== '' &&
      !declaredAttr?.required &&
      (declaredAttr?.mutability ?? 'readWrite') === 'readWrite'
    );
  });
  if (!left) {
    suite.skipped(
      'user.put.replaces',
      'put.replaces',
      title,
      'the server kept no optional core attribute (title, nickName, name…) to leave out',
    );
    return;
  }
  const body: Resource = {};
  for (const [key, value] of Object.entries(current)) {
    if (key === 'meta' || key.toLowerCase() === 'groups') continue;
    body[key] = key.toLowerCase() === left.toLowerCase() ? null : value;
  }
  const put = await suite.ctx.send({ method: 'PUT', url, body }, 'put');
  if (!expectStatus(suite.ctx, put, [200], 'user.put', 'put.accepted', 'a PUT of the full user is accepted with 200', suite.range)) return;
  const { exchange, resource } = await readResource(suite, url, 'put');
  if (!resource) {
    statusCheck(suite.ctx, exchange, [200], 'user.read', 'put.read', 'the user can be read back by id', suite.range);
    return;
  }
  const still = getKey(resource, left);
  suite.check(
    'user.put.replaces',
    'put.replaces',
    title,
    still === undefined || still === null || still === '',
    `the PUT sent ${left}: null, yet it still reads ${JSON.stringify(still)}: the PUT was merged, not applied`,
    {
      expected: '(absent)',
      actual: still ?? null,
      focus: [left],
      evidence: [put, exchange],
    },
  );
}

/** A PUT to an id nobody has is 404, not a create. */
export async function putUnknownCheck(suite: Suite, body: Resource): Promise<void> {
  const url = `/Users/${UNKNOWN_ID}`;
  const sent: Resource = { ...body, id: UNKNOWN_ID };
  const put = await suite.ctx.send({ method: 'PUT', url, body: sent }, 'put');
  if (put.status !== undefined && put.status < 300) {
    // It made one: cleanup must remove it.
    const id = idOf(put) ?? UNKNOWN_ID;
    suite.ctx.run.ledger.created('User', id, String(sent['userName']), suite.ctx.name);
  }
  expectStatus(
    suite.ctx,
    put,
    [404],
    'user.put.unknown',
    'put.unknown-id',
    'a PUT to an id that does not exist answers 404, and creates nothing',
    suite.range,
  );
}

/** PATCH of userName: the new name reads back and finds the user; the old one finds nobody. */
export async function renameCheck(suite: Suite, user: PoolUser, declared: Declared): Promise<void> {
  const url = `/Users/${encodeURIComponent(user.id)}`;
  const renamed = tagValue(user.userName, 'renamed');
  const title = 'a PATCH of userName renames the user: the new name reads back and filters find it';
  const mutability = characteristics(declared, CORE_USER_URN, 'userName')?.mutability;
  if (mutability === 'immutable' || mutability === 'readOnly') {
    suite.skipped('user.rename', 'user.rename', title, `the server declares userName ${mutability}`);
    return;
  }
  const result = await writeThenRead(
    suite,
    patch(url, [{ op: 'replace', path: 'userName', value: renamed }]),
    url,
    'user.rename',
    'user.rename',
    title,
  );
  if (isRecorded(result)) return;
  const now = getKey(result.resource, 'userName');
  const byNew = await suite.ctx.send({ method: 'GET', url: query('/Users', { filter: filterText('userName', 'eq', renamed) }) }, 'rename');
  const byOld = await suite.ctx.send(
    { method: 'GET', url: query('/Users', { filter: filterText('userName', 'eq', user.userName) }) },
    'rename',
  );
  const problems: string[] = [];
  if (typeof now !== 'string' || now.toLowerCase() !== renamed.toLowerCase())
    problems.push(`userName reads back as ${JSON.stringify(now ?? null)}, not ${JSON.stringify(renamed)}`);
  else if (!listedIds(byNew)?.includes(user.id)) problems.push(`userName eq ${JSON.stringify(renamed)} does not find the user`);
  else if (listedIds(byOld)?.includes(user.id))
    problems.push(`userName eq ${JSON.stringify(user.userName)} (the old name) still finds the user`);
  suite.check('user.rename', 'user.rename', title, problems.length === 0, problems.join('; '), {
    expected: renamed,
    actual: now ?? null,
    focus: ['userName'],
    evidence: [result.write, result.read, byNew, byOld],
  });
  if (problems.length === 0) user.userName = renamed;
}

/** A password sent on create is never returned, by the create or by a read (RFC 7643 §4.1.1, §7). */
export async function passwordCheck(suite: Suite, body: Resource): Promise<void> {
  const { ctx } = suite;
  const password = `Ps-${randomBytes(12).toString('base64url')}!9a`;
  ctx.run.secrets.add(password);
  const sent: Resource = { ...body, password };
  const title = 'a password is never returned, by the create or by a read';
  const created = await ctx.send({ method: 'POST', url: '/Users', body: sent }, 'password');
  const id = created.status === 201 ? idOf(created) : undefined;
  if (!id) {
    suite.skipped(
      'user.password.never-returned',
      'user.password',
      title,
      `the create with a password answered ${created.status ?? created.error}: the server takes no passwords this way`,
      [created],
    );
    return;
  }
  const read = await ctx.send({ method: 'GET', url: `/Users/${encodeURIComponent(id)}` }, 'password');
  const returned = [created, read].filter((e) => getKey(e.json, 'password') !== undefined);
  suite.check(
    'user.password.never-returned',
    'user.password',
    title,
    returned.length === 0,
    `${returned.map((e) => `${e.method} ${e.url}`).join(' and ')} returned "password"`,
    {
      focus: ['password'],
      evidence: [created, read],
    },
  );
}

/** An attribute no schema of the server defines, on a create: ignored (201) or refused with 400, never a 5xx. */
export async function unknownAttributeCheck(suite: Suite, body: Resource): Promise<void> {
  const { ctx } = suite;
  const sent: Resource = { ...body, provspecUnknownAttribute: 'x' };
  const created = await ctx.send({ method: 'POST', url: '/Users', body: sent }, 'unknown-attribute');
  const title = 'a create with an attribute the server does not define is ignored (201) or refused (400)';
  if (suite.unanswered('user.create.unknown-attribute', 'user.unknown-attribute', title, created)) return;
  const status = created.status!;
  const scimType = getKey(created.json, 'scimType');
  const ok =
    status === 201 ||
    (status === 400 &&
      (scimType === undefined || scimType === 'invalidSyntax' || scimType === 'invalidValue' || scimType === 'invalidPath'));
  suite.check(
    'user.create.unknown-attribute',
    'user.unknown-attribute',
    title,
    ok,
    `the create answered ${status}${typeof scimType === 'string' ? ` (${scimType})` : ''}`,
    {
      expected: '201, or 400 invalidSyntax',
      actual: status,
      evidence: [created],
    },
  );
}

/** After a DELETE, the same userName and externalId can be provisioned again (a rehire after a hard delete). */
export async function recreateCheck(suite: Suite, body: Resource, deleteCheck: { status: string; id: string } | undefined): Promise<void> {
  const title = 'a deleted user can be provisioned again with the same userName and externalId';
  if (deleteCheck?.status !== 'pass') {
    if (deleteCheck) suite.blocked('user.recreate', 'user.recreate', title, deleteCheck.id, 'the user was not deleted');
    return;
  }
  const again = await suite.ctx.send({ method: 'POST', url: '/Users', body }, 'recreate');
  expectStatus(suite.ctx, again, [201], 'user.recreate', 'user.recreate', title, suite.range);
}

const ROLE = { type: 'WindowsAzureActiveDirectoryRole', value: 'provspec' };

/** Entra's create with "True"/"False" strings for booleans (roles[].primary): accepted, read back as booleans. */
export async function stringBooleanCreateCheck(suite: Suite, body: Resource): Promise<void> {
  const { ctx } = suite;
  const title = 'a create with "True"/"False" strings for booleans (as Entra sends roles) is accepted';
  const earlier = ctx.checks.find(
    (c) => c.status === 'fail' && c.evidence.some((e) => e.requestBody?.includes('"False"') || e.requestBody?.includes('"True"')),
  );
  if (earlier) {
    suite.blocked('user.create.string-booleans', 'user.string-booleans', title, earlier, 'the server refused a string boolean already');
    return;
  }
  const sent: Resource = {
    ...body,
    active: 'True',
    roles: [{ ...ROLE, primary: 'True' }],
  };
  const created = await ctx.send({ method: 'POST', url: '/Users', body: sent }, 'string-booleans');
  if (created.status === 400) {
    // The same create with JSON booleans tells whether the strings were what it refused.
    const plain = await ctx.send(
      { method: 'POST', url: '/Users', body: { ...sent, active: true, roles: [{ ...ROLE, primary: true }] } },
      'string-booleans',
    );
    if (plain.status !== 201) {
      suite.skipped(
        'user.create.string-booleans',
        'user.string-booleans',
        title,
        `the create is refused with JSON booleans too (${plain.status ?? plain.error}): not for its strings`,
        [created, plain],
      );
      return;
    }
  }
  expectStatus(ctx, created, [201], 'user.create.string-booleans', 'user.string-booleans', title, suite.range);
}

/**
 * An attribute the server declares immutable, once set, cannot be changed: a PATCH that changes
 * it is refused (400) and the value stays. Checked only where the server declares one.
 */
export async function immutableCheck(suite: Suite, declared: Declared): Promise<void> {
  const { ctx } = suite;
  const title = 'a change to an attribute the server declares immutable is refused, and the value stays';
  const found = declaredImmutable(declared);
  if (!found) {
    suite.skipped('user.immutable', 'user.immutable', title, 'the server declares no single-valued string User attribute immutable');
    return;
  }
  const { urn, name } = found;
  const path = urn === CORE_USER_URN ? name : `${urn}:${name}`;
  const value = `provspec-${suite.tag}`;
  const body = userBody(suite, 'im');
  if (urn === CORE_USER_URN) body[name] = value;
  else {
    body[urn] = { ...((body[urn] as Record<string, unknown> | undefined) ?? {}), [name]: value };
    const schemas = Array.isArray(body['schemas']) ? (body['schemas'] as string[]) : [CORE_USER_URN];
    body['schemas'] = schemas.includes(urn) ? schemas : [...schemas, urn];
  }
  const created = await ctx.send({ method: 'POST', url: '/Users', body }, 'immutable');
  const id = created.status === 201 ? idOf(created) : undefined;
  if (!id) {
    suite.skipped('user.immutable', 'user.immutable', title, `the create that sets ${path} answered ${created.status ?? created.error}`, [
      created,
    ]);
    return;
  }
  const url = `/Users/${encodeURIComponent(id)}`;
  const change = await ctx.send(patch(url, [{ op: 'replace', path, value: `${value}-changed` }]), 'immutable');
  const { exchange, resource } = await readResource(suite, url, 'immutable');
  const after = resource ? (urn === CORE_USER_URN ? getKey(resource, name) : getKey(getKey(resource, urn), name)) : undefined;
  const problems: string[] = [];
  if (change.status !== 400) problems.push(`the PATCH changing ${path} answered ${change.status ?? change.error}, not 400`);
  if (resource && after !== value) problems.push(`${path} now reads ${JSON.stringify(after ?? null)}, not ${JSON.stringify(value)}`);
  suite.check(
    'user.immutable',
    'user.immutable',
    title,
    problems.length === 0 && resource !== undefined,
    problems.join('; ') || `the read-back answered ${exchange.status}`,
    {
      expected: value,
      actual: after ?? null,
      focus: [name],
      evidence: [change, exchange],
    },
  );
}

function declaredImmutable(declared: Declared): { urn: string; name: string } | undefined {
  for (const schema of declared.schemas ?? []) {
    const urn = String(getKey(schema, 'id'));
    if (urn !== CORE_USER_URN && urn !== ENTERPRISE_USER_URN) continue;
    const attributes = getKey(schema, 'attributes');
    if (!Array.isArray(attributes)) continue;
    for (const attribute of attributes) {
      const name = String(getKey(attribute, 'name'));
      if (
        getKey(attribute, 'mutability') === 'immutable' &&
        getKey(attribute, 'type') === 'string' &&
        getKey(attribute, 'multiValued') !== true &&
        name.toLowerCase() !== 'id'
      )
        return { urn, name };
    }
  }
  return undefined;
}

/**
 * A PATCH is all or nothing (RFC 7644 §3.5.2): two operations, a valid change of
 * name.familyName and then active set to an object, which no server can store as a boolean. The
 * PATCH must fail, and the user read back must be what it was, attribute by attribute: a server
 * that kept the first operation lost the atomicity that an IdP's retry relies on.
 */
export async function patchAtomicCheck(suite: Suite): Promise<void> {
  const { ctx } = suite;
  const rule = 'patch.atomic';
  const title = 'a PATCH whose second operation fails changes nothing: the first is not kept either';
  const created = await ctx.send({ method: 'POST', url: '/Users', body: userBody(suite, 'at') }, 'patch-atomic');
  const id = created.status === 201 ? idOf(created) : undefined;
  if (!id) return void suite.skipped(rule, rule, title, `the create answered ${created.status ?? created.error}`, [created]);
  const url = `/Users/${encodeURIComponent(id)}`;
  const before = await readResource(suite, url, 'patch-atomic');
  if (!before.resource)
    return void suite.skipped(rule, rule, title, `the user could not be read back (${before.exchange.status})`, [before.exchange]);
  const sent = await ctx.send(
    patch(url, [
      { op: 'replace', path: 'name.familyName', value: `Changed ${suite.tag}` },
      { op: 'replace', path: 'active', value: { not: 'a boolean' } },
    ]),
    'patch-atomic',
  );
  if (suite.unanswered(rule, rule, title, sent)) return;
  if (sent.status !== undefined && sent.status < 300) {
    return void suite.skipped(rule, rule, title, `the server took active set to an object (${sent.status}): no operation failed`, [sent]);
  }
  const after = await readResource(suite, url, 'patch-atomic');
  const changes = after.resource ? diffResources(before.resource, after.resource) : [];
  const shown = changes.map((c) => `${c.attribute} ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`).join('; ');
  suite.check(
    rule,
    rule,
    title,
    after.resource !== undefined && changes.length === 0,
    after.resource
      ? `the PATCH was refused (${sent.status}), yet the user changed: ${shown}`
      : `the user could not be read back after the refused PATCH (${after.exchange.status})`,
    {
      expected: 'unchanged',
      actual: changes.length ? changes : 'unchanged',
      focus: changes.map((c) => c.attribute),
      evidence: [before.exchange, sent, after.exchange],
    },
  );
}
