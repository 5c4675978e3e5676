// The incremental re-parse, explored: any single edit of an example spec, patched or re-parsed,
// gives exactly what a full parse of the edited text gives.
import '../property/seed.ts';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from '../../core/document/parse.ts';
import { reparse } from '../../core/document/incremental.ts';
import { EXAMPLES, same } from '../unit/document-compare.ts';

describe('incremental re-parse (property)', () => {
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
