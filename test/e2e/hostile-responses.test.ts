// Hostile answers cannot break a run or its reports (--format json prints the same document as
// --report): a JSON body nested 100,000 deep, or with an array of a million elements, is checked
// like any other (its extra member is ignored), stored cut to the evidence bounds with a note,
// every report is written, and the run cleans up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReferenceServer } from '../../reference/index.ts';
import { startHostileProxy, type Hostility } from '../integration/fixtures/hostile-proxy.ts';

import { provspecWithEnv } from './cli.ts';

const CASES: Array<{ hostility: Hostility; note: RegExp }> = [
  { hostility: 'deep', note: /\[cut: nested deeper than 32 levels\]/ },
  // Far past the bounds; a million elements (2 MB a response) only makes the test slower.
  { hostility: 'wide', note: /\[cut: 199800 more of 200000 elements\]/ },
];

describe('hostile response bodies', () => {
  for (const { hostility, note } of CASES) {
    it(`${hostility}: the run passes, every report is written with the evidence cut and noted, nothing is left`, async () => {
      const server = await startReferenceServer({});
      const proxy = await startHostileProxy(new URL(server.baseUrl).origin, hostility, { width: 200_000 });
      const dir = mkdtempSync(path.join(tmpdir(), 'provspec-hostile-'));
      try {
        const files = {
          report: path.join(dir, 'report.json'),
          trace: path.join(dir, 'trace.ndjson'),
          junit: path.join(dir, 'junit.xml'),
          markdown: path.join(dir, 'summary.md'),
          html: path.join(dir, 'report.html'),
          audit: path.join(dir, 'audit.ndjson'),
        };
        const run = await provspecWithEnv(
          [
            'run',
            'examples/quickstart.provspec.yaml',
            '--report',
            files.report,
            '--trace',
            files.trace,
            '--junit',
            files.junit,
            '--markdown',
            files.markdown,
            '--html',
            files.html,
            '--audit',
            files.audit,
          ],
          { SCIM_BASE_URL: `${proxy.origin}/scim/v2`, SCIM_TOKEN: server.token },
        );
        assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
        assert.match(run.stdout, /nothing left behind/);
        const report = readFileSync(files.report, 'utf8');
        // A passing run's report names its exchanges; the trace holds them, cut and noted.
        assert.ok(report.length < 1024 * 1024, `the report is small (${report.length} bytes)`);
        assert.deepEqual((JSON.parse(report) as { exchanges: object }).exchanges, {});
        const trace = readFileSync(files.trace, 'utf8').split('\n').filter(Boolean);
        assert.ok(trace.length > 20 && trace.every((line) => JSON.parse(line)), 'the trace has every event');
        assert.match(trace.join('\n'), note);
        // The HTML report and the audit trail are written too, bounded like the rest.
        assert.ok(readFileSync(files.html, 'utf8').length < 2 * 1024 * 1024, 'the HTML report is small');
        const audit = readFileSync(files.audit, 'utf8').split('\n').filter(Boolean);
        assert.ok(audit.length > 5 && audit.every((line) => JSON.parse(line)), 'the audit trail has every entry');
        const users = (await (
          await fetch(`${server.baseUrl}/Users?count=0`, { headers: { authorization: `Bearer ${server.token}` } })
        ).json()) as { totalResults: number };
        assert.equal(users.totalResults, 0);
      } finally {
        await proxy.close();
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
