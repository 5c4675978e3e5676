// The JSON report against its published schema (schemas/report.schema.json): a run with
// findings and a merge of two shards both validate, every finding's evidence is in `exchanges`,
// and a report that breaks the contract does not validate.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { JsonReportWriter, toJsonReport } from '../../core/report/json.ts';
import { mergeReports, parseJsonReport } from '../../core/report/merge.ts';
import { checkCount, totalsOf, type ScenarioResult } from '../../core/run/result.ts';
import { validateText } from '../../core/validate/index.ts';
import { buildPlan } from '../../core/plan/plan.ts';
import { ReportFileError, runSession } from '../../core/session/session.ts';
import { startReferenceServer } from '../../reference/index.ts';
import { ROOT, runSpecFile, withServer } from './helpers.ts';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'report.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

describe('the JSON report schema', () => {
  it('a run with findings, and a merge of two shards, validate; findings cite exchanges the report holds', async () => {
    await withServer(['no-location', 'delete-returns-200'], async (server) => {
      const shards = await Promise.all(
        [1, 2].map((index) => runSpecFile('examples/quickstart.provspec.yaml', server, { shard: { index, count: 2 } })),
      );
      const reports = shards.map((result, i) => toJsonReport([result], { runId: `r${i}`, startedAt: new Date(0).toISOString(), ms: 1 }));
      const merged = mergeReports(reports.map((r, i) => parseJsonReport(JSON.stringify(r), `shard-${i}.json`)));
      for (const report of [...reports, merged]) {
        assert.ok(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors?.slice(0, 3)));
        const findings = report.specs
          .flatMap((s) => s.scenarios.flatMap((sc) => sc.checks))
          .filter((c) => c.status !== 'pass' && c.status !== 'skipped');
        assert.ok(findings.length > 0, 'the misbehaving server made findings');
        for (const finding of findings) for (const id of finding.evidence) assert.ok(id in report.exchanges, `${finding.id} cites ${id}`);
      }
    });
  });

  it('written as the run goes, a report is the one built from the whole result, scenarios in the order they were run', async () => {
    await withServer(['no-location'], async (server) => {
      let text = '';
      const seen: ScenarioResult[] = [];
      const meta = { runId: 'w', startedAt: new Date(0).toISOString() };
      const writer = new JsonReportWriter((chunk) => (text += chunk), meta);
      writer.startSpec();
      const result = await runSpecFile(
        'examples/quickstart.provspec.yaml',
        server,
        {},
        {
          onScenarioResult: (scenario) => {
            seen.push(scenario);
            writer.scenario(scenario);
          },
        },
      );
      writer.endSpec(result);
      writer.end(7);
      // Concurrency 4: they finish in any order; the writer saw them in the plan's.
      assert.deepEqual(
        seen.map((s) => s.name),
        result.scenarios.map((s) => s.name),
      );
      const streamed = JSON.parse(text) as unknown;
      assert.ok(validate(streamed), JSON.stringify(validate.errors?.slice(0, 3)));
      assert.deepEqual(streamed, JSON.parse(JSON.stringify(toJsonReport([result], { ...meta, ms: 7 }))));
    });
  });

  it('a session writes its report as it goes and keeps only the findings, what passed counted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-stream-'));
    let sent = 0;
    const server = await startReferenceServer({ misbehave: ['no-location'], log: () => sent++ });
    try {
      {
        const file = path.join(ROOT, 'examples/quickstart.provspec.yaml');
        const validation = validateText(readFileSync(file, 'utf8'), file);
        const plan = buildPlan('examples/quickstart.provspec.yaml', validation.document, validation.spec!);
        const reportFile = path.join(dir, 'deep', 'report.json');
        const session = await runSession([plan], { env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token }, report: reportFile });
        const report = parseJsonReport(readFileSync(reportFile, 'utf8'), 'report.json');
        assert.ok(validate(JSON.parse(readFileSync(reportFile, 'utf8'))), JSON.stringify(validate.errors?.slice(0, 3)));
        assert.deepEqual(report.totals, session.totals);
        assert.deepEqual(totalsOf(session.results), session.totals);
        assert.ok(session.totals.pass > 0 && session.totals.fail > 0);
        const kept = session.results.flatMap((r) => r.scenarios.flatMap((s) => s.checks));
        assert.ok(kept.length > 0 && kept.every((c) => c.status !== 'pass' && c.status !== 'skipped'), 'only findings stay');
        const inReport = report.specs[0]!.scenarios;
        session.results[0]!.scenarios.forEach((scenario, i) => assert.equal(checkCount(scenario), inReport[i]!.checks.length));
        // A report that cannot be opened stops the session before anything is sent.
        const before = sent;
        await assert.rejects(
          runSession([plan], { env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token }, report: path.join(reportFile, 'x.json') }),
          ReportFileError,
        );
        assert.equal(sent, before);
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a report that breaks the contract does not validate', () => {
    const broken = { report: 1, runId: 'x', startedAt: 'y', ms: 0, totals: {}, specs: [] };
    assert.equal(validate(broken), false);
    const inline = {
      report: 2,
      runId: 'x',
      startedAt: 'y',
      ms: 0,
      totals: { pass: 0, fail: 0, warn: 0, blocked: 0, error: 0, skipped: 0 },
      exchanges: { a: { id: 'a', method: 'GET', url: 'u', requestHeaders: {}, ms: 1, json: {} } },
      specs: [],
    };
    assert.equal(validate(inline), false, 'a stored exchange has no parsed body');
  });
});
