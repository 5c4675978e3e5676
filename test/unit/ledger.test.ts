// The cleanup ledger: what a run created, and what is left to remove.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CleanupLedger } from '../../core/run/ledger.ts';

describe('cleanup ledger', () => {
  it('ledger: removes newest first, each once, and knows what it owns', () => {
    const ledger = new CleanupLedger();
    ledger.created('Group', 'g1', 'G', 'setup');
    ledger.created('User', 'u1', 'a', 's');
    ledger.created('User', 'u1', 'a', 's');
    ledger.created('User', 'u2', 'b', 's');
    ledger.removed('User', 'u2', 's');
    assert.deepEqual(
      ledger.pending().map((e) => e.id),
      ['u1', 'g1'],
    );
    assert.ok(ledger.owns('User', 'u2') && !ledger.owns('User', 'u9'));
    assert.deepEqual(
      ledger.audit.map((a) => `${a.action} ${a.id}`),
      ['created g1', 'created u1', 'created u2', 'removed u2'],
    );
  });
});
