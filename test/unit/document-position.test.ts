import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeLineStarts,
  escapeToken,
  joinPointer,
  lineAt,
  offsetAt,
  parentPointer,
  parsePointer,
  pointerFromTokens,
  positionAt,
  spanToRange,
  unescapeToken,
} from '../../core/document/index.ts';

describe('computeLineStarts', () => {
  it('starts every document with line 0', () => {
    assert.deepEqual(computeLineStarts(''), [0]);
    assert.deepEqual(computeLineStarts('abc'), [0]);
  });

  it('handles \\n, \\r\\n and a lone \\r', () => {
    assert.deepEqual(computeLineStarts('a\nb\n'), [0, 2, 4]);
    assert.deepEqual(computeLineStarts('a\r\nb\r\n'), [0, 3, 6]);
    assert.deepEqual(computeLineStarts('a\rb\r'), [0, 2, 4]);
    assert.deepEqual(computeLineStarts('a\r\n\rb\n\r\nc'), [0, 3, 4, 6, 8]);
    assert.deepEqual(computeLineStarts('\n\n'), [0, 1, 2]);
    assert.deepEqual(computeLineStarts('\r\r\n\n'), [0, 1, 3, 4]);
  });
});

describe('positionAt', () => {
  const text = 'ab\r\ncd\ne😀f\rg';
  const starts = computeLineStarts(text);

  it('maps offsets to 0-based lines and UTF-16 characters', () => {
    assert.deepEqual(positionAt(starts, 0), { line: 0, character: 0 });
    assert.deepEqual(positionAt(starts, 2), { line: 0, character: 2 });
    assert.deepEqual(positionAt(starts, 4), { line: 1, character: 0 });
    assert.deepEqual(positionAt(starts, 7), { line: 2, character: 0 });
    // The emoji is two code units: "f" is character 3.
    assert.deepEqual(positionAt(starts, 10), { line: 2, character: 3 });
    assert.deepEqual(positionAt(starts, 12), { line: 3, character: 0 });
  });

  it('clamps offsets into the document', () => {
    assert.deepEqual(positionAt(starts, -5), { line: 0, character: 0 });
    assert.deepEqual(positionAt(starts, Number.NaN), { line: 0, character: 0 });
    assert.deepEqual(positionAt(starts, 999, text), { line: 3, character: 1 });
    assert.deepEqual(positionAt(starts, text.length, text), { line: 3, character: 1 });
    assert.deepEqual(positionAt(starts, 2.7), { line: 0, character: 2 });
  });

  it('puts an offset between the CR and LF of a line break at the end of the line content', () => {
    // Offset 3 is between "\r" and "\n" of "ab\r\n": no editor position lies there.
    assert.deepEqual(positionAt(starts, 3, text), { line: 0, character: 2 });
    // At a lone CR: the end of its line.
    assert.deepEqual(positionAt(starts, 11, text), { line: 2, character: 4 });
  });

  it('finds lines by binary search', () => {
    assert.equal(lineAt(starts, 0), 0);
    assert.equal(lineAt(starts, 3), 0);
    assert.equal(lineAt(starts, 4), 1);
    assert.equal(lineAt(starts, 1000), 3);
  });
});

describe('offsetAt', () => {
  const text = 'ab\r\ncd\ne😀f\rg';
  const starts = computeLineStarts(text);

  it('inverts positionAt', () => {
    for (let offset = 0; offset <= text.length; offset++) {
      // Offsets between \r and \n are not positions an editor can produce.
      if (offset === 3) continue;
      assert.equal(offsetAt(starts, positionAt(starts, offset, text), text), offset);
    }
  });

  it('clamps characters to the line content and lines to the document', () => {
    assert.equal(offsetAt(starts, { line: 0, character: 99 }, text), 2);
    assert.equal(offsetAt(starts, { line: 2, character: 99 }, text), 11);
    assert.equal(offsetAt(starts, { line: 3, character: 99 }, text), 13);
    assert.equal(offsetAt(starts, { line: 99, character: 0 }, text), text.length);
    assert.equal(offsetAt(starts, { line: -1, character: 5 }, text), 0);
    assert.equal(offsetAt(starts, { line: 1, character: -3 }, text), 4);
  });

  it('clamps without the text as far as the line starts allow', () => {
    assert.equal(offsetAt(starts, { line: 0, character: 99 }), 4);
    assert.equal(offsetAt(starts, { line: 99, character: 0 }), 12);
  });
});

describe('spanToRange', () => {
  it('converts both ends', () => {
    const text = 'a: 1\r\nbb: "x😀"\n';
    const doc = { lineStarts: computeLineStarts(text), text };
    assert.deepEqual(spanToRange(doc, { start: 10, end: 15 }), {
      start: { line: 1, character: 4 },
      end: { line: 1, character: 9 },
    });
  });

  it('turns inverted or out-of-range spans into valid ranges', () => {
    const text = 'abc\ndef';
    const doc = { lineStarts: computeLineStarts(text), text };
    assert.deepEqual(spanToRange(doc, { start: 5, end: 2 }), {
      start: { line: 1, character: 1 },
      end: { line: 1, character: 1 },
    });
    assert.deepEqual(spanToRange(doc, { start: 2, end: 500 }), {
      start: { line: 0, character: 2 },
      end: { line: 1, character: 3 },
    });
    assert.deepEqual(spanToRange({ lineStarts: [0] }, { start: 0, end: 0 }), {
      start: { line: 0, character: 0 },
      end: { line: 0, character: 0 },
    });
  });
});

describe('JSON pointers', () => {
  it('joins tokens, escaping ~ and /', () => {
    assert.equal(joinPointer('', 'a'), '/a');
    assert.equal(joinPointer('/a', 0), '/a/0');
    assert.equal(joinPointer('', 'a/b'), '/a~1b');
    assert.equal(joinPointer('', 'm~n'), '/m~0n');
    assert.equal(joinPointer('', '~1'), '/~01');
    assert.equal(joinPointer('', ''), '/');
    assert.equal(pointerFromTokens(['identities', 3, 'e/mail']), '/identities/3/e~1mail');
  });

  it('parses pointers per RFC 6901', () => {
    assert.deepEqual(parsePointer(''), []);
    assert.deepEqual(parsePointer('/'), ['']);
    assert.deepEqual(parsePointer('/a~1b/m~0n/0'), ['a/b', 'm~n', '0']);
    assert.deepEqual(parsePointer('/~01'), ['~1']);
    assert.deepEqual(parsePointer('/a//b'), ['a', '', 'b']);
    // Lenient about a missing leading slash rather than throwing.
    assert.deepEqual(parsePointer('a/b'), ['a', 'b']);
  });

  it('round-trips tokens', () => {
    for (const token of ['', 'plain', '~', '/', '~0', '~1', 'a/~b/~', '😀']) {
      assert.equal(unescapeToken(escapeToken(token)), token);
      assert.deepEqual(parsePointer(joinPointer('', token)), [token]);
    }
  });

  it('finds the parent pointer', () => {
    assert.equal(parentPointer(''), undefined);
    assert.equal(parentPointer('/a'), '');
    assert.equal(parentPointer('/a/b~1c'), '/a');
    assert.equal(parentPointer('/'), '');
  });
});
