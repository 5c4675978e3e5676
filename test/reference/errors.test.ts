// Authentication and bad input: RFC 7644 §2, §3.12; size limits; none of it changes data.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { USER, assertScimError, countUsers, createUser, expectStatus, getJson, start, unique, type TestServer } from './client.ts';

describe('reference authentication', () => {
  let c: TestServer;
  before(async () => {
    c = await start({ token: 'the-right-token-123' });
  });
  after(async () => {
    await c?.close();
  });

  it('the given token is used', () => {
    assert.equal(c.token, 'the-right-token-123');
  });

  it('a missing, wrong, or non-Bearer Authorization is 401 with WWW-Authenticate: Bearer', async () => {
    const variants: Array<string | null> = [
      null,
      'Bearer wrong-token',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'the-right-token-123',
      'Bearer the-right-token-1234',
    ];
    for (const authorization of variants) {
      for (const [method, path, body] of [
        ['GET', '/Users', undefined],
        ['POST', '/Users', { schemas: [USER], userName: unique('noauth') }],
      ] as const) {
        const res = await c.scim(method, path, body, { authorization });
        assertScimError(res, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/, `WWW-Authenticate for ${authorization}`);
      }
    }
    assert.equal(await countUsers(c), 0, 'nothing created without auth');
  });

  it('the correct token works; the scheme is case-insensitive', async () => {
    expectStatus(await c.scim('GET', '/Users'), 200);
    expectStatus(await c.scim('GET', '/Users', undefined, { authorization: 'bearer the-right-token-123' }), 200);
  });

  it('a random token is generated when none is given, and differs per server', async () => {
    const a = await start();
    const b = await start();
    try {
      assert.ok(a.token.length >= 16);
      assert.notEqual(a.token, b.token);
      expectStatus(await a.scim('GET', '/Users'), 200);
      assertScimError(await a.scim('GET', '/Users', undefined, { authorization: `Bearer ${b.token}` }), 401);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('reference bad input', () => {
  let c: TestServer;
  before(async () => {
    c = await start();
  });
  after(async () => {
    await c?.close();
  });

  it('malformed JSON is 400 invalidSyntax on POST, PUT and PATCH, and changes nothing', async () => {
    const u = await createUser(c, { displayName: 'Untouched' });
    const before = await countUsers(c);
    const snapshot = await getJson(c, `/Users/${u.id}`);
    for (const body of ['{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":', 'not json', '{"userName": "x",}']) {
      assertScimError(await c.scim('POST', '/Users', body), 400, 'invalidSyntax');
      assertScimError(await c.scim('PUT', `/Users/${u.id}`, body), 400, 'invalidSyntax');
      assertScimError(await c.scim('PATCH', `/Users/${u.id}`, body), 400, 'invalidSyntax');
      assertScimError(await c.scim('POST', '/Groups', body), 400, 'invalidSyntax');
    }
    assert.equal(await countUsers(c), before);
    assert.deepEqual(await getJson(c, `/Users/${u.id}`), snapshot);
  });

  it('a JSON body that is not an object is 400', async () => {
    const before = await countUsers(c);
    for (const body of ['[]', '"string"', '42', 'null']) assertScimError(await c.scim('POST', '/Users', body), 400);
    assert.equal(await countUsers(c), before);
  });

  it('a PATCH body without Operations is 400', async () => {
    const u = await createUser(c);
    assertScimError(await c.scim('PATCH', `/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }), 400);
    assertScimError(
      await c.scim('PATCH', `/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: 'x' }),
      400,
    );
  });

  it('application/json request bodies are accepted as well as application/scim+json', async () => {
    const res = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('plainjson') }, { 'content-type': 'application/json' });
    expectStatus(res, 201);
  });

  it('an unknown endpoint is a 404 SCIM error', async () => {
    assertScimError(await c.scim('GET', '/Nothing'), 404);
    assertScimError(await c.scim('GET', '/Users/a/b'), 404);
  });

  it('409 errors carry status "409", scimType uniqueness and a detail', async () => {
    const u = await createUser(c);
    const res = await c.scim('POST', '/Users', { schemas: [USER], userName: u.userName });
    assertScimError(res, 409, 'uniqueness');
    assert.ok(res.json.detail.length > 0);
  });
});

describe('reference body size limit', () => {
  it('a body above maxBodyBytes is 413 and changes nothing; a body under it works', async () => {
    const c = await start({ maxBodyBytes: 10_000 });
    try {
      const u = await createUser(c, { displayName: 'small' });
      const before = await countUsers(c);
      const big = { schemas: [USER], userName: unique('big'), displayName: 'x'.repeat(20_000) };
      const res = await c.scim('POST', '/Users', big);
      assertScimError(res, 413);
      const bigPut = await c.scim('PUT', `/Users/${u.id}`, { ...big, userName: u.userName });
      assertScimError(bigPut, 413);
      const bigPatch = await c.scim('PATCH', `/Users/${u.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'y'.repeat(20_000) }],
      });
      assertScimError(bigPatch, 413);
      assert.equal(await countUsers(c), before);
      assert.equal((await getJson(c, `/Users/${u.id}`)).displayName, 'small');
      const fits = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('fits'), displayName: 'x'.repeat(5_000) });
      expectStatus(fits, 201);
    } finally {
      await c.close();
    }
  });
});
