// One measured merge for bench/merge: the shard reports in a folder merged as `provspec merge`
// does (stream: one shard in memory at a time, the report written as it is made) or, as the
// baseline, every report parsed and merged in memory; optionally only the first N shards.
// Prints peak RSS, wall and the totals.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mergeShardReports } from '../core/session/merge.ts';
import { fromJsonReport, mergeReports, parseJsonReport } from '../core/report/merge.ts';
import { runFindings } from '../core/report/finding.ts';
import { totalsOf } from '../core/run/result.ts';

const [mode, dir, out, first] = process.argv.slice(2) as [string, string, string, string?];
const files = readdirSync(dir)
  .filter((f) => f.startsWith('shard-'))
  .sort()
  .slice(0, first === undefined ? undefined : Number(first))
  .map((f) => path.join(dir, f));
const started = performance.now();
let totals;
let findings;
if (mode === 'stream') {
  const merged = await mergeShardReports(
    files.map((file) => ({ path: file, name: path.basename(file) })),
    { report: out },
  );
  totals = merged.totals;
  findings = runFindings(merged.results).length;
} else {
  const merged = mergeReports(files.map((file) => parseJsonReport(readFileSync(file, 'utf8'), path.basename(file))));
  writeFileSync(out, `${JSON.stringify(merged)}\n`);
  const results = fromJsonReport(merged);
  totals = totalsOf(results);
  findings = runFindings(results).length;
}
process.stdout.write(
  `${JSON.stringify({
    mode,
    shards: files.length,
    ms: Math.round(performance.now() - started),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    reportBytes: statSync(out).size,
    totals,
    findings,
  })}\n`,
);
