// Alias expansion is bounded: a few hundred bytes of "billion laughs" must come back at once, with
// a located error at the alias that passed a limit, and a value that stays small, from the full
// parser, the incremental one and validation alike. Ordinary anchors must not notice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseDocument, parseYaml, reparse } from '../../core/document/index.ts';
import { ALIAS_LIMITS } from '../../core/document/yaml.ts';
import type { ParsedDocument } from '../../core/document/index.ts';
import { validateText } from '../../core/validate/index.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const QUICKSTART = readFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), 'utf8');
// Unbounded, the bombs below take minutes (9 levels: 9^9 values): a generous timeout turns a
// regression into a failure instead of a hang, without asserting on the time itself.
const BOUNDED = { timeout: 20_000 };
const CODE = 'yaml-alias-limit';

/** The brief's bomb: nine lists, each of nine aliases of the one before, used by a scenario. */
function bomb(levels = 9): string {
  const names = 'abcdefghijklmnopqrstuvwxyz';
  let text = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < levels; i++)
    text += `${names[i]}: &${names[i]} [${Array(9)
      .fill(`*${names[i - 1]}`)
      .join(', ')}]\n`;
  return `${text}lifecycle:\n  bomb:\n    identity: alice\n    steps: *${names[levels - 1]}\n`;
}

/** Values of `value` as the tree it stands for (an alias once per use), counting up to `max` + 1. */
function countValues(value: unknown, max: number): number {
  let count = 0;
  const stack = [value];
  while (stack.length > 0 && count <= max) {
    const next = stack.pop();
    count++;
    if (Array.isArray(next)) stack.push(...next);
    else if (next !== null && typeof next === 'object') stack.push(...Object.values(next));
  }
  return count;
}

function limitErrors(doc: Pick<ParsedDocument, 'diagnostics'>) {
  return doc.diagnostics.filter((d) => d.code === CODE);
}

function at(line: number, character: number, length: number) {
  return { start: { line, character }, end: { line, character: character + length } };
}

describe('alias expansion limits', () => {
  it('stops a nine-level alias bomb at the alias that passes the limit', BOUNDED, () => {
    const text = bomb();
    const doc = parseYaml(text, 'bomb.provspec.yaml');
    const errors = limitErrors(doc);
    // b to e resolve 8,298 aliases (each *e stands for 7,381); the first *e on line f passes 10,000.
    assert.deepEqual(errors[0]?.range, at(5, 7, 2));
    assert.equal(errors[0]?.severity, 'error');
    assert.match(errors[0]!.message, /^Alias "\*e" is not expanded: with it, the spec would expand more than 10,000 aliases/);
    assert.match(errors[0]!.message, /"billion laughs"/);
    assert.match(errors[0]!.message, /left empty \(null\)$/);
    // The other aliases past the limit are empty too, reported once per line.
    assert.deepEqual(
      errors.slice(1).map((e) => e.range),
      [at(12, 11, 2)],
    );
    assert.equal(doc.diagnostics.length, errors.length);
    const value = doc.value as Record<string, unknown[]>;
    assert.deepEqual(value['f'], Array(9).fill(null));
    assert.equal(value['e']?.[0], value['d']);
    assert.ok(countValues(doc.value, 10 * ALIAS_LIMITS.values) <= ALIAS_LIMITS.values + 1000);
  });

  it('bounds every level count the same way', BOUNDED, () => {
    for (let levels = 5; levels <= 12; levels++) {
      const doc = parseYaml(bomb(levels), 'bomb.provspec.yaml');
      assert.ok(limitErrors(doc).length >= 1, `${levels} levels`);
      assert.ok(countValues(doc.value, 10 * ALIAS_LIMITS.values) <= ALIAS_LIMITS.values + 1000, `${levels} levels`);
    }
  });

  it('allows exactly the alias limit, and reports the next alias', () => {
    const aliases = (n: number) => `a: &a x\nl: [${Array(n).fill('*a').join(', ')}]\n`;
    assert.deepEqual(parseYaml(aliases(ALIAS_LIMITS.aliases), 'x.yaml').diagnostics, []);
    const doc = parseYaml(aliases(ALIAS_LIMITS.aliases + 1), 'x.yaml');
    assert.equal(doc.diagnostics.length, 1);
    assert.deepEqual(doc.diagnostics[0]?.range, at(1, 4 + 4 * ALIAS_LIMITS.aliases, 2));
    assert.equal(doc.diagnostics[0]?.code, CODE);
    const list = (doc.value as { l: unknown[] }).l;
    assert.equal(list.length, ALIAS_LIMITS.aliases + 1);
    assert.equal(list.at(-2), 'x');
    assert.equal(list.at(-1), null);
  });

  it('limits the values aliases add', () => {
    // Each *l adds 20,001 values: four fit in 100,000, the fifth does not (nor the sixth).
    const text = `l: &l [${Array.from({ length: 20_000 }, (_, i) => i).join(', ')}]\ncopies: [*l, *l, *l, *l, *l, *l]\n`;
    const doc = parseYaml(text, 'x.yaml');
    assert.equal(doc.diagnostics.length, 1);
    const line = text.split('\n')[1]!;
    assert.deepEqual(doc.diagnostics[0]?.range, at(1, line.indexOf('*l') + 4 * 4, 2));
    assert.match(
      doc.diagnostics[0]!.message,
      /aliases would add more than 100,000 values \(mappings, lists and scalars, every copy counted\) to the spec/,
    );
    const value = doc.value as { l: unknown[]; copies: unknown[] };
    assert.deepEqual(
      value.copies.map((c) => c === value.l),
      [true, true, true, true, false, false],
    );
    assert.deepEqual(value.copies.slice(4), [null, null]);
  });

  it('limits the characters aliases add', () => {
    const text = `s: &s ${'x'.repeat(3_000_000)}\ncopies: [*s, *s, *s, *s]\n`;
    const doc = parseYaml(text, 'x.yaml');
    assert.equal(doc.diagnostics.length, 1);
    assert.deepEqual(doc.diagnostics[0]?.range, at(1, 9 + 4 * 3, 2));
    assert.match(doc.diagnostics[0]!.message, /aliases would add more than 10,000,000 characters of keys and strings/);
    assert.deepEqual(
      (doc.value as { copies: unknown[] }).copies.map((c) => typeof c),
      ['string', 'string', 'string', 'object'],
    );
  });

  it('leaves ordinary anchors alone', () => {
    const text = [
      'defaults: &defaults',
      '  timeout: 30',
      '  headers: &headers { X-Tenant: acme, X-Trace: "on" }',
      'a:',
      '  settings: *defaults',
      '  headers: *headers',
      'b: { settings: *defaults, headers: *headers, name: &name bob }',
      'who: *name',
      '',
    ].join('\n');
    const doc = parseYaml(text, 'x.yaml');
    assert.deepEqual(doc.diagnostics, []);
    const defaults = { timeout: 30, headers: { 'X-Tenant': 'acme', 'X-Trace': 'on' } };
    assert.deepEqual(JSON.parse(JSON.stringify(doc.value)), {
      defaults,
      a: { settings: defaults, headers: defaults.headers },
      b: { settings: defaults, headers: defaults.headers, name: 'bob' },
      who: 'bob',
    });
  });

  it('reads a generated spec that shares scenarios through hundreds of aliases', () => {
    const spec = parseDocument(QUICKSTART, 'q.provspec.yaml').value as Record<string, Record<string, unknown>>;
    const base = spec['lifecycle']!;
    const names = Object.keys(base);
    const lifecycle: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) lifecycle[`${names[i % names.length]}-${i}`] = base[names[i % names.length]!];
    const text = stringify({ ...spec, lifecycle });
    assert.ok(/\*a\d+/.test(text), 'stringify shares the repeated scenarios');
    const result = validateText(text, 'big.provspec.yaml');
    assert.deepEqual(
      result.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.deepEqual(result.document.value, { ...spec, lifecycle });
  });

  it('validates an alias bomb at once, with only the limit errors on their lines', BOUNDED, () => {
    const text = `provspec: 1\nname: Bomb\n${bomb().replace('lifecycle:', 'identities:\n  alice: { email: a@example.test }\nlifecycle:')}`;
    const result = validateText(text, 'bomb.provspec.yaml');
    const errors = limitErrors(result);
    assert.ok(errors.length >= 1);
    assert.equal(result.spec, undefined);
    const lines = new Set(errors.map((e) => e.range.start.line));
    assert.deepEqual(
      result.diagnostics.filter((d) => lines.has(d.range.start.line) && d.code !== CODE),
      [],
    );
    assert.deepEqual(
      result.diagnostics.filter((d) => d.code === 'internal-error'),
      [],
    );
  });
});

describe('alias limits in the incremental parser', () => {
  it('gives what a full parse gives after an edit inside an alias bomb', BOUNDED, () => {
    const before = reparse(undefined, bomb(), 'bomb.provspec.yaml');
    const text = bomb().replace('[x, x,', '[y, x,');
    const after = reparse(before, text, 'bomb.provspec.yaml');
    const full = parseDocument(text, 'bomb.provspec.yaml');
    assert.deepEqual(after.diagnostics, full.diagnostics);
    assert.ok(limitErrors(after).length >= 1);
    assert.equal((after.value as Record<string, unknown[]>)['a']?.[0], 'y');
    assert.ok(countValues(after.value, 10 * ALIAS_LIMITS.values) <= ALIAS_LIMITS.values + 1000);
  });

  it('updates every alias of an edited anchored value', () => {
    const text = 'base: &b\n  x: one\nother: *b\nlist: [&s two, *s]\n';
    for (const [from, to] of [
      ['one', 'ones'],
      ['two', 'twos'],
    ] as const) {
      const edited = text.replace(from, to);
      const after = reparse(parseDocument(text, 'x.yaml'), edited, 'x.yaml');
      assert.deepEqual(after.value, parseDocument(edited, 'x.yaml').value, `${from} → ${to}`);
      assert.deepEqual([...after.locations].sort(), [...parseDocument(edited, 'x.yaml').locations].sort());
    }
  });
});
