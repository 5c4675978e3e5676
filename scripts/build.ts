// Bundles what ships (the CLI and the language server; the extension and the action have their own builds)
// into single ESM files, so a cold start loads one file instead of hundreds.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import path from 'node:path';
import provspecSchema from '../schemas/provspec.schema.json' with { type: 'json' };
import { AJV_OPTIONS } from '../core/validate/compile-schema.ts';

/** Swaps the runtime schema compilation for ajv's precompiled standalone validator. */
const precompiledSchema: Plugin = {
  name: 'precompiled-schema',
  setup(b) {
    b.onLoad({ filter: /core[\\/]validate[\\/]compile-schema\.ts$/ }, (args) => {
      const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true } });
      const code = standalone.default(ajv, ajv.compile(provspecSchema));
      return {
        contents: `${code}\nexport const AJV_OPTIONS = ${JSON.stringify(AJV_OPTIONS)};\nexport function compileSchemaValidator() { return validate; }\n`,
        loader: 'js',
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

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
  plugins: [precompiledSchema],
  // CommonJS dependencies (ajv) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __provspecCreateRequire } from 'node:module'; const require = __provspecCreateRequire(import.meta.url);" },
};

// Splitting puts each command (and what only it needs) in its own chunk, loaded when it runs.
await build({ ...shared, entryPoints: { cli: 'cli/main.ts', server: 'server/main.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]' });
