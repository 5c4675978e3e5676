// The session every front end shares: a trace that cannot be written is said (traceError), and
// the run and its report still come back instead of the front end crashing on a stream error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSession } from '../../core/session/session.ts';

describe('runSession', () => {
  it('reports a trace it cannot write, and still returns the report', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-session-'));
    try {
      const blocker = path.join(dir, 'a-file');
      writeFileSync(blocker, '');
      const session = await runSession([], { env: {}, trace: path.join(blocker, 'trace.ndjson') });
      assert.ok(session.traceError, 'the trace error is returned');
      assert.equal(session.totals.pass, 0);
      assert.deepEqual(session.results, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes the trace folder and leaves no error when it can write', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-session-'));
    try {
      const file = path.join(dir, 'deep', 'er', 'trace.ndjson');
      const session = await runSession([], { env: {}, trace: file });
      assert.equal(session.traceError, undefined);
      // A run of nothing is still a run: it opens and closes.
      const events = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { type: string }).type);
      assert.deepEqual(events, ['run', 'end']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
