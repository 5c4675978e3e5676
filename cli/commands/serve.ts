// `provspec serve`: the embedded reference SCIM server in the foreground, for trying specs
// against a correct (or, with --misbehave, a realistically broken) service provider; --variant
// picks legal behaviours the RFCs permit, which a correct client must take in its stride.
import { parseArgs } from 'node:util';
import {
  MISBEHAVIOURS,
  MISBEHAVIOUR_DESCRIPTIONS,
  VARIANTS,
  VARIANT_DESCRIPTIONS,
  parseMisbehaviours,
  parseVariants,
  startReferenceServer,
  type RequestLogLine,
} from '../../reference/index.ts';
import { UsageError } from '../files.ts';
import type { CommandIO } from '../io.ts';
import { catchSignals } from '../signals.ts';
import { serveIdp } from './serve-idp.ts';

export const DEFAULT_PORT = 7644;

/** Names as long as the longest flag's, so every description starts in one column. */
const FLAG_WIDTH = Math.max(26, ...MISBEHAVIOURS.map((m) => m.length + 2));
export const SERVE_HELP = `Usage: provspec serve [options]

Runs the reference SCIM 2.0 server (RFC 7643/7644) until interrupted. Prints
SCIM_BASE_URL=…, SCIM_TOKEN=… and APP_URL=… (a stand-in downstream app) for your shell or spec, then one JSON line per request.

Options:
  --port N              port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDRESS        interface to listen on (default 127.0.0.1)
  --db FILE             keep data in this SQLite file (default: in memory, gone on exit)
  --token T             bearer token clients must send (default: a random one)
  --misbehave A[,B…]    reproduce real-world server bugs, for testing your tests:
${MISBEHAVIOURS.map((m) => `                          ${m.padEnd(FLAG_WIDTH)}${MISBEHAVIOUR_DESCRIPTIONS[m]}`).join('\n')}
  --variant A[,B…]      legal behaviours RFC 7643/7644 permit, which a correct client must handle
                        (combine with --misbehave freely):
${VARIANTS.map((v) => `                          ${v.padEnd(26)}${VARIANT_DESCRIPTIONS[v]}`).join('\n')}
  --idp SPEC            instead: provspec's identity provider (OIDC or SAML, as the spec's
                        federation section says) with the app registered and the spec's
                        identities as accounts, for signing in by hand (default port 7645)
  --slow-ms N           latency "slow" adds (default 200)
  --max-body-bytes N    largest request body accepted (default 1048576)
  --quiet               no per-request log lines
  -h, --help            show this help`;

export async function serveCommand(argv: string[], io: CommandIO): Promise<number> {
  // Read first, before anything is printed: whoever waits for the base URL and then kills the
  // parent must not find the parent already gone when it is read.
  const parent = process.ppid;
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      token: { type: 'string' },
      misbehave: { type: 'string', multiple: true },
      variant: { type: 'string', multiple: true },
      'slow-ms': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      quiet: { type: 'boolean' },
      idp: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${SERVE_HELP}\n`);
    return 0;
  }
  if (values.idp !== undefined) {
    const port = values.port === undefined ? undefined : integer(values.port, '--port', DEFAULT_PORT, 0, 65535);
    return serveIdp(values.idp, port, io, io.stop ?? catchSignals(io.stderr).controller.signal);
  }
  let misbehave;
  let variants;
  try {
    misbehave = parseMisbehaviours((values.misbehave ?? []).join(','));
    variants = parseVariants((values.variant ?? []).join(','));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const log = values.quiet ? undefined : (line: RequestLogLine) => io.stdout.write(`${JSON.stringify(line)}\n`);
  const options = {
    host: values.host ?? '127.0.0.1',
    port: integer(values.port, '--port', DEFAULT_PORT, 0, 65535),
    misbehave,
    variants,
    slowMs: integer(values['slow-ms'], '--slow-ms', 200, 0, 600_000),
    maxBodyBytes: integer(values['max-body-bytes'], '--max-body-bytes', 1024 * 1024, 1, 1024 ** 3),
    ...(values.db === undefined ? {} : { db: values.db }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(log ? { log } : {}),
  };
  if (values.token !== undefined && values.token.trim() === '') throw new UsageError('--token must not be empty');
  let server;
  try {
    server = await startReferenceServer(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? `port ${options.port} is in use (try --port 0 for a free one)` : (error as Error).message;
    io.stderr.write(`provspec serve: could not start: ${reason}\n`);
    return 1;
  }
  io.stdout.write(`SCIM_BASE_URL=${server.baseUrl}\nSCIM_TOKEN=${server.token}\nAPP_URL=${server.appUrl}\n`);
  io.stderr.write(
    `provspec reference SCIM server on ${server.baseUrl}${values.db ? ` (data in ${values.db})` : ' (in memory)'}` +
      `${misbehave.length ? `, misbehaving: ${misbehave.join(', ')}` : ''}` +
      `${variants.length ? `, variants: ${variants.join(', ')}` : ''}. Ctrl-C stops it.\n`,
  );
  // Stops on SIGINT/SIGTERM (caught from the launcher's first line), and when its parent goes
  // away: `npx provspec serve` killed by a signal npx does not pass on must not leave an orphan.
  const stop = io.stop ?? catchSignals(io.stderr).controller.signal;
  await new Promise<void>((resolve) => {
    if (stop.aborted) return resolve();
    const orphaned = setInterval(() => {
      if (process.ppid !== parent) done();
    }, 500);
    const done = () => {
      clearInterval(orphaned);
      stop.removeEventListener('abort', done);
      resolve();
    };
    stop.addEventListener('abort', done, { once: true });
  });
  await server.close();
  return 0;
}

function integer(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, not "${text}"`);
  return Number(text);
}
