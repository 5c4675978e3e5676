// `provspec cleanup <spec>`: after a run that could not clean up (SIGKILL, a crashed machine, a
// cancelled CI job), finds every user and group on the spec's target that carries provspec's run
// tag, lists them, and deletes them with --yes. Never touches a resource without the tag.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkEnvironment, checkSources, planSpecs } from '../../core/session/session.ts';
import { newRunId } from '../../core/run/runner.ts';
import { openTarget } from '../../core/run/target.ts';
import { findTagged, removeTagged, type TaggedResource } from '../../core/run/sweep.ts';
import { codeFrame } from '../../core/report/code-frame.ts';
import { displayPath, findSpecFiles, UsageError } from '../files.ts';
import type { CommandIO } from '../io.ts';

export const CLEANUP_HELP = `Usage: provspec cleanup [options] <spec>

Finds the users and groups that provspec runs left on the spec's target (after a run was killed
and could not clean up), by the run tag in their names (alice+ps-k3j9x2-3@example.test,
"Sales ps-k3j9x2"), and lists them. With --yes, deletes them. A resource without the tag is
never touched.

Options:
  --run ID                only the resources of this run (the id in the report and the tag)
  --older-than DURATION   only resources created longer ago (30m, 1h, 2d; needs meta.created)
  --yes                   delete what was found (without it, only list)
  --base-url URL          target this SCIM base URL instead of the spec's
  --allowed-origin URL    the only origin(s) the credential may go to (repeatable)
  -h, --help              show this help

Exit codes: 0 nothing left (or listed only), 1 some could not be deleted or the search was
incomplete, 2 invalid spec or usage error.`;

export async function cleanupCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      run: { type: 'string' },
      'older-than': { type: 'string' },
      yes: { type: 'boolean' },
      'base-url': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${CLEANUP_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('name the one spec whose target to clean up (its target and credential are used)');
  if (values.run !== undefined && !/^[0-9a-z]{6}$/.test(values.run))
    throw new UsageError(`--run must be a run id (six letters and digits, as in the report), not "${values.run}"`);
  const olderThanMs = values['older-than'] === undefined ? undefined : parseAge(values['older-than']);

  const [file] = await findSpecFiles(positionals, io.cwd);
  const text = await readFile(file!, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${positionals[0]}: cannot read (${error.code ?? error.message})`);
  });
  const checked = checkSources([{ display: displayPath(file!, io.cwd), text }]);
  const spec = checked[0]!;
  const plans = spec.errors.length ? [] : planSpecs(checked, {});
  if (!spec.errors.length) checkEnvironment(checked, plans, io.env, { baseUrlGiven: values['base-url'] !== undefined });
  if (spec.errors.length) {
    for (const d of spec.errors)
      io.stderr.write(
        `${spec.source.display}:${d.range.start.line + 1}:${d.range.start.character + 1}: ` +
          `error ${d.code}: ${d.message}\n${codeFrame(text, spec.result.document.lineStarts, d.range)}\n\n`,
      );
    io.stderr.write('provspec cleanup: the spec above cannot be used; nothing was sent.\n');
    return 2;
  }

  const opened = await openTarget(spec.result.spec!, spec.result.document, {
    env: io.env,
    runId: newRunId(),
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    ...(values['allowed-origin']?.length ? { allowedOrigins: values['allowed-origin'] } : {}),
  });
  if ('error' in opened) {
    io.stderr.write(`provspec cleanup: ${opened.error.message}\n`);
    return 2;
  }
  const { client, baseUrl } = opened.target;
  try {
    const scope =
      `${values.run ? `of run ${values.run}` : 'of any run'}` +
      `${olderThanMs !== undefined ? `, created more than ${values['older-than']} ago` : ''}`;
    const findings = await findTagged(client, {
      ...(values.run ? { runId: values.run } : {}),
      ...(olderThanMs !== undefined ? { olderThanMs } : {}),
      ...(io.stop ? { signal: io.stop } : {}),
    });
    io.stdout.write(
      `${baseUrl}: ${findings.found.length} resource${findings.found.length === 1 ? '' : 's'} with provspec's run tag ${scope}\n`,
    );
    for (const r of findings.found) io.stdout.write(`  ${describe(r)}\n`);
    for (const { resource, reason } of findings.spared) io.stdout.write(`  spared: ${describe(resource)}: ${reason}\n`);
    for (const problem of findings.problems) io.stderr.write(`provspec cleanup: ${problem}\n`);
    if (!values.yes) {
      if (findings.found.length) io.stdout.write('Run again with --yes to delete them.\n');
      return findings.problems.length ? 1 : 0;
    }
    const outcome = await removeTagged(client, findings.found, io.stop);
    for (const { resource, reason } of outcome.failed)
      io.stderr.write(`provspec cleanup: could not delete ${describe(resource)}: ${reason}\n`);
    io.stdout.write(
      `deleted ${outcome.removed.length} ` +
        `of ${findings.found.length}${outcome.failed.length ? `; ${outcome.failed.length} left (above)` : ''}\n`,
    );
    return outcome.failed.length || findings.problems.length ? 1 : 0;
  } finally {
    await client.close();
  }
}

function describe(r: TaggedResource): string {
  return `${r.resourceType} ${r.id} ${JSON.stringify(r.name)} (run ${r.runId}${r.created ? `, created ${r.created}` : ''})`;
}

/** 30m, 1h, 2d, 90s. */
function parseAge(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text);
  if (!match) throw new UsageError(`--older-than must be a duration like 30m, 1h or 2d, not "${text}"`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
