// Discovery endpoints: RFC 7643 §5 (ServiceProviderConfig), §6 (ResourceType), §7 (Schemas); RFC 7644 §4.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENTERPRISE, GROUP, LIST, USER, assertScimError, expectStatus, start, type Json, type TestServer } from './client.ts';

const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

describe('reference discovery', () => {
  let c: TestServer;
  before(async () => {
    c = await start();
  });
  after(async () => {
    await c?.close();
  });

  it('/ServiceProviderConfig has the RFC 7643 §5 shape', async () => {
    const res = await c.scim('GET', '/ServiceProviderConfig');
    expectStatus(res, 200);
    const spc = res.json;
    assert.deepEqual(spc.schemas, [SPC]);
    assert.equal(spc.patch.supported, true);
    assert.equal(typeof spc.bulk.supported, 'boolean');
    assert.equal(typeof spc.bulk.maxOperations, 'number');
    assert.equal(typeof spc.bulk.maxPayloadSize, 'number');
    assert.equal(spc.filter.supported, true);
    assert.equal(typeof spc.filter.maxResults, 'number');
    assert.ok(spc.filter.maxResults > 0);
    assert.equal(typeof spc.changePassword.supported, 'boolean');
    assert.equal(typeof spc.sort.supported, 'boolean');
    assert.equal(spc.etag.supported, true, 'the server does ETags');
    assert.ok(Array.isArray(spc.authenticationSchemes) && spc.authenticationSchemes.length > 0);
    for (const s of spc.authenticationSchemes as Json[]) {
      assert.equal(typeof s.name, 'string');
      assert.equal(typeof s.description, 'string');
      assert.equal(typeof s.type, 'string');
    }
    assert.ok(
      (spc.authenticationSchemes as Json[]).some((s) => s.type === 'oauthbearertoken'),
      'bearer token scheme advertised',
    );
  });

  it('/Schemas is a ListResponse with User, Group and EnterpriseUser', async () => {
    const res = await c.scim('GET', '/Schemas');
    expectStatus(res, 200);
    assert.deepEqual(res.json.schemas, [LIST]);
    const ids = (res.json.Resources as Json[]).map((s) => s.id);
    for (const id of [USER, GROUP, ENTERPRISE]) assert.ok(ids.includes(id), `schema ${id} listed`);
    assert.equal(res.json.totalResults, res.json.Resources.length);
    for (const s of res.json.Resources as Json[]) {
      assert.ok(s.schemas === undefined || s.schemas.includes(SCHEMA));
      assert.equal(typeof s.name, 'string');
      assert.ok(Array.isArray(s.attributes) && s.attributes.length > 0);
      for (const a of s.attributes as Json[]) {
        assert.equal(typeof a.name, 'string');
        assert.equal(typeof a.type, 'string');
        assert.equal(typeof a.multiValued, 'boolean');
      }
    }
  });

  it('/Schemas/{urn} returns one schema; userName is required, server-unique, case-insensitive', async () => {
    const res = await c.scim('GET', `/Schemas/${USER}`);
    expectStatus(res, 200);
    assert.equal(res.json.id, USER);
    assert.equal(res.json.meta?.resourceType ?? 'Schema', 'Schema');
    const userName = (res.json.attributes as Json[]).find((a) => a.name === 'userName');
    assert.ok(userName, 'userName attribute described');
    assert.equal(userName.required, true);
    assert.equal(userName.uniqueness, 'server');
    assert.equal(userName.caseExact, false);
    assert.equal(userName.type, 'string');
    const groups = (res.json.attributes as Json[]).find((a) => a.name === 'groups');
    assert.equal(groups?.mutability, 'readOnly');
    const password = (res.json.attributes as Json[]).find((a) => a.name === 'password');
    assert.equal(password?.returned, 'never');

    const ent = await c.scim('GET', `/Schemas/${ENTERPRISE}`);
    expectStatus(ent, 200);
    assert.equal(ent.json.id, ENTERPRISE);
    const manager = (ent.json.attributes as Json[]).find((a) => a.name === 'manager');
    assert.equal(manager?.type, 'complex');

    const group = await c.scim('GET', `/Schemas/${GROUP}`);
    expectStatus(group, 200);
    assert.ok((group.json.attributes as Json[]).some((a) => a.name === 'members'));

    assertScimError(await c.scim('GET', '/Schemas/urn:example:nothing'), 404);
  });

  it('/ResourceTypes lists User (with the enterprise extension) and Group', async () => {
    const res = await c.scim('GET', '/ResourceTypes');
    expectStatus(res, 200);
    assert.deepEqual(res.json.schemas, [LIST]);
    const byName = new Map((res.json.Resources as Json[]).map((r) => [r.name, r]));
    const user = byName.get('User');
    assert.ok(user, 'User resource type');
    assert.ok(user.schemas === undefined || user.schemas.includes(RESOURCE_TYPE));
    assert.equal(user.endpoint, '/Users');
    assert.equal(user.schema, USER);
    assert.equal(user.id ?? 'User', 'User');
    assert.deepEqual(
      (user.schemaExtensions as Json[]).map((e) => [e.schema, e.required]),
      [[ENTERPRISE, false]],
    );
    const group = byName.get('Group');
    assert.ok(group, 'Group resource type');
    assert.equal(group.endpoint, '/Groups');
    assert.equal(group.schema, GROUP);
    assert.ok(group.schemaExtensions === undefined || Array.isArray(group.schemaExtensions));

    const one = await c.scim('GET', '/ResourceTypes/User');
    expectStatus(one, 200);
    assert.equal(one.json.name, 'User');
    assert.equal(one.json.endpoint, '/Users');
    assertScimError(await c.scim('GET', '/ResourceTypes/Nothing'), 404);
  });

  it('discovery endpoints require the bearer token', async () => {
    for (const p of ['/ServiceProviderConfig', '/Schemas', `/Schemas/${USER}`, '/ResourceTypes', '/ResourceTypes/User']) {
      const res = await c.scim('GET', p, undefined, { authorization: null });
      assertScimError(res, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  });

  it('/Me is a SCIM error (not implemented)', async () => {
    const res = await c.scim('GET', '/Me');
    assert.ok(res.status >= 400 && res.status !== 401, `status ${res.status}`);
    assertScimError(res, res.status);
    assert.equal(res.status, 501);
  });

  it('/Bulk is 501 unless ServiceProviderConfig says bulk is supported', async () => {
    const spc = (await c.scim('GET', '/ServiceProviderConfig')).json;
    const res = await c.scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] });
    if (spc.bulk.supported === true) assert.ok(res.status < 500, `bulk advertised but ${res.status}`);
    else assertScimError(res, 501);
  });
});
