// Bundles what ships (the CLI and the language server; the extension and the action have their own builds)
// into single ESM files, so a cold start loads one file instead of hundreds.
import { build, type BuildOptions } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { precompiledSchema } from './esbuild-plugins.ts';
import { thirdPartyNotices } from './third-party-notices.ts';

const shared: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The oldest Node line package.json's engines allows (the packed CLI is tested on it).
  target: 'node22',
  sourcemap: 'linked',
  // Minified: the tarball is what npx users download, and federation brought its IdPs and
  // relying parties (oidc-provider, koa, openid-client, xml-crypto, node-forge, node-saml): 6.2 MB
  // of JS as written, 4.0 MB minified. keepNames is not optional: oidc-provider reads function
  // names (without it a sign-in failed at the code exchange), and they keep a PROVSPEC_DEBUG
  // stack readable.
  minifyWhitespace: true,
  minifyIdentifiers: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  // Prefer ESM builds: jsonc-parser's UMD build resolves its modules with a require() esbuild cannot follow.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  plugins: [precompiledSchema],
  // CommonJS dependencies (ajv) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __provspecCreateRequire } from 'node:module'; const require = __provspecCreateRequire(import.meta.url);",
  },
};

// A fresh folder: chunks are content-hashed, so old ones would pile up in the package.
rmSync('dist', { recursive: true, force: true });

// Splitting puts each command (and what only it needs) in its own chunk, loaded when it runs.
const result = await build({
  ...shared,
  entryPoints: { cli: 'cli/main.ts', server: 'server/main.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});
writeFileSync('dist/THIRD_PARTY_NOTICES.txt', thirdPartyNotices(result.metafile, process.cwd(), 'provspec (dist/)'));
