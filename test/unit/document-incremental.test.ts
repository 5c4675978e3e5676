// Patching a parse after an edit must give exactly what a full parse gives, or not patch at all.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import '../property/seed.ts';
import { parseDocument } from '../../core/document/parse.ts';
import { patchScalarEdit, reparse } from '../../core/document/incremental.ts';
import type { ParsedDocument } from '../../core/document/types.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const EXAMPLES = ['quickstart.provspec.yaml', 'entra.provspec.yaml', 'okta.provspec.json'].map((f) => ({
  name: f,
  text: readFileSync(path.join(ROOT, 'examples', f), 'utf8'),
}));

function same(a: ParsedDocument, b: ParsedDocument): void {
  assert.deepEqual(a.value, b.value);
  assert.deepEqual([...a.locations].sort(), [...b.locations].sort());
  assert.deepEqual(a.lineStarts, b.lineStarts);
  assert.deepEqual(a.diagnostics, b.diagnostics);
}

describe('incremental re-parse', () => {
  it('patches a typed value: same value, locations and lines as a full parse', () => {
    const text = EXAMPLES[0]!.text;
    const before = parseDocument(text, 'q.provspec.yaml');
    for (const [from, to] of [
      ['dialect: rfc7644', 'dialect: rfc7644x'],
      ['givenName: Alice', 'givenName: Al'],
      ['parallel: 8', 'parallel: 12'],
      ['department: Sales', 'department: true'],
    ] as [string, string][]) {
      const after = text.replace(from, to);
      const patched = patchScalarEdit(before, after);
      assert.ok(patched, `${from} → ${to} was patched`);
      same(patched, parseDocument(after, 'q.provspec.yaml'));
    }
  });

  it('falls back to a full parse for edits that may change structure', () => {
    const text = EXAMPLES[0]!.text;
    const before = parseDocument(text, 'q.provspec.yaml');
    for (const [from, to] of [
      ['dialect: rfc7644', 'dialect: a: b'],
      ['  bob:\n', '  bobby:\n'],
      ['givenName: Alice', 'givenName: Alice # hi'],
      ['[Engineering]', '[Engineering, Sales]'],
    ] as [string, string][]) {
      const after = text.replace(from, to);
      assert.equal(patchScalarEdit(before, after), undefined, `${from} → ${to}`);
      same(reparse(before, after, 'q.provspec.yaml'), parseDocument(after, 'q.provspec.yaml'));
    }
  });

  it('random single edits: reparse always equals a full parse', () => {
    for (const example of EXAMPLES) {
      const before = parseDocument(example.text, example.name);
      fc.assert(
        fc.property(fc.nat(example.text.length), fc.nat(3), fc.string({ maxLength: 4 }), (at, remove, insert) => {
          const after = example.text.slice(0, at) + insert + example.text.slice(Math.min(example.text.length, at + remove));
          same(reparse(before, after, example.name), parseDocument(after, example.name));
        }),
        { numRuns: 400 },
      );
    }
  });
});
