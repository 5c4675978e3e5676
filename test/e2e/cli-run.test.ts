// `provspec run` as a process: exit codes, the embedded server, reports on disk, SIGINT
// mid-run (cleanup first, then exit), and a known token that must appear in no output at all.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferenceServer } from '../../reference/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'provspec.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When the SIGINT was sent (Date.now()), for a run given `interrupt`. */
  interruptedAt?: number;
}

/** An observable condition (a request the server saw, a line printed) after which the run gets SIGINT. */
interface Interrupt {
  /** For the failure message: what was waited for. */
  after: string;
  holds: () => boolean;
}

/** How long a run may wait for its interrupt's condition: generous, for a loaded machine. */
const INTERRUPT_DEADLINE_MS = 60_000;

/** `provspec run` as a process; an env value of undefined removes that variable. */
function run(args: string[], env: Record<string, string | undefined> = {}, interrupt?: Interrupt): Promise<Run> {
  const childEnv: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...env };
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', ...args], { cwd: ROOT, env: childEnv });
    let stdout = '';
    let stderr = '';
    let interruptedAt: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    let poll: NodeJS.Timeout | undefined;
    if (interrupt) {
      const deadline = Date.now() + INTERRUPT_DEADLINE_MS;
      poll = setInterval(() => {
        if (interrupt.holds()) {
          clearInterval(poll);
          interruptedAt = Date.now();
          child.kill('SIGINT');
        } else if (Date.now() > deadline) {
          clearInterval(poll);
          child.kill('SIGKILL');
          reject(
            new Error(
              `no ${interrupt.after} within ${INTERRUPT_DEADLINE_MS / 1000} s, ` +
                `so the run was never interrupted (killed):\n${stdout}\n${stderr}`,
            ),
          );
        }
      }, 10);
    }
    child.on('error', reject);
    // 'close', not 'exit': by then all of the output has been read.
    child.on('close', (code) => {
      clearInterval(poll);
      if (interrupt && interruptedAt === undefined)
        reject(new Error(`provspec run exited (${code}) before ${interrupt.after}, so it was never interrupted:\n${stdout}\n${stderr}`));
      resolve({ code, stdout, stderr, interruptedAt });
    });
  });
}

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

describe('provspec run', () => {
  it('runs the quickstart against the embedded server: exit 0, a line per scenario, a summary, nothing left', async () => {
    const result = await run(['examples/quickstart.provspec.yaml', '--embedded']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✔ lifecycle\.joiner examples\/quickstart\.provspec\.yaml:\d+ · rfc7644 · \d+ checks/);
    assert.match(result.stdout, /✔ 6 of 6 scenarios passed/);
    assert.match(result.stdout, /nothing left behind/);
  });

  it('runs every example against the embedded server, the downstream probe included', async () => {
    const { code, stdout } = await run(['examples/', '--embedded']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /✔ lifecycle\.leaver examples\/entra\.provspec\.yaml/);
    // The federation example signs in at the IdP the run starts, through the embedded demo app.
    assert.match(stdout, /✔ lifecycle\.jit-leaver examples\/federation-oidc\.provspec\.yaml/);
    assert.match(stdout, /nothing left behind/);
  });

  it("takes the demo app's federation misbehaviours in --misbehave: the check fails at its line", async () => {
    const result = await run([
      'examples/federation-oidc.provspec.yaml',
      '--embedded',
      '--misbehave',
      'jit-links-by-email',
      '--scenario',
      'jit-email-change',
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /fail examples\/federation-oidc\.provspec\.yaml:\d+:\d+ 3-login\.same-account/);
    assert.doesNotMatch(result.stdout + result.stderr, STACK);
  });

  it('exits 1 with the failing spec line when a check fails', async () => {
    const result = await run([
      'examples/quickstart.provspec.yaml',
      '--embedded',
      '--misbehave',
      'delete-returns-200',
      '--scenario',
      'leaver',
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /fail examples\/quickstart\.provspec\.yaml:\d+:\d+ \d-deprovision\.deleted/);
    assert.match(result.stdout, /answered 200, expected 204/);
    assert.doesNotMatch(result.stdout + result.stderr, STACK);
  });

  it('exits 2 for an invalid spec, with located errors and nothing sent', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-run-'));
    try {
      const file = path.join(dir, 'bad.provspec.yaml');
      writeFileSync(
        file,
        'provspec: 1\nname: bad\ntarget:\n  baseUrl: http://127.0.0.1:9/scim/v2\n  auth: none\nidentities: ' +
          '{}\nmapping:\n  userName: x\nlifecycle:\n  a:\n    identity: nobody\n    steps: [provision]\n',
      );
      const result = await run([file]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /bad\.provspec\.yaml:11:15: error unknown-identity/);
      assert.match(result.stderr, /nothing was sent/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 before sending anything when an environment variable the run needs is unset, once per use at its line', async () => {
    // A real server that counts what reaches it: nothing may.
    let requests = 0;
    const server = await startReferenceServer({ log: () => requests++ });
    try {
      const result = await run(['examples/entra.provspec.yaml'], {
        SCIM_BASE_URL: server.baseUrl,
        SCIM_TOKEN: server.token,
        APP_URL: undefined,
      });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /examples\/entra\.provspec\.yaml:9:\d+: error unset-env: The environment variable APP_URL is not set/);
      assert.equal(result.stderr.match(/error unset-env/g)?.length, 1, 'one error per use');
      assert.match(result.stderr, /nothing was sent/);
      assert.equal(requests, 0, 'the server got no request');
      // With APP_URL set (or --embedded, which sets it), the same spec runs.
      assert.equal((await run(['examples/entra.provspec.yaml', '--embedded'])).code, 0);
    } finally {
      await server.close();
    }
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['examples/', '--dialect', 'azure'])).code, 2);
    assert.equal((await run(['examples/quickstart.provspec.yaml', '--shard', '5/4'])).code, 2);
    assert.equal((await run(['examples/quickstart.provspec.yaml', '--misbehave', 'slow'])).code, 2);
  });

  it('exits 2 before sending anything when the --report file cannot be written, naming it', async () => {
    const log: unknown[] = [];
    const server = await startReferenceServer({ log: (line) => log.push(line) });
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-run-'));
    try {
      const blocker = path.join(dir, 'a-file');
      writeFileSync(blocker, '');
      const result = await run(['examples/quickstart.provspec.yaml', '--report', path.join(blocker, 'report.json')], {
        SCIM_BASE_URL: server.baseUrl,
        SCIM_TOKEN: server.token,
      });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /the report .*a-file.*report\.json cannot be written.*; nothing was sent\./);
      assert.equal(log.length, 0, 'no request reached the server');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on SIGINT mid-run, stops, removes what it created and exits 130', async () => {
    const log: Array<{ method: string; path: string; status: number }> = [];
    const server = await startReferenceServer({ log: (line) => log.push(line) });
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-run-'));
    try {
      const file = path.join(dir, 'slow.provspec.yaml');
      writeFileSync(
        file,
        [
          'provspec: 1',
          'name: slow',
          'target:',
          '  baseUrl: ${{ env.SCIM_BASE_URL }}',
          '  auth: { bearer: "${{ env.SCIM_TOKEN }}" }',
          'identities:',
          '  ann: { email: ann@example.test }',
          'mapping:',
          '  userName: ${{ identity.email }}',
          'groups:',
          '  Team: {}',
          'roles:',
          '  - memberOf: [Team]',
          'lifecycle:',
          '  waits:',
          '    identity: ann',
          '    steps:',
          '      - provision',
          '      - wait: 30s',
          '      - deprovision',
          '',
        ].join('\n'),
      );
      // Interrupted once the server has answered the read-back of the created user by id: the user
      // exists and the run holds its id (the group came first), with the 30 s wait still to come.
      const readBack = () => log.some((l) => l.method === 'GET' && /\/Users\/[^/]+$/.test(l.path) && l.status === 200);
      const result = await run(
        [file, '--format', 'pretty'],
        { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token },
        { after: 'read-back of a created user (GET /Users/{id} → 200)', holds: readBack },
      );
      const elapsed = Date.now() - result.interruptedAt!;
      assert.equal(result.code, 130, result.stdout + result.stderr);
      assert.ok(elapsed < 20_000, `exited ${elapsed} ms after the SIGINT, not after the 30 s wait`);
      assert.match(result.stderr, /stopping and removing what this run created/);
      assert.ok(
        log.some((l) => l.method === 'POST' && l.path.endsWith('/Users') && l.status === 201),
        'a user was created before the interrupt',
      );
      assert.ok(
        log.some((l) => l.method === 'DELETE' && l.path.includes('/Users/') && l.status === 204),
        'and deleted by the cleanup',
      );
      const users = await fetch(`${server.baseUrl}/Users`, { headers: { authorization: `Bearer ${server.token}` } });
      assert.equal(((await users.json()) as { totalResults: number }).totalResults, 0);
      const groups = await fetch(`${server.baseUrl}/Groups`, { headers: { authorization: `Bearer ${server.token}` } });
      assert.equal(((await groups.json()) as { totalResults: number }).totalResults, 0);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never shows the token: stdout, stderr, JSON report, JUnit, trace and HTML are scanned for it', async () => {
    const token = 'canary-T0ken-9f8e7d6c5b4a';
    const server = await startReferenceServer({ token, misbehave: ['delete-returns-200'] });
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-leak-'));
    try {
      const files = {
        report: path.join(dir, 'report.json'),
        junit: path.join(dir, 'junit.xml'),
        trace: path.join(dir, 'trace.ndjson'),
        html: path.join(dir, 'report.html'),
      };
      const env = { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: token };
      const pretty = await run(
        [
          'examples/quickstart.provspec.yaml',
          '--report',
          files.report,
          '--junit',
          files.junit,
          '--trace',
          files.trace,
          '--html',
          files.html,
        ],
        env,
      );
      const json = await run(['examples/quickstart.provspec.yaml', '--format', 'json'], env);
      assert.equal(pretty.code, 1, 'a failing check, so failure output (with evidence) is printed too');
      const outputs = {
        'pretty stdout': pretty.stdout,
        'pretty stderr': pretty.stderr,
        'json stdout': json.stdout,
        'json stderr': json.stderr,
        report: readFileSync(files.report, 'utf8'),
        junit: readFileSync(files.junit, 'utf8'),
        trace: readFileSync(files.trace, 'utf8'),
        html: readFileSync(files.html, 'utf8'),
      };
      assert.ok(outputs.trace.split('\n').filter(Boolean).length > 20, 'the trace has the exchanges');
      assert.match(outputs.trace, /"authorization":"Bearer \[REDACTED\]"/);
      assert.match(outputs.html, /"authorization":"Bearer \[REDACTED\]"/, 'the HTML report holds the failure evidence, redacted');
      for (const [name, text] of Object.entries(outputs)) {
        assert.ok(!text.includes(token), `${name} contains the token`);
        assert.ok(!text.includes(Buffer.from(token).toString('base64')), `${name} contains the token in base64`);
      }
      const report = JSON.parse(outputs.report) as {
        totals: { fail: number };
        specs: Array<{ file: string; scenarios: Array<{ checks: Array<{ status: string; line: number; evidence: string[] }> }> }>;
        exchanges: Record<string, unknown>;
      };
      const failed = report.specs[0]!.scenarios.flatMap((s) => s.checks).find((c) => c.status === 'fail');
      assert.ok(failed && failed.line > 0 && report.specs[0]!.file === 'examples/quickstart.provspec.yaml');
      // The finding's exchange is in the report, by its request id.
      assert.ok(failed.evidence.length > 0 && failed.evidence.every((id) => id in report.exchanges));
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
