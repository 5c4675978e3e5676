// Each misbehaviour flag changes exactly its behaviour: the same request passes on a normal server
// and fails or differs on one started with the flag, while a neighbouring behaviour stays correct.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Misbehaviour } from '../../reference/index.ts';
import { MISBEHAVIOURS } from '../../reference/index.ts';
import {
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
  type StartOptions,
  type TestServer,
} from './client.ts';

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

  it('every misbehaviour flag has a test here', () => {
    assert.deepEqual([...tested].sort(), [...MISBEHAVIOURS].sort());
  });

  it('an unknown flag is refused at start', async () => {
    await assert.rejects(start({ misbehave: ['not-a-flag' as Misbehaviour] }));
  });
});
