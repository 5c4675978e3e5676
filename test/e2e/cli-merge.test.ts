// `provspec merge`: shard reports written by `provspec run --shard` become one report.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeReports, parseJsonReport } from '../../core/report/merge.ts';
import { provspec, ROOT } from './cli.ts';

describe('provspec merge', () => {
  it('merges the shards of a run: every scenario once, totals summed, JUnit and SARIF written once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-merge-'));
    const spec = path.join(ROOT, 'examples', 'quickstart.provspec.yaml');
    for (const i of [1, 2]) {
      const run = await provspec([
        'run',
        spec,
        '--embedded',
        '--misbehave',
        'no-location',
        '--shard',
        `${i}/2`,
        '--report',
        path.join(dir, `shard-${i}.json`),
      ]);
      assert.equal(run.code, 1, run.stderr);
    }
    const merged = await provspec([
      'merge',
      path.join(dir, 'shard-*.json'),
      '--report',
      path.join(dir, 'merged.json'),
      '--junit',
      path.join(dir, 'junit.xml'),
      '--sarif',
      path.join(dir, 'r.sarif'),
      '--html',
      path.join(dir, 'merged.html'),
      '--audit',
      path.join(dir, 'audit.ndjson'),
    ]);
    assert.equal(merged.code, 1, merged.stderr);
    // The merged HTML report holds every shard's findings, with code frames from the spec on disk.
    const html = readFileSync(path.join(dir, 'merged.html'), 'utf8');
    assert.equal((html.match(/"id":"1-provision\.created\.location"/g) ?? []).length, 3);
    assert.match(html, /"frame":"[^"]*- provision/);
    // The audit trail of both shards, each line its own record.
    const audit = readFileSync(path.join(dir, 'audit.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    assert.ok(audit.some((l) => l.action === 'created') && audit.some((l) => l.action === 'removed'));
    assert.match(merged.stdout, /merged 2 reports/);
    assert.match(merged.stdout, /3 of 6 scenarios passed · checks: \d+ passed, 3 failed, 0 errored/);
    const report = JSON.parse(readFileSync(path.join(dir, 'merged.json'), 'utf8'));
    assert.deepEqual(
      report.specs.map((s: { file: string }) => s.file),
      [path.relative(ROOT, spec)],
    );
    assert.equal(report.totals.fail, 3);
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'r.sarif'), 'utf8')).runs[0].results.length, 3);
    assert.equal((readFileSync(path.join(dir, 'junit.xml'), 'utf8').match(/<failure /g) ?? []).length, 3);

    // The same as one run of the whole spec: totals (each shard's group setup counted once) and annotations.
    const whole = await provspec([
      'run',
      spec,
      '--embedded',
      '--misbehave',
      'no-location',
      '--report',
      path.join(dir, 'whole.json'),
      '--sarif',
      path.join(dir, 'whole.sarif'),
    ]);
    assert.equal(whole.code, 1, whole.stderr);
    assert.deepEqual(report.totals, JSON.parse(readFileSync(path.join(dir, 'whole.json'), 'utf8')).totals);
    const annotations = (file: string) =>
      (JSON.parse(readFileSync(path.join(dir, file), 'utf8')).runs[0].results as Array<{ ruleId: string; locations: unknown }>)
        .map((r) => JSON.stringify([r.ruleId, r.locations]))
        .sort();
    assert.deepEqual(annotations('r.sarif'), annotations('whole.sarif'));

    // Written as it is made, the merged report is the one merging in memory makes.
    const shards = [1, 2].map((i) => parseJsonReport(readFileSync(path.join(dir, `shard-${i}.json`), 'utf8'), `shard-${i}.json`));
    assert.deepEqual(report, JSON.parse(JSON.stringify(mergeReports(shards))));
  });

  it('exits 2 with the file named when a report is not one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-merge-'));
    writeFileSync(path.join(dir, 'bad.json'), '{"nope":1}');
    const run = await provspec(['merge', 'bad.json'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /bad\.json: not a provspec report of version 1/);
  });
});
