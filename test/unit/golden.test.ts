// Golden diagnostics: each file under test/golden/invalid states what it must produce, next to
// the offending line: `# want: code[, code…]` expects those diagnostics to start on that line,
// `# want-next: code` on the line below (for places a comment cannot go). JSON files keep the
// same annotations in a sidecar `<file>.want` of `line: code` rows. Every diagnostic (hints
// excepted) must be wanted, and every want must be met: a test that can fail both ways.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateText } from '../../core/validate/index.ts';

const ROOT = path.join(import.meta.dirname, '..', 'golden');

function wants(file: string, text: string): string[] {
  const out: string[] = [];
  if (file.endsWith('.json')) {
    const sidecar = `${file}.want`;
    if (!existsSync(sidecar)) return out;
    for (const row of readFileSync(sidecar, 'utf8').split('\n')) {
      const m = /^\s*(\d+)\s*:\s*(.+?)\s*$/.exec(row);
      if (m) for (const code of m[2]!.split(',')) out.push(`${m[1]}:${code.trim()}`);
    }
    return out;
  }
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /#\s*want(-next)?:\s*([a-z0-9, -]+?)\s*$/.exec(line);
    if (!m) return;
    const at = i + 1 + (m[1] ? 1 : 0);
    for (const code of m[2]!.split(',')) out.push(`${at}:${code.trim()}`);
  });
  return out;
}

function got(text: string, file: string): string[] {
  return validateText(text, file)
    .diagnostics.filter((d) => d.severity !== 'hint')
    .map((d) => `${d.range.start.line + 1}:${d.code}`);
}

const invalid = readdirSync(path.join(ROOT, 'invalid'))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

test('there are at least 40 invalid golden specs', () => {
  assert.ok(invalid.length >= 40, `only ${invalid.length}`);
});

for (const name of invalid) {
  test(`golden invalid: ${name}`, () => {
    const file = path.join(ROOT, 'invalid', name);
    const text = readFileSync(file, 'utf8');
    const expected = wants(file, text).sort();
    assert.ok(expected.length > 0, 'an invalid golden spec must declare what it wants');
    assert.deepEqual(got(text, file).sort(), expected);
  });
}

const valid = [
  ...readdirSync(path.join(ROOT, 'valid')).map((f) => path.join(ROOT, 'valid', f)),
  ...readdirSync(path.join(ROOT, '..', '..', 'examples')).map((f) => path.join(ROOT, '..', '..', 'examples', f)),
].filter((f) => /\.provspec\.(ya?ml|json)$/.test(f));

for (const file of valid) {
  test(`valid without warnings: ${path.relative(path.join(ROOT, '..', '..'), file)}`, () => {
    const diagnostics = validateText(readFileSync(file, 'utf8'), file).diagnostics.filter((d) => d.severity !== 'hint');
    assert.deepEqual(diagnostics, []);
  });
}
