// `provspec drift <spec>`: a read-only report of where the target differs from the spec's
// identities and role rules (core/drift). Exit codes: 0 no drift, 1 drift found, 2 an invalid
// spec, a usage error, or a target that could not be read (or only in part).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { validateText } from '../../core/validate/index.ts';
import { openTarget } from '../../core/run/target.ts';
import { codeFrame } from '../../core/report/code-frame.ts';
import { driftSpecErrors, runDrift } from '../../core/drift/drift.ts';
import { renderDriftMarkdown, renderDriftPretty, toDriftJson, type Paint } from '../../core/drift/report.ts';
import type { Diagnostic } from '../../core/diagnostic.ts';
import { displayPath, findSpecFiles, UsageError } from '../files.ts';
import { makeStyler } from '../style.ts';
import type { CommandIO } from '../io.ts';

export const DRIFT_HELP = `Usage: provspec drift [options] <spec>

Reads every user on the spec's SCIM target and the spec's groups, and reports, per person, each
mapped attribute, granted role and group membership where the target differs from what the
spec's identities and role rules say; identities with no account (missing); and accounts no
identity describes (orphans: leavers never deprovisioned?). Read-only: only GET requests are sent.
People are matched by drift.match (default: externalId where the mapping maps it, else userName);
at most drift.maxUsers users are read (default 100000; the report says when it stopped).

Options:
  --report FILE           write the JSON report (- for stdout, instead of the pretty output)
  --markdown FILE         write a Markdown summary (- for stdout, instead of the pretty output)
  --max-users N           read at most N users (overrides drift.maxUsers)
  --base-url URL          read this SCIM base URL instead of the spec's
  --allowed-origin URL    the only origin(s) the credential may go to (repeatable)
  --color, --no-color     force or disable colour
  -h, --help              show this help

Exit codes: 0 no drift, 1 drift found, 2 invalid spec, unset environment variable, usage error, or
a target that could not be read (or read only in part: see "Not judged").`;

export async function driftCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      report: { type: 'string' },
      markdown: { type: 'string' },
      'max-users': { type: 'string' },
      'base-url': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${DRIFT_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('name the one spec to compare its target with (e.g. provspec drift spec.provspec.yaml)');
  if (values.report === '-' && values.markdown === '-') throw new UsageError('only one of --report and --markdown can go to stdout (-)');
  let maxUsers: number | undefined;
  if (values['max-users'] !== undefined) {
    maxUsers = Number(values['max-users']);
    if (!Number.isInteger(maxUsers) || maxUsers < 1)
      throw new UsageError(`--max-users must be a whole number of at least 1, not "${values['max-users']}"`);
  }

  const [file] = await findSpecFiles(positionals, io.cwd);
  const display = displayPath(file!, io.cwd);
  const text = await readFile(file!, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${positionals[0]}: cannot read (${error.code ?? error.message})`);
  });
  const { document, spec, diagnostics } = validateText(text, display);
  const errors: Diagnostic[] = diagnostics.filter((d) => d.severity === 'error');
  if (!errors.length && spec)
    errors.push(...driftSpecErrors(display, document, spec, io.env, { baseUrlGiven: values['base-url'] !== undefined }));
  if (errors.length || !spec) {
    for (const d of errors)
      io.stderr.write(
        `${display}:${d.range.start.line + 1}:${d.range.start.character + 1}: ` +
          `error ${d.code}: ${d.message}\n${codeFrame(text, document.lineStarts, d.range)}\n\n`,
      );
    io.stderr.write('provspec drift: the spec above cannot be used; nothing was sent.\n');
    return 2;
  }

  const opened = await openTarget(spec, document, {
    env: io.env,
    // Request ids only (drift tags nothing): the runner's form, without loading the runner.
    runId: randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6),
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    ...(values['allowed-origin']?.length ? { allowedOrigins: values['allowed-origin'] } : {}),
  });
  if ('error' in opened) {
    const { range, message } = opened.error;
    io.stderr.write(`${display}:${range.start.line + 1}:${range.start.character + 1}: error: ${message}\n`);
    return 2;
  }
  const { client, secrets, vars, baseUrl } = opened.target;
  let report;
  try {
    report = await runDrift({
      file: display,
      document,
      spec,
      client,
      secrets,
      baseUrl,
      env: io.env,
      vars,
      ...(maxUsers !== undefined ? { maxUsers } : {}),
      ...(io.stop ? { signal: io.stop } : {}),
    });
  } finally {
    await client.close();
  }

  const write = async (target: string, content: string) => {
    if (target === '-') {
      io.stdout.write(content);
      return;
    }
    const absolute = path.resolve(io.cwd, target);
    await mkdir(path.dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
  };
  if (values.report !== undefined) await write(values.report, toDriftJson(report));
  if (values.markdown !== undefined) await write(values.markdown, renderDriftMarkdown(report));
  if (values.report !== '-' && values.markdown !== '-') {
    const style = makeStyler(io.stdout, values['no-color'] ? false : values.color);
    const paint: Paint = (s, t) => style(s, t);
    io.stdout.write(renderDriftPretty(report, paint));
  }
  if (report.error) {
    const { line, column, message } = report.error;
    io.stderr.write(`${display}:${line}:${column}: error: ${message}\n`);
    return 2;
  }
  if (io.stop?.aborted) return 130;
  return report.problems.length ? 2 : report.drift ? 1 : 0;
}
