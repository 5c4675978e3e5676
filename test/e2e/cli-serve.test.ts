// `provspec serve` as users run it: its own process, the printed variables, a real request with
// the printed token, a structured log line, a clean stop on SIGTERM, and data kept in --db.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { VARIANTS, VARIANT_DESCRIPTIONS } from '../../reference/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'provspec.js');

interface Served {
  child: ChildProcessWithoutNullStreams;
  baseUrl: string;
  token: string;
  stdout: () => string;
  stderr: () => string;
}

async function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const deadline = Date.now() + 60_000;
  while (!/SCIM_TOKEN=\S+\n/.test(stdout)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${stdout}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    child,
    baseUrl: /SCIM_BASE_URL=(\S+)/.exec(stdout)![1]!,
    token: /SCIM_TOKEN=(\S+)/.exec(stdout)![1]!,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

async function stop(served: Served): Promise<number | null> {
  served.child.kill('SIGTERM');
  const [code] = (await once(served.child, 'close')) as [number | null];
  return code;
}

describe('provspec serve', () => {
  it(
    'prints the base URL and a random token, serves SCIM with it, ' + 'logs one JSON line per request, and stops on SIGTERM with 0',
    async () => {
      const served = await serve([]);
      try {
        assert.match(served.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
        assert.ok(served.token.length >= 24);
        const ok = await fetch(`${served.baseUrl}/Users`, {
          headers: { authorization: `Bearer ${served.token}`, 'x-request-id': 'e2e-serve-1' },
        });
        assert.equal(ok.status, 200);
        assert.match(ok.headers.get('content-type') ?? '', /^application\/scim\+json/);
        const denied = await fetch(`${served.baseUrl}/Users`, { headers: { authorization: 'Bearer wrong' } });
        assert.equal(denied.status, 401);
        await denied.arrayBuffer();
        const deadline = Date.now() + 30_000;
        while (
          served
            .stdout()
            .split('\n')
            .filter((l) => l.startsWith('{')).length < 2 &&
          Date.now() < deadline
        )
          await new Promise((r) => setTimeout(r, 20));
        const lines = served
          .stdout()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.deepEqual(
          lines.map((l) => [l['method'], l['path'], l['status']]),
          [
            ['GET', '/scim/v2/Users', 200],
            ['GET', '/scim/v2/Users', 401],
          ],
        );
        assert.equal(lines[0]!['requestId'], 'e2e-serve-1');
        assert.equal(typeof lines[0]!['ms'], 'number');
        assert.ok(
          !served
            .stdout()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .some((l) => l.includes(served.token)),
          'the token is never logged',
        );
      } finally {
        assert.equal(await stop(served), 0);
      }
    },
  );

  it('keeps data across restarts with --db, and uses the given --token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-serve-'));
    const db = path.join(dir, 'scim.db');
    try {
      const first = await serve(['--db', db, '--token', 'e2e-token', '--quiet']);
      assert.equal(first.token, 'e2e-token');
      const created = await fetch(`${first.baseUrl}/Users`, {
        method: 'POST',
        headers: { authorization: 'Bearer e2e-token', 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'kept@example.test' }),
      });
      assert.equal(created.status, 201);
      const { id } = (await created.json()) as { id: string };
      assert.equal(await stop(first), 0);
      assert.equal(
        first
          .stdout()
          .split('\n')
          .filter((l) => l.startsWith('{')).length,
        0,
        '--quiet logs no requests',
      );

      const second = await serve(['--db', db, '--token', 'e2e-token']);
      try {
        const read = await fetch(`${second.baseUrl}/Users/${id}`, { headers: { authorization: 'Bearer e2e-token' } });
        assert.equal(read.status, 200);
        assert.equal(((await read.json()) as { userName: string }).userName, 'kept@example.test');
      } finally {
        assert.equal(await stop(second), 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown misbehaviour with exit 2 and the list of known ones', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--misbehave', 'slow,sloppy'], { cwd: ROOT });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 2);
    assert.match(stderr, /Unknown misbehaviour "sloppy"/);
    assert.match(stderr, /case-sensitive-op/);
    assert.doesNotMatch(stderr, /^\s+at /m);
  });

  it('takes --variant: says so at start-up, serves the variant, refuses an unknown one with exit 2', async () => {
    const served = await serve(['--variant', 'opaque-ids', '--variant', 'patch-204', '--misbehave', 'no-location', '--quiet']);
    try {
      const deadline = Date.now() + 30_000;
      while (!served.stderr().includes('Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(served.stderr(), /misbehaving: no-location, variants: opaque-ids, patch-204\./);
      const created = await fetch(`${served.baseUrl}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'variant@example.test' }),
      });
      assert.equal(created.status, 201);
      assert.match(((await created.json()) as { id: string }).id, /^u_[0-9A-Za-z]{20}$/);
    } finally {
      assert.equal(await stop(served), 0);
    }
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--variant', 'patch-204,lenient'], { cwd: ROOT });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 2);
    assert.match(stderr, /Unknown variant "lenient"\. Known: unique-emails, /);
  });

  it('--help lists every variant with what permits it', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--help'], { cwd: ROOT });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0);
    assert.match(stdout, /--variant A\[,B…\]/);
    for (const variant of VARIANTS) assert.ok(stdout.includes(`${variant.padEnd(26)}${VARIANT_DESCRIPTIONS[variant]}`), variant);
  });

  it('reports a port in use as a one-line error, exit 1', async () => {
    const served = await serve([]);
    try {
      const port = new URL(served.baseUrl).port;
      const child = spawn(process.execPath, [BIN, 'serve', '--port', port], { cwd: ROOT });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(code, 1);
      assert.match(stderr, /port \d+ is in use/);
    } finally {
      await stop(served);
    }
  });
});

describe('provspec serve --idp', () => {
  const env = {
    ...process.env,
    NO_COLOR: '1',
    APP_URL: 'http://127.0.0.1:9/app',
    OIDC_CLIENT_ID: 'by-hand-app',
    OIDC_CLIENT_SECRET: 'by-hand-secret-value',
  };
  /** Starts it on a free port and waits for the line naming `variable`. */
  async function idp(spec: string, variable: string): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
    const child = spawn(process.execPath, [BIN, 'serve', '--idp', spec, '--port', '0'], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const line = new RegExp(`${variable}=(\\S+)\n`);
    const deadline = Date.now() + 60_000;
    while (!line.test(stdout)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve --idp did not start:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.doesNotMatch(stdout + stderr, /by-hand-secret-value/, 'the client secret is never printed');
    return { child, url: line.exec(stdout)![1]! };
  }

  it("runs the spec's OpenID Connect IdP: discovery names it and the scopes its claims need; SIGTERM stops it with 0", async () => {
    const { child, url } = await idp('examples/federation-oidc.provspec.yaml', 'OIDC_ISSUER');
    try {
      const discovery = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.equal(discovery['issuer'], url);
      assert.ok((discovery['scopes_supported'] as string[]).includes('department'), JSON.stringify(discovery['scopes_supported']));
    } finally {
      child.kill('SIGTERM');
      assert.equal(((await once(child, 'close')) as [number | null])[0], 0);
    }
  });

  it("runs the spec's SAML IdP: its metadata names the signing certificate", async () => {
    const { child, url } = await idp('examples/federation-saml.provspec.yaml', 'SAML_IDP_METADATA_URL');
    try {
      const metadata = await (await fetch(url)).text();
      assert.match(metadata, /<(\w+:)?EntityDescriptor\b/);
      assert.match(metadata, /X509Certificate>[A-Za-z0-9+/=\s]{200,}</);
    } finally {
      child.kill('SIGTERM');
      assert.equal(((await once(child, 'close')) as [number | null])[0], 0);
    }
  });
});
