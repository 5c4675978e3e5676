// The post step (action.yml `post:`), run when the job failed or was cancelled: if the main step
// was killed before its own cleanup finished (a cancelled job gets SIGINT, SIGTERM, then
// SIGKILL), what its run created is still on the target. Found by the run's tag, through the
// same spec target and credential, and removed. Nothing without this run's tag is touched.
import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import { displayPath, findSpecFiles } from '../../core/files.ts';
import { checkSources } from '../../core/session/session.ts';
import { openTarget } from '../../core/run/target.ts';
import { findTagged, removeTagged } from '../../core/run/sweep.ts';
import type { ActionInputs } from './inputs.ts';
import { oneLine } from './outcome.ts';
import { specEnvironment } from './spec-env.ts';

/** State the main step leaves for the post step. */
export const STATE = { post: 'isPost', runId: 'run-id', cleaned: 'cleaned' } as const;

export async function postCleanup(inputs: ActionInputs, workspace: string): Promise<void> {
  const runId = core.getState(STATE.runId);
  if (!runId || core.getState(STATE.cleaned) === 'true' || inputs.embedded || !inputs.token) {
    core.info('provspec: nothing to clean up (the run cleaned up after itself, or never started)');
    return;
  }
  const files = await findSpecFiles(inputs.specs, workspace);
  const sources = await Promise.all(
    files.map(async (file) => ({ display: displayPath(file, workspace), text: await readFile(file, 'utf8') })),
  );
  const env = specEnvironment(process.env, { token: inputs.token, ...(inputs.baseUrl ? { baseUrl: inputs.baseUrl } : {}) });
  // Every target the specs name, each once: a run may have spanned several.
  const seen = new Set<string>();
  let left = 0;
  for (const { result } of checkSources(sources)) {
    if (!result.spec) continue;
    const opened = await openTarget(result.spec, result.document, {
      env,
      runId: `${runId}-post`,
      allowedOrigins: inputs.allowedOrigins,
      ...(inputs.baseUrl ? { baseUrl: inputs.baseUrl } : {}),
    });
    if ('error' in opened) continue;
    const { client, baseUrl } = opened.target;
    try {
      if (seen.has(baseUrl)) continue;
      seen.add(baseUrl);
      const findings = await findTagged(client, { runId });
      for (const problem of findings.problems) core.warning(oneLine(`provspec cleanup: ${problem}`));
      const outcome = await removeTagged(client, findings.found);
      core.info(
        oneLine(
          `provspec: cleanup after the cancelled run ${runId} on ${baseUrl}: ${outcome.removed.length} ` +
            `of ${findings.found.length} tagged resources removed`,
        ),
      );
      for (const { resource, reason } of outcome.failed) {
        left++;
        core.warning(oneLine(`provspec: left on the target: ${resource.resourceType} ${resource.id} (${resource.name}): ${reason}`));
      }
      left += findings.problems.length;
    } finally {
      await client.close();
    }
  }
  if (left)
    core.setFailed(
      `provspec: the run ${runId} may have left resources on the target ` +
        `(above); \`provspec cleanup <spec> --run ${runId} --yes\` removes them`,
    );
}
