// `provspec serve` in a child process, on a free port, in memory: the target a bench runs
// against, kept out of the measured process as a real server would be.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export async function serveInChild(): Promise<{ baseUrl: string; token: string; close: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'provspec.js'), 'serve', '--port', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (/SCIM_TOKEN=\S+\n/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`provspec serve exited ${code}`)));
  });
  return {
    baseUrl: /SCIM_BASE_URL=(\S+)/.exec(out)![1]!,
    token: /SCIM_TOKEN=(\S+)/.exec(out)![1]!,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
