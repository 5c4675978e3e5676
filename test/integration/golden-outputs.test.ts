// Golden outputs (as Hurl keeps `.out` files): the same failing run, against the reference
// server with two misbehaviours, rendered by every reporter — the terminal, the annotations
// the Action sends, SARIF, JUnit and the language server's run diagnostics — and compared with
// test/golden/run/*. What varies between runs (ports, ids, durations, timestamps) is replaced by
// placeholders first. PROVSPEC_UPDATE_GOLDEN=1 rewrites the files; review the diff.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runSpecFile } from './helpers.ts';
import { compareGolden } from '../unit/golden-files.ts';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';
import type { SpecResult } from '../../core/run/result.ts';
import { failureBlocks, scenarioLine, summary, type Paint } from '../../core/report/pretty.ts';
import { checkAnnotations } from '../../core/report/annotations.ts';
import { runFindings } from '../../core/report/finding.ts';
import { toSarif } from '../../core/report/sarif.ts';
import { toJunit } from '../../core/report/junit.ts';
import { toMarkdownSummary } from '../../core/report/markdown.ts';
import { parseDocument } from '../../core/document/index.ts';
import { runDiagnostics } from '../../server/service/run.ts';

const SPEC = 'examples/quickstart.provspec.yaml';
const GOLDEN = path.join(ROOT, 'test', 'golden', 'run');
const plain: Paint = (_style, text) => text;
// The race of concurrency.duplicate-create decides which request wins: its evidence varies.
const SCENARIOS = ['joiner', 'mover', 'leaver', 'missing-userName', 'bad-token'];

/** Replaces what differs between two runs of the same spec with placeholders. */
function stable(text: string): string {
  return text
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID')
    .replace(/gold01-[0-9a-z]+/g, 'gold01-N')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, 'TIMESTAMP')
    .replace(/\| \d\d:\d\d:\d\d\.\d{3} \|/g, '| TIME |')
    .replace(/W\/\\?"[^"\\]*\\?"/g, 'W/"ETAG"')
    .replace(/traceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-0\d/g, 'traceparent: TRACEPARENT')
    .replace(/^< date: .*$/gm, '< date: DATE')
    .replace(/\b\d+(?:\.\d+)? ?ms\b/g, 'N ms')
    .replace(/\b\d+\.\d s\b/g, 'N s')
    .replace(/time="[\d.]+"/g, 'time="N"')
    .replace(/"(ms|durationMs)": ?\d+(\.\d+)?/g, '"$1": N');
}

function compare(name: string, actual: string): void {
  compareGolden(path.join(GOLDEN, name), stable(actual));
}

describe('golden outputs of one failing run', () => {
  let server: ReferenceServer;
  let result: SpecResult;
  const source = readFileSync(path.join(ROOT, SPEC), 'utf8');
  before(async () => {
    server = await startReferenceServer({ misbehave: ['no-location', 'wrong-content-type'] });
    result = await runSpecFile(SPEC, server, { scenarios: SCENARIOS }, { runId: 'gold01' });
  });
  after(async () => server.close());

  it('the run has failures and warnings to render', () => {
    const statuses = new Set(result.scenarios.flatMap((s) => s.checks.map((c) => c.status)));
    assert.ok(statuses.has('fail') && statuses.has('warn'), [...statuses].join(', '));
  });

  it('terminal', () => {
    const doc = parseDocument(source, SPEC);
    const lines = result.scenarios.map((s) => scenarioLine(SPEC, s, plain));
    const failures = failureBlocks([result], new Map([[SPEC, { text: source, lineStarts: doc.lineStarts }]]), plain);
    compare('quickstart.out', `${lines.join('\n')}\n\n${failures.join('\n\n')}\n\n${summary([result], result.ms, plain)}\n`);
  });

  it('annotations', () => {
    compare('quickstart.annotations.json', `${JSON.stringify(checkAnnotations([result]), null, 2)}\n`);
  });

  it('SARIF', () => {
    compare('quickstart.sarif', toSarif(runFindings([result]), { version: 'golden' }));
  });

  it('JUnit', () => {
    compare('quickstart.junit.xml', toJunit([result]));
  });

  it('Markdown summary', () => {
    compare('quickstart.md', toMarkdownSummary({ specs: [result], ms: result.ms, runId: result.runId }));
  });

  it('language-server run diagnostics', () => {
    compare('quickstart.lsp.json', `${JSON.stringify(runDiagnostics(result), null, 2)}\n`);
  });
});
