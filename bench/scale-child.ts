// One measured run for bench/scale (and a shard of one for bench/merge): N lifecycle scenarios through the session every front end
// uses, against the server given, the JSON report written as `provspec run --report` writes it.
// Prints what it cost: peak RSS (this process only; the server runs elsewhere), the heap still
// live after the run, report bytes, wall.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { validateText } from '../core/validate/index.ts';
import { buildPlan, parseShard } from '../core/plan/plan.ts';
import { runSession } from '../core/session/session.ts';
import { bigSpec } from './generate-lifecycle.ts';

const [count, baseUrl, token, reportFile, shard] = process.argv.slice(2);
const text = bigSpec(Number(count), 16);
const validation = validateText(text, 'scale.provspec.yaml');
if (!validation.spec) throw new Error(validation.diagnostics.map((d) => d.message).join('; '));
const started = performance.now();
const plan = buildPlan('scale.provspec.yaml', validation.document, validation.spec, shard ? { shard: parseShard(shard) } : {});
const session = await runSession([plan], {
  env: { SCIM_BASE_URL: baseUrl, SCIM_TOKEN: token },
  report: reportFile!,
});
const failed = session.results.flatMap((r) => r.scenarios).filter((s) => s.status !== 'pass').length;
// What the run still holds once it is over (run with --expose-gc): flat when only findings stay.
(globalThis as { gc?: () => void }).gc?.();
const liveMB = Math.round(process.memoryUsage().heapUsed / 1e6);
process.stdout.write(
  `${JSON.stringify({
    scenarios: plan.scenarios.length,
    failed,
    ms: Math.round(performance.now() - started),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    liveMB,
    reportBytes: statSync(reportFile!).size,
  })}\n`,
);
