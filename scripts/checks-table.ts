// Writes docs/checks.md from core/checks/rules.ts (--check: fail if it is stale instead).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checksTable } from '../core/checks/table.ts';

const out = path.join(import.meta.dirname, '..', 'docs/checks.md');
const text = checksTable();
if (process.argv.includes('--check')) {
  if (readFileSync(out, 'utf8') !== text) {
    process.stderr.write('docs/checks.md is stale: run node scripts/checks-table.ts\n');
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
}
