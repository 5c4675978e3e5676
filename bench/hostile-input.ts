// bench/hostile-input: how validation grows with the spec, in process and warm. Expressions: the time per
// `${{ }}` expression at 2,500 and at 20,000 expressions, for three shapes (spread over many
// values, all in one value, misspelt variables with did-you-mean); linear validation keeps the
// ratio of the two near 1. Alias bombs ("billion laughs", nine aliases per level): 3 to 9 levels
// against the quickstart example; bounded expansion keeps them within a small factor of it,
// however many levels (each level multiplies the unbounded expansion by nine).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from '../core/document/index.ts';
import { validateText } from '../core/validate/index.ts';
import { generateAliasBomb, generateExpressionSpec, type ExpressionShape } from './generate-spec.ts';
import { ms, table, timeSync } from './stats.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
const SMALL = 2_500;
const LARGE = 20_000;
const SHAPES: ExpressionShape[] = ['many strings', 'one string', 'misspelt variables'];

function countExpressions(text: string): number {
  return text.split('${{').length - 1;
}

/** Every value of a parsed value as the tree it stands for (an alias counted once per use). */
function expandedValues(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + expandedValues(item), 1);
  if (value !== null && typeof value === 'object') return Object.values(value).reduce((n: number, item) => n + expandedValues(item), 1);
  return 1;
}

export function benchHostileInput(): void {
  console.log(
    `\nbench/hostile-input: validateText per expression at ${SMALL.toLocaleString('en-US')} ` +
      `and ${LARGE.toLocaleString('en-US')} expressions; median of ${RUNS} warm runs\n`,
  );
  const rows = [['shape', 'size', `${SMALL} expr`, 'per expr', `${LARGE} expr`, 'per expr', 'ratio per expr']];
  for (const shape of SHAPES) {
    const small = generateExpressionSpec(SMALL, shape);
    const large = generateExpressionSpec(LARGE, shape);
    const [n, m] = [countExpressions(small), countExpressions(large)];
    const a = timeSync(() => validateText(small, 'small.provspec.yaml'), RUNS);
    const b = timeSync(() => validateText(large, 'large.provspec.yaml'), Math.max(3, Math.round(RUNS / 3)), 1);
    rows.push([
      shape,
      `${(large.length / 1024).toFixed(0)} KiB`,
      ms(a),
      `${((a * 1000) / n).toFixed(1)} µs`,
      ms(b),
      `${((b * 1000) / m).toFixed(1)} µs`,
      `${(b / m / (a / n)).toFixed(2)}x`,
    ]);
  }
  console.log(table(rows));

  const quickstart = readFileSync(`${ROOT}examples/quickstart.provspec.yaml`, 'utf8');
  const base = timeSync(() => validateText(quickstart, 'quickstart.provspec.yaml'), RUNS);
  console.log(`\nalias bombs (nine aliases per level) against the quickstart example (${ms(base)}), median of ${RUNS}\n`);
  const bombs = [['levels', 'bytes', 'values, unbounded', 'values, parsed', 'diagnostics', 'validateText', 'vs quickstart']];
  // Unbounded, level k holds 1 + 9 * (level k-1) values; everything else in the spec is fixed.
  const level = (k: number): number => (k === 0 ? 10 : 1 + 9 * level(k - 1));
  const aliased = (levels: number): number =>
    Array.from({ length: levels }, (_, k) => level(k)).reduce((a, b) => a + b, 0) + level(levels - 1);
  const fixed = expandedValues(parseDocument(generateAliasBomb(2), 'bomb.provspec.yaml').value) - aliased(2);
  for (const levels of [3, 5, 7, 9]) {
    const text = generateAliasBomb(levels);
    const doc = parseDocument(text, 'bomb.provspec.yaml');
    const time = timeSync(() => validateText(text, 'bomb.provspec.yaml'), RUNS, 1);
    const limited = validateText(text, 'bomb.provspec.yaml').diagnostics.filter((d) => d.code === 'yaml-alias-limit').length;
    bombs.push([
      String(levels),
      String(text.length),
      (fixed + aliased(levels)).toLocaleString('en-US'),
      expandedValues(doc.value).toLocaleString('en-US'),
      `${limited} alias-limit`,
      ms(time),
      `${(time / base).toFixed(1)}x`,
    ]);
  }
  console.log(table(bombs));
}

if (import.meta.main) benchHostileInput();
