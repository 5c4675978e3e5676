// The GitHub Action: inputs in; validation and a run (or a merge of shard reports) through core;
// annotations at the spec ranges, a job summary, reports and outputs out.
import * as core from '@actions/core';
import { UsageError } from '../../core/files.ts';
import { PlanError } from '../../core/plan/plan.ts';
import { ReportFormatError } from '../../core/report/merge.ts';
import { readInputs, InputError } from './inputs.ts';
import { runSpecs } from './run-specs.ts';
import { mergeShardReports } from './merge-reports.ts';
import { publish } from './publish.ts';

async function main(): Promise<void> {
  // Mask first: nothing may print the credential, not even an input error.
  const secret = core.getInput('token');
  if (secret) core.setSecret(secret);
  const inputs = readInputs((name) => core.getInput(name));
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const outcome = inputs.mode === 'merge' ? await mergeShardReports(inputs, workspace) : await runSpecs(inputs, workspace);
  await publish(inputs, workspace, outcome);
}

try {
  await main();
} catch (error) {
  if (error instanceof InputError || error instanceof UsageError || error instanceof PlanError || error instanceof ReportFormatError) {
    core.setFailed(`provspec: ${error.message}`);
  } else {
    core.setFailed(`provspec: unexpected failure: ${(error as Error).stack ?? String(error)}`);
  }
}
