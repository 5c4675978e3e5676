// `provspec cleanup`: after a run killed with SIGKILL (no cleanup of its own), the resources it
// left are found by their run tag and deleted with --yes; resources without the tag, or with
// something that only looks like one, are never touched.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';

import { BIN, ROOT, provspecWithEnv } from './cli.ts';
const SPEC = 'examples/quickstart.provspec.yaml';

async function scim(
  server: ReferenceServer,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function names(server: ReferenceServer, what: 'Users' | 'Groups'): Promise<string[]> {
  const { json } = await scim(server, 'GET', `/${what}?count=1000`);
  return ((json['Resources'] as Array<Record<string, unknown>> | undefined) ?? [])
    .map((r) => String(r[what === 'Users' ? 'userName' : 'displayName']))
    .sort();
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('provspec cleanup', () => {
  it("lists tagged resources, deletes one run's with --run and --yes, and never touches untagged ones", async () => {
    const server = await startReferenceServer({});
    try {
      const env = { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token };
      for (const userName of [
        'alice+ps-abc123-1@example.test',
        'bob-ps-abc123-2',
        'carol+ps-zzz999-1@example.test',
        'dave@example.test',
        'erin+ps-abc12-1@example.test',
        'frank+ps-abc1234-1@example.test',
        'xps-abc123-1',
      ]) {
        assert.equal((await scim(server, 'POST', '/Users', { schemas: [USER], userName })).status, 201);
      }
      for (const displayName of ['Sales ps-abc123', 'Sales', 'Ops ps-abc123x']) {
        assert.equal((await scim(server, 'POST', '/Groups', { schemas: [GROUP], displayName })).status, 201);
      }

      const listed = await provspecWithEnv(['cleanup', SPEC], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /: 4 resources with provspec's run tag of any run\n/);
      for (const name of ['alice+ps-abc123-1@example.test', 'bob-ps-abc123-2', 'carol+ps-zzz999-1@example.test', 'Sales ps-abc123'])
        assert.ok(listed.stdout.includes(JSON.stringify(name)), `${name} is listed`);
      assert.match(listed.stdout, /Run again with --yes to delete them/);
      assert.equal((await names(server, 'Users')).length, 7, 'listing deletes nothing');

      const young = await provspecWithEnv(['cleanup', SPEC, '--older-than', '1h', '--yes'], env);
      assert.equal(young.code, 0, young.stderr);
      assert.match(young.stdout, /: 0 resources .*created more than 1h ago/);
      assert.match(young.stdout, /spared: User .*more recently than asked/);

      const one = await provspecWithEnv(['cleanup', SPEC, '--run', 'abc123', '--yes'], env);
      assert.equal(one.code, 0, one.stderr);
      assert.match(one.stdout, /deleted 3 of 3/);
      assert.deepEqual(await names(server, 'Users'), [
        'carol+ps-zzz999-1@example.test',
        'dave@example.test',
        'erin+ps-abc12-1@example.test',
        'frank+ps-abc1234-1@example.test',
        'xps-abc123-1',
      ]);
      assert.deepEqual(await names(server, 'Groups'), ['Ops ps-abc123x', 'Sales']);
    } finally {
      await server.close();
    }
  });

  it('removes everything a run killed with SIGKILL left behind', async () => {
    const server = await startReferenceServer({});
    try {
      const env = { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token };
      const child = spawn(process.execPath, [BIN, 'run', SPEC], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('close', resolve));
      // Killed as soon as the server holds something it created: no chance to clean up.
      for (const end = Date.now() + 60_000; (await names(server, 'Users')).length === 0; ) {
        if (Date.now() > end) throw new Error('the run created nothing');
        await new Promise((resolve) => setImmediate(resolve));
      }
      child.kill('SIGKILL');
      await exited;
      const left = await names(server, 'Users');
      assert.ok(left.length > 0 && left.every((n) => /\+ps-[0-9a-z]{6}-\d+@/.test(n)), `the run left tagged users: ${left.join(', ')}`);

      const swept = await provspecWithEnv(['cleanup', SPEC, '--yes'], env);
      assert.equal(swept.code, 0, swept.stderr);
      assert.match(swept.stdout, /deleted (\d+) of \1\n/);
      assert.deepEqual(await names(server, 'Users'), []);
      assert.deepEqual(await names(server, 'Groups'), []);
    } finally {
      await server.close();
    }
  });
});
