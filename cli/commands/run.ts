// `provspec run`: specs in, real HTTP out, a verdict per check with its spec line. Exit codes:
// 0 every check passed, 1 a check failed or errored, 2 an invalid spec or a usage error.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseShard, PlanError } from '../../core/plan/plan.ts';
import { runFailed } from '../../core/run/result.ts';
import type { StartedIdp } from '../../core/run/runner.ts';
import {
  checkEnvironment,
  checkSources,
  planSpecs,
  ReportFileError,
  runSession,
  type Session,
  type SpecSource,
} from '../../core/session/session.ts';
import { DIALECTS, type Dialect } from '../../core/spec/types.ts';
import { PROFILES, type Profile } from '../../core/checks/rules.ts';
import { version } from '../version.ts';
import { writeOutputs } from '../../core/session/outputs.ts';
import { otlpTarget } from '../../core/report/otlp-target.ts';
import { failureBlocks, scenarioLine, summary, type Paint } from '../../core/report/pretty.ts';
import { codeFrame } from '../../core/report/code-frame.ts';
import {
  FEDERATION_MISBEHAVIOURS,
  SAML_MISBEHAVIOURS,
  parseSamlMisbehaviours,
  parseFederationMisbehaviours,
  parseMisbehaviours,
  parseVariants,
  startReferenceServer,
  type ReferenceServer,
} from '../../reference/index.ts';
import { randomBytes } from 'node:crypto';
import { displayPath, findSpecFiles, UsageError } from '../files.ts';
import { makeStyler } from '../style.ts';
import { reportTarget, type CommandIO } from '../io.ts';
import { catchSignals } from '../signals.ts';

export const RUN_HELP = `Usage: provspec run [options] <file|directory|glob>...

Runs the specs' lifecycle, negative and concurrency scenarios against their SCIM target with
real HTTP, checks every response and what it leaves behind, and removes what it created.

Options:
  --embedded              run against the built-in reference SCIM server, started on a free
                          loopback port for this run (sets SCIM_BASE_URL and SCIM_TOKEN, and
                          APP_URL to its stand-in downstream app unless APP_URL is set)
  --misbehave A[,B…]      with --embedded: make the reference server misbehave (see provspec serve --help)
  --variant A[,B…]        with --embedded: legal behaviours the reference server takes on, which a
                          correct client must handle (see provspec serve --help)
  --base-url URL          target this SCIM base URL instead of the spec's
  --allowed-origin URL    the only origin(s) the credential may go to (repeatable; overrides the spec)
  --dialect D             request shapes: ${DIALECTS.join(', ')} (overrides the spec)
  --scenario NAME         run only this scenario (repeatable)
  --shard i/n             run every n-th scenario starting at the i-th (CI matrices)
  --format pretty|json    terminal output (default pretty); json prints the report document (one line)
  --junit FILE            also write JUnit XML
  --report FILE           also write the JSON report
  --sarif FILE            also write SARIF 2.1.0 (code scanning)
  --markdown FILE         also write a Markdown summary (as the GitHub Action's job summary)
  --audit FILE            also write the audit trail (NDJSON): what the run did to the target, when, by
                          whom, from which source values, with each change's before and after
  --trace FILE            also write an NDJSON trace: one event per HTTP exchange and per check
  --html FILE             also write the HTML report: one self-contained file (timelines, evidence,
                          journeys), for a browser, offline
  --otlp URL              also export the run as OpenTelemetry spans over OTLP/HTTP (JSON) to URL
                          (a base, or its /v1/traces); without it, OTEL_EXPORTER_OTLP_ENDPOINT or
                          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (and _HEADERS) turn it on
  --profile P             whose needs decide verdicts: ${PROFILES.join(', ')} (default: each scenario's
                          dialect's IdP). A deviation an IdP demonstrably tolerates only warns
                          under its profile; docs/checks.md lists every check's basis and level
  --strict                warnings (SHOULDs, tolerated deviations) fail the run too
  --color, --no-color     force or disable colour
  -h, --help              show this help

Exit codes: 0 all checks passed (warnings allowed unless --strict), 1 a check failed or errored,
2 invalid spec, unset environment variable, unreachable target or usage error, 3 internal error,
130 interrupted (after cleanup).`;

export async function runCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      embedded: { type: 'boolean' },
      misbehave: { type: 'string', multiple: true },
      variant: { type: 'string', multiple: true },
      'base-url': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      dialect: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      shard: { type: 'string' },
      format: { type: 'string', default: 'pretty' },
      junit: { type: 'string' },
      report: { type: 'string' },
      sarif: { type: 'string' },
      markdown: { type: 'string' },
      trace: { type: 'string' },
      html: { type: 'string' },
      otlp: { type: 'string' },
      audit: { type: 'string' },
      profile: { type: 'string' },
      strict: { type: 'boolean' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${RUN_HELP}\n`);
    return 0;
  }
  if (values.format !== 'pretty' && values.format !== 'json')
    throw new UsageError(`--format must be pretty or json, not "${values.format}"`);
  if (values.profile !== undefined && !(PROFILES as readonly string[]).includes(values.profile))
    throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}, not "${values.profile}"`);
  if (values.dialect !== undefined && !(DIALECTS as readonly string[]).includes(values.dialect))
    throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, not "${values.dialect}"`);
  if (values.misbehave && !values.embedded) throw new UsageError('--misbehave needs --embedded');
  if (values.variant && !values.embedded) throw new UsageError('--variant needs --embedded');
  if (values.embedded && values['base-url']) throw new UsageError('--embedded and --base-url exclude each other');
  if (positionals.length === 0)
    throw new UsageError('name at least one spec file, directory or glob (e.g. provspec run examples/quickstart.provspec.yaml --embedded)');
  let shard;
  try {
    shard = values.shard === undefined ? undefined : parseShard(values.shard);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let misbehave;
  let federationMisbehave;
  let samlMisbehave;
  let variants;
  try {
    // One flag list for both of the reference server's parts: the SCIM endpoint and the demo app's sign-in.
    const flags = (values.misbehave ?? []).flatMap((v) => v.split(',')).map((f) => f.trim());
    const isFederation = (f: string) => (FEDERATION_MISBEHAVIOURS as readonly string[]).includes(f);
    const isSaml = (f: string) => (SAML_MISBEHAVIOURS as readonly string[]).includes(f);
    misbehave = parseMisbehaviours(flags.filter((f) => !isFederation(f) && !isSaml(f)).join(','));
    federationMisbehave = parseFederationMisbehaviours(flags.filter(isFederation).join(','));
    samlMisbehave = parseSamlMisbehaviours(flags.filter(isSaml).join(','));
    variants = parseVariants((values.variant ?? []).join(','));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const stylerFlag = values['no-color'] ? false : values.color;
  const style = makeStyler(io.stdout, stylerFlag);
  const paint: Paint = (s, text) => style(s, text);

  // Validate everything first: an invalid spec stops the run before any request is sent.
  const files = await findSpecFiles(positionals, io.cwd);
  const sources: SpecSource[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`${displayPath(file, io.cwd)}: cannot read (${error.code ?? error.message})`);
    });
    sources.push({ display: displayPath(file, io.cwd), text });
  }
  const checked = checkSources(sources);
  for (const { source, result, errors } of checked) {
    for (const d of errors) {
      io.stderr.write(
        `${source.display}:${d.range.start.line + 1}:${d.range.start.character + 1}: ` +
          `error ${d.code}: ${d.message}\n${codeFrame(source.text, result.document.lineStarts, d.range)}\n\n`,
      );
    }
  }
  if (checked.some((c) => c.errors.length)) {
    io.stderr.write('provspec run: the specs above are invalid; nothing was sent.\n');
    return 2;
  }

  let plans;
  try {
    plans = planSpecs(checked, {
      ...(values.scenario?.length ? { scenarios: values.scenario } : {}),
      ...(values.dialect ? { dialect: values.dialect as Dialect } : {}),
      ...(shard ? { shard } : {}),
    });
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(error.message);
    throw error;
  }

  // Configuration a run needs is checked before anything is sent: an unset variable is a usage
  // error at its line, not a runner error halfway through a scenario. --embedded sets these three.
  const knownEnv: Record<string, string | undefined> = values.embedded
    ? { SCIM_BASE_URL: '', SCIM_TOKEN: '', APP_URL: '', OIDC_CLIENT_ID: '', OIDC_CLIENT_SECRET: '', ...io.env }
    : { ...io.env };
  if (checkEnvironment(checked, plans, knownEnv, { baseUrlGiven: Boolean(values.embedded || values['base-url']) }).length) {
    for (const { source, result } of checked) {
      for (const d of result.diagnostics.filter((x) => x.code === 'unset-env')) {
        io.stderr.write(
          `${source.display}:${d.range.start.line + 1}:${d.range.start.character + 1}: ` +
            `error ${d.code}: ${d.message}\n${codeFrame(source.text, result.document.lineStarts, d.range)}\n\n`,
        );
      }
    }
    io.stderr.write('provspec run: environment variables the run needs are unset; nothing was sent.\n');
    return 2;
  }

  // Signals are caught from the launcher's first line (cli/signals.ts): one that came during
  // start-up stops the run before anything is sent.
  const stop = io.stop ?? catchSignals(io.stderr).controller.signal;
  if (stop.aborted) {
    io.stderr.write(`provspec run: ${String(stop.reason)} before the run started; nothing was sent.\n`);
    return 130;
  }
  const onStop = () => io.stderr.write(`provspec run: ${String(stop.reason)}; stopping and removing what this run created…\n`);
  stop.addEventListener('abort', onStop, { once: true });

  const otlp = otlpTarget(values.otlp, io.env);
  if (otlp && !URL.canParse(otlp.url)) {
    stop.removeEventListener('abort', onStop);
    // The value as it was given: a junk --otlp is not made a URL by /v1/traces behind it.
    const given = values.otlp !== undefined ? `--otlp is not a URL: ${values.otlp}` : `OTEL_EXPORTER_OTLP_* is not a URL: ${otlp.url}`;
    throw new UsageError(given);
  }
  // The report is written as it is made: to --report, or for --format json to a scratch file.
  const target = await reportTarget(values);
  const reportFile = target.file;
  try {
    let server: ReferenceServer | undefined;
    /** The IdPs the run started, for the embedded demo app (each set once it listens). */
    const idp: { oidc?: StartedIdp; saml?: StartedIdp } = {};
    let session: Session;
    try {
      const env: Record<string, string | undefined> = { ...io.env };
      if (values.embedded) {
        // Specs that sign in (federation) get the demo app as their relying party, registered at the
        // IdP the run starts: its issuer is known only then, and told to the app through onFederation.
        env['OIDC_CLIENT_ID'] ??= 'provspec-embedded-app';
        env['OIDC_CLIENT_SECRET'] ??= randomBytes(24).toString('base64url');
        server = await startReferenceServer({
          misbehave,
          variants,
          ...(federationMisbehave.length ? { federationMisbehave } : {}),
          ...(samlMisbehave.length ? { samlMisbehave } : {}),
          federation: {
            oidc: {
              issuer: () => idp.oidc?.issuer,
              clientId: env['OIDC_CLIENT_ID'],
              clientSecret: env['OIDC_CLIENT_SECRET'],
            },
            saml: {
              idpSsoUrl: () => idp.saml?.ssoUrl,
              idpCert: () => idp.saml?.certificatePem,
              idpIssuer: () => idp.saml?.issuer,
            },
          },
        });
        env['SCIM_BASE_URL'] = server.baseUrl;
        env['SCIM_TOKEN'] = server.token;
        // Specs that probe a downstream app get the embedded stand-in unless they name their own.
        env['APP_URL'] ??= server.appUrl;
        const flagsShown = [...misbehave, ...federationMisbehave, ...samlMisbehave];
        if (values.format === 'pretty')
          io.stdout.write(
            paint(
              'dim',
              `embedded reference SCIM server on ${server.baseUrl}` +
                `${flagsShown.length ? ` (misbehaving: ${flagsShown.join(', ')})` : ''}` +
                `${variants.length ? ` (variants: ${variants.join(', ')})` : ''}\n`,
            ),
          );
      }
      session = await runSession(plans, {
        env,
        ...(reportFile ? { report: reportFile } : {}),
        ...(values.trace ? { trace: values.trace } : {}),
        ...(values.html ? { html: values.html } : {}),
        ...(otlp ? { otlp: { ...otlp, version: version() } } : {}),
        ...(values.profile ? { profile: values.profile as Profile } : {}),
        signal: stop,
        ...(server ? { baseUrl: server.baseUrl, allowedOrigins: [new URL(server.baseUrl).origin] } : {}),
        ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
        ...(values['allowed-origin']?.length ? { allowedOrigins: values['allowed-origin'] } : {}),
        ...(server
          ? {
              onFederation: (started: StartedIdp) => {
                idp[started.protocol] = started;
              },
            }
          : {}),
        onScenarioEnd: (scenario, plan) => {
          if (values.format === 'pretty') io.stdout.write(`${scenarioLine(plan.file, scenario, paint)}\n`);
        },
        onSpecEnd: (result) => {
          if (values.format === 'pretty' && result.error) {
            const where = result.error.range ? `:${result.error.range.start.line + 1}:${result.error.range.start.character + 1}` : '';
            io.stdout.write(`${paint('yellow', '!')} ${paint('bold', `${result.file}${where}`)} ${result.error.message}\n`);
          }
        },
      });
    } catch (error) {
      if (!(error instanceof ReportFileError)) throw error;
      io.stderr.write(`provspec run: ${error.message}; nothing was sent.\n`);
      return 2;
    } finally {
      stop.removeEventListener('abort', onStop);
      await server?.close();
    }
    if (session.traceError) io.stderr.write(`provspec run: the trace could not be written: ${session.traceError.message}\n`);
    if (session.htmlError) io.stderr.write(`provspec run: the HTML report could not be written: ${session.htmlError.message}\n`);
    if (session.otlpError) io.stderr.write(`provspec run: spans could not be exported to ${otlp?.url}: ${session.otlpError.message}\n`);

    const { results, ms } = session;
    if (session.reportError) io.stderr.write(`provspec run: the report could not be written: ${session.reportError.message}\n`);
    await writeOutputs({ ...values, report: undefined }, { results, ms, runId: session.runId, version: version() });
    if (values.format === 'json') {
      await target.print(io.stdout);
    } else {
      const frames = new Map(checked.map((c) => [c.source.display, { text: c.source.text, lineStarts: c.result.document.lineStarts }]));
      const failures = failureBlocks(results, frames, paint);
      if (failures.length) io.stdout.write(`\n${failures.join('\n\n')}\n`);
      io.stdout.write(`\n${summary(results, ms, paint)}\n`);
    }
    if (session.reportError) return 2;
    if (stop.aborted) return 130;
    // A target nobody could connect to is a set-up problem (like an unset variable), not a verdict.
    if (results.some((r) => r.error?.kind === 'unreachable')) return 2;
    return runFailed(results, { strict: values.strict === true }) ? 1 : 0;
  } finally {
    await target.dispose();
  }
}
