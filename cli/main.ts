// `provspec <command>`: argv in, exit code out. Commands translate between the terminal and core/.
import type { CommandIO } from './io.ts';
import { SpecFileError, UsageError } from './files.ts';
import { version } from './version.ts';
import { catchSignals } from './signals.ts';

const HELP = `provspec — prove that SCIM 2.0 user provisioning works end to end

Usage: provspec <command> [options]

Commands:
  validate <paths…>   check specs for mistakes, without sending any request
  run <paths…>        run the specs' scenarios against their SCIM target (or --embedded)
  merge <reports…>    combine the JSON reports of a sharded run into one
  show <trace>        print a recorded run's journeys: per scenario, or one person's (--user)
  replay <trace>      send a recorded scenario's requests again; say whether its failures still fail
  cleanup <spec>      find (and with --yes delete) what killed runs left on the target
  drift <spec>        report where the target's users and groups differ from the spec (read-only)
  serve               run the reference SCIM 2.0 server (in memory or --db FILE)
  init [file]         write a starter spec
  lsp --stdio         run the language server

Run "provspec <command> --help" for a command's options.
Exit codes: 0 success, 1 checks or validation failed, 2 usage error, 3 internal error (a bug in
provspec: please report it), 130 interrupted.`;

type Command = (argv: string[], io: CommandIO) => Promise<number>;

/** Commands that stop themselves on SIGINT/SIGTERM (a run cleans up first; serve closes its server). */
const STOP_THEMSELVES = new Set(['run', 'serve', 'cleanup', 'replay']);

// Each command is loaded when it runs: `validate` must not pay for the runner, the reference
// server or the language server at start-up (the bundle splits them into their own chunks).
const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./commands/validate.ts')).validateCommand,
  run: async () => (await import('./commands/run.ts')).runCommand,
  merge: async () => (await import('./commands/merge.ts')).mergeCommand,
  show: async () => (await import('./commands/show.ts')).showCommand,
  replay: async () => (await import('./commands/replay.ts')).replayCommand,
  cleanup: async () => (await import('./commands/cleanup.ts')).cleanupCommand,
  drift: async () => (await import('./commands/drift.ts')).driftCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  init: async () => (await import('./commands/init.ts')).initCommand,
  lsp: async () => (await import('./commands/lsp.ts')).lspCommand,
};

export async function main(
  argv: string[],
  io: CommandIO = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(`provspec: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  const stop = io.stop ?? catchSignals(io.stderr).controller.signal;
  try {
    const command = (await load())(rest, { ...io, stop });
    if (STOP_THEMSELVES.has(name)) return await command;
    const interrupted = new Promise<number>((resolve) => {
      if (stop.aborted) resolve(130);
      else stop.addEventListener('abort', () => resolve(130), { once: true });
    });
    return await Promise.race([command, interrupted]);
  } catch (error) {
    if (error instanceof UsageError || error instanceof SpecFileError || isParseArgsError(error)) {
      io.stderr.write(`provspec ${name}: ${(error as Error).message}\nRun "provspec ${name} --help" for usage.\n`);
      return 2;
    }
    // Not a verdict on anyone's server or spec: provspec itself went wrong. Its own exit code, so
    // that CI does not read it as a failed check; the stack only when asked for.
    const e = error as Error;
    io.stderr.write(
      `provspec ${name}: internal error: ${e?.message ?? String(error)}\nThis is a bug in provspec; please report it ` +
        `with the command that caused it${io.env['PROVSPEC_DEBUG'] ? '' : ' (PROVSPEC_DEBUG=1 prints the stack)'}.\n`,
    );
    if (io.env['PROVSPEC_DEBUG'] && e?.stack) io.stderr.write(`${e.stack}\n`);
    return 3;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
