// Runs the committed action bundle as GitHub's runner does: a node process with INPUT_*
// variables, an event payload file, and the summary and output files it writes to.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ACTION = path.join(ROOT, 'action', 'dist', 'index.mjs');
export const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const MERGE_SHA = 'ffffeeeeddddccccbbbbaaaa9999888877776666';

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  workspace: string;
  /** When the SIGINT was sent (Date.now()), for a run given `interruptOn`. */
  interruptedAt?: number;
}

/** How long a run may take before it is killed and the test fails: generous, for a loaded machine. */
const RUN_DEADLINE_MS = 60_000;

export function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'provspec-action-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** GITHUB_OUTPUT's heredoc format: name<<delimiter, value lines, delimiter. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i]!);
    outputs[match[1]!] = value.join('\n');
  }
  return outputs;
}

/**
 * With `interruptOn`, the run is cancelled the way the runner cancels a workflow (SIGINT) as soon as
 * its stdout matches: a line the run printed, never a guess at how long it takes (no `g` flag).
 */
export async function runAction(
  dir: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
  interruptOn?: RegExp,
): Promise<ActionRun> {
  const runnerDir = mkdtempSync(path.join(tmpdir(), 'provspec-runner-'));
  const files = {
    summary: path.join(runnerDir, 'summary.md'),
    output: path.join(runnerDir, 'output'),
    event: path.join(runnerDir, 'event.json'),
  };
  writeFileSync(files.summary, '');
  writeFileSync(files.output, '');
  writeFileSync(
    files.event,
    JSON.stringify({
      action: 'synchronize',
      number: 7,
      pull_request: { number: 7, head: { sha: HEAD_SHA, ref: 'feature' }, base: { sha: '0'.repeat(40), ref: 'main' } },
      repository: { name: 'idp', owner: { login: 'acme' } },
    }),
  );
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: runnerDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dir,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'acme/idp',
    GITHUB_SHA: MERGE_SHA,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    GITHUB_API_URL: 'http://127.0.0.1:9', // nothing listens: a test that wants the API passes its own
    RUNNER_TEMP: runnerDir,
    NO_COLOR: '1',
    ...extraEnv,
  };
  // The runner passes every input, empty when the workflow did not set it (defaults applied).
  const defaults: Record<string, string> = {
    specs: '.',
    mode: 'run',
    'fail-on': 'error',
    annotations: 'both',
    summary: 'true',
    report: 'provspec-report.json',
  };
  for (const [name, value] of Object.entries({ ...defaults, ...inputs })) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, [ACTION], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let interruptedAt: number | undefined;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    // A cancelled workflow run: the runner sends SIGINT first.
    if (interruptOn && interruptedAt === undefined && interruptOn.test(stdout)) {
      interruptedAt = Date.now();
      child.kill('SIGINT');
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, RUN_DEADLINE_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const tail = `\n--- stdout (tail) ---\n${stdout.slice(-3000)}\n--- stderr (tail) ---\n${stderr.slice(-3000)}`;
  if (killed)
    throw new Error(
      `the action had not exited after ${RUN_DEADLINE_MS / 1000} s and was ` +
        `killed${interruptOn && interruptedAt === undefined ? ` (its output never matched ${interruptOn})` : ''}${tail}`,
    );
  if (interruptOn && interruptedAt === undefined)
    throw new Error(`the action exited (${code}) before its output matched ${interruptOn}, so it was never interrupted${tail}`);
  return {
    code,
    stdout,
    stderr,
    summary: readFileSync(files.summary, 'utf8'),
    outputs: parseOutputs(readFileSync(files.output, 'utf8')),
    workspace: dir,
    interruptedAt,
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** Stands in for api.github.com: records check-run requests and answers as GitHub does. */
export async function fakeGitHubApi(
  options: { refuse?: number } = {},
): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req
      .setEncoding('utf8')
      .on('data', (d: string) => (text += d))
      .on('end', () => {
        requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined });
        res.setHeader('content-type', 'application/json');
        if (options.refuse) {
          res.statusCode = options.refuse;
          res.end(JSON.stringify({ message: 'Resource not accessible by integration' }));
          return;
        }
        res.statusCode = req.method === 'POST' ? 201 : 200;
        res.end(JSON.stringify({ id: 4242, html_url: 'https://github.example/acme/idp/runs/4242' }));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** An endpoint that must never be contacted: it counts what reaches it. */
export async function canary(): Promise<{ url: string; hits: RecordedRequest[]; close(): Promise<void> }> {
  const hits: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method!, url: req.url!, headers: req.headers, body: undefined });
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/scim/v2`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
