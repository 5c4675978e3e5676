// ListResponse and paging on /Users: RFC 7644 §3.4.2 and §3.4.2.4.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LIST, USER, expectStatus, start, type Json, type TestServer } from './client.ts';

describe('reference list and paging', () => {
  let c: TestServer;
  const created: string[] = [];
  before(async () => {
    c = await start();
    for (let i = 0; i < 25; i++) {
      const res = await c.scim('POST', '/Users', { schemas: [USER], userName: `page-${String(i).padStart(2, '0')}@example.com` });
      expectStatus(res, 201);
      created.push(res.json.id);
    }
  });
  after(async () => {
    await c?.close();
  });

  async function page(query: string): Promise<Json> {
    const res = await c.scim('GET', `/Users${query}`);
    expectStatus(res, 200, query);
    return res.json;
  }

  it('GET /Users is a ListResponse with totalResults, startIndex, itemsPerPage and Resources', async () => {
    const list = await page('');
    assert.deepEqual(list.schemas, [LIST]);
    assert.equal(list.totalResults, 25);
    assert.equal(list.startIndex, 1);
    assert.equal(list.itemsPerPage, list.Resources.length);
    assert.equal(list.Resources.length, 25);
    for (const r of list.Resources as Json[]) {
      assert.ok(r.schemas.includes(USER));
      assert.equal(typeof r.id, 'string');
      assert.equal(r.meta.resourceType, 'User');
    }
    assert.deepEqual((list.Resources as Json[]).map((r) => r.id).sort(), [...created].sort());
  });

  it('startIndex/count paging by 10 has no duplicates or gaps, and is the same on every call', async () => {
    const walk = async (): Promise<string[]> => {
      const ids: string[] = [];
      for (const startIndex of [1, 11, 21]) {
        const p = await page(`?startIndex=${startIndex}&count=10`);
        assert.equal(p.totalResults, 25);
        assert.equal(p.startIndex, startIndex);
        const expected = startIndex === 21 ? 5 : 10;
        assert.equal(p.Resources.length, expected, `page at ${startIndex}`);
        assert.equal(p.itemsPerPage, expected);
        ids.push(...(p.Resources as Json[]).map((r) => r.id as string));
      }
      return ids;
    };
    const first = await walk();
    assert.equal(new Set(first).size, 25, 'no duplicates');
    assert.deepEqual([...first].sort(), [...created].sort(), 'no gaps');
    assert.deepEqual(await walk(), first, 'stable ordering');
    const past = await page('?startIndex=26&count=10');
    assert.equal(past.totalResults, 25);
    assert.equal((past.Resources ?? []).length, 0);
    const overlapping = await page('?startIndex=5&count=3');
    assert.deepEqual(
      (overlapping.Resources as Json[]).map((r) => r.id),
      first.slice(4, 7),
    );
  });

  it('count=0 gives totalResults and no Resources', async () => {
    const p = await page('?count=0');
    assert.deepEqual(p.schemas, [LIST]);
    assert.equal(p.totalResults, 25);
    assert.equal((p.Resources ?? []).length, 0);
    assert.equal(p.itemsPerPage ?? 0, 0);
  });

  it('startIndex below 1 is read as 1 and a negative count as 0 (RFC 7644 §3.4.2.4)', async () => {
    const all = await page('?count=5');
    const zero = await page('?startIndex=0&count=5');
    assert.equal(zero.startIndex, 1);
    assert.deepEqual(
      (zero.Resources as Json[]).map((r) => r.id),
      (all.Resources as Json[]).map((r) => r.id),
    );
    const negative = await page('?count=-3');
    assert.equal(negative.totalResults, 25);
    assert.equal((negative.Resources ?? []).length, 0);
  });

  it('an empty /Groups list is still a ListResponse', async () => {
    const res = await c.scim('GET', '/Groups');
    expectStatus(res, 200);
    assert.deepEqual(res.json.schemas, [LIST]);
    assert.equal(res.json.totalResults, 0);
    assert.equal((res.json.Resources ?? []).length, 0);
  });
});
