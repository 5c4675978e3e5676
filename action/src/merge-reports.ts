// mode: merge - the JSON reports of a sharded run become one outcome, published once; the
// merged report is written as it is made (publish does not write it again).
import * as core from '@actions/core';
import path from 'node:path';
import { displayPath, findFiles } from '../../core/files.ts';
import { mergeShardReports as merge } from '../../core/session/merge.ts';
import type { ActionInputs } from './inputs.ts';
import type { Outcome } from './outcome.ts';

export async function mergeShardReports(inputs: ActionInputs, workspace: string): Promise<Outcome> {
  const files = await findFiles(inputs.results, workspace);
  const merged = await merge(
    files.map((file) => ({ path: file, name: displayPath(file, workspace) })),
    { report: path.resolve(workspace, inputs.report) },
  );
  core.info(
    `provspec: merged ${files.length} ` +
      `report${files.length === 1 ? '' : 's'}: ${files.map((f) => displayPath(f, workspace)).join(', ')}`,
  );
  return { results: merged.results, runId: merged.runId, ms: merged.ms, checked: [], notes: [] };
}
