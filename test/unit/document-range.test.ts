// One pointer → range answer (core/document/range.ts) for diagnostics and check verdicts alike.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument, rangeAtPointer } from '../../core/document/index.ts';
import { rangeAt } from '../../core/plan/plan.ts';
import { DiagnosticCollector } from '../../core/validate/collector.ts';

const TEXT = 'lifecycle:\n  joiner:\n    steps:\n      - update:\n          department: Sales\n      - provision\n';

describe('rangeAtPointer', () => {
  const doc = parseDocument(TEXT, 'x.yaml');
  it('a multi-line node is shown at its first line, for a verdict as for a diagnostic', () => {
    const range = rangeAtPointer(doc, '/lifecycle/joiner/steps/0', 'key');
    assert.deepEqual(range, { start: { line: 3, character: 8 }, end: { line: 3, character: 15 } });
    assert.deepEqual(rangeAt(doc, '/lifecycle/joiner/steps/0'), range);
    const collector = new DiagnosticCollector(doc);
    collector.at('/lifecycle/joiner/steps/0', 'key', 'error', 'x', 'x');
    assert.deepEqual(collector.diagnostics[0]!.range, range);
  });

  it("a missing node is shown at its nearest ancestor's key", () => {
    assert.deepEqual(rangeAtPointer(doc, '/lifecycle/joiner/identity', 'value'), {
      start: { line: 1, character: 2 },
      end: { line: 1, character: 8 },
    });
  });
});
