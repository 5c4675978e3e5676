// Evaluating ${{ }} expressions against a scope.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, interpolateDeep, ExpressionError } from '../../core/expressions/evaluate.ts';

const scope = {
  env: { TOKEN: 'abc', EMPTY: '' },
  vars: { n: 3 },
  run: { id: 'r1' },
  identity: { email: 'a@x.test', age: 42 },
  scenario: { name: 's' },
};

describe('expressions', () => {
  it('interpolates inside text and keeps the type of a whole-string expression', () => {
    assert.equal(interpolate('Bearer ${{ env.TOKEN }}!', scope), 'Bearer abc!');
    assert.equal(interpolate('${{ identity.age }}', scope), 42);
    assert.equal(interpolate('${{vars.n}}-${{ run.id }}', scope), '3-r1');
    assert.deepEqual(interpolateDeep({ a: ['${{ identity.email }}', 1] }, scope), { a: ['a@x.test', 1] });
  });
  it('says which variable is missing, and that user needs a provisioned user', () => {
    assert.throws(
      () => interpolate('${{ env.NOPE }}', scope),
      (e: unknown) => e instanceof ExpressionError && /environment variable NOPE/.test(e.message),
    );
    assert.throws(() => interpolate('${{ user.id }}', scope), /needs a provisioned user/);
    assert.equal(interpolate('${{ env.EMPTY }}', scope), '');
  });
});
