// A create whose answer never arrives may still have been made by the server. The run must look
// it up by the run-scoped name it sent and remove it, or, when it cannot look, name it as
// possibly left: "nothing left behind" is never claimed unchecked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { leftOnServer, runSpecFile, withServer } from './helpers.ts';
import { startHostileProxy } from './fixtures/hostile-proxy.ts';
import { summary } from '../../core/report/pretty.ts';

const FIXTURE = 'test/integration/fixtures/faults.provspec.yaml';
const plain = (_: string, text: string) => text;

describe('cleanup of creates that got no answer', () => {
  it('finds the user a timed-out create made, by its run-scoped userName, and removes it', async () => {
    await withServer([], async (server) => {
      const proxy = await startHostileProxy(new URL(server.baseUrl).origin, 'swallow-creates');
      try {
        const result = await runSpecFile(FIXTURE, server, {}, { baseUrl: `${proxy.origin}/scim/v2`, allowedOrigins: [proxy.origin] });
        assert.ok(proxy.swallowed >= 1, 'the server made a user whose create was never answered');
        assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 }, 'nothing is left on the server');
        assert.deepEqual(result.orphans, []);
        const created = result.audit.filter((a) => a.action === 'created' && a.resourceType === 'User');
        assert.equal(created.length, proxy.swallowed, 'each user the server made is in the audit trail');
        assert.ok(
          created.every((a) => /\+ps-\w+-\d+@example\.test$/.test(a.display)),
          'by the name it was sent with',
        );
        assert.ok(
          created.every((a) => result.audit.some((r) => r.action === 'removed' && r.id === a.id)),
          'and removed',
        );
        assert.match(summary([result], result.ms, plain), /nothing left behind/);
      } finally {
        await proxy.close();
      }
    });
  });

  it('names the create as possibly left, by userName, when it cannot be looked up', async () => {
    await withServer([], async (server) => {
      const proxy = await startHostileProxy(new URL(server.baseUrl).origin, 'swallow-creates', { failLookups: true });
      try {
        const result = await runSpecFile(FIXTURE, server, {}, { baseUrl: `${proxy.origin}/scim/v2`, allowedOrigins: [proxy.origin] });
        assert.ok(proxy.swallowed >= 1);
        assert.ok(result.orphans.length >= 1, 'the unknown outcome is reported');
        for (const orphan of result.orphans) {
          assert.equal(orphan.unconfirmed, true);
          assert.match(orphan.display, /^ann\+ps-\w+-\d+@example\.test$/);
          assert.match(orphan.reason ?? '', /no definite answer.*looking it up .*failed.*may be on the target/);
        }
        const text = summary([result], result.ms, plain);
        assert.doesNotMatch(text, /nothing left behind/);
        assert.match(text, /possibly left on the target: User "ann\+ps-\w+-\d+@example\.test"/);
        assert.equal(result.status === 'pass', false, 'a run that may have left something does not pass');
      } finally {
        await proxy.close();
      }
    });
  });
});
