// The GitHub Action: inputs in; validation and a run (or a merge of shard reports) through core;
// annotations at the spec ranges, a job summary, reports and outputs out.
import * as core from '@actions/core';
import { SpecFileError } from '../../core/files.ts';
import { PlanError } from '../../core/plan/plan.ts';
import { ReportFormatError } from '../../core/report/merge.ts';
import { readInputs, InputError } from './inputs.ts';
import { runSpecs } from './run-specs.ts';
import { mergeShardReports } from './merge-reports.ts';
import { publish } from './publish.ts';
import { postCleanup, STATE } from './post-cleanup.ts';

// Caught before anything else (a cancelled job sends SIGINT, then SIGTERM, then SIGKILL): the
// run stops sending and cleans up; a later signal does not cut the cleanup short.
const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (!stop.signal.aborted) core.info(`provspec: ${signal}; stopping and removing what this run created…`);
  stop.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

async function main(): Promise<void> {
  // Mask first: nothing may print the credential, not even an input error.
  const secret = core.getInput('token');
  // The runner masks exact strings, so the forms a server is likeliest to echo are masked too
  // (provspec's own outputs redact every form it knows; this covers anything else that logs).
  if (secret)
    for (const form of new Set([
      secret,
      encodeURIComponent(secret),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
    ]))
      core.setSecret(form);
  const inputs = readInputs((name) => core.getInput(name));
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  if (core.getState(STATE.post) === 'true') return postCleanup(inputs, workspace);
  core.saveState(STATE.post, 'true');
  const outcome = inputs.mode === 'merge' ? await mergeShardReports(inputs, workspace) : await runSpecs(inputs, workspace, stop.signal);
  await publish(inputs, workspace, outcome);
}

try {
  await main();
} catch (error) {
  if (error instanceof InputError || error instanceof SpecFileError || error instanceof PlanError || error instanceof ReportFormatError) {
    core.setFailed(`provspec: ${error.message}`);
  } else {
    core.setFailed(`provspec: unexpected failure: ${(error as Error).stack ?? String(error)}`);
  }
}
