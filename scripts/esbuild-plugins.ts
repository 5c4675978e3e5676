// esbuild plugins shared by every bundle (CLI, language server, extension, Action).
import type { Plugin } from 'esbuild';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import path from 'node:path';
import provspecSchema from '../schemas/provspec.schema.json' with { type: 'json' };
import { AJV_OPTIONS } from '../core/validate/compile-schema.ts';

/** Swaps the runtime schema compilation for ajv's precompiled standalone validator. */
export const precompiledSchema: Plugin = {
  name: 'precompiled-schema',
  setup(b) {
    b.onLoad({ filter: /core[\\/]validate[\\/]compile-schema\.ts$/ }, (args) => {
      const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true } });
      const code = standalone.default(ajv, ajv.compile(provspecSchema));
      return {
        contents:
          `${code}\nexport const AJV_OPTIONS = ${JSON.stringify(AJV_OPTIONS)};\nexport ` +
          `function compileSchemaValidator() { return validate; }\n`,
        loader: 'js',
        resolveDir: path.dirname(args.path),
      };
    });
  },
};
