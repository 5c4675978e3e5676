// No source line over 140 characters (outside fixtures and built bundles): Biome formats code to
// that width, but does not break strings, comments or regexes, so this keeps those honest too.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAX = 140;
const SKIP = /(^|\/)(node_modules|dist|fixtures|\.tools|golden)(\/|$)/;

it(`no source line is longer than ${MAX} characters`, () => {
  const long: string[] = [];
  for (const entry of readdirSync(ROOT, { recursive: true, withFileTypes: true })) {
    const file = path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (!entry.isFile() || !/\.(ts|mts|js|mjs)$/.test(entry.name) || SKIP.test(file)) continue;
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const length = [...line].length;
        if (length > MAX) long.push(`${file}:${i + 1} (${length})`);
      });
  }
  assert.deepEqual(long, []);
});
