// The incremental re-parse, explored: any single edit of an example spec, and any run of edits
// each patched onto the last, gives exactly what a full parse of the edited text gives.
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

  it('typing on: up to 80 edits at one place, each patched onto the last, give what a full parse gives', () => {
    // Long chains of patches cross the point where moved locations are written out again
    // (shifted-locations.ts); typing where a value ends keeps patching rather than re-parsing.
    const edit = fc.record({ remove: fc.nat(1), insert: fc.stringMatching(/^[a-z0-9]{0,2}$/) });
    for (const example of EXAMPLES) {
      fc.assert(
        fc.property(fc.nat(example.text.length), fc.array(edit, { minLength: 1, maxLength: 80 }), (at, edits) => {
          let text = example.text;
          let doc = parseDocument(text, example.name);
          const colon = text.indexOf(': ', at);
          let where = colon < 0 ? at : text.indexOf('\n', colon) < 0 ? text.length : text.indexOf('\n', colon);
          for (const { remove, insert } of edits) {
            const cut = Math.min(text.length, where + remove);
            text = text.slice(0, where) + insert + text.slice(cut);
            where += insert.length;
            doc = reparse(doc, text, example.name);
            same(doc, parseDocument(text, example.name));
          }
        }),
        { numRuns: 40 },
      );
    }
  });
});
