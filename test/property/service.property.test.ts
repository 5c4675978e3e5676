// Every language-server request must answer with a result (or a proper LSP error) on any document
// and any position: a throw fails the request, and an outline or a formatter that throws breaks the
// editor. The service functions are called directly, the way server/connection.ts calls them (the
// same document cache, the same offset conversion), on mutated example specs and on arbitrary text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import './seed.ts';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  CodeAction,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  Location,
  Position,
  Range,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-types';
import { parseDocument, type ParsedDocument, type SourceFormat } from '../../core/document/index.ts';
import { DocumentCache, formatOf, offsetOfPosition } from '../../server/service/documents.ts';
import { validationDiagnostic } from '../../server/service/diagnostics.ts';
import { complete } from '../../server/service/completion.ts';
import { hover } from '../../server/service/hover.ts';
import { codeActions } from '../../server/service/code-actions.ts';
import { documentSymbols } from '../../server/service/symbols.ts';
import { definition, prepareRename, references, rename, RenameError } from '../../server/service/navigation.ts';
import { foldingRanges, format, indentOf } from '../../server/service/layout.ts';
import { codeLenses } from '../../server/service/code-lens.ts';
import { nodeAt, nodeAtByScan } from '../../server/service/node-at.ts';
import { cursorContext } from '../../server/service/cursor.ts';
import { nameSites } from '../../server/service/references.ts';

const EXAMPLES = ['quickstart.provspec.yaml', 'entra.provspec.yaml', 'okta.provspec.json'].map((name) => ({
  name,
  text: readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'),
}));

/** Lines as LSP counts them (`\n`, `\r\n` and a lone `\r` end a line), without the breaks. */
function linesOf(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

// ---------------------------------------------------------------------------------------------
// Checks of well-formed results.

function checkPosition(p: Position, lines: readonly string[], what: string): void {
  assert.ok(p !== null && typeof p === 'object', `${what}: not a position`);
  assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character), `${what}: non-integer position ${JSON.stringify(p)}`);
  assert.ok(p.line >= 0 && p.character >= 0, `${what}: negative position ${JSON.stringify(p)}`);
  assert.ok(p.line < lines.length, `${what}: line ${p.line} outside the ${lines.length} lines`);
  const length = (lines[p.line] ?? '').length;
  assert.ok(p.character <= length, `${what}: character ${p.character} outside line ${p.line} (length ${length})`);
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function checkRange(r: Range, lines: readonly string[], what: string): void {
  assert.ok(r !== null && typeof r === 'object', `${what}: not a range`);
  checkPosition(r.start, lines, `${what} start`);
  checkPosition(r.end, lines, `${what} end`);
  assert.ok(before(r.start, r.end), `${what}: range ends before it starts ${JSON.stringify(r)}`);
}

function contains(outer: Range, inner: Range): boolean {
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/** Edits at a diagnostic's own range are the client's range echoed back, not ours to bound. */
function checkEdits(
  edit: WorkspaceEdit | null | undefined,
  uri: string,
  lines: readonly string[],
  what: string,
  echoed: readonly Range[] = [],
): void {
  if (edit === null || edit === undefined) return;
  const changes = edit.changes ?? {};
  for (const [target, edits] of Object.entries(changes)) {
    assert.equal(target, uri, `${what}: edit of another document`);
    assert.ok(Array.isArray(edits), `${what}: edits not an array`);
    for (const e of edits as TextEdit[]) {
      assert.equal(typeof e.newText, 'string', `${what}: newText not a string`);
      if (!echoed.some((r) => JSON.stringify(r) === JSON.stringify(e.range))) checkRange(e.range, lines, `${what} edit`);
    }
  }
}

function checkSymbols(symbols: DocumentSymbol[], lines: readonly string[], depth = 0): void {
  assert.ok(Array.isArray(symbols), 'symbols: not an array');
  assert.ok(depth < 10, 'symbols nested too deep');
  for (const s of symbols) {
    const what = `symbol ${JSON.stringify(s.name)}`;
    assert.ok(typeof s.name === 'string' && s.name.length > 0, `${what}: empty name`); // VS Code rejects an empty name
    assert.ok(Number.isInteger(s.kind) && s.kind >= 1 && s.kind <= 26, `${what}: bad kind ${s.kind}`);
    checkRange(s.range, lines, `${what} range`);
    checkRange(s.selectionRange, lines, `${what} selectionRange`);
    // VS Code throws "selectionRange must be contained in fullRange".
    assert.ok(contains(s.range, s.selectionRange), `${what}: selectionRange outside range`);
    if (s.detail !== undefined) assert.equal(typeof s.detail, 'string', `${what}: detail not a string`);
    if (s.children !== undefined) checkSymbols(s.children, lines, depth + 1);
  }
}

function checkCompletion(items: CompletionItem[], lines: readonly string[], cursor: Position): void {
  assert.ok(Array.isArray(items), 'completion: not an array');
  for (const item of items) {
    const what = `completion ${JSON.stringify(item.label)}`;
    assert.ok(typeof item.label === 'string' && item.label.length > 0, `${what}: empty label`);
    const edit = item.textEdit;
    if (!edit) continue;
    assert.equal(typeof edit.newText, 'string', `${what}: newText not a string`);
    assert.ok('range' in edit, `${what}: not a TextEdit`);
    checkRange(edit.range, lines, `${what} textEdit`);
    // VS Code drops an item whose range is not one line holding the cursor.
    assert.equal(edit.range.start.line, edit.range.end.line, `${what}: range over several lines`);
    const holds = contains(edit.range, { start: cursor, end: cursor });
    assert.ok(holds, `${what}: range ${JSON.stringify(edit.range)} does not hold the cursor ${JSON.stringify(cursor)}`);
  }
}

function checkLocation(l: Location, uri: string, lines: readonly string[], what: string): void {
  assert.equal(l.uri, uri, `${what}: another document`);
  checkRange(l.range, lines, what);
}

// ---------------------------------------------------------------------------------------------
// Calling every service function as server/connection.ts does.

interface Opened {
  uri: string;
  text: string;
  format: SourceFormat;
  document: TextDocument;
  parsed: ParsedDocument;
  lines: string[];
  diagnostics: Diagnostic[];
}

const LANGUAGES = ['yaml', 'json', 'jsonc', 'provspec', 'plaintext'] as const;

/**
 * Opens `text` through the server's document cache. With `previous`, the cache first holds that
 * text (version 1), so the new text goes through the incremental re-parse, as it does while typing.
 */
function open(text: string, uri: string, languageId: string, previous?: string): Opened {
  const cache = new DocumentCache();
  const format = formatOf(uri, languageId);
  if (previous !== undefined) cache.validated(uri, 1, previous, format);
  const document = TextDocument.create(uri, languageId, 2, text);
  const parsed = cache.parsed(uri, 2, text, format);
  const { diagnostics } = cache.validated(uri, 2, text, format);
  return { uri, text, format, document, parsed, lines: linesOf(text), diagnostics: diagnostics.map(validationDiagnostic) };
}

type At = { position: Position } | { offset: number };

function offsetOf(o: Opened, at: At): { offset: number; cursor: Position } {
  if ('position' in at) {
    const offset = offsetOfPosition(o.document, at.position);
    return { offset, cursor: o.document.positionAt(offset) };
  }
  return { offset: at.offset, cursor: o.document.positionAt(Number.isFinite(at.offset) ? at.offset : 0) };
}

/** The value with -0 as 0: JSON prints -0 as 0, which no spec can tell apart. */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]));
  return value;
}

/** The requests that need no position. */
function checkDocumentRequests(o: Opened, tabSizes: readonly number[], clientDiagnostics: readonly Diagnostic[] = []): void {
  const { parsed, uri, lines } = o;
  for (const d of o.diagnostics) checkRange(d.range, lines, `diagnostic ${d.code}`);
  checkSymbols(documentSymbols(parsed), lines);

  const folds = foldingRanges(parsed);
  assert.ok(Array.isArray(folds), 'folding: not an array');
  for (const f of folds) {
    assert.ok(Number.isInteger(f.startLine) && Number.isInteger(f.endLine), `folding: non-integer ${JSON.stringify(f)}`);
    assert.ok(
      f.startLine >= 0 && f.startLine < f.endLine && f.endLine < lines.length,
      `folding: bad lines ${JSON.stringify(f)} of ${lines.length}`,
    );
    if (f.kind !== 'comment') continue;
    for (let i = f.startLine; i <= f.endLine; i++)
      assert.match(lines[i] ?? '', /^\s*#/, `folded comment ${JSON.stringify(f)}: line ${i} is not a comment`);
  }

  for (const tabSize of tabSizes) {
    const edits = format(parsed, tabSize);
    assert.ok(Array.isArray(edits), `format(${tabSize}): not an array`);
    for (const e of edits) {
      checkRange(e.range, lines, `format(${tabSize})`);
      assert.equal(typeof e.newText, 'string', `format(${tabSize}): newText not a string`);
      assert.doesNotMatch(e.newText, /^undefined\n?$/, `format(${tabSize}): printed nothing as "undefined"`);
    }
    if (!edits.length) continue;
    // Formatting changes the layout, never the value; and what it formatted it leaves alone.
    const text = TextDocument.applyEdits(o.document, edits);
    const again = parseDocument(text, o.uri, o.format);
    assert.deepEqual(
      again.diagnostics.filter((d) => d.severity === 'error'),
      [],
      `format(${tabSize}): the result does not parse`,
    );
    assert.deepStrictEqual(withoutNegativeZero(again.value), withoutNegativeZero(parsed.value), `format(${tabSize}): the value changed`);
    assert.deepEqual(format(again, tabSize), [], `format(${tabSize}): formatting the formatted text changes it again`);
  }

  for (const lens of codeLenses(parsed, uri)) {
    checkRange(lens.range, lines, 'code lens');
    assert.ok(lens.command && typeof lens.command.title === 'string', 'code lens without a command');
  }

  const asked = [...o.diagnostics, ...clientDiagnostics];
  const actions: CodeAction[] = codeActions(parsed, uri, asked);
  assert.ok(Array.isArray(actions), 'code actions: not an array');
  for (const a of actions) {
    assert.ok(typeof a.title === 'string' && a.title.length > 0, 'code action without a title');
    checkEdits(
      a.edit,
      uri,
      lines,
      `code action ${JSON.stringify(a.title)}`,
      asked.map((d) => d.range),
    );
  }
}

/** The requests at one position (or raw offset). */
function checkPositionRequests(o: Opened, at: At, newName: string): void {
  const { parsed, uri, lines } = o;
  const { offset, cursor } = offsetOf(o, at);

  const items = complete(parsed, offset);
  if ('position' in at) checkCompletion(items, lines, cursor);
  else assert.ok(Array.isArray(items), 'completion: not an array');

  const shown = hover(parsed, offset);
  if (shown !== null) {
    assert.ok(shown.contents && typeof (shown.contents as { value: unknown }).value === 'string', 'hover without contents');
    if (shown.range) checkRange(shown.range, lines, 'hover');
  }

  const found = definition(parsed, uri, offset);
  if (found !== null) checkLocation(found, uri, lines, 'definition');
  for (const includeDeclaration of [true, false]) {
    const list = references(parsed, uri, offset, includeDeclaration);
    assert.ok(Array.isArray(list), 'references: not an array');
    for (const l of list) checkLocation(l, uri, lines, 'reference');
  }
  const prepared = prepareRename(parsed, offset);
  if (prepared !== null) {
    checkRange(prepared.range, lines, 'prepareRename');
    assert.equal(typeof prepared.placeholder, 'string');
  }
  try {
    checkEdits(rename(parsed, uri, offset, newName), uri, lines, 'rename');
  } catch (error) {
    if (!(error instanceof RenameError)) throw error; // RenameError becomes an LSP error (-32602)
  }

  const node = nodeAt(parsed, offset);
  if (node) assert.ok(node.start >= 0 && node.start <= node.end && node.end <= o.text.length, `nodeAt: bad span ${JSON.stringify(node)}`);
  const ctx = cursorContext(o.text, offset, o.format);
  if (ctx) {
    assert.equal(typeof ctx.pointer, 'string');
    assert.ok(Number.isInteger(ctx.indent) && ctx.indent >= 0, `cursor: bad indent ${ctx.indent}`);
    assert.ok(ctx.prefixStart >= 0 && ctx.prefixStart <= o.text.length, `cursor: prefixStart ${ctx.prefixStart} outside the text`);
  }
  for (const s of nameSites(parsed))
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= o.text.length, `name site outside the text: ${JSON.stringify(s)}`);
}

// Positions as fractions, so one draw fits texts of any size, and the odd ones a client may send.
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
type AtSpec =
  | { kind: 'fraction'; line: number; character: number }
  | { kind: 'position'; line: number; character: number }
  | { kind: 'offset'; offset: number }
  | { kind: 'offset-fraction'; at: number }
  | { kind: 'node'; at: number; key: boolean; shift: number };
const atArb: fc.Arbitrary<AtSpec> = fc.oneof(
  // On a key or a value the parse found: where hover, definition and rename have something to say.
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('node' as const), at: fraction, key: fc.boolean(), shift: fc.integer({ min: -1, max: 2 }) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('fraction' as const),
      line: fraction,
      character: fc.double({ min: 0, max: 1.2, noNaN: true }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('offset-fraction' as const), at: fraction }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('position' as const),
      line: fc.oneof(fc.constantFrom(-1, -1e6, 1e6, 2 ** 31 - 1, 0.5), fc.integer({ min: 0, max: 200 })),
      character: fc.oneof(fc.constantFrom(-1, 1e6, 2 ** 31 - 1, 1.5), fc.integer({ min: 0, max: 200 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('offset' as const),
      offset: fc.constantFrom(-1, -1000, 1e6, Number.NaN, 0.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    }),
  },
);

function resolveAt(o: Opened, at: AtSpec): At {
  switch (at.kind) {
    case 'fraction': {
      const line = Math.floor(at.line * o.lines.length);
      return { position: { line, character: Math.floor(at.character * (o.lines[line] ?? '').length) } };
    }
    case 'position':
      return { position: { line: at.line, character: at.character } };
    case 'offset':
      return { offset: at.offset };
    case 'offset-fraction':
      return { offset: Math.floor(at.at * (o.text.length + 1)) };
    case 'node': {
      const locations = [...o.parsed.locations.values()];
      const location = locations[Math.floor(at.at * locations.length)];
      const span = (at.key ? location?.key : undefined) ?? location?.value ?? { start: 0, end: 0 };
      return { position: o.document.positionAt(Math.max(0, span.start + at.shift)) };
    }
  }
}

const TAB_SIZES = [2, 0, -1, 1e9, 2.5, Number.NaN, 4];
const atsArb = fc.array(atArb, { minLength: 1, maxLength: 3 });
const newNameArb = fc.oneof(fc.constantFrom('renamed', 'x', '', 'with space', 'alice', 'Engineering', '${{'), fc.string({ maxLength: 6 }));

// Diagnostics a client may hand back for code actions: stale ranges, and data of any shape.
const clientDiagnosticArb: fc.Arbitrary<Diagnostic> = fc.record({
  range: fc.record({
    start: fc.record({ line: fc.integer({ min: 0, max: 300 }), character: fc.integer({ min: 0, max: 300 }) }),
    end: fc.record({ line: fc.integer({ min: 0, max: 300 }), character: fc.integer({ min: 0, max: 300 }) }),
  }),
  source: fc.constant('provspec'),
  message: fc.constant('stale'),
  code: fc.constantFrom('missing-property', 'unknown-identity', 'unknown-group', 'unknown-property', 'x'),
  data: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.record(
      {
        suggestions: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }), fc.jsonValue({ maxDepth: 1 })),
        missingProperty: fc.oneof(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 })),
        pointer: fc.oneof(fc.constantFrom('', '/identities', '/target', '/nope/deeper', '/roles/0'), fc.jsonValue({ maxDepth: 1 })),
        undeclared: fc.oneof(
          fc.record({ kind: fc.constantFrom('identity', 'group', 'variable', 'other'), name: fc.string({ maxLength: 5 }) }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      },
      { requiredKeys: [] },
    ),
  ),
}) as fc.Arbitrary<Diagnostic>;

function checkAll(
  o: Opened,
  ats: readonly AtSpec[],
  newName: string,
  clientDiagnostics: readonly Diagnostic[] = [],
  tabSizes: readonly number[] = [2],
): void {
  checkDocumentRequests(o, tabSizes, clientDiagnostics);
  for (const at of ats) checkPositionRequests(o, resolveAt(o, at), newName);
}

/** Opens the text as YAML and as JSON (editors hand over whatever the file holds). */
function openBoth(text: string, previous?: string): Opened[] {
  return [open(text, 'file:///w/random.provspec.yaml', 'yaml', previous), open(text, 'file:///w/random.provspec.json', 'json', previous)];
}

// ---------------------------------------------------------------------------------------------
// Documents.

/** Every JSON pointer of a plain value, as token arrays (the root is []). */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...pathsOf(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) out.push(...pathsOf(item, [...prefix, key]));
  return out;
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

type Edit = { kind: 'replace'; path: number; value: unknown } | { kind: 'delete'; path: number };

/** A copy of `root` with one node replaced by a value of another type, or deleted. */
function applyEdit(root: unknown, paths: ReadonlyArray<ReadonlyArray<string | number>>, edit: Edit): unknown {
  const path = paths[Math.floor(edit.path * paths.length)] ?? [];
  const copy = structuredClone(root);
  if (path.length === 0) return edit.kind === 'replace' ? edit.value : undefined;
  let parent = copy as Record<string | number, unknown>;
  for (const token of path.slice(0, -1)) parent = parent[token] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (edit.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    parent[last] = edit.value;
  }
  return copy;
}

const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '${{ identity.email }}',
    '${{ vars.NOPE }}',
    '${{ groups.Engineering.id }}',
    '${{',
    'provision',
    'alice',
    'Engineering',
    'é😀',
    '',
  ),
  fc.constantFrom(-1, 0, 1.5, 1e308, true, null, [], {}, [[]], { a: null }),
);
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), path: fraction, value: anyJson }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fraction }) },
);

// Characters that mean something to YAML or JSON, line breaks of every kind, and code units
// that stress offset arithmetic.
const SPECIAL = [
  ':',
  ': ',
  '- ',
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
  '&a',
  '*a',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  '\\',
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
  'é',
  '---',
  '...',
  '<<',
  'null',
  'true',
  '1e9',
  'roles',
  'memberOf',
  'identities',
  'groups',
  'lifecycle',
  'steps',
  'identity',
  'mapping',
  'name',
  'alice',
];
const charArb = fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ minLength: 1, maxLength: 3, unit: 'grapheme' }));
const soupArb = fc.array(charArb, { maxLength: 60 }).map((parts) => parts.join(''));

describe('language service on mutated example specs', () => {
  for (const example of EXAMPLES) {
    const json = example.name.endsWith('.json');
    const value = json ? (JSON.parse(example.text) as unknown) : (parseYaml(example.text) as unknown);
    const uri = `file:///w/${example.name}`;
    const languageId = json ? 'json' : 'yaml';

    it(`${example.name}: a value of another type at a random pointer, or a key deleted`, () => {
      fc.assert(
        fc.property(fc.array(editArb, { minLength: 1, maxLength: 3 }), atsArb, newNameArb, fc.boolean(), (edits, ats, newName, crlf) => {
          const edited = edits.reduce<unknown>((v, e) => {
            const p = pathsOf(v);
            if (e.kind === 'replace') {
              const target = p[Math.floor(e.path * p.length)] ?? [];
              const old = target.reduce<unknown>((c, t) => (c as Record<string | number, unknown>)[t], v);
              if (kindOf(old) === kindOf(e.value)) return v; // only values of another type
            }
            return applyEdit(v, p, e);
          }, value);
          let text = edited === undefined ? '' : json ? JSON.stringify(edited, null, 2) : toYaml(edited);
          if (crlf) text = text.replace(/\n/g, '\r\n');
          checkAll(open(text, uri, languageId, example.text), ats, newName);
        }),
        { numRuns: 60 },
      );
    });

    it(`${example.name}: truncated at a random offset (typing, or a half-saved file)`, () => {
      fc.assert(
        fc.property(fraction, atsArb, newNameArb, fc.boolean(), (cut, ats, newName, crlf) => {
          let text = example.text.slice(0, Math.floor(cut * (example.text.length + 1)));
          if (crlf) text = text.replace(/\n/g, '\r\n');
          checkAll(open(text, uri, languageId, example.text), [...ats, { kind: 'offset-fraction', at: 0.999999 }], newName);
        }),
        { numRuns: 40 },
      );
    });

    it(`${example.name}: YAML and JSON syntax typed in at random offsets, with any line breaks`, () => {
      const insertsArb = fc.array(fc.tuple(fraction, charArb), { minLength: 1, maxLength: 4 });
      fc.assert(
        fc.property(insertsArb, fc.constantFrom('\n', '\r\n', '\r'), atsArb, newNameArb, (inserts, eol, ats, newName) => {
          const text = inserts
            .reduce((t, [at, piece]) => {
              const i = Math.floor(at * (t.length + 1));
              return t.slice(0, i) + piece + t.slice(i);
            }, example.text)
            .replace(/\n/g, eol);
          checkAll(open(text, uri, languageId, example.text.replace(/\n/g, eol)), ats, newName);
        }),
        { numRuns: 40 },
      );
    });

    it(`${example.name}: code actions for stale and malformed client diagnostics, formatting with any tabSize`, () => {
      fc.assert(
        fc.property(fc.array(clientDiagnosticArb, { maxLength: 4 }), fraction, (clientDiagnostics, cut) => {
          const text = cut < 0.5 ? example.text : example.text.slice(0, Math.floor(cut * example.text.length));
          checkDocumentRequests(open(text, uri, languageId), TAB_SIZES, clientDiagnostics);
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('language service on arbitrary documents', () => {
  it('random JSON values, as YAML and as JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), atsArb, newNameArb, (value, ats, newName) => {
        for (const text of [toYaml(value), JSON.stringify(value, null, 2)]) for (const o of openBoth(text)) checkAll(o, ats, newName);
      }),
      { numRuns: 60 },
    );
  });

  it('random spec-shaped values (known keys holding anything)', () => {
    const known = fc.constantFrom(
      'provspec',
      'target',
      'identities',
      'mapping',
      'groups',
      'roles',
      'lifecycle',
      'negative',
      'concurrency',
      'variables',
      'extensions',
    );
    const inner = fc.constantFrom(
      'name',
      'memberOf',
      'notMemberOf',
      'when',
      'identity',
      'identities',
      'steps',
      'create',
      'group',
      'expect',
      'assign',
      'baseUrl',
    );
    const leaf = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        anyJson,
        fc.dictionary(fc.oneof(inner, fc.string({ maxLength: 4 })), tie('node'), { maxKeys: 3 }),
        fc.array(tie('node'), { maxLength: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(known, leaf, { maxKeys: 6 }), atsArb, newNameArb, (value, ats, newName) => {
        for (const text of [toYaml(value), JSON.stringify(value)]) for (const o of openBoth(text)) checkAll(o, ats, newName);
      }),
      { numRuns: 80 },
    );
  });

  it('token soup of YAML and JSON syntax, in every language mode', () => {
    fc.assert(
      fc.property(soupArb, atsArb, newNameArb, fc.constantFrom(...LANGUAGES), (text, ats, newName, languageId) => {
        checkAll(open(text, 'file:///w/soup.provspec.yaml', languageId), ats, newName, [], [2, 0]);
      }),
      { numRuns: 150 },
    );
  });

  it('deep nesting', () => {
    const openers = fc.constantFrom('[', '{"a":', '- ', 'a:\n', 'roles:\n- memberOf:\n');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), openers, fc.boolean(), atsArb, (depth, open_, closed, ats) => {
        const close = open_ === '[' ? ']' : open_ === '{"a":' ? '}' : '';
        const text = open_.repeat(depth) + (closed ? `1${close.repeat(depth)}` : '');
        for (const o of openBoth(text)) checkAll(o, ats, 'x');
      }),
      { numRuns: 8 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Counterexamples, kept as fixed cases.

const QUICKSTART = EXAMPLES[0]!.text;

describe('language service regressions', () => {
  const MEMBER_OF = [
    ['a string', 'Engineering'],
    ['a number', '42'],
    ['a map', '{ Engineering: true }'],
    ['null', 'null'],
    ['a list of maps', '[{ a: 1 }, 2, Sales]'],
  ] as const;
  for (const [what, memberOf] of MEMBER_OF) {
    it(`documentSymbol: a role whose memberOf is ${what}`, () => {
      const text = QUICKSTART.replace('memberOf: [Engineering]\n    notMemberOf', `memberOf: ${memberOf}\n    notMemberOf`);
      assert.notEqual(text, QUICKSTART);
      for (const o of [open(text, 'file:///w/q.provspec.yaml', 'yaml'), open(text, 'file:///w/q.provspec.yaml', 'yaml', QUICKSTART)]) {
        const symbols = documentSymbols(o.parsed);
        checkSymbols(symbols, o.lines);
        const roles = symbols.find((s) => s.name === 'roles');
        assert.equal(roles?.children?.length, 2, 'both role rules are in the outline');
        checkAll(o, [{ kind: 'offset-fraction', at: 0.5 }], 'x');
      }
    });
  }

  it('documentSymbol: a role whose name is not a string, and memberOf as JSON', () => {
    const spec = {
      provspec: 1,
      roles: [{ name: { a: 1 }, memberOf: 'G' }, { name: 7, memberOf: { G: 1 } }, 'not a rule', null, { memberOf: ['G', 3] }],
    };
    for (const o of [
      open(JSON.stringify(spec, null, 2), 'file:///w/r.provspec.json', 'json'),
      open(toYaml(spec), 'file:///w/r.provspec.yaml', 'yaml'),
    ]) {
      const symbols = documentSymbols(o.parsed);
      checkSymbols(symbols, o.lines);
      const rules = symbols.find((s) => s.name === 'roles')?.children ?? [];
      assert.deepEqual(
        rules.map((s) => s.name),
        ['rule 1', '7', 'rule 3', 'rule 4', 'rule 5'],
      );
      assert.equal(rules[4]?.detail, 'G');
    }
  });

  for (const tabSize of [0, -1, 1e9, 2.5, Number.NaN, Number.POSITIVE_INFINITY, 17, 1]) {
    it(`formatting with tabSize ${tabSize}`, () => {
      for (const example of EXAMPLES) {
        const o = open(example.text, `file:///w/${example.name}`, example.name.endsWith('.json') ? 'json' : 'yaml');
        const edits = format(o.parsed, tabSize);
        // The YAML examples are written at the default indentation of 2 (the JSON ones are not).
        if (indentOf(tabSize) !== 2 || example.name.endsWith('.json')) assert.ok(edits.length > 0, `${example.name} is re-printed`);
        for (const edit of edits) checkRange(edit.range, o.lines, 'format');
        const text = TextDocument.applyEdits(o.document, edits);
        const indents = text
          .split('\n')
          .map((l) => /^ */.exec(l)![0].length)
          .filter((n) => n > 0);
        const unit = Math.min(...indents);
        assert.ok(unit >= 1 && unit <= 16, `${example.name}: indentation of ${unit} for tabSize ${tabSize}`);
        // Re-printing keeps the value.
        const again = example.name.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
        assert.deepEqual(again, example.name.endsWith('.json') ? JSON.parse(example.text) : parseYaml(example.text));
      }
    });
  }

  it('formatting keeps the value: CR line breaks, 1e400 in JSON, anchors the printer refuses', () => {
    const cr = open(QUICKSTART.replace(/\n/g, '\r'), 'file:///w/cr.provspec.yaml', 'yaml');
    const edits = format(cr.parsed, 4);
    assert.ok(edits.length, 'a CR-only file is re-printed');
    const text = TextDocument.applyEdits(cr.document, edits);
    assert.deepEqual(parseYaml(text.replace(/\r/g, '\n')), parseYaml(QUICKSTART), 'and keeps its content (not one long comment)');
    assert.doesNotMatch(text, /\n/, 'with its own line breaks');
    assert.deepEqual(format(cr.parsed, 2), [], 'at the indentation it has, it is left as it is');
    const unprintable = [
      ['{"a": 1e400}', 'file:///w/inf.provspec.json'],
      ['a: &x\u0000 1\nb: *x\u0000\n', 'file:///w/anchor.provspec.yaml'],
      ['k: &a\u0001b v\n', 'file:///w/b.provspec.yaml'],
    ];
    for (const [text, uri] of unprintable as Array<[string, string]>) {
      const o = open(text, uri, uri.endsWith('.json') ? 'json' : 'yaml');
      checkDocumentRequests(o, TAB_SIZES);
    }
  });

  it('formatting an empty or comment-only document', () => {
    for (const text of ['', '\n', '# only a comment\n', '   ']) {
      for (const o of openBoth(text)) {
        checkDocumentRequests(o, TAB_SIZES);
        if (o.parsed.value === undefined)
          assert.deepEqual(format(o.parsed, 2), [], `${JSON.stringify(text)} as ${o.format}: nothing to print`);
      }
    }
  });

  it('positions the client may send: past the end, negative, on line 1e6, not integers', () => {
    const positions: Position[] = [
      { line: 1e6, character: 0 },
      { line: -1, character: -1 },
      { line: 0, character: 1e6 },
      { line: 3, character: 1e9 },
      { line: 2.5, character: 1.5 },
      { line: Number.NaN, character: Number.NaN },
    ];
    for (const example of EXAMPLES) {
      const o = open(example.text, `file:///w/${example.name}`, example.name.endsWith('.json') ? 'json' : 'yaml');
      for (const position of positions) {
        const offset = offsetOfPosition(o.document, position);
        assert.ok(Number.isInteger(offset) && offset >= 0 && offset <= o.text.length, `offset ${offset} for ${JSON.stringify(position)}`);
        checkPositionRequests(o, { position }, 'renamed');
      }
      for (const offset of [-1, o.text.length + 5, 1e6, Number.NaN, 0.5]) checkPositionRequests(o, { offset }, 'renamed');
    }
  });

  it('hover on identity attributes of a spec whose mapping or identities hold the wrong shapes', () => {
    const spec = {
      provspec: 1,
      identities: { alice: { email: 'a@example.test', dept: 'x' }, bob: null, carol: 'text', dave: [1] },
      mapping: {
        userName: null,
        externalId: { value: '${{ identity.email }}' },
        displayName: ['${{ identity.dept }}'],
        'emails[type eq "work"].value': { value: null },
        nickName: 7,
      },
      runScoped: 'dept',
    };
    for (const o of [
      open(toYaml(spec), 'file:///w/h.provspec.yaml', 'yaml'),
      open(JSON.stringify(spec, null, 2), 'file:///w/h.provspec.json', 'json'),
    ]) {
      const keys = [...o.parsed.locations].filter(([p, l]) => p.startsWith('/identities/') && l.key).map(([, l]) => l.key!.start);
      assert.ok(keys.length >= 2);
      for (const offset of keys) checkPositionRequests(o, { offset: offset + 1 }, 'x');
      const email = o.parsed.locations.get('/identities/alice/email')!.key!;
      const shown = hover(o.parsed, email.start + 1);
      assert.match(
        (shown?.contents as { value: string } | undefined)?.value ?? '',
        /run-scoped/,
        'email is run-scoped (it looks like an address)',
      );
    }
  });

  it('quick fixes declare where the name belongs, and edit inside the document', () => {
    const yaml = 'provspec: 1\ntarget: { baseUrl: "${{ vars.URL }}" }\ngroups: []';
    const o = open(yaml, 'file:///w/v.provspec.yaml', 'yaml');
    const actions = codeActions(o.parsed, o.uri, o.diagnostics);
    for (const a of actions) checkEdits(a.edit, o.uri, o.lines, a.title);
    const declare =
      actions.find((a) => a.title === 'Declare variable "URL"') ??
      assert.fail(`no declaration among ${actions.map((a) => a.title).join(', ')}`);
    const [edit] = declare.edit!.changes![o.uri]! as [TextEdit];
    const fixed = TextDocument.applyEdits(o.document, [edit]);
    assert.deepEqual((parseYaml(fixed) as { variables: unknown }).variables, { URL: '' });
    // No member is added after a list: the result would not parse.
    const onList = open('provspec: 1\ngroups: []\nroles:\n  - memberOf: [Nope]\n', 'file:///w/l.provspec.yaml', 'yaml');
    const titles = codeActions(onList.parsed, onList.uri, onList.diagnostics).map((a) => a.title);
    assert.ok(!titles.includes('Declare group "Nope"'), titles.join(', '));
  });

  it('code actions for diagnostics with data of the wrong shape', () => {
    const o = open(QUICKSTART, 'file:///w/q.provspec.yaml', 'yaml');
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
    const bad: Diagnostic[] = [
      { range, source: 'provspec', message: 'm', code: 'unknown-property', data: { suggestions: 'name' } },
      { range, source: 'provspec', message: 'm', code: 'unknown-property', data: { suggestions: [1, null, 'ok'] } },
      { range, source: 'provspec', message: 'm', code: 'missing-property', data: { missingProperty: 'x', pointer: 5 } },
      { range, source: 'provspec', message: 'm', code: 'missing-property', data: { missingProperty: { a: 1 }, pointer: '/target' } },
      { range, source: 'provspec', message: 'm', code: 'unknown-group', data: { undeclared: 'Sales' } },
      { range, source: 'provspec', message: 'm', code: 'unknown-group', data: { undeclared: { kind: 'nope', name: 3 } } },
      {
        range: { start: { line: 1e6, character: 0 }, end: { line: 1e6, character: 9 } },
        source: 'provspec',
        message: 'm',
        code: 'unknown-identity',
      },
    ];
    const actions = codeActions(o.parsed, o.uri, bad);
    for (const a of actions)
      checkEdits(
        a.edit,
        o.uri,
        o.lines,
        a.title,
        bad.map((d) => d.range),
      );
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Change to "ok"'],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Completion places a YAML cursor by parsing only the block around it when the document's parse
// is at hand; it must land where parsing the whole text with the placeholder lands, everywhere.

describe('the cursor placed from its block', () => {
  it('is the cursor placed by parsing the whole document, at every line of every example and golden spec', () => {
    const goldens = ['valid', 'invalid', 'validate', 'run'].flatMap((dir) => {
      const folder = new URL(`../golden/${dir}/`, import.meta.url);
      return readdirSync(folder)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(new URL(f, folder), 'utf8') }));
    });
    let compared = 0;
    for (const { name, text } of [...EXAMPLES.filter((e) => e.name.endsWith('.yaml')), ...goldens]) {
      const doc = parseDocument(text, name, 'yaml');
      let start = 0;
      for (const line of text.split('\n')) {
        const indent = line.length - line.trimStart().length;
        const colon = line.indexOf(': ');
        const offsets = new Set([start + indent, start + line.length, ...(colon > 0 ? [start + colon + 2] : [])]);
        for (const offset of offsets) {
          const whole = cursorContext(text, offset, 'yaml');
          assert.deepEqual(cursorContext(text, offset, 'yaml', doc), whole, `${name} at offset ${offset} (${JSON.stringify(line)})`);
          if (whole) compared++;
        }
        start += line.length + 1;
      }
    }
    assert.ok(compared > 1000, `only ${compared} cursors compared`);
  });
});

describe('the node under an offset', () => {
  it('found by walking down is the one a scan of every location finds, at every offset of every example and golden spec', () => {
    const files = ['valid', 'invalid', 'validate', 'run'].flatMap((dir) => {
      const folder = new URL(`../golden/${dir}/`, import.meta.url);
      return readdirSync(folder)
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(new URL(f, folder), 'utf8') }));
    });
    let found = 0;
    for (const { name, text } of [...EXAMPLES, ...files]) {
      const doc = parseDocument(text, name);
      for (let offset = 0; offset <= text.length; offset++) {
        const scanned = nodeAtByScan(doc, offset);
        assert.deepEqual(nodeAt(doc, offset), scanned, `${name} at offset ${offset}`);
        if (scanned) found++;
      }
    }
    assert.ok(found > 10_000, `only ${found} offsets on a node`);
  });
});
