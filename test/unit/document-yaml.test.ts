import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, Range } from '../../core/diagnostic.ts';
import { detectFormat, locate, parseDocument, parseYaml, spanToRange } from '../../core/document/index.ts';
import type { ParsedDocument, Span } from '../../core/document/index.ts';

/** Offset of the nth (0-based) occurrence of `needle`. */
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

function slice(doc: ParsedDocument, span: Span | undefined): string | undefined {
  return span === undefined ? undefined : doc.text.slice(span.start, span.end);
}

function only(doc: ParsedDocument, code: string): Diagnostic {
  const found = doc.diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(doc.diagnostics)}`);
  return found[0] as Diagnostic;
}

function assertOneLine(doc: ParsedDocument): void {
  for (const d of doc.diagnostics) {
    assert.ok(d.message.length > 0 && !/[\r\n]/.test(d.message), `multi-line message: ${d.message}`);
  }
}

const SPEC = `# provisioning spec
version: 1
target:
  url: "https://scim.example.com/v2"
  headers: {Accept: application/scim+json, X-Trace: 'on'}
defaults: &defaults
  active: true
  locale: en-US
identities:
  - name: alice
    emails: [alice@example.com, "a@x"]
    settings: *defaults
    bio: |
      Line one
      Line two
    summary: >-
      folded
      text
    manager:
  - name: bob
    tags:
      -
      - ops
`;

describe('parseYaml values', () => {
  it('builds the plain value of a realistic spec', () => {
    const doc = parseYaml(SPEC, 'spec.yaml');
    assert.deepEqual(doc.diagnostics, []);
    assert.equal(doc.format, 'yaml');
    assert.equal(doc.name, 'spec.yaml');
    assert.equal(doc.text, SPEC);
    assert.deepEqual(doc.value, {
      version: 1,
      target: {
        url: 'https://scim.example.com/v2',
        headers: { Accept: 'application/scim+json', 'X-Trace': 'on' },
      },
      defaults: { active: true, locale: 'en-US' },
      identities: [
        {
          name: 'alice',
          emails: ['alice@example.com', 'a@x'],
          settings: { active: true, locale: 'en-US' },
          bio: 'Line one\nLine two\n',
          summary: 'folded text',
          manager: null,
        },
        { name: 'bob', tags: [null, 'ops'] },
      ],
    });
  });

  it('uses the YAML 1.2 core schema', () => {
    const doc = parseYaml(
      'a: yes\nb: on\nc: 1.0\nd: 12345678901234567890\ne: 0x1F\nf: ~\ng: null\nh: "1"\ni: true\nj: 0o17\nk: -2.5e3\nl: No\n',
      'x.yaml',
    );
    assert.deepEqual(doc.value, {
      a: 'yes',
      b: 'on',
      c: 1,
      // biome-ignore lint/correctness/noPrecisionLoss: the test is that a number past 2^53 parses as JavaScript reads it
      d: 12345678901234567890,
      e: 31,
      f: null,
      g: null,
      h: '1',
      i: true,
      j: 15,
      k: -2500,
      l: 'No',
    });
    assert.equal(typeof (doc.value as Record<string, unknown>)['d'], 'number');
  });

  it('turns scalar keys into strings', () => {
    const doc = parseYaml('1: one\n1.5: x\ntrue: t\nnull: n\n~: tilde\n: empty\n"quoted key": q\n', 'x.yaml');
    assert.deepEqual(doc.value, { '1': 'one', '1.5': 'x', true: 't', null: 'n', '~': 'tilde', '': 'empty', 'quoted key': 'q' });
    assert.deepEqual(doc.diagnostics, []);
  });

  it('keeps explicitly tagged non-JSON scalars as their text', () => {
    const doc = parseYaml('bin: !!binary aGVsbG8=\nstr: !!str 12\n', 'x.yaml');
    assert.deepEqual(doc.value, { bin: 'aGVsbG8=', str: '12' });
  });

  it('keeps "__proto__" as an own key without touching the prototype', () => {
    const doc = parseYaml('__proto__:\n  polluted: true\n', 'x.yaml');
    const value = doc.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.ok(Object.hasOwn(value, '__proto__'));
    // biome-ignore lint/suspicious/noProto: the test is that a __proto__ key stays an own property
    assert.deepEqual(value['__proto__'], { polluted: true });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('resolves aliases to the anchored value, including scalar anchors', () => {
    const doc = parseYaml('a: &x 5\nb: *x\nc: &m {k: v}\nd: *m\ne: &x 6\nf: *x\n', 'x.yaml');
    assert.deepEqual(doc.value, { a: 5, b: 5, c: { k: 'v' }, d: { k: 'v' }, e: 6, f: 6 });
  });

  it('gives an empty document the value undefined and no diagnostic', () => {
    for (const text of ['', '   \n\n', '# just a comment\n# another\n', '---\n', '--- # c\n', '\ufeff']) {
      const doc = parseYaml(text, 'x.yaml');
      assert.equal(doc.value, undefined, JSON.stringify(text));
      assert.deepEqual(doc.diagnostics, [], JSON.stringify(text));
      assert.equal(doc.locations.size, 0);
    }
  });

  it('keeps explicit nulls and scalars at the root', () => {
    assert.equal(parseYaml('~\n', 'x.yaml').value, null);
    assert.equal(parseYaml('null', 'x.yaml').value, null);
    assert.equal(parseYaml('hello\n', 'x.yaml').value, 'hello');
    assert.deepEqual(parseYaml('[]', 'x.yaml').value, []);
    assert.deepEqual(parseYaml('{}', 'x.yaml').value, {});
  });
});

describe('parseYaml locations', () => {
  const doc = parseYaml(SPEC, 'spec.yaml');
  const loc = (pointer: string) => {
    const found = doc.locations.get(pointer);
    assert.ok(found, `no location for ${pointer}`);
    return found;
  };

  it('covers the root', () => {
    assert.equal(loc('').key, undefined);
    assert.deepEqual(loc('').value, { start: offsetOf(SPEC, 'version'), end: offsetOf(SPEC, 'ops') + 3 });
  });

  it('gives plain scalar keys and values exact spans', () => {
    assert.deepEqual(loc('/version'), { key: spanOf(SPEC, 'version'), value: spanOf(SPEC, '1', 0) });
    assert.deepEqual(loc('/identities/0/name'), { key: spanOf(SPEC, 'name', 0), value: spanOf(SPEC, 'alice', 0) });
  });

  it('includes the quotes of quoted scalars', () => {
    assert.deepEqual(loc('/target/url').value, spanOf(SPEC, '"https://scim.example.com/v2"'));
    assert.deepEqual(loc('/target/headers/X-Trace').value, spanOf(SPEC, "'on'"));
    assert.deepEqual(loc('/identities/0/emails/1').value, spanOf(SPEC, '"a@x"'));
  });

  it('spans flow collections from bracket to bracket', () => {
    assert.equal(slice(doc, loc('/target/headers').value), "{Accept: application/scim+json, X-Trace: 'on'}");
    assert.deepEqual(loc('/target/headers/Accept').key, spanOf(SPEC, 'Accept'));
    assert.equal(slice(doc, loc('/identities/0/emails').value), '[alice@example.com, "a@x"]');
    assert.deepEqual(loc('/identities/0/emails/0'), { value: spanOf(SPEC, 'alice@example.com') });
  });

  it('spans block collections from their first to their last character', () => {
    assert.equal(slice(doc, loc('/target').value), SPEC.slice(offsetOf(SPEC, 'url:'), offsetOf(SPEC, "'on'}") + 5));
    assert.equal(slice(doc, loc('/identities/1').value), 'name: bob\n    tags:\n      -\n      - ops');
    assert.equal(slice(doc, loc('/identities/1/tags').value), '-\n      - ops');
  });

  it('spans block scalars from the indicator to the last content character', () => {
    assert.equal(slice(doc, loc('/identities/0/bio').value), '|\n      Line one\n      Line two');
    assert.equal(slice(doc, loc('/identities/0/summary').value), '>-\n      folded\n      text');
  });

  it('gives sequence items only a value span', () => {
    assert.equal(loc('/identities/0').key, undefined);
    assert.equal(slice(doc, loc('/identities/0').value)?.startsWith('name: alice'), true);
    assert.equal(slice(doc, loc('/identities/1/tags/1').value), 'ops');
  });

  it('places empty values as zero-length spans right after the colon or dash', () => {
    const manager = offsetOf(SPEC, 'manager:') + 'manager:'.length;
    assert.deepEqual(loc('/identities/0/manager'), {
      key: spanOf(SPEC, 'manager'),
      value: { start: manager, end: manager },
    });
    const dash = offsetOf(SPEC, '-\n      - ops') + 1;
    assert.deepEqual(loc('/identities/1/tags/0'), { value: { start: dash, end: dash } });
  });

  it('places an empty value after the colon even with trailing spaces and a comment', () => {
    const text = 'a:    # nothing\nb: {c}\n? d\n';
    const d = parseYaml(text, 'x.yaml');
    assert.deepEqual(d.value, { a: null, b: { c: null }, d: null });
    assert.deepEqual(d.locations.get('/a')?.value, { start: 2, end: 2 });
    // No colon at all: right after the key.
    const c = offsetOf(text, 'c') + 1;
    assert.deepEqual(d.locations.get('/b/c')?.value, { start: c, end: c });
    const dEnd = offsetOf(text, 'd') + 1;
    assert.deepEqual(d.locations.get('/d')?.value, { start: dEnd, end: dEnd });
  });

  it('records the alias span for an alias and nothing below it', () => {
    assert.deepEqual(loc('/identities/0/settings'), { key: spanOf(SPEC, 'settings'), value: spanOf(SPEC, '*defaults') });
    assert.equal(doc.locations.get('/identities/0/settings/active'), undefined);
    assert.deepEqual(locate(doc, '/identities/0/settings/active'), loc('/identities/0/settings'));
  });

  it('escapes ~ and / in pointers', () => {
    const d = parseYaml('a/b: 1\nc~d: 2\n', 'x.yaml');
    assert.deepEqual(d.locations.get('/a~1b')?.key, { start: 0, end: 3 });
    assert.deepEqual(d.locations.get('/c~0d')?.key, { start: 7, end: 10 });
  });

  it('converts spans to ranges', () => {
    assert.deepEqual(spanToRange(doc, loc('/target/url').value), range(3, 7, 3, 36));
  });
});

describe('locate', () => {
  const doc = parseYaml('a:\n  b: [1, 2]\n', 'x.yaml');

  it('returns the exact location when present', () => {
    assert.deepEqual(locate(doc, '/a/b/1'), { value: { start: 12, end: 13 } });
  });

  it('falls back to the nearest existing ancestor', () => {
    assert.deepEqual(locate(doc, '/a/b/7'), doc.locations.get('/a/b'));
    assert.deepEqual(locate(doc, '/a/missing/deeper'), doc.locations.get('/a'));
    assert.deepEqual(locate(doc, '/nope'), doc.locations.get(''));
  });

  it('returns undefined when nothing parsed', () => {
    assert.equal(locate(parseYaml('', 'x.yaml'), '/a'), undefined);
  });
});

describe('parseYaml diagnostics', () => {
  it('reports yaml-syntax errors on one line with an exact range', () => {
    const doc = parseYaml('a: 1\nb: @x\n', 'x.yaml');
    const d = only(doc, 'yaml-syntax');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, range(1, 3, 1, 4));
    assert.equal(d.message, 'An unquoted value cannot start with the reserved character "@"; put the value in quotes');
    assertOneLine(doc);
  });

  it('names tokens instead of the package internals', () => {
    const doc = parseYaml('{a: 1}}\n', 'x.yaml');
    const d = only(doc, 'yaml-syntax');
    assert.equal(d.message, 'Unexpected "}"');
    assert.deepEqual(d.range, range(0, 6, 0, 7));
    assert.doesNotMatch(d.message, /flow-map-end|token|YAML stream/);
  });

  it('keeps only the first syntax error of a line', () => {
    const doc = parseYaml('- a\nb: 1\n', 'x.yaml');
    const d = only(doc, 'yaml-syntax');
    assert.deepEqual(d.range, range(1, 0, 1, 1));
    assert.equal(d.message, 'Unexpected value "b" after the end of the preceding node (check the indentation)');
    assert.deepEqual(doc.value, ['a']);
  });

  it('explains a nested mapping on one line', () => {
    const doc = parseYaml('a: b: c\n', 'x.yaml');
    assert.deepEqual(only(doc, 'yaml-syntax').range, range(0, 3, 0, 4));
    assert.match(only(doc, 'yaml-syntax').message, /nested mapping cannot start on the same line/);
  });

  it('reports an unterminated quote', () => {
    const doc = parseYaml('a: "abc\n', 'x.yaml');
    assert.equal(only(doc, 'yaml-syntax').message, 'Missing closing " quote');
    assert.deepEqual(doc.value, { a: 'abc' });
  });

  it('reports an unclosed flow sequence', () => {
    const doc = parseYaml('a:\n  b: [1, 2\nc: 3\n', 'x.yaml');
    const d = only(doc, 'yaml-syntax');
    assert.equal(d.message, 'Flow sequence in block collection must be sufficiently indented and end with "]"');
    assert.deepEqual(d.range, range(2, 0, 2, 1));
    assert.deepEqual(doc.value, { a: { b: [1, 2] }, c: 3 });
  });

  it('reports unknown and circular aliases', () => {
    const unknown = parseYaml('a: *nope\n', 'x.yaml');
    assert.deepEqual(only(unknown, 'yaml-syntax'), {
      range: range(0, 3, 0, 8),
      severity: 'error',
      code: 'yaml-syntax',
      message: 'Unknown alias "*nope": no anchor "&nope" is defined before it',
    });
    assert.deepEqual(unknown.value, { a: null });
    const circular = parseYaml('x: &x [1, *x]\n', 'x.yaml');
    assert.deepEqual(only(circular, 'yaml-syntax').range, range(0, 10, 0, 12));
    assert.match(only(circular, 'yaml-syntax').message, /circular/);
    assert.deepEqual(circular.value, { x: [1, null] });
  });

  it('reports duplicate keys on the second key; the last one wins', () => {
    const text = 'name: a\nother: 1\nname:\n  nested: true\n';
    const doc = parseYaml(text, 'x.yaml');
    assert.deepEqual(only(doc, 'duplicate-key'), {
      range: range(2, 0, 2, 4),
      severity: 'error',
      code: 'duplicate-key',
      message: 'Duplicate key "name" (first defined on line 1)',
    });
    assert.deepEqual(doc.value, { name: { nested: true }, other: 1 });
    assert.deepEqual(doc.locations.get('/name')?.key, { start: offsetOf(text, 'name', 1), end: offsetOf(text, 'name', 1) + 4 });
    assert.deepEqual(doc.locations.get('/name/nested')?.key, spanOf(text, 'nested'));
  });

  it('drops the locations below a duplicate that lost', () => {
    const text = 'a:\n  x: 1\na: 2\n';
    const doc = parseYaml(text, 'x.yaml');
    assert.deepEqual(doc.value, { a: 2 });
    assert.equal(doc.locations.get('/a/x'), undefined);
    assert.equal(slice(doc, doc.locations.get('/a')?.value), '2');
  });

  it('compares keys as the strings they become', () => {
    const doc = parseYaml('1: a\n"1": b\n', 'x.yaml');
    assert.deepEqual(only(doc, 'duplicate-key').range, range(1, 0, 1, 3));
    assert.deepEqual(doc.value, { '1': 'b' });
  });

  it('reports duplicates inside flow mappings', () => {
    const doc = parseYaml('{a: 1, b: 2, a: 3}\n', 'x.yaml');
    assert.deepEqual(only(doc, 'duplicate-key').range, range(0, 13, 0, 14));
  });

  it('reports complex keys and skips the pair', () => {
    const doc = parseYaml('? [a, b]\n: 1\nc: 2\n', 'x.yaml');
    assert.deepEqual(only(doc, 'complex-key'), {
      range: range(0, 2, 0, 8),
      severity: 'error',
      code: 'complex-key',
      message: 'Mapping keys must be scalars (strings, numbers or booleans); this key is a sequence',
    });
    assert.deepEqual(doc.value, { c: 2 });
    const map = parseYaml('? {x: 1}\n: 1\n', 'x.yaml');
    assert.deepEqual(only(map, 'complex-key').range, range(0, 2, 0, 8));
  });

  it('reports tabs used as indentation on the tab characters', () => {
    const doc = parseYaml('a:\n  b: 1\n\t\tc: 2\n', 'x.yaml');
    const d = only(doc, 'tab-indent');
    assert.deepEqual(d.range, range(2, 0, 2, 2));
    assert.equal(d.severity, 'error');
    assert.match(d.message, /YAML forbids tabs for indentation/);
    assert.deepEqual(
      doc.diagnostics.map((x) => x.code),
      ['tab-indent'],
    );
  });

  it('reports a tab after spaces in the indentation', () => {
    const doc = parseYaml('a:\n  b: 1\n  \tc: 1\n', 'x.yaml');
    assert.deepEqual(only(doc, 'tab-indent').range, range(2, 2, 2, 3));
  });

  it('reports a tab-indented block scalar line as tab-indent, with no follow-on noise', () => {
    const doc = parseYaml('a: |\n\tx\n', 'x.yaml');
    assert.deepEqual(
      doc.diagnostics.map((x) => [x.code, x.range]),
      [['tab-indent', range(1, 0, 1, 1)]],
    );
  });

  it('reports one tab-indent per line and nothing else for a tab-indented sequence', () => {
    const doc = parseYaml('a:\n  - b\n\t- c\n', 'x.yaml');
    assert.deepEqual(
      doc.diagnostics.map((x) => [x.code, x.range]),
      [['tab-indent', range(2, 0, 2, 1)]],
    );
  });

  it('allows tabs where YAML allows them', () => {
    assert.deepEqual(parseYaml('a:\t1\n', 'x.yaml').diagnostics, []);
    assert.deepEqual(parseYaml('- \tb\n', 'x.yaml').diagnostics, []);
    assert.deepEqual(parseYaml('{\n\t"a": 1\n}\n', 'x.yaml').diagnostics, []);
    assert.deepEqual(parseYaml('s: "x\ty"\n', 'x.yaml').diagnostics, []);
  });

  it('reports a second document from its --- marker to the end', () => {
    const text = 'a: 1\n---\nb: 2\n';
    const doc = parseYaml(text, 'x.yaml');
    assert.deepEqual(only(doc, 'multiple-documents'), {
      range: range(1, 0, 3, 0),
      severity: 'error',
      code: 'multiple-documents',
      message: 'A spec file must hold a single YAML document; this document and any after it are ignored',
    });
    assert.deepEqual(doc.value, { a: 1 });
    assert.equal(doc.locations.get('/b'), undefined);
  });

  it('reports a second document after a ... marker from its first content', () => {
    const doc = parseYaml('a: 1\n...\nb: 2\n', 'x.yaml');
    assert.deepEqual(only(doc, 'multiple-documents').range, range(2, 0, 3, 0));
    assert.deepEqual(doc.value, { a: 1 });
  });

  it('accepts a leading --- and a trailing ... as one document', () => {
    const doc = parseYaml('---\na: 1\n...\n# trailing comment\n', 'x.yaml');
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(doc.value, { a: 1 });
  });

  it('reports warnings as yaml-warning', () => {
    const doc = parseYaml('a: !custom x\n', 'x.yaml');
    assert.deepEqual(only(doc, 'yaml-warning'), {
      range: range(0, 3, 0, 10),
      severity: 'warning',
      code: 'yaml-warning',
      message: 'Unknown tag "!custom" is ignored',
    });
    assert.deepEqual(doc.value, { a: 'x' });
  });

  it('reports a directive without a document', () => {
    const doc = parseYaml('%YAML 1.2\n', 'x.yaml');
    assert.equal(only(doc, 'yaml-syntax').message, 'Missing directives-end indicator line');
    assert.equal(doc.value, undefined);
  });

  it('sorts diagnostics by position', () => {
    const doc = parseYaml('a: *x\nb: 1\nb: @\n', 'x.yaml');
    const starts = doc.diagnostics.map((d) => d.range.start.line * 1000 + d.range.start.character);
    assert.deepEqual(
      starts,
      [...starts].sort((x, y) => x - y),
    );
    assert.equal(doc.diagnostics.length, 3);
  });
});

describe('parseYaml line endings and encodings', () => {
  it('handles CRLF files', () => {
    const text = 'a:\r\n  b: 1\r\n  c: "x"\r\nd: [1, 2]\r\n';
    const doc = parseYaml(text, 'x.yaml');
    assert.deepEqual(doc.value, { a: { b: 1, c: 'x' }, d: [1, 2] });
    assert.deepEqual(doc.lineStarts, [0, 4, 12, 22, 33]);
    assert.equal(slice(doc, doc.locations.get('/a')?.value), 'b: 1\r\n  c: "x"');
    assert.deepEqual(spanToRange(doc, doc.locations.get('/a/c')?.value ?? { start: 0, end: 0 }), range(2, 5, 2, 8));
    assert.deepEqual(spanToRange(doc, doc.locations.get('/d/1')?.value ?? { start: 0, end: 0 }), range(3, 7, 3, 8));
  });

  it('reports CRLF errors with the right positions', () => {
    const doc = parseYaml('a: 1\r\na: 2\r\n', 'x.yaml');
    assert.deepEqual(only(doc, 'duplicate-key').range, range(1, 0, 1, 1));
  });

  it('treats a lone CR as a line break', () => {
    const text = 'a: 1\rb: 2\r';
    const doc = parseYaml(text, 'x.yaml');
    assert.deepEqual(doc.value, { a: 1, b: 2 });
    assert.deepEqual(doc.diagnostics, []);
    assert.equal(doc.text, text);
    assert.deepEqual(spanToRange(doc, doc.locations.get('/b')?.key ?? { start: 0, end: 0 }), range(1, 0, 1, 1));
  });

  it('ignores a leading BOM but keeps offsets into the given text', () => {
    const text = '\ufeffname: x\n';
    const doc = parseDocument(text, 'spec.yaml');
    assert.deepEqual(doc.value, { name: 'x' });
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(doc.locations.get('/name'), { key: { start: 1, end: 5 }, value: { start: 7, end: 8 } });
    assert.equal(doc.text, text);
  });

  it('measures astral characters in UTF-16 code units', () => {
    const text = 'emoji: "😀x"\n😀: y\nz: *nope\n';
    const doc = parseYaml(text, 'x.yaml');
    assert.deepEqual(doc.value, { emoji: '😀x', '😀': 'y', z: null });
    assert.deepEqual(doc.locations.get('/emoji')?.value, { start: 7, end: 12 });
    assert.deepEqual(doc.locations.get('/😀'), { key: { start: 13, end: 15 }, value: { start: 17, end: 18 } });
    assert.deepEqual(spanToRange(doc, { start: 17, end: 18 }), range(1, 4, 1, 5));
    assert.deepEqual(only(doc, 'yaml-syntax').range, range(2, 3, 2, 8));
  });
});

describe('parseYaml robustness', () => {
  /** Deterministic, so a failure can be replayed. */
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
      assert.ok(!/[\r\n]/.test(d.message));
    }
    for (const location of doc.locations.values()) {
      for (const span of [location.key, location.value]) {
        if (span === undefined) continue;
        assert.ok(span.start >= 0 && span.start <= span.end && span.end <= doc.text.length);
      }
    }
    JSON.stringify(doc.value);
  }

  it('never throws on random bytes', () => {
    const next = random(42);
    for (let i = 0; i < 300; i++) {
      let text = '';
      const length = Math.floor(next() * 200);
      for (let k = 0; k < length; k++) text += String.fromCharCode(Math.floor(next() * 0x10000));
      checkShape(parseYaml(text, 'x.yaml'));
    }
  });

  it('never throws on YAML-like garbage', () => {
    const next = random(7);
    const pieces = [
      'a',
      ':',
      ' ',
      '\n',
      '\r\n',
      '\r',
      '\t',
      '- ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '"',
      "'",
      '#',
      '&x ',
      '*x',
      '!!str ',
      '? ',
      '|',
      '>',
      '---\n',
      '...\n',
      '%YAML 1.2\n',
      '\\',
      '😀',
      '\ufeff',
      '\u0000',
      '@',
    ];
    for (let i = 0; i < 1500; i++) {
      let text = '';
      const length = Math.floor(next() * 40);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(next() * pieces.length)];
      checkShape(parseYaml(text, 'x.yaml'));
    }
  });

  it('survives deep nesting', () => {
    const doc = parseYaml(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'x.yaml');
    assert.ok(doc.diagnostics.length >= 1);
    assert.match(doc.diagnostics[0]?.message ?? '', /nested too deeply/);
  });

  it('keeps alias bombs linear by sharing anchored values, and bounds what they expand to', () => {
    let text = 'a0: &a0 [x, x]\n';
    for (let i = 1; i < 30; i++) text += `a${i}: &a${i} [*a${i - 1}, *a${i - 1}]\n`;
    const doc = parseYaml(text, 'x.yaml');
    const value = doc.value as Record<string, unknown[]>;
    assert.equal(value['a5']?.[0], value['a4']);
    // 2^30 values expanded: the aliases past the limit are left empty, each line reported once.
    assert.ok(doc.diagnostics.length > 0);
    assert.ok(doc.diagnostics.every((d) => d.code === 'yaml-alias-limit'));
    assert.equal(new Set(doc.diagnostics.map((d) => d.range.start.line)).size, doc.diagnostics.length);
  });

  it('leaves process.env as it found it', () => {
    const env = process.env;
    parseYaml('a: 1\n', 'x.yaml');
    parseYaml('a: [\n', 'x.yaml');
    assert.equal(process.env, env);
  });

  it('parses a 5,000-line spec with a location per node', () => {
    let text = 'identities:\n';
    for (let i = 0; i < 1000; i++)
      text += `  - name: user${i}\n    email: u${i}@example.com\n    groups: [a, b]\n    active: true\n    title: "Engineer"\n`;
    const doc = parseYaml(text, 'x.yaml');
    assert.deepEqual(doc.diagnostics, []);
    assert.equal((doc.value as { identities: unknown[] }).identities.length, 1000);
    assert.equal(doc.locations.size, 2 + 1000 * 8);
    assert.equal(slice(doc, doc.locations.get('/identities/999/email')?.value), 'u999@example.com');
  });
});

describe('parseDocument', () => {
  it('detects the format from the name', () => {
    assert.equal(detectFormat('spec.json'), 'json');
    assert.equal(detectFormat('/a/b/SPEC.JSON'), 'json');
    assert.equal(detectFormat('file:///a/spec.json?x=1'), 'json');
    assert.equal(detectFormat('spec.yaml'), 'yaml');
    assert.equal(detectFormat('spec.yml'), 'yaml');
    assert.equal(detectFormat('untitled:Untitled-1'), 'yaml');
  });

  it('lets an explicit format win over the name', () => {
    assert.equal(parseDocument('{"a": 1}', 'spec.yaml', 'json').format, 'json');
    assert.equal(parseDocument('a: 1', 'spec.json', 'yaml').format, 'yaml');
    assert.deepEqual(parseDocument('a: 1', 'spec.json', 'yaml').value, { a: 1 });
    assert.equal(parseDocument('a: 1', 'spec.yml').format, 'yaml');
  });
});
