// /Users CRUD against the reference server: RFC 7644 §3.3-3.6, RFC 7643 §3 (meta), §4.1 (User).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENTERPRISE,
  USER,
  assertScimError,
  countUsers,
  createGroup,
  createUser,
  expectStatus,
  getJson,
  patchOk,
  start,
  unique,
  type Json,
  type TestServer,
} from './client.ts';

describe('reference /Users', () => {
  let c: TestServer;
  before(async () => {
    c = await start();
  });
  after(async () => {
    await c?.close();
  });

  it('POST creates: 201, id, meta, Location = meta.location, ETag = meta.version', async () => {
    const userName = unique('create');
    const res = await c.scim('POST', '/Users', {
      schemas: [USER],
      userName,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ type: 'work', value: 'ada@example.com', primary: true }],
      active: true,
    });
    expectStatus(res, 201);
    const u = res.json;
    assert.equal(typeof u.id, 'string');
    assert.ok(u.id.length > 0);
    assert.equal(u.userName, userName);
    assert.ok(u.schemas.includes(USER));
    assert.equal(u.name.givenName, 'Ada');
    assert.equal(u.name.familyName, 'Lovelace');
    assert.equal(u.emails[0].value, 'ada@example.com');
    assert.equal(u.active, true);
    assert.equal(u.meta.resourceType, 'User');
    assert.ok(!Number.isNaN(Date.parse(u.meta.created)), 'meta.created is a dateTime');
    assert.ok(!Number.isNaN(Date.parse(u.meta.lastModified)), 'meta.lastModified is a dateTime');
    assert.equal(u.meta.location, `${c.baseUrl}/Users/${u.id}`);
    assert.equal(res.headers.get('location'), u.meta.location);
    assert.equal(typeof u.meta.version, 'string');
    assert.equal(res.headers.get('etag'), u.meta.version);
  });

  it('GET by id returns the same resource with its ETag; an unknown id is 404', async () => {
    const created = await createUser(c, { displayName: 'Got Me' });
    const res = await c.scim('GET', `/Users/${created.id}`);
    expectStatus(res, 200);
    assert.deepEqual(res.json, created);
    assert.equal(res.headers.get('etag'), created.meta.version);
    assertScimError(await c.scim('GET', '/Users/does-not-exist-0000'), 404);
  });

  it('ids are distinct across users', async () => {
    const a = await createUser(c);
    const b = await createUser(c);
    assert.notEqual(a.id, b.id);
  });

  it('PUT replaces: attributes not sent are cleared, readOnly id/meta/groups are ignored', async () => {
    const created = await createUser(c, {
      displayName: 'Before',
      nickName: 'nick',
      title: 'Engineer',
      name: { givenName: 'Old', familyName: 'Name' },
      emails: [{ type: 'work', value: 'old@example.com' }],
    });
    const res = await c.scim('PUT', `/Users/${created.id}`, {
      schemas: [USER],
      id: 'attempted-new-id',
      userName: created.userName,
      name: { givenName: 'New' },
      meta: { resourceType: 'User', created: '2000-01-01T00:00:00Z', version: 'W/"bogus"' },
      groups: [{ value: 'some-group' }],
    });
    expectStatus(res, 200);
    const u = res.json;
    assert.equal(u.id, created.id);
    assert.equal(u.userName, created.userName);
    assert.equal(u.name.givenName, 'New');
    assert.equal(u.name.familyName, undefined, 'name.familyName not sent: cleared');
    assert.equal(u.displayName, undefined);
    assert.equal(u.nickName, undefined);
    assert.equal(u.title, undefined);
    assert.equal(u.emails, undefined);
    assert.ok(u.groups === undefined || (Array.isArray(u.groups) && u.groups.length === 0), 'groups is readOnly');
    assert.equal(u.meta.created, created.meta.created);
    assert.notEqual(u.meta.version, created.meta.version, 'a new version after a change');
    assert.notEqual(u.meta.version, 'W/"bogus"');
    assert.ok(Date.parse(u.meta.lastModified) >= Date.parse(created.meta.lastModified));
    assert.deepEqual(await getJson(c, `/Users/${created.id}`), u);
  });

  it('PUT to an unknown id is 404', async () => {
    assertScimError(await c.scim('PUT', '/Users/does-not-exist-0001', { schemas: [USER], userName: unique() }), 404);
  });

  it('PATCH with add, replace and remove', async () => {
    const created = await createUser(c, { displayName: 'Patch Me', nickName: 'gone soon', name: { givenName: 'G', familyName: 'F' } });
    const u = await patchOk(
      c,
      `/Users/${created.id}`,
      { op: 'add', path: 'title', value: 'Boss' },
      { op: 'replace', path: 'displayName', value: 'Patched' },
      { op: 'replace', path: 'name.familyName', value: 'F2' },
      { op: 'remove', path: 'nickName' },
      { op: 'add', value: { preferredLanguage: 'en-GB' } },
    );
    assert.equal(u.title, 'Boss');
    assert.equal(u.displayName, 'Patched');
    assert.equal(u.name.givenName, 'G');
    assert.equal(u.name.familyName, 'F2');
    assert.equal(u.nickName, undefined);
    assert.equal(u.preferredLanguage, 'en-GB');
    assert.equal(u.id, created.id);
    assert.deepEqual(await getJson(c, `/Users/${created.id}`), u);
  });

  it('PATCH to an unknown id is 404', async () => {
    const res = await c.scim('PATCH', '/Users/does-not-exist-0002', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'x' }],
    });
    assertScimError(res, 404);
  });

  it('DELETE is 204 with no body; then GET and a second DELETE are 404', async () => {
    const created = await createUser(c);
    const res = await c.scim('DELETE', `/Users/${created.id}`);
    expectStatus(res, 204);
    assert.equal(res.text, '');
    assertScimError(await c.scim('GET', `/Users/${created.id}`), 404);
    assertScimError(await c.scim('DELETE', `/Users/${created.id}`), 404);
    assert.equal(await countUsers(c, `userName eq "${created.userName}"`), 0);
  });

  it('userName is unique case-insensitively on POST: 409 uniqueness, nothing stored', async () => {
    const base = unique('dup');
    await createUser(c, { userName: base });
    const res = await c.scim('POST', '/Users', { schemas: [USER], userName: base.toUpperCase() });
    assertScimError(res, 409, 'uniqueness');
    assert.equal(await countUsers(c, `userName eq "${base}"`), 1);
  });

  it('userName is unique on PUT too: renaming onto another user is 409 uniqueness', async () => {
    const a = await createUser(c);
    const b = await createUser(c);
    const res = await c.scim('PUT', `/Users/${b.id}`, { schemas: [USER], userName: a.userName.toUpperCase() });
    assertScimError(res, 409, 'uniqueness');
    assert.equal((await getJson(c, `/Users/${b.id}`)).userName, b.userName);
  });

  it('a missing userName is 400 invalidValue, nothing stored', async () => {
    const before = await countUsers(c);
    assertScimError(await c.scim('POST', '/Users', { schemas: [USER], displayName: 'No userName' }), 400, 'invalidValue');
    assert.equal(await countUsers(c), before);
  });

  it('wrongly typed attributes are 400 invalidValue, nothing stored', async () => {
    const before = await countUsers(c);
    for (const bad of [{ active: 'yes' }, { name: 5 }, { emails: 'a@b.c' }, { userName: 42 }]) {
      const res = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('typed'), ...bad });
      assertScimError(res, 400, 'invalidValue');
    }
    assert.equal(await countUsers(c), before);
  });

  it('an unknown attribute or an unknown schema URN is a 400 SCIM error, nothing stored', async () => {
    const before = await countUsers(c);
    const unknownAttribute = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('unk'), favouriteColour: 'blue' });
    assertScimError(unknownAttribute, 400);
    assert.ok(['invalidSyntax', 'invalidValue'].includes(unknownAttribute.json.scimType), `scimType ${unknownAttribute.json.scimType}`);
    const unknownSchema = await c.scim('POST', '/Users', {
      schemas: [USER, 'urn:example:params:scim:schemas:nothing:1.0:User'],
      userName: unique('unk'),
    });
    assertScimError(unknownSchema, 400);
    assert.ok(['invalidSyntax', 'invalidValue'].includes(unknownSchema.json.scimType), `scimType ${unknownSchema.json.scimType}`);
    assert.equal(await countUsers(c), before);
  });

  it('password is accepted but never returned (POST, GET, list, attributes=password, PUT, PATCH)', async () => {
    const created = await createUser(c, { password: 'S3cret!pass' });
    assert.equal(created.password, undefined);
    const got = await c.scim('GET', `/Users/${created.id}`);
    assert.equal(got.json.password, undefined);
    assert.ok(!got.text.includes('S3cret!pass'));
    const asked = await c.scim('GET', `/Users/${created.id}?attributes=password`);
    expectStatus(asked, 200);
    assert.ok(!asked.text.includes('S3cret!pass'));
    assert.equal(asked.json.password, undefined);
    const listed = await c.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${created.userName}"`)}`);
    assert.ok(!listed.text.includes('S3cret!pass'));
    assert.equal(listed.json.Resources[0].password, undefined);
    const put = await c.scim('PUT', `/Users/${created.id}`, { schemas: [USER], userName: created.userName, password: 'Other!pass1' });
    expectStatus(put, 200);
    assert.equal(put.json.password, undefined);
    const patched = await patchOk(c, `/Users/${created.id}`, { op: 'replace', path: 'password', value: 'Third!pass2' });
    assert.equal(patched.password, undefined);
  });

  it('the enterprise extension is stored and returned; manager as a bare string or as {value} ends as {value}', async () => {
    const mgr = await createUser(c);
    const a = await createUser(c, {
      schemas: [USER, ENTERPRISE],
      [ENTERPRISE]: { employeeNumber: '701', department: 'R&D', costCenter: 'CC1', manager: { value: mgr.id } },
    });
    assert.ok(a.schemas.includes(ENTERPRISE));
    assert.equal(a[ENTERPRISE].employeeNumber, '701');
    assert.equal(a[ENTERPRISE].department, 'R&D');
    assert.equal(a[ENTERPRISE].costCenter, 'CC1');
    assert.equal(a[ENTERPRISE].manager.value, mgr.id);
    const got = await getJson(c, `/Users/${a.id}`);
    assert.deepEqual(got[ENTERPRISE], a[ENTERPRISE]);

    const b = await createUser(c, { schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'Ops', manager: mgr.id } });
    assert.equal(typeof b[ENTERPRISE].manager, 'object');
    assert.equal(b[ENTERPRISE].manager.value, mgr.id);
    assert.equal((await getJson(c, `/Users/${b.id}`))[ENTERPRISE].manager.value, mgr.id);
  });

  it('the readOnly groups attribute reflects group membership', async () => {
    const u = await createUser(c);
    const other = await createUser(c);
    const g1 = await createGroup(c, unique('g1'), [u.id]);
    const g2 = await createGroup(c, unique('g2'), [u.id, other.id]);
    const got = await getJson(c, `/Users/${u.id}`);
    const values = (got.groups as Json[]).map((g) => g.value).sort();
    assert.deepEqual(values, [g1.id, g2.id].sort());
    const g1ref = (got.groups as Json[]).find((g) => g.value === g1.id);
    assert.ok(g1ref.display === undefined || g1ref.display === g1.displayName);
    expectStatus(await c.scim('DELETE', `/Groups/${g1.id}`), 204);
    const after1 = await getJson(c, `/Users/${u.id}`);
    assert.deepEqual(
      (after1.groups as Json[]).map((g) => g.value),
      [g2.id],
    );
    await patchOk(c, `/Groups/${g2.id}`, { op: 'remove', path: `members[value eq "${u.id}"]` });
    const after2 = await getJson(c, `/Users/${u.id}`);
    assert.ok(after2.groups === undefined || after2.groups.length === 0);
  });

  it('a deactivated user stays readable by id and findable by filter', async () => {
    const u = await createUser(c, { active: true });
    const patched = await patchOk(c, `/Users/${u.id}`, { op: 'replace', path: 'active', value: false });
    assert.equal(patched.active, false);
    const got = await getJson(c, `/Users/${u.id}`);
    assert.equal(got.active, false);
    assert.equal(await countUsers(c, `userName eq "${u.userName}"`), 1);
    assert.equal(await countUsers(c, `userName eq "${u.userName}" and active eq false`), 1);
  });

  it('attributes= returns only those (plus id and schemas); excludedAttributes= drops them', async () => {
    const u = await createUser(c, {
      displayName: 'Proj',
      name: { givenName: 'P', familyName: 'Q' },
      emails: [{ type: 'work', value: 'p@example.com' }],
    });
    const only = await getJson(c, `/Users/${u.id}?attributes=userName,displayName`);
    assert.equal(only.id, u.id);
    assert.ok(only.schemas.includes(USER));
    assert.equal(only.userName, u.userName);
    assert.equal(only.displayName, 'Proj');
    assert.equal(only.name, undefined);
    assert.equal(only.emails, undefined);
    assert.equal(only.active, undefined);

    const sub = await getJson(c, `/Users/${u.id}?attributes=name.givenName`);
    assert.equal(sub.id, u.id);
    assert.deepEqual(sub.name, { givenName: 'P' });
    assert.equal(sub.userName, undefined);

    const excluded = await getJson(c, `/Users/${u.id}?excludedAttributes=emails,name`);
    assert.equal(excluded.id, u.id);
    assert.ok(excluded.schemas.includes(USER));
    assert.equal(excluded.userName, u.userName);
    assert.equal(excluded.displayName, 'Proj');
    assert.equal(excluded.emails, undefined);
    assert.equal(excluded.name, undefined);

    const cannotDropId = await getJson(c, `/Users/${u.id}?excludedAttributes=id,schemas`);
    assert.equal(cannotDropId.id, u.id);
    assert.ok(cannotDropId.schemas.includes(USER));

    const listed = await c.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}&attributes=displayName`);
    expectStatus(listed, 200);
    assert.equal(listed.json.Resources.length, 1);
    assert.equal(listed.json.Resources[0].id, u.id);
    assert.equal(listed.json.Resources[0].displayName, 'Proj');
    assert.equal(listed.json.Resources[0].userName, undefined);
    assert.equal(listed.json.Resources[0].emails, undefined);
  });

  it('attributes= applies to POST, PUT and PATCH responses too', async () => {
    const res = await c.scim('POST', '/Users?attributes=userName', { schemas: [USER], userName: unique('proj'), displayName: 'Hidden' });
    expectStatus(res, 201);
    assert.equal(typeof res.json.id, 'string');
    assert.equal(res.json.displayName, undefined);
    assert.equal(typeof res.json.userName, 'string');
  });
});
