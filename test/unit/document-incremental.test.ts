// Patching a parse after an edit must give exactly what a full parse gives, or not patch at all.
// Random edits are explored in test/property/incremental.property.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from '../../core/document/parse.ts';
import { patchScalarEdit, reparse } from '../../core/document/incremental.ts';
import { EXAMPLES, same } from './document-compare.ts';

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

  it('does not type into an empty value: a character right after the colon may join the key', () => {
    // Found by the typing property test: `{ created: 1, conflict: }` + "0" after the colon is
    // the single key "conflict:0", not conflict: 0.
    const before = parseDocument('expect: { created: 1, conflict: }\n', 'e.provspec.yaml');
    const after = 'expect: { created: 1, conflict:0 }\n';
    assert.equal(patchScalarEdit(before, after), undefined);
    same(reparse(before, after, 'e.provspec.yaml'), parseDocument(after, 'e.provspec.yaml'));
  });
});
