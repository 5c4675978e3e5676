import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, Range } from '../../core/diagnostic.ts';
import { locate, parseDocument, parseJson, spanToRange } from '../../core/document/index.ts';
import type { ParsedDocument, Span } from '../../core/document/index.ts';

function offsetOf(text: string, needle: string, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(needle)} #${nth} not in text`);
  }
  return at;
}

function spanOf(text: string, needle: string, nth = 0): Span {
  const start = offsetOf(text, needle, nth);
  return { start, end: start + needle.length };
}

function range(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

function syntax(text: string): Diagnostic[] {
  return parseJson(text, 'x.json').diagnostics;
}

function single(text: string): Diagnostic {
  const diagnostics = syntax(text);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  return diagnostics[0] as Diagnostic;
}

const SPEC = `{
  "version": 1,
  "target": { "url": "https://scim.example.com/v2", "retries": 2.5 },
  "identities": [
    { "name": "alice", "active": true, "manager": null },
    { "name": "bob", "tags": [] }
  ],
  "a/b~c": {}
}`;

describe('parseJson values and locations', () => {
  const doc = parseJson(SPEC, 'spec.json');

  it('builds the same value as JSON.parse', () => {
    assert.deepEqual(doc.diagnostics, []);
    assert.equal(doc.format, 'json');
    assert.deepEqual(doc.value, JSON.parse(SPEC));
  });

  it('spans keys with their quotes, and values', () => {
    assert.deepEqual(doc.locations.get('/version'), { key: spanOf(SPEC, '"version"'), value: spanOf(SPEC, '1') });
    assert.deepEqual(doc.locations.get('/target/url'), {
      key: spanOf(SPEC, '"url"'),
      value: spanOf(SPEC, '"https://scim.example.com/v2"'),
    });
    assert.deepEqual(doc.locations.get('/target/retries')?.value, spanOf(SPEC, '2.5'));
    assert.deepEqual(doc.locations.get('/identities/0/manager')?.value, spanOf(SPEC, 'null'));
    assert.deepEqual(doc.locations.get('/identities/0/active')?.value, spanOf(SPEC, 'true'));
  });

  it('spans containers from bracket to bracket; array items have no key', () => {
    assert.deepEqual(doc.locations.get(''), { value: { start: 0, end: SPEC.length } });
    const target = doc.locations.get('/target');
    assert.equal(SPEC.slice(target?.value.start, target?.value.end), '{ "url": "https://scim.example.com/v2", "retries": 2.5 }');
    const first = doc.locations.get('/identities/0');
    assert.equal(first?.key, undefined);
    assert.equal(SPEC.slice(first?.value.start, first?.value.end), '{ "name": "alice", "active": true, "manager": null }');
    assert.deepEqual(doc.locations.get('/identities/1/tags')?.value, spanOf(SPEC, '[]'));
  });

  it('escapes ~ and / in pointers', () => {
    assert.deepEqual(doc.locations.get('/a~1b~0c')?.key, spanOf(SPEC, '"a/b~c"'));
  });

  it('converts spans to ranges', () => {
    assert.deepEqual(spanToRange(doc, doc.locations.get('/identities/1/name')?.value ?? { start: 0, end: 0 }), range(5, 14, 5, 19));
  });

  it('locates missing pointers at their nearest ancestor', () => {
    assert.deepEqual(locate(doc, '/identities/1/tags/3'), doc.locations.get('/identities/1/tags'));
  });

  it('keeps "__proto__" as an own key', () => {
    const value = parseJson('{"__proto__": {"x": 1}}', 'x.json').value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    // biome-ignore lint/suspicious/noProto: the test is that a __proto__ key stays an own property
    assert.deepEqual(value['__proto__'], { x: 1 });
  });

  it('keeps large integers as numbers', () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the test is that a number past 2^53 parses as JavaScript reads it
    assert.equal(parseJson('12345678901234567890', 'x.json').value, 12345678901234567890);
  });

  it('gives empty input the value undefined and no diagnostic', () => {
    for (const text of ['', '   \n\t\r\n', '\ufeff']) {
      const doc = parseJson(text, 'x.json');
      assert.equal(doc.value, undefined);
      assert.deepEqual(doc.diagnostics, []);
      assert.equal(doc.locations.size, 0);
    }
  });
});

describe('parseJson diagnostics', () => {
  it('reports duplicate keys on the second key; the last one wins', () => {
    const text = '{\n  "a": {"x": 1},\n  "b": 2,\n  "a": 3\n}';
    const doc = parseJson(text, 'x.json');
    assert.deepEqual(doc.diagnostics, [
      {
        range: range(3, 2, 3, 5),
        severity: 'error',
        code: 'duplicate-key',
        message: 'Duplicate key "a" (first defined on line 2)',
      },
    ]);
    assert.deepEqual(doc.value, { a: 3, b: 2 });
    assert.deepEqual(doc.value, JSON.parse(text));
    assert.deepEqual(doc.locations.get('/a')?.key, spanOf(text, '"a"', 1));
    assert.equal(doc.locations.get('/a/x'), undefined);
  });

  it('reports comments as json-syntax errors', () => {
    assert.deepEqual(single('// c\n{"a": 1}'), {
      range: range(0, 0, 0, 4),
      severity: 'error',
      code: 'json-syntax',
      message: 'Comments are not allowed in JSON',
    });
    assert.deepEqual(single('{"a": 1 /* c */}').range, range(0, 8, 0, 15));
  });

  it('reports a trailing comma on the comma', () => {
    assert.deepEqual(single('{"a": 1,}'), {
      range: range(0, 7, 0, 8),
      severity: 'error',
      code: 'json-syntax',
      message: 'Trailing commas are not allowed in JSON',
    });
    assert.deepEqual(single('[1, 2,\n]').range, range(0, 5, 0, 6));
  });

  it('says which separator is missing, by container', () => {
    const object = single('{"a": 1 "b": 2}');
    assert.equal(object.message, "Expected ',' or '}' after a property value");
    assert.deepEqual(object.range, range(0, 8, 0, 11));
    const array = single('[1 2]');
    assert.equal(array.message, "Expected ',' or ']' after an array element");
    assert.deepEqual(array.range, range(0, 3, 0, 4));
  });

  it('reports a missing colon and a missing value', () => {
    assert.equal(single('{"a" 1}').message, "Expected ':' after the property name");
    assert.deepEqual(single('{"a": }'), {
      range: range(0, 6, 0, 7),
      severity: 'error',
      code: 'json-syntax',
      message: 'Expected a value',
    });
  });

  it('reports unclosed containers with where they start', () => {
    const object = single('{\n  "a": {\n    "b": 1\n');
    assert.equal(object.message, "Expected '}' to close the object that starts on line 2");
    assert.deepEqual(object.range, range(3, 0, 3, 0));
    assert.equal(single('[1,\n 2\n').message, "Expected ']' to close the array that starts on line 1");
  });

  it('explains single quotes and unquoted names', () => {
    assert.equal(single("{'a': 1}").message, `Unexpected "'a'": JSON strings must use double quotes`);
    const unquoted = single('{a: 1}');
    assert.equal(unquoted.message, 'Property names must be double-quoted strings: "a"');
    assert.deepEqual(unquoted.range, range(0, 1, 0, 2));
    assert.equal(single('{"a": tru}').message, 'Unexpected "tru": expected a string, number, object, array, true, false or null');
  });

  it('reports content after the value', () => {
    assert.equal(single('{"a": 1} x').message, 'Unexpected "x" after the end of the JSON value');
    const second = single('{"a": 1}\n{"b": 2}');
    assert.equal(second.message, 'Unexpected content after the end of the JSON value; a JSON file holds a single value');
    assert.deepEqual(second.range, range(1, 0, 1, 1));
  });

  it('reports string problems', () => {
    assert.deepEqual(single('"abc').range, range(0, 0, 0, 4));
    assert.match(single('"abc').message, /Unterminated string/);
    assert.match(single('{"a": "\\q"}').message, /Invalid escape sequence/);
    assert.match(single('{"a": "\\u12"}').message, /Invalid unicode escape/);
    assert.match(single('{"a": "x\ty"}').message, /Control characters/);
  });

  it('reports bad numbers', () => {
    assert.equal(single('[1e]').message, 'Incomplete number "1e"');
    assert.deepEqual(single('[1e]').range, range(0, 1, 0, 3));
  });

  it('keeps one error per line and every message on one line', () => {
    const diagnostics = syntax('{\n  a: \'x\',\n  "b": tru,\n}');
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.message]),
      [
        [1, 'Property names must be double-quoted strings: "a"'],
        // The trailing comma on line 2 is hidden behind that line's first error.
        [2, 'Unexpected "tru": expected a string, number, object, array, true, false or null'],
      ],
    );
    for (const d of diagnostics) {
      assert.equal(d.code, 'json-syntax');
      assert.doesNotMatch(d.message, /[\r\n]/);
    }
    const lines = diagnostics.map((d) => d.range.start.line);
    assert.deepEqual(lines, [...new Set(lines)]);
  });
});

describe('parseJson line endings and encodings', () => {
  it('handles CRLF', () => {
    const text = '{\r\n  "a": 1,\r\n  "a": 2\r\n}\r\n';
    const doc = parseJson(text, 'x.json');
    assert.deepEqual(doc.value, { a: 2 });
    assert.deepEqual(doc.diagnostics[0]?.range, range(2, 2, 2, 5));
    assert.deepEqual(doc.diagnostics[0]?.message, 'Duplicate key "a" (first defined on line 2)');
  });

  it('handles a lone CR', () => {
    const doc = parseJson('{\r"a": [1,\r2]\r}', 'x.json');
    assert.deepEqual(doc.value, { a: [1, 2] });
    assert.deepEqual(spanToRange(doc, doc.locations.get('/a/1')?.value ?? { start: 0, end: 0 }), range(2, 0, 2, 1));
  });

  it('ignores a leading BOM but keeps offsets into the given text', () => {
    const text = '\ufeff{"a": 1}';
    const doc = parseDocument(text, 'spec.json');
    assert.deepEqual(doc.value, { a: 1 });
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(doc.locations.get('/a'), { key: { start: 2, end: 5 }, value: { start: 7, end: 8 } });
    assert.deepEqual(doc.locations.get('')?.value, { start: 1, end: 9 });
    assert.equal(doc.text, text);
  });

  it('measures astral characters in UTF-16 code units', () => {
    const text = '{"😀": "😀", "b": x}';
    const doc = parseJson(text, 'x.json');
    assert.deepEqual(doc.locations.get('/😀'), { key: { start: 1, end: 5 }, value: { start: 7, end: 11 } });
    assert.deepEqual(doc.diagnostics[0]?.range, range(0, 18, 0, 19));
  });
});

describe('parseJson robustness', () => {
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
  }

  function checkShape(doc: ParsedDocument): void {
    for (const d of doc.diagnostics) {
      const { start, end } = d.range;
      assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character));
      assert.ok(end.line < doc.lineStarts.length);
    }
    for (const location of doc.locations.values()) {
      for (const span of [location.key, location.value]) {
        if (span === undefined) continue;
        assert.ok(span.start >= 0 && span.start <= span.end && span.end <= doc.text.length);
      }
    }
  }

  it('never throws on random bytes', () => {
    const next = random(3);
    for (let i = 0; i < 300; i++) {
      let text = '';
      const length = Math.floor(next() * 200);
      for (let k = 0; k < length; k++) text += String.fromCharCode(Math.floor(next() * 0x10000));
      checkShape(parseJson(text, 'x.json'));
    }
  });

  it('never throws on JSON-like garbage', () => {
    const next = random(11);
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '"a"',
      '1',
      '-',
      'e',
      'true',
      'nul',
      ' ',
      '\n',
      '\r',
      '//',
      '/*',
      '*/',
      '\\',
      '\\u',
      '😀',
      '\ufeff',
      '\u0000',
      "'",
    ];
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const length = Math.floor(next() * 40);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(next() * pieces.length)];
      checkShape(parseJson(text, 'x.json'));
    }
  });

  it('survives nesting too deep for the parser', () => {
    const doc = parseJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'x.json');
    assert.equal(doc.value, undefined);
    assert.equal(doc.diagnostics[0]?.code, 'json-syntax');
    assert.match(doc.diagnostics[0]?.message ?? '', /nested too deeply/);
  });
});
