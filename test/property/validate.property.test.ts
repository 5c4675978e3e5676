// Whatever a user (or an editor, keystroke by keystroke) hands to validateText, it must answer
// with well-formed diagnostics: the language server and the CLI both trust these ranges to index
// into the text, and a throw would take the server down.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import './seed.ts';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { Diagnostic } from '../../core/diagnostic.ts';
import { validateText } from '../../core/validate/index.ts';

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint']);

const EXAMPLES = ['quickstart.provspec.yaml', 'entra.provspec.yaml', 'okta.provspec.json'].map((name) => ({
  name,
  text: readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'),
}));

/** Lines as LSP counts them (`\n`, `\r\n` and a lone `\r` end a line), without the breaks. */
function linesOf(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function describeDiagnostic(d: Diagnostic): string {
  const { start, end } = d.range;
  return `${d.severity} ${d.code} ${start.line}:${start.character}-${end.line}:${end.character} ${JSON.stringify(d.message)}`;
}

/** Checks every property of one validation and returns its diagnostics. */
function check(text: string, name: string): Diagnostic[] {
  const result = validateText(text, name);
  const lines = linesOf(text);
  for (const d of result.diagnostics) {
    const what = describeDiagnostic(d);
    assert.ok(typeof d.code === 'string' && d.code.length > 0, `empty code: ${what}`);
    assert.ok(typeof d.message === 'string' && d.message.trim().length > 0, `empty message: ${what}`);
    assert.ok(SEVERITIES.has(d.severity), `bad severity: ${what}`);
    for (const p of [d.range.start, d.range.end]) {
      assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character), `non-integer position: ${what}`);
      assert.ok(p.line >= 0 && p.line < lines.length, `line outside the ${lines.length} lines: ${what}`);
      const length = (lines[p.line] ?? '').length;
      assert.ok(p.character >= 0 && p.character <= length, `character outside line ${p.line} (length ${length}): ${what}`);
    }
    const { start, end } = d.range;
    assert.ok(
      start.line < end.line || (start.line === end.line && start.character <= end.character),
      `range ends before it starts: ${what}`,
    );
    // Both are last-resort catches: seeing one means some code threw and was only contained.
    assert.notEqual(d.code, 'internal-error', `a rule threw: ${what}`);
    assert.doesNotMatch(d.message, /^Could not parse the (YAML|JSON):/, `the parser threw: ${what}`);
  }
  const hasError = result.diagnostics.some((d) => d.severity === 'error');
  assert.equal(result.spec !== undefined, !hasError, 'spec must be present exactly when there is no error');
  return result.diagnostics;
}

/** The properties, plus determinism: the same text validates to the same diagnostics. */
function checkBoth(text: string, name: string): void {
  const first = check(text, name);
  const second = validateText(text, name).diagnostics;
  assert.deepEqual(second, first, 'validation is not deterministic');
}

/** Validates as YAML and as JSON, since editors hand over whatever the file holds. */
function checkAsBoth(text: string): void {
  checkBoth(text, 'random.provspec.yaml');
  checkBoth(text, 'random.provspec.json');
}

// Characters that mean something to YAML or JSON, line breaks of every kind, and code units
// that stress offset arithmetic (BOM, NUL, astral characters, lone surrogates).
const SPECIAL = [
  ':',
  '-',
  '?',
  ',',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  '\\',
  '$',
  '${{',
  '}}',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\uFEFF',
  '\u0000',
  '\u2028',
  '😀',
  '\uD800',
  '\uDC00',
  'é',
  '---',
  '...',
  '<<',
  'null',
  'true',
  '1e9',
  '0x1F',
  '.inf',
];
const charArb = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.string({ minLength: 1, maxLength: 3, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 2, unit: 'binary' }),
);

describe('validateText on random documents', () => {
  it('random JSON values, serialized as YAML and as JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, pretty) => {
        checkAsBoth(toYaml(value));
        checkAsBoth(JSON.stringify(value, null, pretty ? 2 : 0));
      }),
      { numRuns: 150 },
    );
  });

  it('random values of any kind (NaN, -0, undefined, odd keys), serialized as YAML and as JSON', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3, withNullPrototype: true, withSparseArray: true }), (value) => {
        checkBoth(toYaml(value) ?? '', 'random.provspec.yaml');
        checkBoth(JSON.stringify(value) ?? '', 'random.provspec.json');
      }),
      { numRuns: 150 },
    );
  });

  it('token soup of YAML and JSON syntax', () => {
    fc.assert(
      fc.property(
        fc.array(charArb, { maxLength: 60 }).map((parts) => parts.join('')),
        checkAsBoth,
      ),
      { numRuns: 300 },
    );
  });

  it('deep nesting', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6000 }), fc.constantFrom('[', '{"a":', '- ', 'a:\n'), fc.boolean(), (depth, open, closed) => {
        const close = open === '[' ? ']' : open === '{"a":' ? '}' : '';
        checkAsBoth(open.repeat(depth) + (closed ? `1${close.repeat(depth)}` : ''));
      }),
      { numRuns: 12 },
    );
  });
});

type Mutation =
  | { kind: 'delete-char'; at: number; length: number }
  | { kind: 'insert-char'; at: number; text: string }
  | { kind: 'duplicate-chars'; at: number; length: number }
  | { kind: 'delete-line'; line: number }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'insert-line'; line: number; text: string }
  | { kind: 'swap-lines'; line: number; other: number };

// Positions are fractions so the same mutation applies to texts of any length.
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete-char' as const), at: fraction, length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert-char' as const), at: fraction, text: charArb }),
  fc.record({ kind: fc.constant('duplicate-chars' as const), at: fraction, length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('delete-line' as const), line: fraction }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fraction }),
  fc.record({
    kind: fc.constant('insert-line' as const),
    line: fraction,
    text: fc.array(charArb, { maxLength: 8 }).map((p) => p.join('')),
  }),
  fc.record({ kind: fc.constant('swap-lines' as const), line: fraction, other: fraction }),
);

function mutate(text: string, m: Mutation): string {
  const at = (f: number) => Math.floor(f * (text.length + 1));
  const lines = text.split('\n');
  const line = (f: number) => Math.floor(f * lines.length);
  switch (m.kind) {
    case 'delete-char': {
      const i = at(m.at);
      return text.slice(0, i) + text.slice(i + m.length);
    }
    case 'insert-char': {
      const i = at(m.at);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case 'duplicate-chars': {
      const i = at(m.at);
      return text.slice(0, i) + text.slice(i, i + m.length) + text.slice(i);
    }
    case 'delete-line':
      lines.splice(line(m.line), 1);
      return lines.join('\n');
    case 'duplicate-line': {
      const i = line(m.line);
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 'insert-line':
      lines.splice(line(m.line), 0, m.text);
      return lines.join('\n');
    case 'swap-lines': {
      const i = line(m.line);
      const j = line(m.other);
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return lines.join('\n');
    }
  }
}

describe('validateText on mutated example specs', () => {
  // Counterexamples that random runs found, kept as fixed cases.
  it('regression: a YAML error span ending between the CR and LF of a CRLF stays inside its line', () => {
    const entra = EXAMPLES.find((e) => e.name === 'entra.provspec.yaml') ?? assert.fail('no entra example');
    const mutations: Mutation[] = [
      { kind: 'insert-char', at: 0.9997227612974772, text: '\u{10000}\u{10000}' },
      { kind: 'insert-line', line: 0.03968253968253968, text: '|\u{10000}' },
      { kind: 'delete-line', line: 0 },
    ];
    checkBoth(mutations.reduce(mutate, entra.text).replace(/\n/g, '\r\n'), entra.name);
  });

  for (const example of EXAMPLES) {
    it(`${example.name}: random edits`, () => {
      fc.assert(
        fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 6 }), fc.boolean(), (mutations, crlf) => {
          let text = mutations.reduce(mutate, example.text);
          if (crlf) text = text.replace(/\n/g, '\r\n');
          checkBoth(text, example.name);
        }),
        { numRuns: 120 },
      );
    });
  }

  it('quickstart.provspec.yaml: every prefix (typing the file from the top)', () => {
    const example = EXAMPLES[0] ?? assert.fail('no example');
    for (let end = 0; end <= example.text.length; end++) {
      const text = example.text.slice(0, end);
      try {
        check(text, example.name);
      } catch (error) {
        assert.fail(`prefix of ${end} characters (${JSON.stringify(text.slice(-40))} at the end): ${(error as Error).message}`);
      }
    }
  });

  it('okta.provspec.json: every 5th prefix', () => {
    const example = EXAMPLES[2] ?? assert.fail('no example');
    for (let end = 0; end <= example.text.length; end += 5) {
      const text = example.text.slice(0, end);
      try {
        check(text, example.name);
      } catch (error) {
        assert.fail(`prefix of ${end} characters (${JSON.stringify(text.slice(-40))} at the end): ${(error as Error).message}`);
      }
    }
  });
});

/** Every JSON pointer of a plain value, as token arrays (the root is []). */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...pathsOf(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) out.push(...pathsOf(item, [...prefix, key]));
  return out;
}

/** A copy of `root` with the node at `path` replaced (or, for `add`, a new member beside it). */
function placeAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown, add: string | undefined): unknown {
  const copy = structuredClone(root);
  if (path.length === 0) return add === undefined ? value : { ...(copy as object), [add]: value };
  let parent = copy as Record<string | number, unknown>;
  for (const token of path.slice(0, -1)) parent = parent[token] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (add !== undefined && !Array.isArray(parent)) parent[add] = value;
  else if (add !== undefined && Array.isArray(parent)) parent.splice(Number(last), 0, value);
  else parent[last] = value;
  return copy;
}

describe('validateText on valid specs with random values at random places', () => {
  const specs = EXAMPLES.map((e) => ({
    name: e.name,
    value: e.name.endsWith('.json') ? (JSON.parse(e.text) as unknown) : (parseYaml(e.text) as unknown),
  }));
  // Keys the format and its rules know about, so replacements also land on checked paths.
  const knownKey = fc.constantFrom(
    'provspec',
    'target',
    'auth',
    'bearer',
    'identities',
    'mapping',
    'groups',
    'roles',
    'lifecycle',
    'steps',
    'identity',
    'expect',
    'memberOf',
    'update',
    'probe',
    'eventually',
    'within',
    'negative',
    'concurrency',
    'action',
    'extensions',
    'variables',
    'value',
    'compare',
    '__proto__',
    'constructor',
    '',
  );
  const anyValue = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.constantFrom(
      '${{ identity.email }}',
      '${{ vars.NOPE }}',
      '${{ env.X }}',
      '${{',
      '${{ identity. }}',
      'provision',
      'alice',
      'Engineering',
      '10s',
      -1,
      0,
      1e308,
      null,
      [],
      {},
    ),
  );

  for (const spec of specs) {
    it(`${spec.name}: one node replaced or added`, () => {
      const paths = pathsOf(spec.value);
      fc.assert(
        fc.property(fc.constantFrom(...paths), anyValue, fc.option(fc.oneof(knownKey, fc.string({ maxLength: 6 }))), (path, value, add) => {
          const placed = placeAt(spec.value, path, value, add ?? undefined);
          checkBoth(toYaml(placed) ?? '', 'placed.provspec.yaml');
          checkBoth(JSON.stringify(placed, null, 2) ?? '', 'placed.provspec.json');
        }),
        { numRuns: 100 },
      );
    });
  }
});
