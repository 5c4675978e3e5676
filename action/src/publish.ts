// Where an outcome goes on GitHub: the log (server text fenced), the report files, annotations,
// the job summary, the step's outputs and its exit code.
import * as core from '@actions/core';
import * as github from '@actions/github';
import path from 'node:path';
import { runFailed, totalsOf, type SpecResult } from '../../core/run/result.ts';
import { toAnnotations } from '../../core/report/annotations.ts';
import { fromDiagnostic, runFindings } from '../../core/report/finding.ts';
import { writeOutputs } from '../../core/session/outputs.ts';
import { toMarkdownSummary } from '../../core/report/markdown.ts';
import { failureBlocks, summary as textSummary, type SourceText } from '../../core/report/pretty.ts';
import type { ActionInputs } from './inputs.ts';
import { annotate, type CheckRunTarget } from './annotate.ts';
import { untrusted } from './log.ts';
import { plain, type Outcome } from './outcome.ts';

declare const PROVSPEC_VERSION: string;

export async function publish(inputs: ActionInputs, workspace: string, outcome: Outcome): Promise<void> {
  const { results, report, checked } = outcome;
  const totals = totalsOf(results);
  const invalid = checked.some((c) => c.errors.length);
  const warnings = checked.reduce((n, c) => n + c.warnings.length, 0);
  const failing = runFailed(results, { strict: inputs.strict });

  // The log: failures with their spec line; server text fenced off from the command parser.
  const frames = new Map<string, SourceText>(
    checked.map((c) => [c.source.display, { text: c.source.text, lineStarts: c.result.document.lineStarts }]),
  );
  const failures = failureBlocks(results, frames, plain);
  const log = [
    ...failures,
    ...results.flatMap((r) => (r.error ? [`${r.file}: ${r.error.message}`] : [])),
    ...(results.length ? [textSummary(results, outcome.ms, plain)] : []),
  ];
  if (log.length) untrusted((text) => process.stdout.write(text), log.join('\n\n'));

  // Reports.
  const reportPath = path.resolve(workspace, inputs.report);
  const validation = checked.flatMap((c) => c.result.diagnostics.map((d) => fromDiagnostic(c.source.display, d)));
  const findings = [...validation, ...runFindings(results)];
  const annotations = toAnnotations(findings);
  await writeOutputs(
    {
      report: reportPath,
      ...(inputs.junit ? { junit: path.resolve(workspace, inputs.junit) } : {}),
      ...(inputs.audit ? { audit: path.resolve(workspace, inputs.audit) } : {}),
      ...(inputs.sarif ? { sarif: path.resolve(workspace, inputs.sarif) } : {}),
    },
    { ...(report ? { report } : {}), runId: outcome.runId, ms: outcome.ms, results, version: PROVSPEC_VERSION, findings },
  );

  // Annotations, then the summary that says where they went.
  const conclusion = failing || invalid ? 'failure' : 'success';
  const notes = [...outcome.notes, ...(await annotate(annotations, inputs.annotations, () => checkRunTarget(inputs, conclusion, results)))];
  for (const note of notes) core.info(`provspec: ${note}`);
  if (inputs.summary) {
    const markdown = toMarkdownSummary({
      specs: results,
      validation,
      notes,
      ms: outcome.ms,
      runId: outcome.runId,
    });
    await core.summary.addRaw(markdown).write();
  }

  core.setOutput('passed', totals.pass);
  core.setOutput('failed', totals.fail);
  core.setOutput('errored', totals.error);
  core.setOutput('report', reportPath);

  const fails = inputs.failOn !== 'never' && (failing || invalid || (inputs.failOn === 'warning' && warnings > 0));
  if (fails) {
    const warned = warnings && inputs.failOn === 'warning' ? `, ${warnings} warnings` : '';
    const counts = `${totals.fail} failed, ${totals.error} errored checks${warned}`;
    core.info(`provspec: failing the step (fail-on: ${inputs.failOn}): ${invalid ? 'invalid specs' : counts}.`);
    process.exitCode = 1;
  }
}

function checkRunTarget(
  inputs: ActionInputs,
  conclusion: CheckRunTarget['conclusion'],
  results: readonly SpecResult[],
): CheckRunTarget | undefined {
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
    summary:
      `provspec checked ${results.length} spec${results.length === 1 ? '' : 's'}: ${totals.pass} ` +
      `checks passed, ${totals.fail} failed, ${totals.error} errored, ${totals.skipped} skipped.`,
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
