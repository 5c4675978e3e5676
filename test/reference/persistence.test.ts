// Data kept in a SQLite file across restarts; in-memory servers share nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENTERPRISE, USER, createGroup, createUser, getJson, memberIds, start, unique, type Json } from './client.ts';

describe('reference persistence', () => {
  it('users and groups survive a restart on the same db file, identical', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-ref-'));
    const db = path.join(dir, 'scim.db');
    try {
      const first = await start({ db });
      const firstBaseUrl = first.baseUrl;
      let user: Json, member: Json, group: Json, groupBefore: Json;
      try {
        user = await createUser(first, {
          schemas: [USER, ENTERPRISE],
          name: { givenName: 'Per', familyName: 'Sist' },
          emails: [{ type: 'work', value: 'per@example.com', primary: true }],
          active: false,
          [ENTERPRISE]: { department: 'Durable' },
        });
        member = await createUser(first);
        group = await createGroup(first, unique('persisted'), [user.id, member.id]);
        user = await getJson(first, `/Users/${user.id}`);
        groupBefore = await getJson(first, `/Groups/${group.id}`);
      } finally {
        await first.close();
      }

      const second = await start({ db });
      try {
        const u = await getJson(second, `/Users/${user.id}`);
        const g = await getJson(second, `/Groups/${group.id}`);
        // Identical but for the base URL in meta.location and $ref, which follow the new port.
        const rebase = (r: Json): Json => JSON.parse(JSON.stringify(r).replaceAll(firstBaseUrl, second.baseUrl));
        assert.deepEqual(u, rebase(user));
        assert.deepEqual(g, rebase(groupBefore));
        assert.equal(u.meta.location, `${second.baseUrl}/Users/${user.id}`, 'location follows the new base URL');
        assert.equal(u.meta.created, user.meta.created);
        assert.equal(u.meta.version, user.meta.version);
        assert.equal(u.active, false);
        assert.equal(u[ENTERPRISE].department, 'Durable');
        assert.equal(g.id, group.id);
        assert.equal(g.displayName, group.displayName);
        assert.equal(g.meta.created, group.meta.created);
        assert.deepEqual(memberIds(g), [user.id, member.id].sort());
        assert.deepEqual(
          (u.groups ?? []).map((x: { value: string }) => x.value),
          [group.id],
        );
        const list = await getJson(second, '/Users?count=0');
        assert.equal(list.totalResults, 2);
        const again = await second.scim('POST', '/Users', { schemas: [USER], userName: user.userName.toUpperCase() });
        assert.equal(again.status, 409, 'uniqueness still enforced after restart');
        const fresh = await createUser(second);
        assert.ok(![user.id, member.id].includes(fresh.id));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in-memory servers share nothing', async () => {
    const a = await start();
    const b = await start();
    try {
      const u = await createUser(a);
      assert.equal((await getJson(b, '/Users?count=0')).totalResults, 0);
      assert.equal((await b.scim('GET', `/Users/${u.id}`)).status, 404);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
