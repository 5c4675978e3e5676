// The stand-in downstream app: access follows provisioning (200 while the user exists and is
// active, 403 after deactivation or deletion), without the SCIM credential.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PATCH_OP, USER, start, unique } from './client.ts';

describe('reference demo app', () => {
  it('grants access while the user is active and refuses it after deactivation and deletion', async () => {
    const c = await start({});
    try {
      const access = async (id: string, method = 'GET') => {
        const response = await fetch(`${c.server.appUrl}/api/access/${encodeURIComponent(id)}`, { method });
        return { status: response.status, body: (await response.json()) as unknown };
      };
      const created = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('app'), active: true });
      const id = created.json.id as string;
      assert.deepEqual(await access(id), { status: 200, body: { access: true } });
      await c.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
      assert.deepEqual(await access(id), { status: 403, body: { access: false } });
      await c.scim('DELETE', `/Users/${id}`);
      assert.deepEqual(await access(id), { status: 403, body: { access: false, reason: 'no such user' } });
      assert.equal((await access(id, 'DELETE')).status, 405);
      const other = await fetch(`${c.server.appUrl}/elsewhere`);
      assert.equal(other.status, 404);
      await other.body?.cancel();
    } finally {
      await c.close();
    }
  });
});
