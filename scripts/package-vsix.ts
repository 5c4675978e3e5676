// Builds the extension and packages it as extension/provspec-<version>.vsix with @vscode/vsce,
// offline: no dependency detection (everything is bundled into dist/) and no marketplace calls.
// The build happens in a staging copy of extension/, so packagings never race a build in place.
// Usage: node scripts/package-vsix.ts [--out FILE]        (npm run package:vsix)
import { createVSIX } from '@vscode/vsce';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildExtension, EXTENSION_DIR } from './build-extension.ts';

export async function packageVsix(options: { out?: string } = {}): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(EXTENSION_DIR, 'package.json'), 'utf8')) as { version: string };
  const packagePath = path.resolve(options.out ?? path.join(EXTENSION_DIR, `provspec-${manifest.version}.vsix`));
  // vsce writes into the folder without making it (and fails late, from its staging copy).
  await mkdir(path.dirname(packagePath), { recursive: true });
  const stage = await mkdtemp(path.join(tmpdir(), 'provspec-vsix-stage-'));
  try {
    await cp(EXTENSION_DIR, stage, { recursive: true, filter: (source) => !/[\\/](dist|node_modules)$|\.vsix$/.test(source) });
    await buildExtension(path.join(stage, 'dist'));
    await createVSIX({
      cwd: stage,
      packagePath,
      dependencies: false,
      // The manifest names no repository on purpose (nothing is published from here); vsce would ask.
      allowMissingRepository: true,
      rewriteRelativeLinks: false,
    });
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  return packagePath;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  await packageVsix(values.out ? { out: values.out } : {});
}
