// The JSON report against its published schema (schemas/report.schema.json): a run with
// findings and a merge of two shards both validate, every finding's evidence is in `exchanges`,
// and a report that breaks the contract does not validate.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { toJsonReport } from '../../core/report/json.ts';
import { mergeReports, parseJsonReport } from '../../core/report/merge.ts';
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
