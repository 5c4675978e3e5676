// Each misbehaviour flag changes exactly its behaviour: the same request passes on a normal server
// and fails or differs on one started with the flag, while a neighbouring behaviour stays correct.
import { describe, it } from 'node:test';
import { request as httpRequest } from 'node:http';
import assert from 'node:assert/strict';
import type { Misbehaviour } from '../../reference/index.ts';
import { MISBEHAVIOURS } from '../../reference/index.ts';
import {
  ENTERPRISE,
  GROUP,
  USER,
  assertScimError,
  countUsers,
  createGroup,
  createUser,
  expectStatus,
  filterUserNames,
  getJson,
  memberIds,
  patch,
  start,
  unique,
  type Json,
  type ScimResponse,
  type StartOptions,
  type TestServer,
} from './client.ts';

const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

async function withBoth(
  flag: Misbehaviour,
  body: (normal: TestServer, bad: TestServer) => Promise<void>,
  extra: StartOptions = {},
): Promise<void> {
  const normal = await start(extra);
  let bad: TestServer | undefined;
  try {
    bad = await start({ ...extra, misbehave: [flag] });
    await body(normal, bad);
  } finally {
    await Promise.all([normal.close(), bad?.close()]);
  }
}

/** The ids of `n` new users. */
async function userIds(c: TestServer, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await createUser(c)).id as string);
  return ids;
}

/** userNames of a list response's resources, in the order returned. */
function names(res: ScimResponse): string[] {
  return ((res.json.Resources ?? []) as Json[]).map((r) => r.userName as string);
}

/** displayNames of a list response's resources, sorted. */
function groupNames(list: Json): string[] {
  return ((list.Resources ?? []) as Json[]).map((r) => r.displayName as string).sort();
}

/**
 * A POST the server has begun and not finished: it asks for 100 Continue, and the server sends
 * that just before it starts handling the request, so `started` is an observable condition (no
 * timing). The body stays open until `finish`.
 */
function openRequest(c: TestServer): { started: Promise<void>; finish: () => void; done: Promise<number> } {
  let finish = () => {};
  let started!: () => void;
  const begun = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<number>((resolve, reject) => {
    const headers = { authorization: `Bearer ${c.token}`, 'content-type': 'application/scim+json', expect: '100-continue' };
    const request = httpRequest(new URL(`${c.baseUrl}/Users`), { method: 'POST', headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.on('continue', () => started());
    request.flushHeaders();
    const userName = `open-${Math.random().toString(36).slice(2)}@x`;
    finish = () => request.end(JSON.stringify({ schemas: [USER], userName }));
  });
  return { started: begun, finish, done };
}

const tested = new Set<string>();
function flagTest(flag: Misbehaviour, name: string, fn: () => Promise<void>): void {
  tested.add(flag);
  it(`${flag}: ${name}`, fn);
}

describe('reference misbehaviours', () => {
  flagTest('case-sensitive-op', 'a capitalised op is 400; lowercase still works', () =>
    withBoth('case-sensitive-op', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c);
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'Replace', path: 'displayName', value: 'Cap' }));
        if (c === normal) {
          expectStatus(res, 200);
          assert.equal(res.json.displayName, 'Cap');
        } else {
          assertScimError(res, 400);
          assert.equal((await getJson(c, `/Users/${u.id}`)).displayName, undefined);
          const lower = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'low' }));
          expectStatus(lower, 200);
          assert.equal(lower.json.displayName, 'low');
        }
      }
    }),
  );

  flagTest('reject-string-booleans', '"False" is 400; a real boolean still works', () =>
    withBoth('reject-string-booleans', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { active: true });
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'Replace', path: 'active', value: 'False' }));
        if (c === normal) {
          expectStatus(res, 200);
          assert.strictEqual(res.json.active, false);
        } else {
          assertScimError(res, 400);
          assert.equal((await getJson(c, `/Users/${u.id}`)).active, true);
          const real = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'Replace', path: 'active', value: false }));
          expectStatus(real, 200);
          assert.strictEqual(real.json.active, false);
        }
      }
    }),
  );

  flagTest('ignore-pathless-patch', 'a path-less replace has no effect; a path replace still works', () =>
    withBoth('ignore-pathless-patch', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { displayName: 'orig', active: true });
        await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', value: { displayName: 'pathless', active: false } }));
        const got = await getJson(c, `/Users/${u.id}`);
        if (c === normal) {
          assert.equal(got.displayName, 'pathless');
          assert.equal(got.active, false);
        } else {
          assert.equal(got.displayName, 'orig');
          assert.equal(got.active, true);
          const withPath = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'pathed' }));
          expectStatus(withPath, 200);
          assert.equal(withPath.json.displayName, 'pathed');
        }
      }
    }),
  );

  flagTest('remove-member-wipes-group', 'a value-array member remove empties the group; add still works', () =>
    withBoth('remove-member-wipes-group', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const ids = [(await createUser(c)).id, (await createUser(c)).id, (await createUser(c)).id];
        const g = await createGroup(c, 'Wipe', ids.slice(0, 2));
        const added = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'Add', path: 'members', value: [{ value: ids[2] }] }));
        expectStatus(added, 200);
        assert.deepEqual(memberIds(added.json), [...ids].sort());
        const res = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'Remove', path: 'members', value: [{ value: ids[0] }] }));
        assert.ok(res.status === 200 || res.status === 204);
        const after = memberIds(await getJson(c, `/Groups/${g.id}`));
        if (c === normal) assert.deepEqual(after, [ids[1], ids[2]].sort());
        else assert.deepEqual(after, []);
      }
    }),
  );

  flagTest('no-value-path-patch', 'a value-path op is 400; a plain path still works', () =>
    withBoth('no-value-path-patch', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { emails: [{ type: 'work', value: 'old@x' }] });
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@x' }));
        if (c === normal) {
          expectStatus(res, 200);
          assert.equal(res.json.emails[0].value, 'new@x');
        } else {
          assertScimError(res, 400);
          assert.equal((await getJson(c, `/Users/${u.id}`)).emails[0].value, 'old@x');
          const plain = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'plain' }));
          expectStatus(plain, 200);
        }
      }
    }),
  );

  flagTest('hide-inactive-users', 'a deactivated user is missing from filter results but GET by id works', () =>
    withBoth('hide-inactive-users', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const off = await createUser(c, { userName: 'off@x', active: false });
        await createUser(c, { userName: 'on@x', active: true });
        const found = await filterUserNames(c, 'userName eq "off@x"');
        const all = await filterUserNames(c, 'userName ew "@x"');
        const got = await getJson(c, `/Users/${off.id}`);
        assert.equal(got.active, false);
        if (c === normal) {
          assert.deepEqual(found, ['off@x']);
          assert.deepEqual(all, ['off@x', 'on@x']);
        } else {
          assert.deepEqual(found, []);
          assert.deepEqual(all, ['on@x']);
        }
      }
    }),
  );

  flagTest('no-location', 'no Location header on create; the resource is still created', () =>
    withBoth('no-location', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const res = await c.scim('POST', '/Users', { schemas: [USER], userName: 'loc@x' });
        expectStatus(res, 201);
        if (c === normal) assert.equal(res.headers.get('location'), `${c.baseUrl}/Users/${res.json.id}`);
        else assert.equal(res.headers.get('location'), null);
        await getJson(c, `/Users/${res.json.id}`);
      }
    }),
  );

  flagTest('wrong-content-type', 'responses are application/json, not application/scim+json', () =>
    withBoth('wrong-content-type', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const ok = await c.scim('GET', '/Users');
        const missing = await c.scim('GET', '/Users/nope');
        expectStatus(ok, 200);
        assertScimError(missing, 404);
        for (const res of [ok, missing]) {
          const type = res.headers.get('content-type') ?? '';
          if (c === normal) assert.match(type, /^application\/scim\+json/);
          else assert.match(type, /^application\/json/);
        }
      }
    }),
  );

  flagTest('no-scimtype-on-409', '409 without scimType', () =>
    withBoth('no-scimtype-on-409', async (normal, bad) => {
      for (const c of [normal, bad]) {
        await createUser(c, { userName: 'dup@x' });
        const res = await c.scim('POST', '/Users', { schemas: [USER], userName: 'dup@x' });
        assertScimError(res, 409, c === normal ? 'uniqueness' : null);
        const badType = await c.scim('POST', '/Users', { schemas: [USER], userName: 'typed@x', active: 'yes' });
        assertScimError(badType, 400, 'invalidValue');
      }
    }),
  );

  flagTest('case-sensitive-username', 'a different case creates a second user; filters are case-sensitive', () =>
    withBoth('case-sensitive-username', async (normal, bad) => {
      for (const c of [normal, bad]) {
        await createUser(c, { userName: 'alice@x' });
        const second = await c.scim('POST', '/Users', { schemas: [USER], userName: 'Alice@x' });
        const exactDup = await c.scim('POST', '/Users', { schemas: [USER], userName: 'alice@x' });
        assertScimError(exactDup, 409, 'uniqueness');
        if (c === normal) {
          assertScimError(second, 409, 'uniqueness');
          assert.deepEqual(await filterUserNames(c, 'userName eq "ALICE@X"'), ['alice@x']);
          assert.equal(await countUsers(c), 1);
        } else {
          expectStatus(second, 201);
          assert.deepEqual(await filterUserNames(c, 'userName eq "ALICE@X"'), []);
          assert.deepEqual(await filterUserNames(c, 'userName eq "alice@x"'), ['alice@x']);
          assert.equal(await countUsers(c), 2);
        }
      }
    }),
  );

  flagTest('delete-returns-200', 'DELETE is 200 instead of 204; the user is still gone', () =>
    withBoth('delete-returns-200', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c);
        const res = await c.scim('DELETE', `/Users/${u.id}`);
        if (c === normal) {
          expectStatus(res, 204);
          assert.equal(res.text, '');
        } else expectStatus(res, 200);
        assertScimError(await c.scim('GET', `/Users/${u.id}`), 404);
      }
    }),
  );

  // The delay is what is tested. It is long enough that a healthy answer on a loaded machine
  // still comes in under it: only the slow server's lower bound is a hard timing claim.
  const slowMs = 250;
  flagTest('slow', 'every request takes at least slowMs', () =>
    withBoth(
      'slow',
      async (normal, bad) => {
        const timed = async (c: TestServer): Promise<number> => {
          const t0 = performance.now();
          expectStatus(await c.scim('GET', '/ServiceProviderConfig'), 200);
          return performance.now() - t0;
        };
        const normalTimes = [await timed(normal), await timed(normal), await timed(normal)];
        const badTimes = [await timed(bad), await timed(bad), await timed(bad)];
        assert.ok(Math.min(...normalTimes) < slowMs, `normal server takes ${normalTimes.join(', ')} ms`);
        for (const t of badTimes) assert.ok(t >= slowMs - 1, `slow server answered in ${t} ms`);
        const created = await bad.scim('POST', '/Users', { schemas: [USER], userName: 'slow@x' });
        expectStatus(created, 201);
      },
      { slowMs },
    ),
  );

  flagTest('flaky', 'some of 20 requests are 500 or 429 (429 with Retry-After); the rest succeed', () =>
    withBoth('flaky', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) {
          const res = await c.scim('GET', '/Users');
          statuses.push(res.status);
          if (res.status === 429) {
            const retry = res.headers.get('retry-after') ?? '';
            assert.ok(/^\d+$/.test(retry) || !Number.isNaN(Date.parse(retry)), `Retry-After "${retry}"`);
          }
        }
        if (c === normal) assert.deepEqual(statuses, Array(20).fill(200));
        else {
          const failed = statuses.filter((s) => s !== 200);
          assert.ok(failed.length > 0, `no failures in ${statuses.join(',')}`);
          assert.ok(failed.length < 20, 'other requests still succeed');
          assert.ok(
            failed.every((s) => s === 500 || s === 429),
            `statuses ${statuses.join(',')}`,
          );
        }
      }
    }),
  );

  // --- Paging: the same five users (p1@x … p5@x, in creation order) on both servers. ---
  type Get = (query: string) => Promise<ScimResponse>;
  function pagingTest(flag: Misbehaviour, name: string, check: (get: Get, correct: boolean) => Promise<void>): void {
    flagTest(flag, name, () =>
      withBoth(flag, async (normal, bad) => {
        for (const c of [normal, bad]) {
          for (let i = 1; i <= 5; i++) await createUser(c, { userName: `p${i}@x` });
          await check((query) => c.scim('GET', `/Users?${query}`), c === normal);
        }
      }),
    );
  }

  pagingTest('paging-totals-wrong', 'totalResults is the page size, not the number of matches', async (get, correct) => {
    const res = await get('count=2');
    expectStatus(res, 200);
    assert.deepEqual(names(res), ['p1@x', 'p2@x']);
    assert.equal(res.json.itemsPerPage, 2);
    assert.equal(res.json.totalResults, correct ? 5 : 2);
  });

  pagingTest('paging-start-index-as-page', 'startIndex=2&count=2 starts at the third user; startIndex=1 is right', async (get, correct) => {
    assert.deepEqual(names(await get('startIndex=1&count=2')), ['p1@x', 'p2@x']);
    const res = await get('startIndex=2&count=2');
    expectStatus(res, 200);
    assert.equal(res.json.totalResults, 5);
    assert.deepEqual(names(res), correct ? ['p2@x', 'p3@x'] : ['p3@x', 'p4@x']);
  });

  pagingTest('paging-ignores-count', 'count=2 returns every match; totalResults is still right', async (get, correct) => {
    const res = await get('count=2');
    expectStatus(res, 200);
    assert.equal(res.json.totalResults, 5);
    assert.deepEqual(names(res), correct ? ['p1@x', 'p2@x'] : ['p1@x', 'p2@x', 'p3@x', 'p4@x', 'p5@x']);
  });

  pagingTest(
    'paging-items-per-page-wrong',
    'itemsPerPage echoes count (10, or the default 100), not the 5 returned',
    async (get, correct) => {
      for (const [query, asked] of [
        ['count=10', 10],
        ['', 100],
      ] as const) {
        const res = await get(query);
        expectStatus(res, 200);
        assert.equal(res.json.Resources.length, 5);
        assert.equal(res.json.itemsPerPage, correct ? 5 : asked, query);
      }
    },
  );

  pagingTest('paging-start-index-unechoed', 'startIndex=3 answers startIndex 1; the page itself is right', async (get, correct) => {
    const res = await get('startIndex=3&count=2');
    expectStatus(res, 200);
    assert.deepEqual(names(res), ['p3@x', 'p4@x']);
    assert.equal(res.json.startIndex, correct ? 3 : 1);
  });

  pagingTest(
    'paging-start-index-below-one-refused',
    'startIndex 0 or -3 is 400 instead of read as 1; startIndex=1 works',
    async (get, correct) => {
      for (const query of ['startIndex=0&count=2', 'startIndex=-3&count=2']) {
        const res = await get(query);
        if (correct) {
          expectStatus(res, 200, query);
          assert.equal(res.json.startIndex, 1);
          assert.deepEqual(names(res), ['p1@x', 'p2@x']);
        } else assertScimError(res, 400, 'invalidValue');
      }
      assert.deepEqual(names(await get('startIndex=1&count=2')), ['p1@x', 'p2@x']);
    },
  );

  pagingTest('paging-count-zero-returns-page', 'count=0 returns resources instead of only totalResults', async (get, correct) => {
    const res = await get('count=0');
    expectStatus(res, 200);
    assert.equal(res.json.totalResults, 5);
    assert.equal((res.json.Resources ?? []).length, correct ? 0 : 5);
  });

  // --- Group membership. ---
  flagTest('replace-members-merges', 'a PATCH replace of members keeps the old members; a displayName replace works', () =>
    withBoth('replace-members-merges', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [a, b, d] = await userIds(c, 3);
        const g = await createGroup(c, 'Replace', [a!, b!]);
        const res = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'replace', path: 'members', value: [{ value: d }] }));
        assert.ok(res.status === 200 || res.status === 204, res.text);
        const after = memberIds(await getJson(c, `/Groups/${g.id}`));
        assert.deepEqual(after, c === normal ? [d] : [a, b, d].sort());
        const renamed = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'replace', path: 'displayName', value: 'Renamed' }));
        expectStatus(renamed, 200);
        assert.equal(renamed.json.displayName, 'Renamed');
      }
    }),
  );

  flagTest('put-members-merges', 'a PUT of a group keeps the old members; its displayName is still replaced', () =>
    withBoth('put-members-merges', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [a, b, d] = await userIds(c, 3);
        const g = await createGroup(c, 'Put', [a!, b!]);
        const res = await c.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Put 2', members: [{ value: d }] });
        expectStatus(res, 200);
        assert.equal(res.json.displayName, 'Put 2');
        assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), c === normal ? [d] : [a, b, d].sort());
      }
    }),
  );

  flagTest('big-groups-truncated', 'a group keeps 20 of 25 members, and a 26th add is accepted and dropped', () =>
    withBoth('big-groups-truncated', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const ids = await userIds(c, 26);
        const g = await createGroup(c, 'Big', ids.slice(0, 25));
        assert.equal(memberIds(g).length, c === normal ? 25 : 20);
        const res = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'add', path: 'members', value: [{ value: ids[25] }] }));
        assert.ok(res.status === 200 || res.status === 204, res.text);
        const after = memberIds(await getJson(c, `/Groups/${g.id}`));
        assert.equal(after.length, c === normal ? 26 : 20);
        assert.equal(after.includes(ids[25]!), c === normal);
        const small = await createGroup(c, 'Small', ids.slice(0, 3));
        assert.deepEqual(memberIds(small), ids.slice(0, 3).sort());
      }
    }),
  );

  flagTest('remove-member-filter-ignored', 'remove members[value eq "…"] changes nothing; a plain remove of members works', () =>
    withBoth('remove-member-filter-ignored', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [a, b] = await userIds(c, 2);
        const g = await createGroup(c, 'Filtered', [a!, b!]);
        const res = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'remove', path: `members[value eq "${a}"]` }));
        assert.ok(res.status === 200 || res.status === 204, res.text);
        assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), c === normal ? [b] : [a, b].sort());
        const all = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'remove', path: 'members' }));
        assert.ok(all.status === 200 || all.status === 204, all.text);
        assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), []);
      }
    }),
  );

  flagTest('remove-members-needs-filter', 'remove of "members" without a filter is 400; with a filter it works', () =>
    withBoth('remove-members-needs-filter', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [a, b] = await userIds(c, 2);
        const g = await createGroup(c, 'Needs', [a!, b!]);
        const res = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'remove', path: 'members' }));
        if (c === normal) {
          assert.ok(res.status === 200 || res.status === 204, res.text);
          assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), []);
        } else {
          assertScimError(res, 400);
          assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), [a, b].sort());
          const one = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'remove', path: `members[value eq "${a}"]` }));
          assert.ok(one.status === 200 || one.status === 204, one.text);
          assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), [b]);
        }
      }
    }),
  );

  flagTest('member-unknown-accepted', 'an unknown member id is accepted and dropped (create and PATCH); a real one is added', () =>
    withBoth('member-unknown-accepted', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [a] = await userIds(c, 1);
        const created = await c.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Ghost', members: [{ value: 'no-such-id' }] });
        if (c === normal) assertScimError(created, 400, 'invalidValue');
        else {
          expectStatus(created, 201);
          assert.deepEqual(memberIds(created.json), []);
        }
        const g = await createGroup(c, 'Real');
        const res = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'add', path: 'members', value: [{ value: 'no-such-id' }] }));
        if (c === normal) assertScimError(res, 400, 'invalidValue');
        else assert.ok(res.status === 200 || res.status === 204, res.text);
        assert.deepEqual(memberIds(await getJson(c, `/Groups/${g.id}`)), []);
        const real = await c.scim('PATCH', `/Groups/${g.id}`, patch({ op: 'add', path: 'members', value: [{ value: a }] }));
        expectStatus(real, 200);
        assert.deepEqual(memberIds(real.json), [a]);
      }
    }),
  );

  flagTest('delete-unknown-204', 'DELETE of an unknown or already deleted id is 204; GET of it is still 404', () =>
    withBoth('delete-unknown-204', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c);
        const g = await createGroup(c, 'Gone');
        expectStatus(await c.scim('DELETE', `/Users/${u.id}`), 204);
        expectStatus(await c.scim('DELETE', `/Groups/${g.id}`), 204);
        for (const path of [`/Users/${u.id}`, `/Groups/${g.id}`, '/Users/no-such-id', '/Groups/no-such-id']) {
          const res = await c.scim('DELETE', path);
          if (c === normal) assertScimError(res, 404);
          else expectStatus(res, 204, path);
          assertScimError(await c.scim('GET', path), 404);
        }
      }
    }),
  );

  // --- Projection (RFC 7644 §3.9). ---
  flagTest('ignores-excluded-attributes', 'excludedAttributes=members still returns members; attributes= works', () =>
    withBoth('ignores-excluded-attributes', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [a] = await userIds(c, 1);
        const g = await createGroup(c, 'Excluded', [a!]);
        const one = await getJson(c, `/Groups/${g.id}?excludedAttributes=members`);
        const listed = await getJson(c, '/Groups?excludedAttributes=members');
        assert.equal(one.displayName, 'Excluded');
        for (const got of [one, listed.Resources[0]]) assert.deepEqual(memberIds(got), c === normal ? [] : [a]);
        const only = await getJson(c, `/Groups/${g.id}?attributes=displayName`);
        assert.equal(only.displayName, 'Excluded');
        assert.equal(only.members, undefined);
      }
    }),
  );

  flagTest('ignores-attributes', 'attributes=userName still returns displayName; excludedAttributes works', () =>
    withBoth('ignores-attributes', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { userName: 'proj@x', displayName: 'Shown' });
        const one = await getJson(c, `/Users/${u.id}?attributes=userName`);
        const listed = await getJson(c, '/Users?attributes=userName');
        for (const got of [one, listed.Resources[0]]) {
          assert.equal(got.id, u.id);
          assert.equal(got.userName, 'proj@x');
          assert.equal(got.displayName, c === normal ? undefined : 'Shown');
        }
        const without = await getJson(c, `/Users/${u.id}?excludedAttributes=displayName`);
        assert.equal(without.userName, 'proj@x');
        assert.equal(without.displayName, undefined);
      }
    }),
  );

  // --- Group names. ---
  flagTest('group-filter-prefix', 'displayName eq "Eng" also matches "Engineering"; userName eq stays exact', () =>
    withBoth('group-filter-prefix', async (normal, bad) => {
      for (const c of [normal, bad]) {
        await createGroup(c, 'Eng');
        await createGroup(c, 'Engineering');
        const found = await getJson(c, `/Groups?filter=${encodeURIComponent('displayName eq "Eng"')}`);
        assert.deepEqual(groupNames(found), c === normal ? ['Eng'] : ['Eng', 'Engineering']);
        await createUser(c, { userName: 'pre@x' });
        await createUser(c, { userName: 'pre@xy' });
        assert.deepEqual(await filterUserNames(c, 'userName eq "pre@x"'), ['pre@x']);
      }
    }),
  );

  flagTest('group-filter-case-sensitive', 'displayName eq "sales" misses "Sales"; the exact case and userName still match', () =>
    withBoth('group-filter-case-sensitive', async (normal, bad) => {
      for (const c of [normal, bad]) {
        await createGroup(c, 'Sales');
        const query = (f: string) => getJson(c, `/Groups?filter=${encodeURIComponent(f)}`);
        assert.deepEqual(groupNames(await query('displayName eq "sales"')), c === normal ? ['Sales'] : []);
        assert.deepEqual(groupNames(await query('displayName eq "Sales"')), ['Sales']);
        await createUser(c, { userName: 'case@x' });
        assert.deepEqual(await filterUserNames(c, 'userName eq "CASE@X"'), ['case@x']);
      }
    }),
  );

  flagTest('groups-no-uniqueness', '/Schemas declares Group displayName uniqueness "server", yet a duplicate is created', () =>
    withBoth('groups-no-uniqueness', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const schema = await getJson(c, `/Schemas/${GROUP}`);
        const displayName = schema.attributes.find((a: Json) => a.name === 'displayName');
        assert.equal(displayName.uniqueness, c === normal ? 'none' : 'server');
        await createGroup(c, 'Twice');
        await createGroup(c, 'Twice'); // allowed where "none" is declared, a lie where "server" is
        const found = await getJson(c, `/Groups?filter=${encodeURIComponent('displayName eq "Twice"')}`);
        assert.equal(found.totalResults, 2);
      }
    }),
  );

  // --- The enterprise manager. ---
  const MANAGER = `${ENTERPRISE}:manager`;
  flagTest('manager-empty-string', 'removing the manager leaves {"value": ""}; replacing it works', () =>
    withBoth('manager-empty-string', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [boss, other] = await userIds(c, 2);
        const u = await createUser(c, { schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'D', manager: { value: boss } } });
        const replaced = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: MANAGER, value: { value: other } }));
        expectStatus(replaced, 200);
        assert.equal(replaced.json[ENTERPRISE].manager.value, other);
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove', path: MANAGER }));
        assert.ok(res.status === 200 || res.status === 204, res.text);
        const got = await getJson(c, `/Users/${u.id}`);
        assert.equal(got[ENTERPRISE].department, 'D');
        if (c === normal) assert.equal(got[ENTERPRISE].manager, undefined);
        else assert.deepEqual(got[ENTERPRISE].manager, { value: '' });
      }
    }),
  );

  flagTest('manager-dropped', 'a manager sent on create or PATCH is never stored; department is', () =>
    withBoth('manager-dropped', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [boss] = await userIds(c, 1);
        const u = await createUser(c, { schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'D', manager: { value: boss } } });
        assert.equal(u[ENTERPRISE].department, 'D');
        assert.equal(u[ENTERPRISE].manager?.value, c === normal ? boss : undefined);
        const v = await createUser(c);
        const res = await c.scim('PATCH', `/Users/${v.id}`, patch({ op: 'add', path: MANAGER, value: { value: boss } }));
        expectStatus(res, 200);
        assert.equal((await getJson(c, `/Users/${v.id}`))[ENTERPRISE]?.manager?.value, c === normal ? boss : undefined);
      }
    }),
  );

  flagTest('manager-bare-string-refused', 'a manager sent as a bare id string is 400; the {value} form works', () =>
    withBoth('manager-bare-string-refused', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const [boss] = await userIds(c, 1);
        const u = await createUser(c);
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: MANAGER, value: boss }));
        if (c === normal) {
          expectStatus(res, 200);
          assert.deepEqual(res.json[ENTERPRISE].manager, { value: boss });
        } else {
          assertScimError(res, 400);
          assert.equal((await getJson(c, `/Users/${u.id}`))[ENTERPRISE], undefined);
          const object = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: MANAGER, value: { value: boss } }));
          expectStatus(object, 200);
          assert.equal(object.json[ENTERPRISE].manager.value, boss);
        }
      }
    }),
  );

  // --- PUT. ---
  flagTest('put-merges', 'an attribute a PUT sends as null keeps its value; one it leaves out is still cleared', () =>
    withBoth('put-merges', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { displayName: 'Old', nickName: 'Nick', title: 'T' });
        const res = await c.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName, displayName: null, title: 'New' });
        expectStatus(res, 200);
        const got = await getJson(c, `/Users/${u.id}`);
        assert.equal(got.title, 'New');
        assert.equal(got.nickName, undefined);
        assert.equal(got.displayName, c === normal ? undefined : 'Old');
      }
    }),
  );

  flagTest('put-creates', 'a PUT to an unknown id creates a user (201); a PUT to a known id is a 200', () =>
    withBoth('put-creates', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const res = await c.scim('PUT', '/Users/no-such-id', { schemas: [USER], userName: 'put@x' });
        if (c === normal) {
          assertScimError(res, 404);
          assert.equal(await countUsers(c), 0);
        } else {
          expectStatus(res, 201);
          assert.equal(res.json.userName, 'put@x');
          assert.deepEqual(await filterUserNames(c, 'userName eq "put@x"'), ['put@x']);
        }
        const u = await createUser(c, { userName: 'known@x' });
        const known = await c.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: 'known@x', displayName: 'K' });
        expectStatus(known, 200);
        assert.equal(known.json.displayName, 'K');
      }
    }),
  );

  // --- PATCH of users. ---
  flagTest('null-not-cleared', 'a replace with value null changes nothing; a remove still clears', () =>
    withBoth('null-not-cleared', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { displayName: 'Kept', title: 'T' });
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: null }));
        assert.ok(res.status === 200 || res.status === 204, res.text);
        assert.equal((await getJson(c, `/Users/${u.id}`)).displayName, c === normal ? undefined : 'Kept');
        const removed = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove', path: 'title' }));
        expectStatus(removed, 200);
        assert.equal(removed.json.title, undefined);
      }
    }),
  );

  flagTest('remove-simple-ignored', 'a remove of displayName changes nothing; a remove of emails still works', () =>
    withBoth('remove-simple-ignored', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { displayName: 'Kept', emails: [{ value: 'e@x' }] });
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove', path: 'displayName' }));
        assert.ok(res.status === 200 || res.status === 204, res.text);
        assert.equal((await getJson(c, `/Users/${u.id}`)).displayName, c === normal ? undefined : 'Kept');
        const emails = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove', path: 'emails' }));
        expectStatus(emails, 200);
        assert.equal(emails.json.emails, undefined);
      }
    }),
  );

  flagTest('remove-filter-wipes', 'remove emails[type eq "work"] removes every email; a plain remove is unchanged', () =>
    withBoth('remove-filter-wipes', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const emails = [
          { type: 'work', value: 'w@x' },
          { type: 'home', value: 'h@x' },
        ];
        const u = await createUser(c, { displayName: 'D', emails });
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove', path: 'emails[type eq "work"]' }));
        expectStatus(res, 200);
        assert.deepEqual(res.json.emails, c === normal ? [emails[1]] : undefined);
        const plain = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove', path: 'displayName' }));
        expectStatus(plain, 200);
        assert.equal(plain.json.displayName, undefined);
      }
    }),
  );

  flagTest('value-path-adds', 'a replace through a value path that matches nothing adds an element instead of 400 noTarget', () =>
    withBoth('value-path-adds', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { emails: [{ type: 'work', value: 'w@x' }] });
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'emails[type eq "home"].value', value: 'h@x' }));
        if (c === normal) {
          assertScimError(res, 400, 'noTarget');
          assert.deepEqual((await getJson(c, `/Users/${u.id}`)).emails, [{ type: 'work', value: 'w@x' }]);
        } else {
          expectStatus(res, 200);
          assert.deepEqual(res.json.emails, [
            { type: 'work', value: 'w@x' },
            { type: 'home', value: 'h@x' },
          ]);
        }
        const hit = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'w2@x' }));
        expectStatus(hit, 200);
        assert.equal(hit.json.emails[0].value, 'w2@x');
      }
    }),
  );

  flagTest('rename-ignored', 'a replace of userName (with a path or path-less) changes nothing; displayName still changes', () =>
    withBoth('rename-ignored', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { userName: 'before@x' });
        const pathed = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'userName', value: 'after@x' }));
        expectStatus(pathed, 200);
        assert.equal(pathed.json.userName, c === normal ? 'after@x' : 'before@x');
        const pathless = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', value: { userName: 'third@x' } }));
        expectStatus(pathless, 200);
        assert.equal((await getJson(c, `/Users/${u.id}`)).userName, c === normal ? 'third@x' : 'before@x');
        const other = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'Shown' }));
        expectStatus(other, 200);
        assert.equal(other.json.displayName, 'Shown');
      }
    }),
  );

  // --- Users. ---
  flagTest('returns-password', 'the hashed password comes back on create, GET and list; never in the clear', () =>
    withBoth('returns-password', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { password: 'Secret-123' });
        const got = await getJson(c, `/Users/${u.id}`);
        const listed = (await getJson(c, '/Users')).Resources[0];
        for (const r of [u, got, listed]) {
          if (c === normal) assert.equal(r.password, undefined);
          else assert.match(r.password, /^sha256:[0-9a-f]{64}$/);
        }
      }
    }),
  );

  flagTest('unknown-attribute-500', 'an unknown attribute in a create is 500 instead of 400; in a PUT it is still 400', () =>
    withBoth('unknown-attribute-500', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const res = await c.scim('POST', '/Users', { schemas: [USER], userName: 'odd@x', favouriteColour: 'blue' });
        if (c === normal) assertScimError(res, 400, 'invalidSyntax');
        else assertScimError(res, 500);
        assert.equal(await countUsers(c), 0);
        const u = await createUser(c);
        const put = await c.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName, favouriteColour: 'blue' });
        assertScimError(put, 400, 'invalidSyntax');
      }
    }),
  );

  flagTest('deleted-username-reserved', 'the userName of a deleted user (any case) is a 409; a fresh userName is fine', () =>
    withBoth('deleted-username-reserved', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { userName: 'gone@x' });
        expectStatus(await c.scim('DELETE', `/Users/${u.id}`), 204);
        for (const userName of ['gone@x', 'GONE@x']) {
          const again = await c.scim('POST', '/Users', { schemas: [USER], userName });
          if (c === normal) {
            expectStatus(again, 201);
            expectStatus(await c.scim('DELETE', `/Users/${again.json.id}`), 204);
          } else assertScimError(again, 409, 'uniqueness');
        }
        await createUser(c, { userName: 'fresh@x' });
      }
    }),
  );

  flagTest('reject-string-booleans-on-create', '"False" in a create is 400; in a PATCH it is still read', () =>
    withBoth('reject-string-booleans-on-create', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const res = await c.scim('POST', '/Users', { schemas: [USER], userName: 'str@x', active: 'False' });
        if (c === normal) {
          expectStatus(res, 201);
          assert.strictEqual(res.json.active, false);
        } else assertScimError(res, 400, 'invalidValue');
        const u = await createUser(c, { active: true });
        const patched = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'active', value: 'False' }));
        expectStatus(patched, 200);
        assert.strictEqual(patched.json.active, false);
      }
    }),
  );

  // --- Discovery against behaviour. ---
  flagTest('undeclared-department', '/Schemas leaves out enterprise department, yet it is stored', () =>
    withBoth('undeclared-department', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const schema = await getJson(c, `/Schemas/${ENTERPRISE}`);
        const declared = schema.attributes.map((a: Json) => a.name);
        assert.equal(declared.includes('department'), c === normal);
        assert.ok(declared.includes('manager'));
        const u = await createUser(c, { schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'Eng' } });
        assert.equal((await getJson(c, `/Users/${u.id}`))[ENTERPRISE].department, 'Eng');
      }
    }),
  );

  flagTest('schemas-no-group', '/Schemas and /ResourceTypes leave Group out, yet /Groups works', () =>
    withBoth('schemas-no-group', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const schemaIds = (await getJson(c, '/Schemas')).Resources.map((s: Json) => s.id);
        const typeNames = (await getJson(c, '/ResourceTypes')).Resources.map((t: Json) => t.name);
        assert.ok(schemaIds.includes(USER) && typeNames.includes('User'));
        assert.equal(schemaIds.includes(GROUP), c === normal);
        assert.equal(typeNames.includes('Group'), c === normal);
        for (const path of [`/Schemas/${GROUP}`, '/ResourceTypes/Group']) {
          const res = await c.scim('GET', path);
          if (c === normal) expectStatus(res, 200, path);
          else assertScimError(res, 404);
        }
        const g = await createGroup(c, 'Undeclared');
        await getJson(c, `/Groups/${g.id}`);
      }
    }),
  );

  flagTest('max-results-ignored', 'filter.maxResults says 10, yet a list returns 12', () =>
    withBoth('max-results-ignored', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const config = await getJson(c, '/ServiceProviderConfig');
        assert.equal(config.filter.maxResults, c === normal ? 1000 : 10);
        await userIds(c, 12);
        const res = await getJson(c, '/Users?count=1000');
        assert.equal(res.Resources.length, 12);
        assert.ok(c === bad ? res.Resources.length > config.filter.maxResults : res.Resources.length <= config.filter.maxResults);
      }
    }),
  );

  flagTest('bulk-denied-200', 'bulk.supported is false, yet POST /Bulk answers 200 instead of 501', () =>
    withBoth('bulk-denied-200', async (normal, bad) => {
      for (const c of [normal, bad]) {
        assert.equal((await getJson(c, '/ServiceProviderConfig')).bulk.supported, false);
        const res = await c.scim('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations: [] });
        if (c === normal) assertScimError(res, 501);
        else expectStatus(res, 200);
        assertScimError(await c.scim('POST', '/.search', { schemas: [SEARCH_REQUEST] }), 501);
      }
    }),
  );

  flagTest('sort-ignored', 'sort.supported is true, yet sortBy=userName keeps creation order', () =>
    withBoth('sort-ignored', async (normal, bad) => {
      for (const c of [normal, bad]) {
        assert.equal((await getJson(c, '/ServiceProviderConfig')).sort.supported, true);
        for (const userName of ['c@x', 'a@x', 'b@x']) await createUser(c, { userName });
        for (const [order, sorted] of [
          ['ascending', ['a@x', 'b@x', 'c@x']],
          ['descending', ['c@x', 'b@x', 'a@x']],
        ] as const) {
          const res = await c.scim('GET', `/Users?sortBy=userName&sortOrder=${order}`);
          expectStatus(res, 200);
          assert.deepEqual(names(res), c === normal ? sorted : ['c@x', 'a@x', 'b@x']);
        }
      }
    }),
  );

  flagTest('search-ignores-filter', 'POST /Users/.search returns every user; the GET filter still works', () =>
    withBoth('search-ignores-filter', async (normal, bad) => {
      for (const c of [normal, bad]) {
        for (const userName of ['a@x', 'b@x', 'c@x']) await createUser(c, { userName });
        const res = await c.scim('POST', '/Users/.search', { schemas: [SEARCH_REQUEST], filter: 'userName eq "b@x"' });
        expectStatus(res, 200);
        assert.deepEqual(names(res), c === normal ? ['b@x'] : ['a@x', 'b@x', 'c@x']);
        assert.equal(res.json.totalResults, c === normal ? 1 : 3);
        assert.deepEqual(await filterUserNames(c, 'userName eq "b@x"'), ['b@x']);
      }
    }),
  );

  // --- ETags (RFC 7644 §3.14). ---
  flagTest('advertises-etag-without-412', 'etag.supported is true, yet a stale If-Match is applied instead of 412', () =>
    withBoth('advertises-etag-without-412', async (normal, bad) => {
      for (const c of [normal, bad]) {
        assert.equal((await getJson(c, '/ServiceProviderConfig')).etag.supported, true);
        const u = await createUser(c, { displayName: 'v1' });
        const stale = 'W/"999"';
        const patched = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'v2' }), {
          'if-match': stale,
        });
        const put = await c.scim(
          'PUT',
          `/Users/${u.id}`,
          { schemas: [USER], userName: u.userName, displayName: 'v3' },
          { 'if-match': stale },
        );
        const got = await c.scim('GET', `/Users/${u.id}`);
        if (c === normal) {
          assertScimError(patched, 412);
          assertScimError(put, 412);
          assert.equal(got.json.displayName, 'v1');
        } else {
          expectStatus(patched, 200);
          expectStatus(put, 200);
          assert.equal(got.json.displayName, 'v3');
        }
        const fresh = await c.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': got.headers.get('etag')! });
        expectStatus(fresh, 304);
      }
    }),
  );

  flagTest('etag-no-304', 'etag.supported is true, yet a current If-None-Match is a 200, not 304; If-Match still 412s', () =>
    withBoth('etag-no-304', async (normal, bad) => {
      for (const c of [normal, bad]) {
        assert.equal((await getJson(c, '/ServiceProviderConfig')).etag.supported, true);
        const u = await createUser(c);
        const first = await c.scim('GET', `/Users/${u.id}`);
        const etag = first.headers.get('etag');
        assert.ok(etag);
        const again = await c.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': etag });
        if (c === normal) {
          expectStatus(again, 304);
          assert.equal(again.text, '');
        } else {
          expectStatus(again, 200);
          assert.equal(again.json.id, u.id);
        }
        const stale = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'x' }), {
          'if-match': 'W/"999"',
        });
        assertScimError(stale, 412);
      }
    }),
  );

  flagTest('filter-gt-as-ge', '"gt" also matches the equal value; "ge" and "lt" are right', () =>
    withBoth('filter-gt-as-ge', async (normal, bad) => {
      for (const c of [normal, bad]) {
        for (const userName of ['a@x', 'b@x', 'c@x']) await createUser(c, { userName });
        assert.deepEqual(await filterUserNames(c, 'userName gt "b@x"'), c === normal ? ['c@x'] : ['b@x', 'c@x']);
        assert.deepEqual(await filterUserNames(c, 'userName ge "b@x"'), ['b@x', 'c@x']);
        assert.deepEqual(await filterUserNames(c, 'userName lt "b@x"'), ['a@x']);
      }
    }),
  );

  flagTest('me-404', '/Me is 404 instead of 501 Not Implemented; other endpoints answer', () =>
    withBoth('me-404', async (normal, bad) => {
      for (const c of [normal, bad]) {
        assertScimError(await c.scim('GET', '/Me'), c === normal ? 501 : 404);
        await getJson(c, '/ServiceProviderConfig');
        assertScimError(await c.scim('GET', '/Nowhere'), 404);
      }
    }),
  );

  const bulkRequest = (operations: unknown[], extra: Record<string, unknown> = {}) => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    ...extra,
    Operations: operations,
  });

  flagTest('bulk-ignores-bulkid', 'a "bulkId:…" member reference is not resolved; the control server resolves it', () =>
    withBoth('bulk-ignores-bulkid', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const res = await c.scim(
          'POST',
          '/Bulk',
          bulkRequest([
            { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER], userName: `bulk-${c === normal ? 'n' : 'b'}@x` } },
            {
              method: 'POST',
              path: '/Groups',
              bulkId: 'g',
              data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ value: 'bulkId:u' }] },
            },
          ]),
        );
        if (c === normal) {
          // The control server offers no bulk at all.
          assertScimError(res, 501);
        } else {
          expectStatus(res, 200);
          assert.deepEqual(
            res.json.Operations.map((o: { status: string }) => o.status),
            ['201', '400'],
          );
        }
      }
    }),
  );

  flagTest('bulk-no-413', 'more than maxOperations (10) operations are processed, not refused with 413', () =>
    withBoth('bulk-no-413', async (_normal, bad) => {
      const config = await getJson(bad, '/ServiceProviderConfig');
      assert.deepEqual([config.bulk.supported, config.bulk.maxOperations], [true, 10]);
      const deletes = Array.from({ length: 11 }, (_, i) => ({ method: 'DELETE', path: `/Users/nobody-${i}` }));
      const res = await bad.scim('POST', '/Bulk', bulkRequest(deletes));
      expectStatus(res, 200);
      assert.equal(res.json.Operations.length, 11);
      assert.ok(res.json.Operations.every((o: { status: string }) => o.status === '404'));
    }),
  );

  flagTest('bulk-ignores-fail-on-errors', 'failOnErrors 1 does not stop the request at its first error', () =>
    withBoth('bulk-ignores-fail-on-errors', async (_normal, bad) => {
      const res = await bad.scim(
        'POST',
        '/Bulk',
        bulkRequest(
          [
            { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER] } },
            { method: 'POST', path: '/Users', bulkId: 'ok', data: { schemas: [USER], userName: 'after-error@x' } },
          ],
          { failOnErrors: 1 },
        ),
      );
      expectStatus(res, 200);
      assert.deepEqual(
        res.json.Operations.map((o: { status: string }) => o.status),
        ['400', '201'],
      );
    }),
  );

  flagTest('advertises-no-patch', 'ServiceProviderConfig says patch.supported false, yet a PATCH is applied', () =>
    withBoth('advertises-no-patch', async (normal, bad) => {
      for (const c of [normal, bad]) {
        assert.equal((await getJson(c, '/ServiceProviderConfig')).patch.supported, c === normal);
        const u = await createUser(c);
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'Patched' }));
        expectStatus(res, 200);
        assert.equal(res.json.displayName, 'Patched');
      }
    }),
  );

  flagTest('immutable-changed', '/Schemas says employeeNumber is immutable, yet a change to it is stored', () =>
    withBoth('immutable-changed', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const schema = await getJson(c, `/Schemas/${ENTERPRISE}`);
        const declared = schema.attributes.find((a: { name: string }) => a.name === 'employeeNumber').mutability;
        assert.equal(declared, c === normal ? 'readWrite' : 'immutable');
        const u = await createUser(c, { schemas: [USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: 'E1' } });
        const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: `${ENTERPRISE}:employeeNumber`, value: 'E2' }));
        expectStatus(res, 200);
        assert.equal(res.json[ENTERPRISE].employeeNumber, 'E2');
      }
    }),
  );

  flagTest('patch-not-atomic', 'a PATCH whose second operation fails keeps the first', () =>
    withBoth('patch-not-atomic', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { name: { familyName: 'Before' } });
        const res = await c.scim(
          'PATCH',
          `/Users/${u.id}`,
          patch({ op: 'replace', path: 'name.familyName', value: 'After' }, { op: 'replace', path: 'active', value: { not: 'a boolean' } }),
        );
        expectStatus(res, 400);
        const read = await getJson(c, `/Users/${u.id}`);
        assert.equal(read.name.familyName, c === normal ? 'Before' : 'After');
      }
    }),
  );

  flagTest('retry-creates-duplicate', 'two identical creates in flight make two users; one after the other, the second is a 409', () =>
    withBoth('retry-creates-duplicate', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const userName = unique('twin');
        const body = { schemas: [USER], userName };
        const answers = await Promise.all([c.scim('POST', '/Users', body), c.scim('POST', '/Users', body)]);
        const statuses = answers.map((a) => a.status).sort();
        assert.deepEqual(statuses, c === normal ? [201, 409] : [201, 201]);
        assert.equal(await countUsers(c, `userName eq "${userName}"`), c === normal ? 1 : 2);
        // A repeat after the insert meets the check: refused on both.
        expectStatus(await c.scim('POST', '/Users', body), 409);
      }
    }),
  );

  flagTest('reorder-loses-update', 'a create with other values for a taken userName overwrites it; an exact repeat is a 409', () =>
    withBoth('reorder-loses-update', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const fresh = await createUser(c, { title: 'Newer' });
        const exact = { schemas: [USER], userName: fresh.userName, title: 'Newer' };
        expectStatus(await c.scim('POST', '/Users', exact), 409);
        const stale = await c.scim('POST', '/Users', { ...exact, title: 'Older' });
        expectStatus(stale, c === normal ? 409 : 201);
        if (c === bad) assert.equal(stale.json.id, fresh.id);
        assert.equal((await getJson(c, `/Users/${fresh.id}`)).title, c === normal ? 'Newer' : 'Older');
        assert.equal(await countUsers(c, `userName eq "${fresh.userName}"`), 1);
      }
    }),
  );

  flagTest('delete-keeps-unique-values', "a deleted user's externalId and email stay taken; its userName is free", () =>
    withBoth('delete-keeps-unique-values', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const email = unique('leaver');
        const externalId = `ext-${email}`;
        const gone = await createUser(c, { externalId, emails: [{ value: email, type: 'work' }] });
        expectStatus(await c.scim('DELETE', `/Users/${gone.id}`), 204);
        // The userName alone comes back on both.
        expectStatus(await c.scim('POST', '/Users', { schemas: [USER], userName: gone.userName }), 201);
        const rehire = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('rehire'), externalId });
        expectStatus(rehire, c === normal ? 201 : 409);
        const byEmail = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('rehire'), emails: [{ value: email }] });
        expectStatus(byEmail, c === normal ? 201 : 409);
      }
    }),
  );

  flagTest('deactivate-clears-attributes', 'a deactivation removes the emails; other changes keep them', () =>
    withBoth('deactivate-clears-attributes', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const u = await createUser(c, { emails: [{ value: unique('kept'), type: 'work' }], title: 'Before' });
        expectStatus(await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'title', value: 'After' })), 200);
        assert.equal((await getJson(c, `/Users/${u.id}`)).emails.length, 1);
        expectStatus(await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'active', value: false })), 200);
        const read = await getJson(c, `/Users/${u.id}`);
        assert.equal(read.active, false);
        assert.equal(read.emails?.length, c === normal ? 1 : undefined);
      }
    }),
  );

  flagTest('one-at-a-time', 'a request waits for the one before it to finish', () =>
    withBoth('one-at-a-time', async (normal, bad) => {
      // Normal: a GET is answered while a POST's body is still coming.
      const open = openRequest(normal);
      await open.started;
      expectStatus(await normal.scim('GET', '/ServiceProviderConfig'), 200);
      open.finish();
      assert.equal(await open.done, 201);
      // Misbehaving: the GET is answered only after the POST before it.
      const held = openRequest(bad);
      await held.started;
      const order: string[] = [];
      const get = bad.scim('GET', '/ServiceProviderConfig').then((res) => {
        order.push('get');
        return res;
      });
      held.finish();
      const posted = held.done.then((status) => {
        order.push('post');
        return status;
      });
      assert.equal(await posted, 201);
      expectStatus(await get, 200);
      assert.deepEqual(order, ['post', 'get']);
    }),
  );

  flagTest('overload-503', 'a fifth request at once is 503 without Retry-After; four are fine', () =>
    withBoth('overload-503', async (normal, bad) => {
      for (const c of [normal, bad]) {
        const open = [openRequest(c), openRequest(c), openRequest(c), openRequest(c)];
        await Promise.all(open.map((o) => o.started));
        const res = await c.scim('GET', '/ServiceProviderConfig');
        if (c === normal) expectStatus(res, 200);
        else {
          assertScimError(res, 503);
          assert.equal(res.headers.get('retry-after'), null);
        }
        for (const o of open) o.finish();
        for (const o of open) assert.equal(await o.done, 201);
        expectStatus(await c.scim('GET', '/ServiceProviderConfig'), 200);
      }
    }),
  );

  it('every misbehaviour flag has a test here', () => {
    assert.deepEqual([...tested].sort(), [...MISBEHAVIOURS].sort());
  });

  it('an unknown flag is refused at start', async () => {
    await assert.rejects(start({ misbehave: ['not-a-flag' as Misbehaviour] }));
  });
});
