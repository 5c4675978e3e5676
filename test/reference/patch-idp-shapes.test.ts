// PATCH requests as Entra ID, Okta and OneLogin really send them (RFC 7644 §3.5.2 plus tolerance).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENTERPRISE,
  USER,
  assertScimError,
  createUser,
  expectStatus,
  getJson,
  patch,
  patchOk,
  start,
  type Json,
  type TestServer,
} from './client.ts';

describe('reference PATCH: IdP shapes on users', () => {
  let c: TestServer;
  before(async () => {
    c = await start();
  });
  after(async () => {
    await c?.close();
  });

  const emailsOf = (u: Json): Array<[string, string]> =>
    ((u.emails ?? []) as Json[]).map((e): [string, string] => [e.type, e.value]).sort((x, y) => x[0].localeCompare(y[0]));

  it('capitalised ops Replace, Add, Remove (Entra)', async () => {
    const u = await createUser(c, { displayName: 'Cap', nickName: 'nick' });
    const out = await patchOk(
      c,
      `/Users/${u.id}`,
      { op: 'Replace', path: 'displayName', value: 'Capitalised' },
      { op: 'Add', path: 'title', value: 'Lead' },
      { op: 'Remove', path: 'nickName' },
    );
    assert.equal(out.displayName, 'Capitalised');
    assert.equal(out.title, 'Lead');
    assert.equal(out.nickName, undefined);
    const again = await patchOk(c, `/Users/${u.id}`, { op: 'REPLACE', path: 'displayName', value: 'Upper' });
    assert.equal(again.displayName, 'Upper');
  });

  it('{"op":"Replace","path":"active","value":"False"} deactivates with a boolean; "True" reactivates', async () => {
    const u = await createUser(c, { active: true });
    const off = await patchOk(c, `/Users/${u.id}`, { op: 'Replace', path: 'active', value: 'False' });
    assert.equal(off.active, false);
    assert.equal((await getJson(c, `/Users/${u.id}`)).active, false);
    const on = await patchOk(c, `/Users/${u.id}`, { op: 'Replace', path: 'active', value: 'True' });
    assert.equal(on.active, true);
    const offLower = await patchOk(c, `/Users/${u.id}`, { op: 'replace', path: 'active', value: 'false' });
    assert.strictEqual(offLower.active, false);
  });

  it('Entra 2020 path-less replace with dotted keys and an extension URN key', async () => {
    const u = await createUser(c, { name: { givenName: 'Before', familyName: 'Kept' }, active: true });
    const out = await patchOk(c, `/Users/${u.id}`, {
      op: 'replace',
      value: { 'name.givenName': 'X', [`${ENTERPRISE}:department`]: 'D', active: false },
    });
    assert.equal(out.name.givenName, 'X');
    assert.equal(out.name.familyName, 'Kept');
    assert.equal(out[ENTERPRISE].department, 'D');
    assert.equal(out.active, false);
    assert.ok(out.schemas.includes(ENTERPRISE), 'the extension URN joins schemas once it has a value');
    assert.equal(out['name.givenName'], undefined, 'no literal dotted attribute');
    assert.deepEqual(await getJson(c, `/Users/${u.id}`), out);
  });

  it('path-less replace with a nested object replaces only the sub-attributes given', async () => {
    const u = await createUser(c, { name: { givenName: 'Given', familyName: 'Old' } });
    const out = await patchOk(c, `/Users/${u.id}`, { op: 'replace', value: { name: { familyName: 'F' } } });
    assert.equal(out.name.familyName, 'F');
    assert.equal(out.name.givenName, 'Given');
  });

  it('add emails[type eq "work"].value creates the work email when absent, updates it when present', async () => {
    const u = await createUser(c, { emails: [{ type: 'home', value: 'h@x' }] });
    const created = await patchOk(c, `/Users/${u.id}`, { op: 'add', path: 'emails[type eq "work"].value', value: 'w@x' });
    assert.deepEqual(emailsOf(created), [
      ['home', 'h@x'],
      ['work', 'w@x'],
    ]);
    const updated = await patchOk(c, `/Users/${u.id}`, { op: 'add', path: 'emails[type eq "work"].value', value: 'w2@x' });
    assert.deepEqual(emailsOf(updated), [
      ['home', 'h@x'],
      ['work', 'w2@x'],
    ]);
    const none = await createUser(c);
    const fromNothing = await patchOk(c, `/Users/${none.id}`, { op: 'Add', path: 'emails[type eq "work"].value', value: 'first@x' });
    assert.deepEqual(emailsOf(fromNothing), [['work', 'first@x']]);
  });

  it('replace emails[type eq "work"].value and remove emails[type eq "home"] touch only the matching element', async () => {
    const u = await createUser(c, {
      emails: [
        { type: 'work', value: 'w@x', primary: true },
        { type: 'home', value: 'h@x' },
      ],
    });
    const replaced = await patchOk(c, `/Users/${u.id}`, { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@x' });
    assert.deepEqual(emailsOf(replaced), [
      ['home', 'h@x'],
      ['work', 'new@x'],
    ]);
    const work = (replaced.emails as Json[]).find((e) => e.type === 'work');
    assert.equal(work.primary, true, 'other sub-attributes of the element are kept');
    const removed = await patchOk(c, `/Users/${u.id}`, { op: 'remove', path: 'emails[type eq "home"]' });
    assert.deepEqual(emailsOf(removed), [['work', 'new@x']]);
  });

  it('Entra addresses[type eq "work"].streetAddress creates the work address', async () => {
    const u = await createUser(c);
    const out = await patchOk(
      c,
      `/Users/${u.id}`,
      { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Main St' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Springfield' },
    );
    assert.equal(out.addresses.length, 1);
    assert.equal(out.addresses[0].type, 'work');
    assert.equal(out.addresses[0].streetAddress, '1 Main St');
    assert.equal(out.addresses[0].locality, 'Springfield');
  });

  it('Okta deactivate: path-less replace {"active":false}', async () => {
    const u = await createUser(c, { active: true, displayName: 'Okta' });
    const out = await patchOk(c, `/Users/${u.id}`, { op: 'replace', value: { active: false } });
    assert.equal(out.active, false);
    assert.equal(out.displayName, 'Okta', 'nothing else changes');
  });

  it('Okta wizard PUT with active false deactivates', async () => {
    const u = await createUser(c, { active: true, name: { givenName: 'W', familyName: 'Z' } });
    const res = await c.scim('PUT', `/Users/${u.id}`, {
      schemas: [USER],
      id: u.id,
      userName: u.userName,
      name: { givenName: 'W', familyName: 'Z' },
      emails: [{ primary: true, value: u.userName, type: 'work' }],
      active: false,
      groups: [],
      password: 'wizard-Pass1',
    });
    expectStatus(res, 200);
    assert.equal(res.json.active, false);
    assert.equal(res.json.password, undefined);
    assert.equal((await getJson(c, `/Users/${u.id}`)).active, false);
  });

  it('manager path with a bare string value ends as {value}', async () => {
    const mgr = await createUser(c);
    const u = await createUser(c);
    const out = await patchOk(c, `/Users/${u.id}`, { op: 'Add', path: `${ENTERPRISE}:manager`, value: mgr.id });
    assert.equal(out[ENTERPRISE].manager.value, mgr.id);
    assert.ok(out.schemas.includes(ENTERPRISE));
    const replaced = await patchOk(c, `/Users/${u.id}`, { op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: u.id } });
    assert.equal(replaced[ENTERPRISE].manager.value, u.id);
    const removed = await patchOk(c, `/Users/${u.id}`, { op: 'remove', path: `${ENTERPRISE}:manager` });
    assert.equal(removed[ENTERPRISE]?.manager, undefined);
  });

  it('extension attribute paths: add employeeNumber, replace department', async () => {
    const u = await createUser(c);
    const out = await patchOk(
      c,
      `/Users/${u.id}`,
      { op: 'Add', path: `${ENTERPRISE}:employeeNumber`, value: '42' },
      { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Finance' },
    );
    assert.equal(out[ENTERPRISE].employeeNumber, '42');
    assert.equal(out[ENTERPRISE].department, 'Finance');
  });

  it('add to a multi-valued attribute appends', async () => {
    const u = await createUser(c, { emails: [{ type: 'work', value: 'a@x' }] });
    const out = await patchOk(c, `/Users/${u.id}`, { op: 'add', path: 'emails', value: [{ type: 'home', value: 'b@x' }] });
    assert.deepEqual(emailsOf(out), [
      ['home', 'b@x'],
      ['work', 'a@x'],
    ]);
  });

  it('PATCH is atomic: a bad second op (invalid path) leaves the user unchanged and is 400', async () => {
    const u = await createUser(c, { displayName: 'Atomic', title: 'T' });
    const before = await getJson(c, `/Users/${u.id}`);
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'notAnAttribute', value: 'x' }),
    );
    assertScimError(res, 400);
    assert.deepEqual(await getJson(c, `/Users/${u.id}`), before);
  });

  it('PATCH is atomic: a bad second op (wrong value type) leaves the user unchanged and is 400', async () => {
    const u = await createUser(c, { displayName: 'Atomic2', active: true });
    const before = await getJson(c, `/Users/${u.id}`);
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'active', value: 'maybe' }),
    );
    assertScimError(res, 400, 'invalidValue');
    assert.deepEqual(await getJson(c, `/Users/${u.id}`), before);
  });

  it('PATCH is atomic: a uniqueness conflict in the last op is 409 and changes nothing', async () => {
    const other = await createUser(c);
    const u = await createUser(c, { displayName: 'Atomic3' });
    const before = await getJson(c, `/Users/${u.id}`);
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'userName', value: other.userName }),
    );
    assertScimError(res, 409, 'uniqueness');
    assert.deepEqual(await getJson(c, `/Users/${u.id}`), before);
  });

  it('remove without a path is 400 noTarget; an unknown op is 400', async () => {
    const u = await createUser(c, { displayName: 'Target' });
    assertScimError(await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove' })), 400, 'noTarget');
    assertScimError(await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'frobnicate', path: 'displayName', value: 'x' })), 400);
    assert.equal((await getJson(c, `/Users/${u.id}`)).displayName, 'Target');
  });

  it('PATCH cannot change id or meta', async () => {
    const u = await createUser(c);
    const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'id', value: 'hijack' }));
    assert.equal(res.status, 400, `replace id: ${res.text}`);
    assertScimError(res, 400);
    assert.ok(['mutability', 'invalidPath', 'invalidValue'].includes(res.json.scimType), `scimType ${res.json.scimType}`);
    const got = await getJson(c, `/Users/${u.id}`);
    assert.equal(got.id, u.id);
    assert.equal(got.userName, u.userName);
  });
});
