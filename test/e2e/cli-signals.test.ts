// Signals, as a user and a CI runner send them: SIGINT while the CLI is still starting up,
// SIGTERM while a create is in flight, and a `serve` whose parent dies. Every wait is for an
// observable condition (a signal handler in /proc, a request the server saw, a process gone).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferenceServer } from '../../reference/index.ts';
import { startHostileProxy } from '../integration/fixtures/hostile-proxy.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'provspec.js');

/** Polls `condition` until it holds; fails with `what` after a generous deadline (never a fixed wait). */
async function until(what: string, condition: () => boolean | Promise<boolean>, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Whether the process has `file` open (it is reading it). */
function hasOpen(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Running (a zombie nobody has reaped yet counts as gone: it has exited). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; exit: Promise<Exit>; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exit = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exit, output: () => stdout + stderr };
}

describe('signals', () => {
  it('a SIGINT during start-up (the spec still being read) stops the run gracefully: exit 130, nothing sent', async () => {
    const server = await startReferenceServer({});
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-signal-'));
    try {
      // A named pipe: reading the spec blocks until the test writes it, so start-up is held
      // open for exactly as long as the test needs. The test holds it open read-write, so that
      // neither side's open blocks, and writing never waits for a reader.
      const fifo = path.join(dir, 'held.provspec.yaml');
      execFileSync('mkfifo', [fifo]);
      const held = openSync(fifo, constants.O_RDWR);
      const run = start(['run', fifo], { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token });
      try {
        await until('the CLI is reading the spec', () => hasOpen(run.child.pid!, fifo) || run.child.exitCode !== null);
        run.child.kill('SIGINT');
        writeSync(held, readFileSync(path.join(ROOT, 'examples/quickstart.provspec.yaml')));
      } finally {
        closeSync(held);
      }
      const exit = await run.exit;
      assert.equal(exit.signal, null, `not killed by the signal: ${exit.stderr}`);
      assert.equal(exit.code, 130, exit.stderr);
      // The signal is handled on the event loop, which may first finish reading the spec: either
      // way the run stops gracefully (before starting, or with cleanup).
      assert.match(
        exit.stderr,
        /provspec run: SIGINT (before the run started; nothing was sent\.|; stopping and removing what this run created)/,
      );
      const users = (await (
        await fetch(`${server.baseUrl}/Users?count=0`, { headers: { authorization: `Bearer ${server.token}` } })
      ).json()) as { totalResults: number };
      assert.equal(users.totalResults, 0);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGTERM while a create is in flight: the user the server made is found and removed', async () => {
    const server = await startReferenceServer({});
    const proxy = await startHostileProxy(new URL(server.baseUrl).origin, 'swallow-creates');
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-signal-'));
    try {
      const spec = readFileSync(path.join(ROOT, 'test/integration/fixtures/faults.provspec.yaml'), 'utf8')
        .replace('request: 1s', 'request: 3s')
        .replace('scenario: 5s', 'scenario: 60s');
      writeFileSync(path.join(dir, 'inflight.provspec.yaml'), spec);
      const run = start(['run', path.join(dir, 'inflight.provspec.yaml'), '--allowed-origin', proxy.origin], {
        SCIM_BASE_URL: `${proxy.origin}/scim/v2`,
        SCIM_TOKEN: server.token,
      });
      await until('the server made a user whose create is still unanswered', () => proxy.swallowed >= 1);
      run.child.kill('SIGTERM');
      const exit = await run.exit;
      assert.equal(exit.code, 130, exit.stderr);
      assert.match(exit.stderr, /SIGTERM; stopping and removing what this run created/);
      const users = (await (
        await fetch(`${server.baseUrl}/Users?count=0`, { headers: { authorization: `Bearer ${server.token}` } })
      ).json()) as { totalResults: number };
      assert.equal(users.totalResults, 0, `nothing is left on the server:\n${exit.stdout}`);
      assert.match(exit.stdout, /cleanup: (\d+) resources created, \1 removed, nothing left behind/);
      assert.match(exit.stdout, /interrupted/);
      assert.doesNotMatch(exit.stdout, /deadline/);
    } finally {
      await proxy.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`serve` stops when its parent dies (no orphaned server)', async () => {
    // sh starts serve in the background and waits; killing sh (as a runner kills npx) leaves serve without its parent.
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" serve --port 0 --quiet & echo "pid=$!"; wait`], { cwd: ROOT });
    let out = '';
    shell.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    await until('serve printed its base URL', () => /pid=\d+/.test(out) && /SCIM_BASE_URL=/.test(out));
    const pid = Number(/pid=(\d+)/.exec(out)![1]);
    try {
      assert.ok(alive(pid));
      shell.kill('SIGKILL');
      await until('serve exited after its parent died', () => !alive(pid));
    } finally {
      // A serve that outlived the test must not keep its output pipe, and so this file, open.
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      shell.stdout.destroy();
    }
  });
});
