// The packaged extension both .vsix tests use: `npm test` packages it once before any test and
// names it in PROVSPEC_VSIX; a test file run on its own packages its own copy.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './cli.ts';

export function packagedVsix(): string {
  const given = process.env['PROVSPEC_VSIX'];
  if (given && existsSync(path.resolve(ROOT, given))) return path.resolve(ROOT, given);
  const vsix = path.join(mkdtempSync(path.join(tmpdir(), 'provspec-vsix-')), 'provspec.vsix');
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package-vsix.ts'), '--out', vsix], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status !== 0) throw new Error(`package-vsix failed:\n${result.stdout}\n${result.stderr}`);
  return vsix;
}
