// `provspec replay TRACE`: a recorded scenario's requests sent again to the target as it is now,
// and each of its failures read again on the new answers: reproduce a CI failure from its trace,
// and confirm the fix. Credentials from the environment, through the spec the trace names.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { journeys } from '../../core/report/journey.ts';
import { readTraceFile } from '../trace-file.ts';
import { validateText } from '../../core/validate/index.ts';
import { openTarget } from '../../core/run/target.ts';
import { newRunId } from '../../core/run/runner.ts';
import { replayScenario, type ReplayVerdict } from '../../core/session/replay.ts';
import { UsageError } from '../files.ts';
import { makeStyler } from '../style.ts';
import type { CommandIO } from '../io.ts';

export const REPLAY_HELP = `Usage: provspec replay [options] <trace.ndjson>

Sends a recorded scenario's requests (provspec run --trace FILE) again, in order, to the target
as it is now, and reads each of the scenario's failures again on the new answers: the same field
the check compared, against what it expected. Reproduce a CI run's failure locally; confirm a fix.
The run tag is renewed and ids are remapped from the new answers; credentials come from the
environment through the spec the trace names (its target.auth and allowed origins), never from
the trace. What the replay creates is removed at the end.

Options:
  --scenario NAME         the scenario to replay (name, or section.name); default: every scenario
                          with a failing check
  --against URL           the SCIM base URL to replay against (default: the spec's target.baseUrl)
  --color, --no-color     force or disable colour
  -h, --help              show this help

Exit codes: 0 every failure replayed now passes (or the trace has none), 1 a failure still fails or
answers differently,
2 an unreadable trace, a spec or environment it needs, or a usage error.`;

const MARK: Record<ReplayVerdict, [string, 'green' | 'red' | 'yellow' | 'dim']> = {
  'now passes': ['✔', 'green'],
  'still fails': ['✖', 'red'],
  'answers differently': ['▲', 'yellow'],
  'not replayed': ['-', 'dim'],
};

export async function replayCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scenario: { type: 'string' },
      against: { type: 'string' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${REPLAY_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('name one trace (e.g. provspec replay trace.ndjson)');
  if (values.against !== undefined && !URL.canParse(values.against)) throw new UsageError(`--against is not a URL: ${values.against}`);
  const events = await readTraceFile(path.resolve(io.cwd, positionals[0]!), positionals[0]!);
  const selected = journeys(events, {
    ...(values.scenario ? { scenario: values.scenario } : { failed: true }),
  }).filter((j) => j.file !== undefined);
  if (selected.length === 0) {
    // A run that failed nothing has nothing to reproduce; a scenario the trace does not hold is a mistake.
    if (!values.scenario) {
      io.stdout.write(`provspec replay: nothing to replay: ${positionals[0]} has no failing scenario (name one with --scenario)\n`);
      return 0;
    }
    io.stderr.write(`provspec replay: ${positionals[0]} holds no scenario ${values.scenario}\n`);
    return 2;
  }
  const style = makeStyler(io.stdout, values['no-color'] ? false : values.color);
  const recordedRunId = events[0]!.runId;
  let allPass = true;
  for (const journey of selected) {
    const scenarioEvent = events.find(
      (e) => e.type === 'scenario' && `${e.section}.${e.scenario}` === journey.title && e.file === journey.file,
    )!;
    const file = journey.file!;
    const text = await readFile(path.resolve(io.cwd, file), 'utf8').catch(() => undefined);
    if (text === undefined)
      throw new UsageError(`${file}, the spec the trace names, cannot be read from ${io.cwd}: replay needs its target and auth`);
    const validated = validateText(text, file);
    if (!validated.spec) throw new UsageError(`${file} is not a valid spec now: run provspec validate ${file}`);
    const runId = newRunId();
    const opened = await openTarget(validated.spec, validated.document, {
      env: io.env,
      runId,
      ...(values.against ? { baseUrl: values.against } : {}),
    });
    if ('error' in opened) throw new UsageError(`${file}:${opened.error.range.start.line + 1}: ${opened.error.message}`);
    const { client } = opened.target;
    try {
      io.stdout.write(
        `${style('bold', `replay ${journey.title}`)} ` +
          `${style('dim', `${file} · recorded in run ${recordedRunId} · against ${opened.target.baseUrl} as run ${runId}`)}\n`,
      );
      const result = await replayScenario({
        events,
        file,
        section: String(scenarioEvent.section),
        scenario: String(scenarioEvent.scenario),
        client,
        recordedRunId,
        runId,
        ...(io.stop ? { signal: io.stop } : {}),
      });
      for (const { recorded, now } of result.exchanges) {
        const was = String(recorded.status ?? recorded.error ?? '—');
        const is = String(now.status ?? now.error ?? '—');
        const line = `  ${recorded.method} ${shortPath(now.url)} ${was} → ${is}`;
        io.stdout.write(`${was === is ? style('dim', line) : style('yellow', `${line}  (differs)`)}\n`);
      }
      if (result.checks.length === 0) io.stdout.write(style('dim', '  the recording has no failing check in this scenario\n'));
      for (const replayed of result.checks) {
        const [mark, colour] = MARK[replayed.verdict];
        if (replayed.verdict !== 'now passes') allPass = false;
        io.stdout.write(
          `${style(colour, `${mark} ${replayed.verdict}`)}  ${replayed.check.id}  ${replayed.detail}  ` +
            `${style('dim', `${file}:${replayed.check.line ?? '?'}:${replayed.check.column ?? '?'}`)}\n`,
        );
      }
      io.stdout.write(`${style('dim', `  cleanup: ${result.created} created, ${result.removed} removed${leftText(result.left)}`)}\n\n`);
      if (result.left.length) allPass = false;
    } finally {
      await client.close();
    }
  }
  if (io.stop?.aborted) return 130;
  return allPass ? 0 : 1;
}

function leftText(left: readonly string[]): string {
  return left.length ? `, left: ${left.join('; ')}` : ', nothing left behind';
}

function shortPath(url: string): string {
  try {
    const parsed = new URL(url);
    const shown = `${parsed.pathname}${parsed.search}`;
    return shown.length > 90 ? `${shown.slice(0, 89)}…` : shown;
  } catch {
    return url;
  }
}
