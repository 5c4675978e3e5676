// The Action's post step: a job cancelled so hard that the main step was killed (SIGKILL) before
// its cleanup leaves the run's users on the target; the post step, run as the runner runs it
// (the state the main step saved, as STATE_* variables), finds them by the run's tag and removes
// them, and nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACTION, ROOT, parseOutputs, workspace } from './harness.ts';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';

const SPEC = readFileSync(path.join(ROOT, 'examples/quickstart.provspec.yaml'), 'utf8');

async function userNames(server: ReferenceServer): Promise<string[]> {
  const response = await fetch(`${server.baseUrl}/Users?count=1000`, { headers: { authorization: `Bearer ${server.token}` } });
  return (((await response.json()) as { Resources?: Array<{ userName: string }> }).Resources ?? []).map((r) => r.userName).sort();
}

function actionEnv(dir: string, server: ReferenceServer, runnerDir: string, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: runnerDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dir,
    GITHUB_STATE: path.join(runnerDir, 'state'),
    GITHUB_STEP_SUMMARY: path.join(runnerDir, 'summary.md'),
    GITHUB_OUTPUT: path.join(runnerDir, 'output'),
    RUNNER_TEMP: runnerDir,
    NO_COLOR: '1',
    ...extra,
  };
  const inputs = {
    specs: 'specs/',
    mode: 'run',
    'fail-on': 'error',
    annotations: 'none',
    summary: 'false',
    report: 'provspec-report.json',
    'base-url': server.baseUrl,
    token: server.token,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

describe('the Action post step', () => {
  it('removes what a main step killed before its cleanup left, by the run tag, and nothing else', async () => {
    const server = await startReferenceServer({});
    try {
      const bystander = await fetch(`${server.baseUrl}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'someone@example.test' }),
      });
      assert.equal(bystander.status, 201);
      const dir = workspace({ 'specs/quickstart.provspec.yaml': SPEC });
      const runnerDir = mkdtempSync(path.join(tmpdir(), 'provspec-runner-'));
      for (const file of ['state', 'summary.md', 'output']) writeFileSync(path.join(runnerDir, file), '');

      const main = spawn(process.execPath, [ACTION], { cwd: dir, env: actionEnv(dir, server, runnerDir, {}), stdio: 'ignore' });
      const exited = new Promise((resolve) => main.on('close', resolve));
      // Killed as soon as the run has created a user: it gets no chance to clean up.
      for (const end = Date.now() + 60_000; (await userNames(server)).length < 2; ) {
        if (Date.now() > end) throw new Error('the run created nothing');
        await new Promise((resolve) => setImmediate(resolve));
      }
      main.kill('SIGKILL');
      await exited;
      const state = parseOutputs(readFileSync(path.join(runnerDir, 'state'), 'utf8'));
      assert.match(state['run-id'] ?? '', /^[0-9a-z]{6}$/, 'the main step saved its run id before sending anything');
      assert.equal(state['cleaned'], undefined, 'and never got to say it cleaned up');
      const left = await userNames(server);
      assert.ok(
        left.some((n) => n.includes(`ps-${state['run-id']}-`)),
        `the killed run left its users: ${left.join(', ')}`,
      );

      const post = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [ACTION], {
          cwd: dir,
          env: actionEnv(dir, server, runnerDir, { STATE_isPost: 'true', 'STATE_run-id': state['run-id']! }),
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
        child.on('close', (code) => resolve({ code, stdout }));
      });
      assert.equal(post.code, 0, post.stdout);
      assert.match(
        post.stdout,
        new RegExp(`cleanup after the cancelled run ${state['run-id']} on .*: (\\d+) of \\1 tagged resources removed`),
      );
      assert.deepEqual(await userNames(server), ['someone@example.test'], 'only the bystander is left');
    } finally {
      await server.close();
    }
  });
});
