// The checks table in docs/ is the rules in core/checks/rules.ts, and every rule there is one the
// runner really checks: a rule no code names would be documentation of nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { RULES, failureStatus } from '../../core/checks/rules.ts';

const root = path.join(import.meta.dirname, '../..');

test('docs/checks.md is generated from the current rules', () => {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/checks-table.ts'), '--check'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

test('every rule is used by the runner', () => {
  const files = readdirSync(path.join(root, 'core/run'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const source = files.map((f) => readFileSync(path.join(root, 'core/run', f), 'utf8')).join('\n');
  for (const id of Object.keys(RULES)) assert.ok(source.includes(`'${id}'`), `rule ${id} is named by no check in core/run`);
});

test('levels decide verdicts: SHOULD warns, MUST fails unless tolerated, IdP warns only under rfc7644, spec always fails', () => {
  assert.equal(failureStatus('response.media-type', 'rfc7644'), 'warn');
  assert.equal(failureStatus('user.create.id', 'rfc7644'), 'warn');
  assert.equal(failureStatus('user.create.id', 'okta'), 'fail');
  assert.equal(failureStatus('conflict.scim-type', 'rfc7644'), 'fail');
  assert.equal(failureStatus('conflict.scim-type', 'okta'), 'warn');
  assert.equal(failureStatus('user.findable-inactive', 'rfc7644'), 'warn');
  assert.equal(failureStatus('user.findable-inactive', 'entra'), 'fail');
  assert.equal(failureStatus('user.attribute', 'okta'), 'fail');
});
