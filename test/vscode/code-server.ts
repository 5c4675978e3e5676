// A real VS Code for tests: code-server (VS Code in a browser) and Debian's chromium driven by
// playwright-core, all installed by scripts/setup-vscode-e2e.sh into .tools/vscode-e2e (not
// dependencies of provspec). Every session is isolated (its own HOME, XDG dirs, user data and
// extensions) and its whole process tree is killed on close.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM, launchChromium, PLAYWRIGHT, ROOT, TOOLS, type Browser, type Page } from './chromium.ts';

export { ROOT, TOOLS, CHROMIUM, type Page };
export type { Locator } from './chromium.ts';
const CODE_SERVER = path.join(TOOLS, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Why the tools are not there, or undefined when they are. */
/** Why the set-up script could not install the tools on this machine, when it could not. */
export function toolsUnavailable(): string | undefined {
  const marker = path.join(ROOT, '.tools', 'vscode-e2e', 'UNAVAILABLE');
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim() : undefined;
}

export function toolsMissing(): string | undefined {
  const missing = [CODE_SERVER, PLAYWRIGHT, CHROMIUM].filter((file) => !existsSync(file));
  return missing.length ? `not installed: ${missing.join(', ')}; run scripts/setup-vscode-e2e.sh` : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  // Typing in a test must type exactly what it says: no suggestions accepted on the way.
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.acceptSuggestionOnCommitCharacter': false,
  'editor.hover.delay': 300,
  'editor.stickyScroll.enabled': false, // its overlay sits on top of the lines a test points at
  'editor.minimap.enabled': false,
};

export interface Session {
  page: Page;
  workspace: string;
  /** Everything code-server and the browser wrote (stderr), for failure messages. */
  log(): string;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Files of the workspace folder, by relative path. */
  files: Record<string, string>;
  /** A .vsix to install first; none runs VS Code without the extension (a negative control). */
  vsix?: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
}

const timeLeft = (deadline: number) => Math.max(1, deadline - Date.now());

/** Starts an isolated code-server with a workspace, and a browser on it with the workbench loaded. */
export async function openSession(options: SessionOptions): Promise<Session> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'provspec-vscode-'));
  const dirs = {
    home: 'home',
    config: 'xdg-config',
    data: 'xdg-data',
    cache: 'xdg-cache',
    userData: 'user-data',
    extensions: 'extensions',
    workspace: 'workspace',
  };
  const at = Object.fromEntries(Object.entries(dirs).map(([key, name]) => [key, path.join(scratch, name)])) as Record<
    keyof typeof dirs,
    string
  >;
  for (const dir of Object.values(at)) mkdirSync(dir, { recursive: true });
  mkdirSync(path.join(at.userData, 'User'), { recursive: true });
  writeFileSync(path.join(at.userData, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...options.settings }, null, 2));
  for (const [name, text] of Object.entries(options.files)) {
    mkdirSync(path.dirname(path.join(at.workspace, name)), { recursive: true });
    writeFileSync(path.join(at.workspace, name), text);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    HOME: at.home,
    XDG_CONFIG_HOME: at.config,
    XDG_DATA_HOME: at.data,
    XDG_CACHE_HOME: at.cache,
    TMPDIR: scratch,
    LANG: 'C.UTF-8',
  };
  const common = ['--user-data-dir', at.userData, '--extensions-dir', at.extensions];
  let log = '';
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;

  // If the test process ends without close() (a crash, Ctrl-C), code-server's group goes with it.
  const killGroup = () => {
    try {
      if (child?.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // nothing left
    }
  };
  process.once('exit', killGroup);

  const close = async () => {
    process.removeListener('exit', killGroup);
    await browser?.close().catch(() => {});
    browser = undefined;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM'); // the whole group: code-server, its extension hosts, language servers
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child!.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 3000);
      await exited;
      clearTimeout(timer);
    }
    killGroup(); // children that outlived code-server's main process share its process group
    rmSync(scratch, { recursive: true, force: true });
  };

  try {
    if (options.vsix) {
      const install = spawnSync(process.execPath, [CODE_SERVER, ...common, '--install-extension', options.vsix], {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (install.status !== 0)
        throw new Error(`--install-extension failed (${install.status ?? install.signal}):\n${install.stdout}\n${install.stderr}`);
    }
    const port = await freePort();
    child = spawn(
      process.execPath,
      [
        CODE_SERVER,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        ...common,
        at.workspace,
      ],
      {
        env,
        detached: true, // its own process group, so close() can end the whole tree
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${log}`);
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) break;
      if (Date.now() > deadline) throw new Error(`code-server did not become healthy within 60 s:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => (log += `[pageerror] ${error.message}\n`));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(at.workspace)}`, { timeout: timeLeft(deadline + 30_000) });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    return { page, workspace: at.workspace, log: () => log, close };
  } catch (error) {
    await close();
    throw error;
  }
}
