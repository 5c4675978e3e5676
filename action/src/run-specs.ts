// mode: run - find and validate the specs, then run them against the endpoint the workflow
// names (or the built-in reference server), with the credential kept to the allowed origins.
import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { displayPath, findSpecFiles } from '../../core/files.ts';
import { checkEnvironment, checkSources, planSpecs, runSession, type CheckedSpec } from '../../core/session/session.ts';
import { newRunId } from '../../core/run/runner.ts';
import { toJsonReport, type JsonReport } from '../../core/report/json.ts';
import { scenarioLine } from '../../core/report/pretty.ts';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';
import type { ActionInputs } from './inputs.ts';
import { oneLine, plain, type Outcome } from './outcome.ts';
import { specEnvironment } from './spec-env.ts';
import { STATE } from './post-cleanup.ts';

/** A run that never started still leaves a (empty) report where the workflow expects one. */
function notRun(): { report: JsonReport; runId: string; ms: number } {
  const report = toJsonReport([], { runId: newRunId(), startedAt: new Date().toISOString(), ms: 0 });
  return { report, runId: report.runId, ms: 0 };
}

export async function runSpecs(given: ActionInputs, workspace: string, stop: AbortSignal): Promise<Outcome> {
  let inputs = given;
  const files = await findSpecFiles(inputs.specs, workspace);
  const sources = await Promise.all(
    files.map(async (file) => ({ display: displayPath(file, workspace), text: await readFile(file, 'utf8') })),
  );
  const checked = checkSources(sources);
  core.info(oneLine(`provspec: ${files.length} spec${files.length === 1 ? '' : 's'}: ${sources.map((s) => s.display).join(', ')}`));
  if (checked.some((c) => c.errors.length)) {
    return { results: [], ...notRun(), checked, notes: ['The specs have errors (annotated on their lines); nothing was sent.'] };
  }
  let server: ReferenceServer | undefined;
  if (inputs.embedded) {
    server = await startReferenceServer({});
    core.setSecret(server.token);
    core.info(`provspec: embedded reference SCIM server on ${server.baseUrl}`);
    inputs = { ...inputs, baseUrl: server.baseUrl, token: server.token, allowedOrigins: [new URL(server.baseUrl).origin] };
  }
  try {
    return await runChecked(inputs, workspace, checked, server, stop);
  } finally {
    await server?.close();
  }
}

async function runChecked(
  inputs: ActionInputs,
  workspace: string,
  checked: CheckedSpec[],
  server: ReferenceServer | undefined,
  stop: AbortSignal,
): Promise<Outcome> {
  if (!inputs.token) {
    return {
      results: [],
      ...notRun(),
      checked,
      notes: [
        'The run was skipped: the `token` input is empty, so the specs were only validated. Pull requests from ' +
          'forks get no secrets; run the specs on a branch of this repository, or in a workflow whose environment ' +
          'holds the SCIM token; `embedded: true` runs them against the built-in reference server without any secret.',
      ],
    };
  }
  const plans = planSpecs(checked, {
    ...(inputs.scenarios.length ? { scenarios: inputs.scenarios } : {}),
    ...(inputs.dialect ? { dialect: inputs.dialect } : {}),
    ...(inputs.shard ? { shard: inputs.shard } : {}),
  });
  const notes: string[] = server
    ? [
        `Ran against the built-in reference SCIM server (input \`embedded\`), not your ` +
          `endpoint: this shows the specs are sound and what a correct server answers.`,
      ]
    : [];
  if (inputs.allowedOrigins.length === 0)
    notes.push(
      'Neither `base-url` nor `allowed-origins` was given, so the credential ' +
        'may go nowhere: a target that only a spec names is not trusted.',
    );

  const env = specEnvironment(process.env, { token: inputs.token, ...(inputs.baseUrl ? { baseUrl: inputs.baseUrl } : {}) });
  if (server) env['APP_URL'] ??= server.appUrl;
  // Unset variables the run needs are errors on their spec lines (annotated like invalid specs), before anything is sent.
  if (checkEnvironment(checked, plans, env, { baseUrlGiven: Boolean(inputs.baseUrl) }).length) {
    return {
      results: [],
      ...notRun(),
      checked,
      notes: [...notes, 'Environment variables the specs need are unset (annotated on their lines); nothing was sent.'],
    };
  }

  if (stop.aborted) {
    return {
      results: [],
      ...notRun(),
      checked,
      notes: [...notes, 'The job was cancelled before the run started; nothing was sent.'],
    };
  }
  const runId = newRunId();
  // For the post step: which run's resources to look for if this step is killed before its cleanup.
  if (!server) core.saveState(STATE.runId, runId);
  const session = await runSession(plans, {
    env,
    runId,
    report: path.resolve(workspace, inputs.report),
    signal: stop,
    allowedOrigins: inputs.allowedOrigins,
    ...(inputs.trace ? { trace: path.resolve(workspace, inputs.trace) } : {}),
    ...(inputs.html ? { html: path.resolve(workspace, inputs.html) } : {}),
    ...(inputs.profile ? { profile: inputs.profile } : {}),
    ...(inputs.baseUrl ? { baseUrl: inputs.baseUrl } : {}),
    onScenarioEnd: (scenario, plan) => core.info(oneLine(scenarioLine(plan.file, scenario, plain))),
  });
  // Every run cleaned up after itself (what it could not remove is in the report, by id).
  core.saveState(STATE.cleaned, 'true');
  if (session.traceError) notes.push(`The trace could not be written: ${session.traceError.message}`);
  if (session.htmlError) notes.push(`The HTML report could not be written: ${session.htmlError.message}`);
  if (session.reportError) throw new Error(`the report could not be written: ${session.reportError.message}`);
  return { results: session.results, runId, ms: session.ms, checked, notes };
}
