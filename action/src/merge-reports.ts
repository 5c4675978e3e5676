// mode: merge - the JSON reports of a sharded run become one outcome, published once.
import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import { displayPath, findFiles } from '../../core/files.ts';
import { fromJsonReport, mergeReports, parseJsonReport } from '../../core/report/merge.ts';
import type { ActionInputs } from './inputs.ts';
import type { Outcome } from './outcome.ts';

export async function mergeShardReports(inputs: ActionInputs, workspace: string): Promise<Outcome> {
  const files = await findFiles(inputs.results, workspace);
  const reports = await Promise.all(files.map(async (file) => parseJsonReport(await readFile(file, 'utf8'), displayPath(file, workspace))));
  const report = mergeReports(reports);
  core.info(
    `provspec: merged ${reports.length} ` +
      `report${reports.length === 1 ? '' : 's'}: ${files.map((f) => displayPath(f, workspace)).join(', ')}`,
  );
  return { results: fromJsonReport(report), report, checked: [], notes: [] };
}
