// The leak scan: every output of `provspec run`, `provspec merge` and the Action, written while
// the target reflects every credential it receives (in headers and bodies, raw and encoded:
// fixtures/hostile-proxy.ts), is searched for each credential in every form a reader could
// decode it from. The scanner decodes what it finds (percent-escapes, `\u` escapes, base64,
// hex) rather than sharing the runner's list of forms, so the two readings check each other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';
import { startHostileProxy, type HostileProxy } from '../integration/fixtures/hostile-proxy.ts';
import { runAction, workspace } from '../action/harness.ts';

import { ROOT, provspecWithEnv } from './cli.ts';

// Each has characters that encode differently in every scheme (+, /, =, space).
const TOKEN = 'leak+Bearer/T0ken=7c6b5a49';
const API_KEY = 'api-key 5e4d/3c2b+1a09=';
const CLIENT_SECRET = 'client/Secret+8h7g6f5e=';
const ACCESS_TOKEN = 'oauth+Access/T0ken=4d3c2b1a';

/** Every way `secret` can be read back out of `text`; empty when it cannot. */
export function leaks(text: string, secret: string): string[] {
  const found = new Set<string>();
  if (text.includes(secret)) found.add('raw');
  const unescaped = text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\\//g, '/');
  if (unescaped.includes(secret)) found.add('JSON-escaped');
  const percent = text.replace(/((?:%[0-9a-fA-F]{2})+)/g, (run: string) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
  if (percent.includes(secret) || percent.replace(/\+/g, ' ').includes(secret)) found.add('percent-encoded');
  for (const run of text.match(/[A-Za-z0-9+/_-]{12,}={0,2}/g) ?? []) {
    // Every alignment: the secret may sit anywhere in a longer encoded text.
    for (let start = 0; start < 4; start++) {
      const slice = run.slice(start);
      for (const alphabet of ['base64', 'base64url'] as const) {
        if (Buffer.from(slice, alphabet).toString('latin1').includes(secret)) found.add(alphabet);
      }
    }
  }
  for (const run of text.match(/(?:[0-9a-fA-F]{2}){8,}/g) ?? []) {
    for (const start of [0, 1]) if (Buffer.from(run.slice(start), 'hex').toString('latin1').includes(secret)) found.add('hex');
  }
  return [...found];
}

function assertNoLeak(outputs: Record<string, string>, secrets: Record<string, string>): void {
  const found: string[] = [];
  for (const [where, text] of Object.entries(outputs)) {
    for (const [what, secret] of Object.entries(secrets)) {
      const forms = leaks(text, secret);
      if (forms.length) found.push(`${what} in ${where} (${forms.join(', ')})`);
    }
  }
  assert.deepEqual(found, [], 'no credential in any output');
}

/** The quickstart, with an API key header from the environment as well as the bearer token. */
const SPEC = readFileSync(path.join(ROOT, 'examples/quickstart.provspec.yaml'), 'utf8')
  .replace('# yaml-language-server: $schema=../schemas/provspec.schema.json\n', '')
  .replace('    bearer: ${{ env.SCIM_TOKEN }}\n', '    bearer: ${{ env.SCIM_TOKEN }}\n  headers:\n    X-Api-Key: ${{ env.API_KEY }}\n');

const OAUTH_SPEC = `provspec: 1
name: OAuth behind a reflecting server
target:
  baseUrl: \${{ env.SCIM_BASE_URL }}
  auth:
    oauth2:
      tokenUrl: \${{ env.TOKEN_URL }}
      clientId: provspec-client
      clientSecret: \${{ env.CLIENT_SECRET }}
  allowedOrigins: ["\${{ env.SCIM_BASE_URL }}", "\${{ env.TOKEN_URL }}"]
identities:
  ann: { email: ann@example.test }
mapping:
  userName: \${{ identity.email }}
lifecycle:
  joiner:
    identity: ann
    steps:
      - provision
      - deprovision
`;

function readAll(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const file = path.join(e.parentPath, e.name);
        return [path.relative(dir, file), readFileSync(file, 'utf8')];
      }),
  );
}

describe('leak scan: a target that reflects every credential it receives', () => {
  let server: ReferenceServer;
  let proxy: HostileProxy;
  let tokens: Server;
  let tokenUrl: string;
  let dir: string;
  before(async () => {
    // Failing checks, so that failure output with evidence (headers, bodies) is printed too.
    server = await startReferenceServer({ token: TOKEN, misbehave: ['no-location', 'delete-returns-200'] });
    proxy = await startHostileProxy(new URL(server.baseUrl).origin, 'reflect');
    // A token endpoint that hands out an access token the reference server does not know: every
    // request with it is refused, which puts the refusals (and their echoes) in the evidence.
    tokens = createServer((req, res) => {
      req
        .resume()
        .on('end', () =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 })),
        );
    });
    await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/token`;
    dir = mkdtempSync(path.join(tmpdir(), 'provspec-leak-scan-'));
    writeFileSync(path.join(dir, 'reflect.provspec.yaml'), SPEC);
    writeFileSync(path.join(dir, 'oauth.provspec.yaml'), OAUTH_SPEC);
  });
  after(async () => {
    await proxy.close();
    await server.close();
    await new Promise<void>((resolve) => tokens.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const baseUrl = () => `${proxy.origin}/scim/v2`;
  const secrets = { token: TOKEN, 'API key': API_KEY, 'client secret': CLIENT_SECRET, 'access token': ACCESS_TOKEN };

  it('the reflection is real: the proxy echoes the token in headers and bodies, encoded', async () => {
    const response = await fetch(`${baseUrl()}/Users?count=1`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-api-key': API_KEY } });
    const text = `${JSON.stringify(Object.fromEntries(response.headers))}\n${await response.text()}`;
    assert.deepEqual(leaks(text, TOKEN).sort(), ['JSON-escaped', 'base64', 'base64url', 'hex', 'percent-encoded', 'raw']);
  });

  it('run (every output format) and merge write no credential in any form', async () => {
    const out = path.join(dir, 'out');
    const env = { SCIM_BASE_URL: baseUrl(), SCIM_TOKEN: TOKEN, API_KEY, TOKEN_URL: tokenUrl, CLIENT_SECRET };
    const specs = [path.join(dir, 'reflect.provspec.yaml'), path.join(dir, 'oauth.provspec.yaml')];
    const files = [
      '--report',
      `${out}/report.json`,
      '--junit',
      `${out}/junit.xml`,
      '--sarif',
      `${out}/run.sarif`,
      '--markdown',
      `${out}/summary.md`,
      '--trace',
      `${out}/trace.ndjson`,
    ];
    mkdirSync(out, { recursive: true });
    const pretty = await provspecWithEnv(['run', ...specs, ...files], env);
    assert.equal(pretty.code, 1, `failing checks print their evidence: ${pretty.stderr}`);
    assert.match(pretty.stdout, /debugEcho|x-echo/, 'the reflected values are in the printed evidence (redacted)');
    const json = await provspecWithEnv(['run', ...specs, '--format', 'json'], env);
    assert.equal(json.code, 1, json.stderr);
    const merged = await provspecWithEnv(
      [
        'merge',
        `${out}/report.json`,
        '--report',
        `${out}/merged.json`,
        '--junit',
        `${out}/merged.xml`,
        '--sarif',
        `${out}/merged.sarif`,
        '--markdown',
        `${out}/merged.md`,
      ],
      {},
    );
    const mergedJson = await provspecWithEnv(['merge', `${out}/report.json`, '--format', 'json'], {});
    const outputs: Record<string, string> = {
      'run stdout': pretty.stdout,
      'run stderr': pretty.stderr,
      'run --format json': json.stdout,
      'run --format json stderr': json.stderr,
      'merge stdout': merged.stdout,
      'merge stderr': merged.stderr,
      'merge --format json': mergedJson.stdout,
      ...readAll(out),
    };
    assert.ok(outputs['trace.ndjson']!.includes('x-echo-authorization'), 'the trace has the reflecting responses');
    assert.ok(outputs['report.json']!.includes('debugEcho'), 'the report has the reflected bodies');
    assertNoLeak(outputs, secrets);
  });

  it('the Action writes no credential in any form to its log, summary, outputs or files', async () => {
    const ws = workspace({ 'specs/reflect.provspec.yaml': SPEC });
    try {
      const run = await runAction(
        ws,
        {
          specs: 'specs/',
          'base-url': baseUrl(),
          token: TOKEN,
          annotations: 'workflow-commands',
          junit: 'out/junit.xml',
          sarif: 'out/run.sarif',
          trace: 'out/trace.ndjson',
        },
        { API_KEY },
      );
      assert.equal(run.code, 1, run.stderr);
      // ::add-mask:: lines tell the runner what to hide; they are the one place a secret may be.
      const log = run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      assert.match(run.stdout, /^::add-mask::/m);
      const files = readAll(ws);
      delete files['specs/reflect.provspec.yaml'];
      assertNoLeak(
        { log, stderr: run.stderr, summary: run.summary, outputs: JSON.stringify(run.outputs), ...files },
        { token: TOKEN, 'API key': API_KEY },
      );
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
