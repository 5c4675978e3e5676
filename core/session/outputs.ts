// The files a run or a merge writes, one way for every front end: JUnit, SARIF (with the
// validation findings the front end shows as annotations), the Markdown summary, and the JSON
// report when it was not written as the run went (a merge, a run that never started).
// Folders are made as needed.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SpecResult } from '../run/result.ts';
import type { JsonReport } from '../report/json.ts';
import { toJunit } from '../report/junit.ts';
import { toSarif } from '../report/sarif.ts';
import { runFindings, type Finding } from '../report/finding.ts';
import { toMarkdownSummary, type SummaryInput } from '../report/markdown.ts';
import { toAuditNdjson } from '../report/audit.ts';

export interface OutputFiles {
  report?: string;
  junit?: string;
  sarif?: string;
  markdown?: string;
  /** The audit trail, NDJSON. */
  audit?: string;
}

export interface Outputs {
  /** The JSON report to write to `files.report` (a run writes its own as it goes: see runSession). */
  report?: JsonReport;
  runId: string;
  ms: number;
  results: readonly SpecResult[];
  /** provspec's version, named in SARIF. */
  version: string;
  /** What SARIF carries; the run's findings unless given (the Action adds validation findings). */
  findings?: readonly Finding[];
  /** More for the Markdown summary (validation findings, notes). */
  summary?: Omit<SummaryInput, 'specs' | 'ms' | 'runId'>;
}

export async function writeOutputs(files: OutputFiles, outputs: Outputs): Promise<void> {
  const results = [...outputs.results];
  const write = async (file: string | undefined, text: () => string) => {
    if (file === undefined) return;
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, text());
  };
  // One line: a report is for tools (jq reads it as well either way), and indentation was half its size.
  const { report } = outputs;
  if (report) await write(files.report, () => `${JSON.stringify(report)}\n`);
  await write(files.junit, () => toJunit(results));
  await write(files.sarif, () => toSarif(outputs.findings ?? runFindings(results), { version: outputs.version }));
  await write(files.markdown, () => toMarkdownSummary({ ...outputs.summary, specs: results, ms: outputs.ms, runId: outputs.runId }));
  await write(files.audit, () => toAuditNdjson(results));
}
