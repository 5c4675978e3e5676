// Shared by the incremental re-parse tests: the example specs, and what "the same parse" means.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ParsedDocument } from '../../core/document/types.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
export const EXAMPLES = ['quickstart.provspec.yaml', 'entra.provspec.yaml', 'okta.provspec.json'].map((f) => ({
  name: f,
  text: readFileSync(path.join(ROOT, 'examples', f), 'utf8'),
}));

export function same(a: ParsedDocument, b: ParsedDocument): void {
  assert.deepEqual(a.value, b.value);
  assert.deepEqual([...a.locations].sort(), [...b.locations].sort());
  assert.deepEqual(a.lineStarts, b.lineStarts);
  assert.deepEqual(a.diagnostics, b.diagnostics);
}
