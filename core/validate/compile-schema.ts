// Compiling the schema costs ~190 ms, far more than validating a large spec. Source runs
// (tests, development) compile here at first use; the esbuild bundles replace this module with
// ajv's standalone code generated at build time (scripts/build.ts), so a CLI start pays nothing.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Options, ValidateFunction } from 'ajv/dist/2020.js';
import provspecSchema from '../../schemas/provspec.schema.json' with { type: 'json' };

export const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: false, validateFormats: false };

export function compileSchemaValidator(): ValidateFunction {
  return new Ajv2020(AJV_OPTIONS).compile(provspecSchema);
}
