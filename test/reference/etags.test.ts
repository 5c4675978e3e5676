// Versions and preconditions: RFC 7644 §3.14.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { USER, assertScimError, createGroup, createUser, expectStatus, getJson, patch, start, unique, type TestServer } from './client.ts';

describe('reference ETags', () => {
  let c: TestServer;
  before(async () => {
    c = await start();
  });
  after(async () => {
    await c?.close();
  });

  it('every change gives a new version; GET ETag follows meta.version', async () => {
    const u = await createUser(c);
    const p = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'v2' }));
    expectStatus(p, 200);
    assert.notEqual(p.json.meta.version, u.meta.version);
    assert.equal(p.headers.get('etag'), p.json.meta.version);
    const got = await c.scim('GET', `/Users/${u.id}`);
    assert.equal(got.headers.get('etag'), p.json.meta.version);
    const put = await c.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName, displayName: 'v3' });
    expectStatus(put, 200);
    assert.equal(put.headers.get('etag'), put.json.meta.version);
    assert.notEqual(put.json.meta.version, p.json.meta.version);
  });

  it('If-Match with a stale version: PUT, PATCH and DELETE are 412 and change nothing', async () => {
    const u = await createUser(c, { displayName: 'one' });
    const stale = u.meta.version as string;
    const p = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'two' }), { 'if-match': stale });
    expectStatus(p, 200, 'If-Match with the current version');
    const current = p.json;

    const put = await c.scim(
      'PUT',
      `/Users/${u.id}`,
      { schemas: [USER], userName: u.userName, displayName: 'stale-put' },
      { 'if-match': stale },
    );
    assertScimError(put, 412);
    const pat = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'stale-patch' }), {
      'if-match': stale,
    });
    assertScimError(pat, 412);
    const del = await c.scim('DELETE', `/Users/${u.id}`, undefined, { 'if-match': stale });
    assertScimError(del, 412);
    assert.deepEqual(await getJson(c, `/Users/${u.id}`), current);

    const okDelete = await c.scim('DELETE', `/Users/${u.id}`, undefined, { 'if-match': current.meta.version });
    expectStatus(okDelete, 204);
  });

  it('If-Match with the current version on PUT succeeds; If-Match: * always matches', async () => {
    const u = await createUser(c);
    const put = await c.scim(
      'PUT',
      `/Users/${u.id}`,
      { schemas: [USER], userName: u.userName, title: 'ok' },
      { 'if-match': u.meta.version },
    );
    expectStatus(put, 200);
    assert.equal(put.json.title, 'ok');
    const star = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'title', value: 'star' }), { 'if-match': '*' });
    expectStatus(star, 200);
    assert.equal(star.json.title, 'star');
  });

  it('If-None-Match with the current version on GET is 304; with an old one 200', async () => {
    const u = await createUser(c);
    const notModified = await c.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': u.meta.version });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.text, '');
    const changed = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'nickName', value: 'n' }));
    expectStatus(changed, 200);
    const modified = await c.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': u.meta.version });
    expectStatus(modified, 200);
    assert.equal(modified.json.nickName, 'n');
  });

  it('groups have versions and honour If-Match too', async () => {
    const g = await createGroup(c, unique('etag-group'));
    assert.equal(typeof g.meta.version, 'string');
    const renamed = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'replace', path: 'displayName', value: 'renamed' }), {
      'if-match': g.meta.version,
    });
    expectStatus(renamed, 200);
    assert.notEqual(renamed.json.meta.version, g.meta.version);
    const stale = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'replace', path: 'displayName', value: 'stale' }), {
      'if-match': g.meta.version,
    });
    assertScimError(stale, 412);
    assert.equal((await getJson(c, `/Groups/${g.id}`)).displayName, 'renamed');
  });
});
