// `provspec merge results/*.json`: the JSON reports of a sharded run become one report, with
// the terminal summary, JUnit, SARIF and Markdown written once.
import { parseArgs } from 'node:util';
import { ReportFormatError } from '../../core/report/merge.ts';
import { mergeShardReports } from '../../core/session/merge.ts';
import { writeOutputs } from '../../core/session/outputs.ts';
import { toHtml } from '../../core/report/html/page.ts';
import type { SpecResult } from '../../core/run/result.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { computeLineStarts } from '../../core/document/position.ts';
import { failureBlocks, summary, type Paint } from '../../core/report/pretty.ts';
import { runFailed } from '../../core/run/result.ts';
import { displayPath, findFiles, UsageError } from '../files.ts';
import { makeStyler } from '../style.ts';
import { reportTarget, type CommandIO } from '../io.ts';
import { version } from '../version.ts';

export const MERGE_HELP = `Usage: provspec merge [options] <report.json|glob>...

Combines the JSON reports that the shards of one run wrote (provspec run --shard i/n --report F)
into one report, and prints its failures and summary once.

Options:
  --report FILE           write the merged JSON report
  --junit FILE            write JUnit XML
  --sarif FILE            write SARIF 2.1.0 (code scanning)
  --markdown FILE         write the Markdown summary (as the Action's job summary)
  --audit FILE            write the audit trail (NDJSON) of every shard
  --html FILE             write the HTML report of the merged run (findings, evidence, audit; the
                          waterfalls are in each shard's own run --html)
  --format pretty|json    terminal output (default pretty); json prints the merged report
  --color, --no-color     force or disable colour
  -h, --help              show this help

Exit codes: 0 all checks passed, 1 a check failed or errored, 2 unreadable reports or usage error.`;

export async function mergeCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      report: { type: 'string' },
      junit: { type: 'string' },
      sarif: { type: 'string' },
      markdown: { type: 'string' },
      audit: { type: 'string' },
      html: { type: 'string' },
      format: { type: 'string', default: 'pretty' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${MERGE_HELP}\n`);
    return 0;
  }
  if (values.format !== 'pretty' && values.format !== 'json')
    throw new UsageError(`--format must be pretty or json, not "${values.format}"`);
  if (positionals.length === 0) throw new UsageError('name the JSON reports to merge (e.g. provspec merge results/*.json)');
  const files = await findFiles(positionals, io.cwd);
  // The merged report is written as it is made: to --report, or for --format json to a scratch file.
  const target = await reportTarget(values);
  const reportFile = target.file;
  try {
    let merged;
    try {
      merged = await mergeShardReports(
        files.map((file) => ({ path: file, name: displayPath(file, io.cwd) })),
        reportFile ? { report: reportFile } : {},
      );
    } catch (error) {
      if (error instanceof ReportFormatError) throw new UsageError(error.message);
      throw error;
    }
    const { results } = merged;
    await writeOutputs({ ...values, report: undefined }, { runId: merged.runId, ms: merged.ms, results, version: version() });
    if (values.html) await writeHtml(values.html, merged, io.cwd);
    if (values.format === 'json') {
      await target.print(io.stdout);
    } else {
      const style = makeStyler(io.stdout, values['no-color'] ? false : values.color);
      const paint: Paint = (s, text) => style(s, text);
      io.stdout.write(
        paint(
          'dim',
          `merged ${files.length} report${files.length === 1 ? '' : 's'}: ${files.map((f) => displayPath(f, io.cwd)).join(', ')}\n`,
        ),
      );
      const failures = failureBlocks(results, new Map(), paint);
      if (failures.length) io.stdout.write(`\n${failures.join('\n\n')}\n`);
      io.stdout.write(`\n${summary(results, merged.ms, paint)}\n`);
    }
    return runFailed(results) ? 1 : 0;
  } finally {
    await target.dispose();
  }
}

/** The merged run as HTML; code frames from the specs where they are on disk (relative to here, as the shards ran). */
async function writeHtml(file: string, merged: { runId: string; startedAt: string; ms: number; results: SpecResult[] }, cwd: string) {
  const sources = new Map<string, { text: string; lineStarts: number[] }>();
  for (const spec of merged.results) {
    const text = await readFile(path.resolve(cwd, spec.file), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    sources.set(spec.file, { text, lineStarts: computeLineStarts(text) });
  }
  await mkdir(path.dirname(path.resolve(cwd, file)), { recursive: true });
  await writeFile(
    path.resolve(cwd, file),
    toHtml({ runId: merged.runId, startedAt: merged.startedAt, ms: merged.ms, results: merged.results, sources }),
  );
}
