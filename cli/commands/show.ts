// `provspec show TRACE`: a recorded run's journeys in the terminal: each scenario's exchanges and
// checks in the order they happened, or everything that happened to one person or resource.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { journeys, renderJourneys } from '../../core/report/journey.ts';
import { readTraceFile } from '../trace-file.ts';
import type { Paint } from '../../core/report/pretty.ts';
import { UsageError } from '../files.ts';
import { makeStyler } from '../style.ts';
import type { CommandIO } from '../io.ts';

export const SHOW_HELP = `Usage: provspec show [options] <trace.ndjson>

Prints what a recorded run (provspec run --trace FILE) did: for each scenario, its HTTP exchanges
and checks in the order they happened, with their offsets, request ids and the resources they
concern; or, with --user, everything that happened to one person across every scenario.

Options:
  --scenario NAME         only this scenario (name, or section.name)
  --user NAME|ID          one person's journey: the spec's identity name, or a SCIM resource id
  --failed                only journeys with a failing or erroring check
  --color, --no-color     force or disable colour
  -h, --help              show this help

Exit codes: 0 shown, 1 nothing matched, 2 an unreadable trace or usage error.`;

export async function showCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scenario: { type: 'string' },
      user: { type: 'string' },
      failed: { type: 'boolean' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${SHOW_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('name one trace (e.g. provspec show trace.ndjson)');
  const events = await readTraceFile(path.resolve(io.cwd, positionals[0]!), positionals[0]!);
  const found = journeys(events, {
    ...(values.scenario ? { scenario: values.scenario } : {}),
    ...(values.user ? { user: values.user } : {}),
    ...(values.failed ? { failed: true } : {}),
  });
  const style = makeStyler(io.stdout, values['no-color'] ? false : values.color);
  const paint: Paint = (s, t) => style(s, t);
  if (found.length === 0) {
    const what = [
      values.user ? `person ${values.user}` : undefined,
      values.scenario ? `scenario ${values.scenario}` : undefined,
      values.failed ? 'a failure' : undefined,
    ].filter(Boolean);
    io.stderr.write(`provspec show: nothing in ${positionals[0]} matches ${what.join(' with ') || 'anything'}\n`);
    return 1;
  }
  io.stdout.write(`${renderJourneys(found, paint)}\n`);
  return 0;
}
