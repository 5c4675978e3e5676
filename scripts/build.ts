// Bundles what ships (the CLI now; the language server, extension and action as they arrive)
// into single ESM files, so a cold start loads one file instead of hundreds.
import { build, type BuildOptions } from 'esbuild';

const shared: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: 'linked',
  legalComments: 'none',
  // Prefer ESM builds: jsonc-parser's UMD build resolves its modules with a require() esbuild cannot follow.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  // CommonJS dependencies (ajv) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __provspecCreateRequire } from 'node:module'; const require = __provspecCreateRequire(import.meta.url);" },
};

await build({ ...shared, entryPoints: { cli: 'cli/main.ts' }, outdir: 'dist' });
