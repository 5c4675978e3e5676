// Spec durations in milliseconds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAttributePath, STANDARD_SCHEMAS, CORE_USER_URN, type ResolvedPath } from '../../core/scim-schema/index.ts';
import { durationMs } from '../../core/plan/duration.ts';

const _scope = {
  env: { TOKEN: 'abc', EMPTY: '' },
  vars: { n: 3 },
  run: { id: 'r1' },
  identity: { email: 'a@x.test', age: 42 },
  scenario: { name: 's' },
};

function _path(p: string): ResolvedPath {
  const r = resolveAttributePath(p, STANDARD_SCHEMAS, CORE_USER_URN);
  assert.ok(r.ok, p);
  return r;
}

describe('durations', () => {
  it('durations', () => {
    assert.equal(durationMs('500ms', 0), 500);
    assert.equal(durationMs('1.5s', 0), 1500);
    assert.equal(durationMs('2m', 0), 120_000);
    assert.equal(durationMs(250, 0), 250);
    assert.equal(durationMs(undefined, 7), 7);
  });
});
