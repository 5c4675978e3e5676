// /Groups: RFC 7643 §4.2, RFC 7644 §3.5.2, and the membership PATCH shapes Entra and Okta send.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GROUP,
  MS_LEGACY_GROUP,
  assertScimError,
  createGroup,
  createUser,
  expectStatus,
  getJson,
  memberIds,
  patch,
  patchOk,
  start,
  unique,
  type Json,
  type TestServer,
} from './client.ts';

describe('reference /Groups', () => {
  let c: TestServer;
  before(async () => {
    c = await start();
  });
  after(async () => {
    await c?.close();
  });

  async function users(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await createUser(c)).id);
    return ids;
  }

  it('POST creates: 201, id, meta, Location, members with value (and display/$ref if given)', async () => {
    const [u1] = await users(1);
    const name = unique('group');
    const res = await c.scim('POST', '/Groups', { schemas: [GROUP], displayName: name, members: [{ value: u1 }] });
    expectStatus(res, 201);
    const g = res.json;
    assert.equal(typeof g.id, 'string');
    assert.ok(g.schemas.includes(GROUP));
    assert.equal(g.displayName, name);
    assert.equal(g.meta.resourceType, 'Group');
    assert.equal(g.meta.location, `${c.baseUrl}/Groups/${g.id}`);
    assert.equal(res.headers.get('location'), g.meta.location);
    assert.equal(res.headers.get('etag'), g.meta.version);
    assert.deepEqual(memberIds(g), [u1]);
    const m = g.members[0];
    assert.ok(m.$ref === undefined || String(m.$ref).endsWith(`/Users/${u1}`), `$ref ${m.$ref}`);
    assert.ok(m.type === undefined || m.type === 'User');
    assert.deepEqual(await getJson(c, `/Groups/${g.id}`), g);
  });

  it('displayName is required: 400 invalidValue and nothing stored', async () => {
    const before = (await getJson(c, '/Groups?count=0')).totalResults;
    assertScimError(await c.scim('POST', '/Groups', { schemas: [GROUP], members: [] }), 400, 'invalidValue');
    assert.equal((await getJson(c, '/Groups?count=0')).totalResults, before);
  });

  it('an unknown group id is 404 for GET, PUT, PATCH and DELETE', async () => {
    assertScimError(await c.scim('GET', '/Groups/no-such-group'), 404);
    assertScimError(await c.scim('PUT', '/Groups/no-such-group', { schemas: [GROUP], displayName: 'x' }), 404);
    assertScimError(await c.scim('PATCH', '/Groups/no-such-group', patch({ op: 'replace', path: 'displayName', value: 'x' })), 404);
    assertScimError(await c.scim('DELETE', '/Groups/no-such-group'), 404);
  });

  it('the Microsoft legacy group schema URN in schemas is accepted', async () => {
    const res = await c.scim('POST', '/Groups', { schemas: [GROUP, MS_LEGACY_GROUP], displayName: unique('legacy'), externalId: 'ext-1' });
    expectStatus(res, 201);
    assert.equal(res.json.externalId, 'ext-1');
    const only = await c.scim('POST', '/Groups', { schemas: [MS_LEGACY_GROUP], displayName: unique('legacy-only') });
    expectStatus(only, 201);
  });

  it('PATCH add members (RFC shape) adds without duplicates', async () => {
    const [u1, u2, u3] = await users(3);
    const g = await createGroup(c, unique('add'), [u1!]);
    const out = await patchOk(c, `/Groups/${g.id}`, { op: 'add', path: 'members', value: [{ value: u2 }, { value: u1 }] });
    assert.deepEqual(memberIds(out), [u1, u2].sort());
    const out2 = await patchOk(c, `/Groups/${g.id}`, { op: 'add', value: { members: [{ value: u3 }] } });
    assert.deepEqual(memberIds(out2), [u1, u2, u3].sort());
  });

  it('Entra add shape {"op":"Add","path":"members","value":[{"$ref":null,"value":id}]}', async () => {
    const [u1, u2] = await users(2);
    const g = await createGroup(c, unique('entra-add'), [u1!]);
    const out = await patchOk(c, `/Groups/${g.id}`, { op: 'Add', path: 'members', value: [{ $ref: null, value: u2 }] });
    assert.deepEqual(memberIds(out), [u1, u2].sort());
    for (const m of out.members as Json[]) assert.notEqual(m.$ref, null, '$ref null is not echoed back as null');
  });

  it('remove members[value eq "id"] removes only that member', async () => {
    const [u1, u2, u3] = await users(3);
    const g = await createGroup(c, unique('rm-filter'), [u1!, u2!, u3!]);
    const out = await patchOk(c, `/Groups/${g.id}`, { op: 'remove', path: `members[value eq "${u2}"]` });
    assert.deepEqual(memberIds(out), [u1, u3].sort());
    assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), [u1, u3].sort());
  });

  it('Entra remove shape {"op":"Remove","path":"members","value":[{"value":id}]} removes only those', async () => {
    const [u1, u2, u3, u4] = await users(4);
    const g = await createGroup(c, unique('rm-entra'), [u1!, u2!, u3!, u4!]);
    const out = await patchOk(c, `/Groups/${g.id}`, { op: 'Remove', path: 'members', value: [{ value: u1 }, { value: u3 }] });
    assert.deepEqual(memberIds(out), [u2, u4].sort());
  });

  it('remove path "members" without a value empties the group', async () => {
    const [u1, u2] = await users(2);
    const g = await createGroup(c, unique('rm-all'), [u1!, u2!]);
    const out = await patchOk(c, `/Groups/${g.id}`, { op: 'remove', path: 'members' });
    assert.deepEqual(memberIds(out), []);
  });

  it('Okta group push rename {"op":"replace","value":{"id":gid,"displayName":"New"}} keeps id and members', async () => {
    const [u1] = await users(1);
    const g = await createGroup(c, unique('okta-old'), [u1!]);
    const newName = unique('okta-new');
    const out = await patchOk(c, `/Groups/${g.id}`, { op: 'replace', value: { id: g.id, displayName: newName } });
    assert.equal(out.displayName, newName);
    assert.equal(out.id, g.id);
    assert.deepEqual(memberIds(out), [u1]);
  });

  it('Okta replace members with a full list', async () => {
    const [u1, u2, u3] = await users(3);
    const g = await createGroup(c, unique('okta-replace'), [u1!, u2!]);
    const out = await patchOk(c, `/Groups/${g.id}`, { op: 'replace', path: 'members', value: [{ value: u2 }, { value: u3 }] });
    assert.deepEqual(memberIds(out), [u2, u3].sort());
  });

  it('PUT replaces the group, members included', async () => {
    const [u1, u2] = await users(2);
    const g = await createGroup(c, unique('put'), [u1!]);
    const res = await c.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Put Name', members: [{ value: u2 }] });
    expectStatus(res, 200);
    assert.equal(res.json.displayName, 'Put Name');
    assert.deepEqual(memberIds(res.json), [u2]);
    assert.equal(res.json.meta.created, g.meta.created);
    const cleared = await c.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Put Name' });
    expectStatus(cleared, 200);
    assert.deepEqual(memberIds(cleared.json), []);
  });

  it('excludedAttributes=members leaves the members out (Entra reads groups that way)', async () => {
    const [u1] = await users(1);
    const g = await createGroup(c, unique('excl'), [u1!]);
    const got = await getJson(c, `/Groups/${g.id}?excludedAttributes=members`);
    assert.equal(got.id, g.id);
    assert.equal(got.displayName, g.displayName);
    assert.equal(got.members, undefined);
  });

  it('deleting a user removes it from its groups', async () => {
    const [u1, u2] = await users(2);
    const g = await createGroup(c, unique('del-user'), [u1!, u2!]);
    expectStatus(await c.scim('DELETE', `/Users/${u1}`), 204);
    assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), [u2]);
  });

  it('DELETE a group is 204, then 404; its members still exist', async () => {
    const [u1] = await users(1);
    const g = await createGroup(c, unique('del-group'), [u1!]);
    const res = await c.scim('DELETE', `/Groups/${g.id}`);
    expectStatus(res, 204);
    assert.equal(res.text, '');
    assertScimError(await c.scim('GET', `/Groups/${g.id}`), 404);
    await getJson(c, `/Users/${u1}`);
  });

  it('a group PATCH whose second op fails changes nothing', async () => {
    const [u1, u2] = await users(2);
    const g = await createGroup(c, unique('atomic'), [u1!]);
    const before = await getJson(c, `/Groups/${g.id}`);
    const res = await c.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patch({ op: 'add', path: 'members', value: [{ value: u2 }] }, { op: 'replace', path: 'noSuchGroupAttribute', value: 'x' }),
    );
    assertScimError(res, 400);
    assert.deepEqual(await getJson(c, `/Groups/${g.id}`), before);
  });
});
