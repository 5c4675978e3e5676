// Builds the extension and packages it as extension/provspec-<version>.vsix with @vscode/vsce,
// offline: no dependency detection (everything is bundled into dist/) and no marketplace calls.
// Usage: node scripts/package-vsix.ts        (npm run package:vsix)
import { createVSIX } from '@vscode/vsce';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension, EXTENSION_DIR } from './build-extension.ts';

export async function packageVsix(): Promise<string> {
  await buildExtension();
  const manifest = JSON.parse(await readFile(path.join(EXTENSION_DIR, 'package.json'), 'utf8')) as { version: string };
  const packagePath = path.join(EXTENSION_DIR, `provspec-${manifest.version}.vsix`);
  await createVSIX({
    cwd: EXTENSION_DIR,
    packagePath,
    dependencies: false,
    // The manifest names no repository on purpose (nothing is published from here); vsce would ask.
    allowMissingRepository: true,
    rewriteRelativeLinks: false,
  });
  return packagePath;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await packageVsix();
