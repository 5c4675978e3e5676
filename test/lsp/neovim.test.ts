// The language server in a client that is not vscode-languageclient: Neovim's built-in LSP
// client, headless, driven by a Lua script (neovim/run-lens.lua) that runs a scenario from its
// code lens exactly as a user does. The server runs it itself (workspace/executeCommand), with
// the workspace's .env, or against the built-in reference server when initialized with
// `embedded`; the failing step gets a diagnostic and the summary comes as window/showMessage.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReferenceServer } from '../../reference/index.ts';
import { ROOT } from './client.ts';

const NVIM = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const missing = NVIM.status === 0 ? undefined : 'nvim is not installed (scripts/setup-vscode-e2e.sh installs it from Debian)';

interface Seen {
  error?: string;
  ran?: { command: string; arguments: unknown[] };
  lenses?: Array<{ command?: { command: string } }>;
  messages: Array<{ type: number; message: string }>;
  notices: Array<{ message: string }>;
  diagnostics?: Array<{ lnum: number; source?: string; message: string }>;
}

async function runLens(workspace: string, scenario: string, initOptions: object): Promise<Seen> {
  const result = path.join(workspace, 'result.json');
  const child = spawn(
    'nvim',
    ['--headless', '--clean', '-n', '-c', `luafile ${path.join(ROOT, 'test', 'lsp', 'neovim', 'run-lens.lua')}`],
    {
      cwd: workspace,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        SCIM_BASE_URL: '',
        SCIM_TOKEN: '',
        PROVSPEC_NODE: process.execPath,
        PROVSPEC_SERVER: path.join(ROOT, 'dist', 'server.js'),
        PROVSPEC_ROOT: workspace,
        PROVSPEC_SPEC: path.join(workspace, 'q.provspec.yaml'),
        PROVSPEC_SCENARIO: scenario,
        PROVSPEC_INIT_OPTIONS: JSON.stringify(initOptions),
        PROVSPEC_RESULT: result,
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, `nvim exited ${code}: ${stderr}`);
  return JSON.parse(readFileSync(result, 'utf8')) as Seen;
}

// Skipped where nvim is missing locally; under CI it must be there, as the VS Code test's tools must.
describe('the language server in Neovim (built-in LSP client)', { skip: process.env['CI'] === 'true' ? false : missing }, () => {
  it("runs a scenario from its lens with the workspace's .env, marks the failing step and says so", async () => {
    const server = await startReferenceServer({ misbehave: ['delete-returns-200'] });
    const workspace = mkdtempSync(path.join(tmpdir(), 'provspec-nvim-'));
    try {
      copyFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), path.join(workspace, 'q.provspec.yaml'));
      writeFileSync(path.join(workspace, '.env'), `SCIM_BASE_URL=${server.baseUrl}\nSCIM_TOKEN="${server.token}"\n`);
      const seen = await runLens(workspace, 'leaver', {});
      assert.equal(seen.error, undefined, JSON.stringify(seen));
      assert.equal(seen.ran?.command, 'provspec.server.runScenario');
      assert.deepEqual(seen.notices, [], 'Neovim ran the lens (no "does not support command")');
      assert.equal(seen.messages.length, 1, JSON.stringify(seen.messages));
      assert.equal(seen.messages[0]!.type, 1, 'an error message: a check failed');
      assert.match(seen.messages[0]!.message, /failed/);
      assert.ok(!JSON.stringify(seen).includes(server.token), 'the token is not in anything the editor got');
      const text = readFileSync(path.join(workspace, 'q.provspec.yaml'), 'utf8');
      const step = text.split('\n').findIndex((l) => l.trim() === '- deprovision');
      const failing = seen.diagnostics?.filter((d) => d.source === 'provspec run') ?? [];
      assert.ok(
        failing.some((d) => d.lnum === step && /expected: 204/.test(d.message)),
        JSON.stringify(seen.diagnostics),
      );
    } finally {
      await server.close();
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('runs against the built-in reference server with no set-up when initialized with embedded', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'provspec-nvim-'));
    try {
      copyFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), path.join(workspace, 'q.provspec.yaml'));
      const seen = await runLens(workspace, 'joiner', { embedded: true });
      assert.equal(seen.error, undefined, JSON.stringify(seen));
      assert.equal(seen.messages.length, 1, JSON.stringify(seen.messages));
      assert.equal(seen.messages[0]!.type, 3, `an info message: ${seen.messages[0]!.message}`);
      assert.match(seen.messages[0]!.message, /passed/);
      assert.deepEqual(
        seen.diagnostics?.filter((d) => d.source === 'provspec run'),
        [],
      );
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
