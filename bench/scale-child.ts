// One measured run for bench/scale: N lifecycle scenarios through the session every front end
// uses, against the server given, the JSON report written as `provspec run --report` writes it.
// Prints what it cost: peak RSS (this process only; the server runs elsewhere), report bytes, wall.
import { statSync } from 'node:fs';
import { writeOutputs } from '../core/session/outputs.ts';
import { performance } from 'node:perf_hooks';
import { validateText } from '../core/validate/index.ts';
import { buildPlan } from '../core/plan/plan.ts';
import { runSession } from '../core/session/session.ts';
import { bigSpec } from './generate-lifecycle.ts';

const [count, baseUrl, token, reportFile] = process.argv.slice(2);
const text = bigSpec(Number(count), 16);
const validation = validateText(text, 'scale.provspec.yaml');
if (!validation.spec) throw new Error(validation.diagnostics.map((d) => d.message).join('; '));
const started = performance.now();
const session = await runSession([buildPlan('scale.provspec.yaml', validation.document, validation.spec)], {
  env: { SCIM_BASE_URL: baseUrl, SCIM_TOKEN: token },
});
await writeOutputs({ report: reportFile! }, { report: session.report, results: session.results, version: 'bench' });
const failed = session.results.flatMap((r) => r.scenarios).filter((s) => s.status !== 'pass').length;
process.stdout.write(
  `${JSON.stringify({
    scenarios: Number(count),
    failed,
    ms: Math.round(performance.now() - started),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    reportBytes: statSync(reportFile!).size,
  })}\n`,
);
