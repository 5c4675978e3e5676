// Validation that grows with the spec, not with its square: many `${{ }}` expressions (in one
// string, against many variables, misspelt) get the same diagnostics as ever, and the work per
// expression does not depend on how many there are. Timings are for bench/hostile-input.ts; here the
// work is counted where it can be (reads of the name lists), and otherwise the answers are
// compared with the plain algorithms.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import '../property/seed.ts';
import { distance } from 'fastest-levenshtein';
import { parseDocument } from '../../core/document/index.ts';
import { DiagnosticCollector } from '../../core/validate/collector.ts';
import { validateText } from '../../core/validate/index.ts';
import { checkExpressions } from '../../core/validate/rules/expressions.ts';
import { suggest, suggester } from '../../core/validate/suggest.ts';
import type { RuleContext } from '../../core/validate/context.ts';

const HEAD =
  'provspec: 1\nname: Scale\ntarget:\n  baseUrl: https://scim.example.test/scim/v2\n  ' +
  'auth: none\nmapping:\n  userName: ${{ identity.email }}\n';

/** `suggest` as it was written first: every candidate compared, one by one. */
function plainSuggest(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored: Array<{ candidate: string; score: number }> = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === name) continue;
    const cl = candidate.toLowerCase();
    let score: number;
    if (cl === lower) score = 0;
    else {
      const d = distance(lower, cl);
      const budget = Math.min(2, Math.ceil(Math.max(lower.length, cl.length) / 3));
      if (d > budget) continue;
      score = d;
    }
    scored.push({ candidate, score });
  }
  scored.sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** The names as an array that counts how often its items are read. */
function counted(names: string[]): { list: string[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy(names, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { list, reads: () => reads };
}

function misspeltSpec(count: number): string {
  let text = `${HEAD}variables:\n`;
  for (let i = 0; i < count; i++) text += `  tenant_${i}: \${{ env.TENANT_${i} }}\n`;
  text += 'identities:\n';
  for (let i = 0; i < count; i++) text += `  user${i}:\n    email: user${i}@example.test\n    tenant: \${{ vars.tenent_${i} }}\n`;
  return text;
}

describe('validation with many expressions', () => {
  for (const quote of ['', '"', "'"]) {
    it(`locates each of 3,000 expressions in one ${quote ? `${quote}-quoted` : 'plain'} string`, () => {
      const parts = Array.from({ length: 3000 }, (_, i) => (i % 2 ? '${{ vars.nope }}' : '${{ env.TOKEN }}'));
      const line = `    notes: ${quote}${parts.join(' ')}${quote}`;
      const text = `${HEAD}identities:\n  alice:\n    email: a@example.test\n${line}\n`;
      const lineNumber = text.split('\n').indexOf(line);
      const expected: Array<{ start: number; end: number }> = [];
      for (let at = line.indexOf('vars.nope'); at >= 0; at = line.indexOf('vars.nope', at + 1))
        expected.push({ start: at, end: at + 'vars.nope'.length });
      const found = validateText(text, 'x.provspec.yaml').diagnostics.filter((d) => d.code === 'unknown-variable');
      assert.equal(found.length, 1500);
      assert.deepEqual(
        found.map((d) => ({ line: d.range.start.line, start: d.range.start.character, end: d.range.end.character })),
        expected.map((e) => ({ line: lineNumber, ...e })),
      );
    });
  }

  it('points at the whole value when the source does not spell the string literally', () => {
    const text = `${HEAD}identities:\n  alice:\n    email: a@example.test\n    notes: "\\t\${{ vars.a }} \${{ vars.b }}"\n`;
    const found = validateText(text, 'x.provspec.yaml').diagnostics.filter((d) => d.code === 'unknown-variable');
    const line = text.split('\n').length - 2;
    const value = text.split('\n')[line]!;
    const whole = { start: { line, character: value.indexOf('"') }, end: { line, character: value.length } };
    assert.deepEqual(
      found.map((d) => d.range),
      [whole, whole],
    );
  });

  it('suggests for 1,500 misspelt variables among 1,500 what a scan of them suggests', () => {
    const text = misspeltSpec(1500);
    const names = Array.from({ length: 1500 }, (_, i) => `tenant_${i}`);
    const found = validateText(text, 'x.provspec.yaml').diagnostics.filter((d) => d.code === 'unknown-variable');
    assert.equal(found.length, 1500);
    found.forEach((d, i) => {
      const suggestions = plainSuggest(`tenent_${i}`, names).map((s) => `vars.${s}`);
      assert.deepEqual(d.data?.suggestions, suggestions, `tenent_${i}`);
      assert.equal(suggestions[0], `vars.tenant_${i}`);
    });
  });

  it('reads the variable names a number of times that does not grow with the expressions', () => {
    const reads = (count: number) => {
      const doc = parseDocument(misspeltSpec(count), 'x.provspec.yaml');
      const spec = doc.value as Record<string, Record<string, unknown>>;
      const variables = counted(Object.keys(spec['variables']!));
      const report = new DiagnosticCollector(doc);
      const ctx: RuleContext = {
        doc,
        spec,
        report,
        identityNames: Object.keys(spec['identities']!),
        groupNames: [],
        variableNames: variables.list,
        identityAttributes: new Set(['email', 'tenant']),
      };
      checkExpressions(ctx);
      assert.equal(report.diagnostics.filter((d) => d.code === 'unknown-variable').length, count);
      return variables.reads();
    };
    // A look-up per expression read them all once per expression: 300 × 300 and more.
    for (const count of [100, 300]) assert.ok(reads(count) <= 3 * count, `${reads(count)} reads for ${count}`);
  });
});

describe('suggester', () => {
  const word = fc.stringMatching(/^[abAB_]{0,7}$/);
  const long = fc.stringMatching(/^[ab]{60,70}$/);
  it('answers every look-up as suggest and a plain scan do, before and after it indexes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ arbitrary: word, weight: 9 }, { arbitrary: long, weight: 1 }), { maxLength: 200 }),
        fc.array(fc.oneof({ arbitrary: word, weight: 9 }, { arbitrary: long, weight: 1 }), { minLength: 1, maxLength: 40 }),
        (candidates, names) => {
          const look = suggester(candidates);
          for (const name of [...names, ...names]) {
            const expected = plainSuggest(name, candidates);
            assert.deepEqual(suggest(name, candidates), expected);
            assert.deepEqual(look(name), expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agrees with a plain scan on many candidates and many look-ups (the indexed path)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(word, { minLength: 100, maxLength: 300 }),
        fc.uniqueArray(word, { minLength: 40, maxLength: 80 }),
        (candidates, names) => {
          const look = suggester(candidates);
          for (const name of names) assert.deepEqual(look(name), plainSuggest(name, candidates), name);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('returns a fresh list each time', () => {
    const look = suggester(['alpha', 'alpah']);
    const first = look('alhpa');
    first.push('changed');
    assert.deepEqual(look('alhpa'), ['alpah', 'alpha']);
  });
});

describe('DiagnosticCollector spans', () => {
  /** A value's span cut at its first "\n" (and a "\r" before it), as the reporter always did. */
  function firstLine(text: string, span: { start: number; end: number }) {
    let end = span.end;
    const newline = text.indexOf('\n', span.start);
    if (newline >= 0 && newline < end) end = newline > span.start && text[newline - 1] === '\r' ? newline - 1 : newline;
    return { start: span.start, end: Math.max(end, span.start) };
  }

  it('underlines the first line of every value, whatever the line breaks', () => {
    const piece = fc.constantFrom(
      'a',
      'b: ',
      '- ',
      '\n',
      '\r\n',
      '\r',
      '  ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '"x\ny"',
      '|\n  z\n',
      '# c\n',
      ': ',
      'k: v\n',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        const doc = parseDocument(text, 'x.yaml');
        const report = new DiagnosticCollector(doc);
        for (const [pointer, location] of doc.locations) {
          assert.deepEqual(report.spanOf(pointer, 'value'), firstLine(text, location.value), JSON.stringify({ text, pointer }));
        }
      }),
      { numRuns: 300 },
    );
  });
});
