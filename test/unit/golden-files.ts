// Golden files, as Hurl keeps `.out` and `.err` files: a rendering is compared with the file
// committed beside the spec it came from. PROVSPEC_UPDATE_GOLDEN=1 rewrites them; review the diff.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_ROOT = fileURLToPath(new URL('../golden/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function compareGolden(file: string, text: string): void {
  if (process.env['PROVSPEC_UPDATE_GOLDEN'] === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  let want: string;
  try {
    want = readFileSync(file, 'utf8');
  } catch {
    assert.fail(`${path.relative(ROOT, file)} is missing: run with PROVSPEC_UPDATE_GOLDEN=1 and review it`);
  }
  assert.equal(text, want, `${path.relative(ROOT, file)} differs from its golden file (PROVSPEC_UPDATE_GOLDEN=1 rewrites it)`);
}
