// The one result model every reporter reads: checks with their verdict, the spec range that
// declared them, expected vs actual, and the (redacted) exchanges that decided them.
import type { Range } from '../diagnostic.ts';
import type { Exchange } from '../scim/exchange.ts';

export type CheckStatus = 'pass' | 'fail' | 'error' | 'skipped';
export type Section = 'lifecycle' | 'negative' | 'concurrency' | 'conformance' | 'setup';

export interface CheckResult {
  /**
   * Stable within its scenario: step.check, e.g. "3-deactivate.active" (step 3 of the scenario,
   * a deactivate), or check alone for negative, concurrency and conformance scenarios. Unique
   * across a run together with the scenario's section and name.
   */
  id: string;
  status: CheckStatus;
  /** One line: what was checked. */
  title: string;
  /** Why it failed or errored; empty for a pass. */
  message: string;
  /** The spec node that declared this check (0-based, LSP style). */
  range: Range;
  expected?: unknown;
  actual?: unknown;
  evidence: Exchange[];
}

export interface ScenarioResult {
  section: Section;
  name: string;
  range: Range;
  dialect: string;
  status: CheckStatus;
  ms: number;
  checks: CheckResult[];
  /** Why the scenario was skipped, if it was. */
  skipped?: string;
}

export interface AuditEntry {
  action: 'created' | 'changed' | 'removed' | 'left';
  resourceType: 'User' | 'Group';
  id: string;
  display: string;
  scenario: string;
  /** For "left": why it could not be removed. */
  reason?: string;
}

export interface SpecResult {
  file: string;
  name: string;
  runId: string;
  dialect: string;
  baseUrl: string;
  status: CheckStatus;
  ms: number;
  scenarios: ScenarioResult[];
  audit: AuditEntry[];
  /** Resources created by this run that could not be removed. */
  orphans: AuditEntry[];
  /** A problem that stopped the spec from running at all (with where it comes from). */
  error?: { message: string; range?: Range };
}

export interface Totals {
  pass: number;
  fail: number;
  error: number;
  skipped: number;
}

export function totalsOf(specs: readonly SpecResult[]): Totals {
  const totals: Totals = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const spec of specs) {
    if (spec.error) totals.error++;
    for (const scenario of spec.scenarios) for (const check of scenario.checks) totals[check.status]++;
  }
  return totals;
}

/** The worst status wins: error > fail > pass > skipped. */
export function worst(statuses: Iterable<CheckStatus>): CheckStatus {
  let result: CheckStatus = 'skipped';
  const rank: Record<CheckStatus, number> = { skipped: 0, pass: 1, fail: 2, error: 3 };
  for (const s of statuses) if (rank[s] > rank[result]) result = s;
  return result;
}

export function isFailing(check: Pick<CheckResult, 'status'>): boolean {
  return check.status === 'fail' || check.status === 'error';
}

/** Every failed or errored check, with the spec file that declared it, in report order. */
export function failingChecks(specs: readonly SpecResult[]): Array<{ file: string; scenario: ScenarioResult; check: CheckResult }> {
  return specs.flatMap((spec) => spec.scenarios.flatMap((scenario) => scenario.checks.filter(isFailing).map((check) => ({ file: spec.file, scenario, check }))));
}

/** A run fails when a check failed or errored, a spec could not run, or something was left behind. */
export function runFailed(specs: readonly SpecResult[]): boolean {
  const totals = totalsOf(specs);
  return totals.fail + totals.error > 0 || specs.some((spec) => spec.error !== undefined || spec.orphans.length > 0);
}
