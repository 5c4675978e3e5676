// Bundles the GitHub Action into action/dist/index.mjs, which is committed: a workflow runs it
// straight from the repository, with no install step. test/action/dist.test.ts rebuilds it and
// fails when the committed file differs (the check-dist convention).
//   node scripts/build-action.ts [--outdir DIR]
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { precompiledSchema } from './esbuild-plugins.ts';
import { thirdPartyNotices } from './third-party-notices.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildAction(outdir: string): Promise<void> {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const result = await build({
    absWorkingDir: root,
    metafile: true,
    entryPoints: ['action/src/main.ts'],
    outfile: path.join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Committed and reviewed in diffs: readable, no source map, no absolute paths.
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    define: { PROVSPEC_VERSION: JSON.stringify(version) },
    plugins: [precompiledSchema],
    // @actions/github and @actions/http-client pin their own undici (for fetch and ProxyAgent);
    // the Action runs on Node 24, where the runner's undici serves them too: one copy, not three.
    alias: { undici: './node_modules/undici' },
    banner: {
      js:
        "import { createRequire as __provspecCreateRequire } from 'node:module'; " +
        'const require = __provspecCreateRequire(import.meta.url);',
    },
  });
  writeFileSync(
    path.join(outdir, 'THIRD_PARTY_NOTICES.txt'),
    thirdPartyNotices(result.metafile, root, 'The provspec GitHub Action (index.mjs)'),
  );
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { outdir: { type: 'string', default: path.join(root, 'action', 'dist') } } });
  await buildAction(path.resolve(values.outdir!));
}
