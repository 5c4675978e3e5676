// Builds the VS Code extension into extension/dist/: the client (extension.js) and the language
// server (server.js) as one CommonJS file each for Node 20 (VS Code 1.91's extension host), the
// spec schema the manifest contributes to JSON/YAML tooling, and the icon (drawn in code).
// Usage: node scripts/build-extension.ts
import { build, type Plugin, type BuildOptions } from 'esbuild';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { precompiledSchema } from './esbuild-plugins.ts';
import { iconPng } from './extension-icon.ts';
import { thirdPartyNotices } from './third-party-notices.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const EXTENSION_DIR = path.join(ROOT, 'extension');

const shared: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Prefer ESM builds: jsonc-parser's UMD build resolves its modules with a require() esbuild cannot follow.
  mainFields: ['module', 'main'],
  legalComments: 'eof',
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

/** Builds into `dist` (extension/dist by default; the packaging builds into a staging copy). */
export async function buildExtension(dist = path.join(EXTENSION_DIR, 'dist')): Promise<void> {
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const [client, server] = await Promise.all([
    build({
      ...shared,
      metafile: true,
      entryPoints: ['extension/src/extension.ts'],
      outfile: path.join(dist, 'extension.js'),
      external: ['vscode'],
    }),
    // The language server, schema validator precompiled (no ajv code generation at runtime).
    // undici 8 needs Node >= 22.19; VS Code 1.91 runs extensions on Node 20, so the server bundle
    // carries undici 6 (same Pool/request API, Node >= 18.17) and can run scenarios there too.
    build({
      ...shared,
      metafile: true,
      entryPoints: ['server/main.ts'],
      outfile: path.join(dist, 'server.js'),
      plugins: [precompiledSchema, withoutReferenceServer],
      alias: { undici: 'undici-node20' },
    }),
    copyFile(path.join(ROOT, 'schemas', 'provspec.schema.json'), path.join(dist, 'provspec.schema.json')),
    writeFile(path.join(dist, 'icon.png'), iconPng(128)),
  ]);
  const metafile = { inputs: { ...client.metafile.inputs, ...server.metafile.inputs }, outputs: {} };
  await writeFile(path.join(dist, 'THIRD_PARTY_NOTICES.txt'), thirdPartyNotices(metafile, ROOT, 'The provspec VS Code extension (dist/)'));
}

/**
 * The server's embedded runs (initializationOptions.embedded, for other editors) load the
 * reference server; the VS Code extension runs through its own commands and never asks for one,
 * so its bundle leaves the reference server out (~400 KB less to load at every start) and says
 * so if it is asked anyway.
 */
const withoutReferenceServer: Plugin = {
  name: 'without-reference-server',
  setup(b) {
    b.onResolve({ filter: /\/reference\/index\.ts$/ }, (args) => ({ path: args.path, namespace: 'no-reference' }));
    b.onLoad({ filter: /.*/, namespace: 'no-reference' }, () => ({
      contents:
        'export async function startReferenceServer() { throw new Error(' +
        '"the embedded reference server is not part of the VS Code extension; set provspec.run.envFile, or run provspec run --embedded"' +
        '); }',
      loader: 'js',
    }));
  },
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildExtension();
