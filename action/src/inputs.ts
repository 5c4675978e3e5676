// The Action's inputs, read and checked once: a bad input is one clear error before anything runs.
import { DIALECTS, type Dialect } from '../../core/spec/types.ts';
import { parseShard } from '../../core/plan/plan.ts';
import { PROFILES, type Profile } from '../../core/checks/rules.ts';

export type AnnotationMode = 'workflow-commands' | 'checks' | 'both' | 'none';
export type FailOn = 'error' | 'warning' | 'never';

export interface ActionInputs {
  mode: 'run' | 'merge';
  /** Run against the built-in reference server instead of base-url/token (no secrets needed). */
  embedded: boolean;
  specs: string[];
  results: string[];
  baseUrl?: string;
  token?: string;
  allowedOrigins: string[];
  dialect?: Dialect;
  /** Whose needs decide the verdicts; each scenario's dialect's IdP when absent. */
  profile?: Profile;
  /** Warnings fail the step too. */
  strict: boolean;
  scenarios: string[];
  shard?: { index: number; count: number };
  failOn: FailOn;
  annotations: AnnotationMode;
  summary: boolean;
  report: string;
  junit?: string;
  sarif?: string;
  trace?: string;
  html?: string;
  audit?: string;
  githubToken?: string;
}

export class InputError extends Error {}

type Read = (name: string) => string;

function list(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new InputError(`Input "${name}" must be one of ${allowed.join(', ')}, not "${value}".`);
  return value as T;
}

function origin(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    return url.origin;
  } catch {
    throw new InputError(`Input "${name}": "${value}" is not an http(s) URL.`);
  }
}

export function readInputs(read: Read): ActionInputs {
  const optional = (name: string) => read(name).trim() || undefined;
  const mode = oneOf('mode', optional('mode') ?? 'run', ['run', 'merge'] as const);
  const baseUrl = optional('base-url');
  if (baseUrl) origin('base-url', baseUrl);
  const token = read('token') || undefined;
  const allowedInput = list(read('allowed-origins')).map((o) => origin('allowed-origins', o));
  // Where the credential may go is the workflow's decision: a spec changed in a pull request
  // cannot widen it.
  const allowedOrigins = allowedInput.length ? allowedInput : baseUrl ? [origin('base-url', baseUrl)] : [];
  const dialect = optional('dialect');
  const shard = optional('shard');
  let parsedShard;
  try {
    parsedShard = shard ? parseShard(shard) : undefined;
  } catch (error) {
    throw new InputError(`Input "shard": ${(error as Error).message.replace('--shard', 'shard')}`);
  }
  const specs = read('specs').split(/\s+/).filter(Boolean);
  const results = read('results').split(/\s+/).filter(Boolean);
  const embedded = (optional('embedded') ?? 'false').toLowerCase() === 'true';
  if (embedded && (baseUrl || token || allowedInput.length))
    throw new InputError('Input "embedded" runs against the built-in reference server: leave base-url, token and allowed-origins empty.');
  if (mode === 'merge' && results.length === 0)
    throw new InputError('Input "results" names the JSON reports to merge (e.g. results/*.json) when mode is merge.');
  return {
    mode,
    embedded,
    specs: specs.length ? specs : ['.'],
    results,
    ...(baseUrl ? { baseUrl } : {}),
    ...(token ? { token } : {}),
    allowedOrigins,
    ...(dialect ? { dialect: oneOf('dialect', dialect, DIALECTS) } : {}),
    ...(optional('profile') ? { profile: oneOf('profile', optional('profile')!, PROFILES) } : {}),
    strict: oneOf('strict', (optional('strict') ?? 'false').toLowerCase(), ['true', 'false'] as const) === 'true',
    scenarios: list(read('scenarios')),
    ...(parsedShard ? { shard: parsedShard } : {}),
    failOn: oneOf('fail-on', optional('fail-on') ?? 'error', ['error', 'warning', 'never'] as const),
    annotations: oneOf('annotations', optional('annotations') ?? 'both', ['workflow-commands', 'checks', 'both', 'none'] as const),
    summary: (optional('summary') ?? 'true').toLowerCase() !== 'false',
    report: optional('report') ?? 'provspec-report.json',
    ...(optional('junit') ? { junit: optional('junit')! } : {}),
    ...(optional('sarif') ? { sarif: optional('sarif')! } : {}),
    ...(optional('trace') ? { trace: optional('trace')! } : {}),
    ...(optional('html') ? { html: optional('html')! } : {}),
    ...(optional('audit') ? { audit: optional('audit')! } : {}),
    ...(optional('github-token') ? { githubToken: optional('github-token')! } : {}),
  };
}
