// Spec durations in milliseconds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationMs } from '../../core/spec/duration.ts';

describe('durations', () => {
  it('durations', () => {
    assert.equal(durationMs('500ms', 0), 500);
    assert.equal(durationMs('1.5s', 0), 1500);
    assert.equal(durationMs('2m', 0), 120_000);
    assert.equal(durationMs(250, 0), 250);
    assert.equal(durationMs(undefined, 7), 7);
  });
});
