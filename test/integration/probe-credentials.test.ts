// Probes reach systems other than the SCIM target: they carry their own credential only to
// allowed origins, never the target's, never the target's headers, and a request that would
// carry one of the run's secrets to any other origin is not sent at all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';
import { failing, runSpecFile } from './helpers.ts';

interface App {
  url: string;
  origin: string;
  seen: IncomingHttpHeaders[];
  close: () => Promise<void>;
}

async function startApp(): Promise<App> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"access":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/api/access`, origin, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function spec(probe: string, allowApp: boolean): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'provspec-probe-'));
  const file = path.join(dir, 'probe.provspec.yaml');
  writeFileSync(
    file,
    `provspec: 1
name: Probe credentials
target:
  baseUrl: \${{ env.SCIM_BASE_URL }}
  auth:
    bearer: \${{ env.SCIM_TOKEN }}
  headers:
    X-Tenant-Key: \${{ env.TENANT_KEY }}
  allowedOrigins: ["\${{ env.SCIM_BASE_URL }}"${allowApp ? ', "${{ env.APP_URL }}"' : ''}]
identities:
  ann:
    email: ann@example.test
mapping:
  userName: \${{ identity.email }}
lifecycle:
  joiner:
    identity: ann
    steps:
      - provision
      - probe:
${probe.replace(/^/gm, '          ')}
`,
  );
  return file;
}

describe('probe credentials', () => {
  let scim: ReferenceServer;
  let app: App;
  const env = () => ({
    SCIM_BASE_URL: scim.baseUrl,
    SCIM_TOKEN: scim.token,
    APP_URL: app.origin,
    APP_TOKEN: 'app-token-5b1e',
    TENANT_KEY: 'tenant-key-93c2',
  });
  before(async () => {
    scim = await startReferenceServer({ token: 'scim-token-d41f' });
    app = await startApp();
  });
  after(async () => {
    await app.close();
    await scim.close();
  });

  it("sends the probe its own credential, and not the target's token or headers, when its origin is allowed", async () => {
    app.seen.length = 0;
    const file = spec('get: ${{ env.APP_URL }}/api/access\nauth:\n  bearer: ${{ env.APP_TOKEN }}', true);
    const result = await runSpecFile(file, scim, {}, { env: env() });
    assert.deepEqual(failing(result), []);
    assert.equal(app.seen.length, 1);
    assert.equal(app.seen[0]!['authorization'], 'Bearer app-token-5b1e');
    assert.ok(!JSON.stringify(result).includes('app-token-5b1e'), 'the probe credential is redacted from the evidence');
  });

  it('sends no credential to a probed origin that is not allowed, and says so', async () => {
    app.seen.length = 0;
    const file = spec('get: ${{ env.APP_URL }}/api/access\nauth:\n  bearer: ${{ env.APP_TOKEN }}', false);
    const result = await runSpecFile(file, scim, {}, { env: env() });
    assert.equal(app.seen.length, 0);
    const [problem] = failing(result);
    assert.equal(problem?.status, 'error');
    assert.match(problem!.message, /is not an allowed origin; no credential was sent/);
  });

  it("sends a plain probe without the target's headers", async () => {
    app.seen.length = 0;
    const file = spec('get: ${{ env.APP_URL }}/api/access', false);
    const result = await runSpecFile(file, scim, {}, { env: env() });
    assert.deepEqual(failing(result), []);
    assert.equal(app.seen.length, 1);
    assert.equal(app.seen[0]!['authorization'], undefined);
    assert.equal(app.seen[0]!['x-tenant-key'], undefined, 'target.headers stay with the target');
    // The SCIM requests did carry it; their evidence does not show it.
    assert.ok(
      !JSON.stringify(result).includes('tenant-key-93c2'),
      'a target header taken from the environment is redacted like a credential',
    );
  });

  it("does not send a request that would carry the target's token elsewhere, wherever it is written", async () => {
    for (const probe of [
      'get: ${{ env.APP_URL }}/api/access\nheaders:\n  Authorization: Bearer ${{ env.SCIM_TOKEN }}',
      'get: ${{ env.APP_URL }}/api/access?key=${{ env.SCIM_TOKEN }}',
      'post: ${{ env.APP_URL }}/api/access\nbody: { stolen: "${{ env.SCIM_TOKEN }}" }',
    ]) {
      app.seen.length = 0;
      const result = await runSpecFile(spec(probe, false), scim, {}, { env: env() });
      assert.equal(app.seen.length, 0, probe);
      const [problem] = failing(result);
      assert.equal(problem?.status, 'error', probe);
      assert.match(
        problem!.message,
        /carries a secret \(a credential of this run\) and http:\/\/127\.0\.0\.1:\d+ is not an allowed origin; it was not sent/,
        probe,
      );
      assert.ok(!JSON.stringify(result).includes('scim-token-d41f'), 'the token is redacted from the evidence');
    }
  });
});
