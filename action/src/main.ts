// The GitHub Action: inputs in; validation, run (or merge of shard reports) through core;
// annotations at the spec ranges, a job summary, reports and outputs out.
import * as core from '@actions/core';
import * as github from '@actions/github';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { displayPath, findFiles, findSpecFiles, UsageError } from '../../core/files.ts';
import { checkSources, planSpecs, runPlans, type CheckedSpec } from '../../core/run/session.ts';
import { newRunId } from '../../core/run/runner.ts';
import { PlanError } from '../../core/plan/plan.ts';
import { totalsOf, type SpecResult } from '../../core/run/result.ts';
import { checkAnnotations, diagnosticAnnotations, type Annotation } from '../../core/report/annotations.ts';
import { toJsonReport, type JsonReport } from '../../core/report/json.ts';
import { fromJsonReport, mergeReports, parseJsonReport, ReportFormatError } from '../../core/report/merge.ts';
import { toJunit } from '../../core/report/junit.ts';
import { toSarif } from '../../core/report/sarif.ts';
import { toMarkdownSummary } from '../../core/report/markdown.ts';
import { traceCallbacks } from '../../core/report/trace.ts';
import { failureBlock, scenarioLine, summary as textSummary, type Paint, type SourceText } from '../../core/report/pretty.ts';
import { readInputs, InputError, type ActionInputs } from './inputs.ts';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';
import { annotate, type CheckRunTarget } from './annotate.ts';
import { untrusted } from './log.ts';
import { specEnvironment } from './spec-env.ts';

declare const PROVSPEC_VERSION: string;

const plain: Paint = (_style, text) => text;

/** Names from a spec (scenarios, files) are the pull request's text: one line, so never a command. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

interface Outcome {
  results: SpecResult[];
  report: JsonReport;
  checked: CheckedSpec[];
  notes: string[];
}

async function main(): Promise<void> {
  // Mask first: nothing may print the credential, not even an input error.
  const secret = core.getInput('token');
  if (secret) core.setSecret(secret);
  const inputs = readInputs((name) => core.getInput(name));
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const outcome = inputs.mode === 'merge' ? await merge(inputs, workspace) : await run(inputs, workspace);
  await finish(inputs, workspace, outcome);
}

function emptyReport(): JsonReport {
  return toJsonReport([], { runId: newRunId(), startedAt: new Date().toISOString(), ms: 0 });
}

async function run(given: ActionInputs, workspace: string): Promise<Outcome> {
  let inputs = given;
  const files = await findSpecFiles(inputs.specs, workspace);
  const sources = await Promise.all(files.map(async (file) => ({ display: displayPath(file, workspace), text: await readFile(file, 'utf8') })));
  const checked = checkSources(sources);
  core.info(oneLine(`provspec: ${files.length} spec${files.length === 1 ? '' : 's'}: ${sources.map((s) => s.display).join(', ')}`));
  if (checked.some((c) => c.errors.length)) {
    return { results: [], report: emptyReport(), checked, notes: ['The specs have errors (annotated on their lines); nothing was sent.'] };
  }
  let server: ReferenceServer | undefined;
  if (inputs.embedded) {
    server = await startReferenceServer({});
    core.setSecret(server.token);
    core.info(`provspec: embedded reference SCIM server on ${server.baseUrl}`);
    inputs = { ...inputs, baseUrl: server.baseUrl, token: server.token, allowedOrigins: [new URL(server.baseUrl).origin] };
  }
  try {
    return await runChecked(inputs, workspace, checked, server);
  } finally {
    await server?.close();
  }
}

async function runChecked(inputs: ActionInputs, workspace: string, checked: CheckedSpec[], server: ReferenceServer | undefined): Promise<Outcome> {
  if (!inputs.token) {
    return {
      results: [],
      report: emptyReport(),
      checked,
      notes: ['The run was skipped: the `token` input is empty, so the specs were only validated. Pull requests from forks get no secrets; run the specs on a branch of this repository, or in a workflow whose environment holds the SCIM token.'],
    };
  }
  const plans = planSpecs(checked, {
    ...(inputs.scenarios.length ? { scenarios: inputs.scenarios } : {}),
    ...(inputs.dialect ? { dialect: inputs.dialect } : {}),
    ...(inputs.shard ? { shard: inputs.shard } : {}),
  });
  const notes: string[] = server ? [`Ran against the built-in reference SCIM server (input \`embedded\`), not your endpoint: this shows the specs are sound and what a correct server answers.`] : [];
  if (inputs.allowedOrigins.length === 0) notes.push('Neither `base-url` nor `allowed-origins` was given, so the credential may go nowhere: a target that only a spec names is not trusted.');

  const env = specEnvironment(process.env, { token: inputs.token, ...(inputs.baseUrl ? { baseUrl: inputs.baseUrl } : {}) });
  if (server) env['APP_URL'] ??= server.appUrl;

  const controller = new AbortController();
  const stop = (signal: string) => {
    core.info(`provspec: ${signal}; stopping and removing what this run created…`);
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let trace: WriteStream | undefined;
  const runId = newRunId();
  try {
    if (inputs.trace) {
      await mkdir(path.dirname(path.resolve(workspace, inputs.trace)), { recursive: true });
      trace = createWriteStream(path.resolve(workspace, inputs.trace));
    }
    const traceOf = traceCallbacks((line) => trace?.write(line), runId);
    const session = await runPlans(plans, {
      env,
      runId,
      signal: controller.signal,
      allowedOrigins: inputs.allowedOrigins,
      ...(inputs.baseUrl ? { baseUrl: inputs.baseUrl } : {}),
      perPlan: (plan) => {
        const traced = trace ? traceOf(plan) : {};
        return { ...traced, onScenarioEnd: (scenario) => {
          core.info(oneLine(scenarioLine(plan.file, scenario, plain)));
          traced.onScenarioEnd?.(scenario);
        } };
      },
    });
    return { results: session.results, report: session.report, checked, notes };
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (trace) await new Promise<void>((resolve) => trace!.end(resolve));
  }
}

async function merge(inputs: ActionInputs, workspace: string): Promise<Outcome> {
  const files = await findFiles(inputs.results, workspace);
  const reports = await Promise.all(files.map(async (file) => parseJsonReport(await readFile(file, 'utf8'), displayPath(file, workspace))));
  const report = mergeReports(reports);
  core.info(`provspec: merged ${reports.length} report${reports.length === 1 ? '' : 's'}: ${files.map((f) => displayPath(f, workspace)).join(', ')}`);
  return { results: fromJsonReport(report), report, checked: [], notes: [] };
}

async function finish(inputs: ActionInputs, workspace: string, outcome: Outcome): Promise<void> {
  const { results, report, checked } = outcome;
  const totals = totalsOf(results);
  const invalid = checked.some((c) => c.errors.length);
  const warnings = checked.reduce((n, c) => n + c.warnings.length, 0);
  const failing = totals.fail + totals.error > 0 || results.some((r) => r.error || r.orphans.length);

  // The log: failures with their spec line; server text fenced off from the command parser.
  const frames = new Map<string, SourceText>(checked.map((c) => [c.source.display, { text: c.source.text, lineStarts: c.result.document.lineStarts }]));
  const failures = results.flatMap((r) => r.scenarios.flatMap((s) => s.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => failureBlock(r.file, c, frames.get(r.file), plain))));
  const log = [...failures, ...results.flatMap((r) => (r.error ? [`${r.file}: ${r.error.message}`] : [])), ...(results.length ? [textSummary(results, report.ms, plain)] : [])];
  if (log.length) untrusted((text) => process.stdout.write(text), log.join('\n\n'));

  // Reports.
  const reportPath = path.resolve(workspace, inputs.report);
  await write(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  if (inputs.junit) await write(path.resolve(workspace, inputs.junit), toJunit(results));
  const annotations: Annotation[] = [...checked.flatMap((c) => diagnosticAnnotations(c.source.display, c.result.diagnostics)), ...checkAnnotations(results)];
  if (inputs.sarif) await write(path.resolve(workspace, inputs.sarif), toSarif(annotations, { version: PROVSPEC_VERSION }));

  // Annotations, then the summary that says where they went.
  const conclusion = failing || invalid ? 'failure' : 'success';
  const notes = [...outcome.notes, ...await annotate(annotations, inputs.annotations, () => checkRunTarget(inputs, conclusion, results))];
  for (const note of notes) core.info(`provspec: ${note}`);
  if (inputs.summary) {
    const markdown = toMarkdownSummary({
      specs: results,
      diagnostics: checked.map((c) => ({ file: c.source.display, diagnostics: c.result.diagnostics })),
      notes,
      ms: report.ms,
      runId: report.runId,
    });
    await core.summary.addRaw(markdown).write();
  }

  core.setOutput('passed', totals.pass);
  core.setOutput('failed', totals.fail);
  core.setOutput('errored', totals.error);
  core.setOutput('report', reportPath);

  const fails = inputs.failOn !== 'never' && (failing || invalid || (inputs.failOn === 'warning' && warnings > 0));
  if (fails) {
    core.info(`provspec: failing the step (fail-on: ${inputs.failOn}): ${invalid ? 'invalid specs' : `${totals.fail} failed, ${totals.error} errored checks${warnings && inputs.failOn === 'warning' ? `, ${warnings} warnings` : ''}`}.`);
    process.exitCode = 1;
  }
}

function checkRunTarget(inputs: ActionInputs, conclusion: CheckRunTarget['conclusion'], results: readonly SpecResult[]): CheckRunTarget | undefined {
  if (!inputs.githubToken) return undefined;
  const octokit = github.getOctokit(inputs.githubToken);
  const { owner, repo } = github.context.repo;
  const pull = github.context.payload.pull_request as { head?: { sha?: string } } | undefined;
  const totals = totalsOf(results);
  type Create = Parameters<typeof octokit.rest.checks.create>[0];
  type Update = Parameters<typeof octokit.rest.checks.update>[0];
  return {
    name: inputs.shard ? `provspec (shard ${inputs.shard.index}/${inputs.shard.count})` : 'provspec',
    // Annotations belong on the commit the author pushed, not on the temporary merge commit.
    headSha: pull?.head?.sha ?? github.context.sha,
    conclusion,
    title: `${totals.fail} failed, ${totals.error} errored, ${totals.pass} passed`,
    summary: `provspec checked ${results.length} spec${results.length === 1 ? '' : 's'}: ${totals.pass} checks passed, ${totals.fail} failed, ${totals.error} errored, ${totals.skipped} skipped.`,
    client: {
      create: async (body) => {
        const { data } = await octokit.rest.checks.create({ owner, repo, ...body } as Create);
        return { id: data.id, ...(data.html_url ? { html_url: data.html_url } : {}) };
      },
      update: async (id, body) => {
        await octokit.rest.checks.update({ owner, repo, check_run_id: id, ...body } as Update);
      },
    },
  };
}

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
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
