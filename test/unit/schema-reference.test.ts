import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

test('docs/spec-reference.md is generated from the current schema', () => {
  const result = spawnSync(process.execPath, [path.join(import.meta.dirname, '../../scripts/schema-reference.ts'), '--check'], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
});
