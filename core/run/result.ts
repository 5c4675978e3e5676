// The one result model every reporter reads: checks with their verdict, the spec range that
// declared them, expected vs actual, and the (redacted) exchanges that decided them.
import type { Section } from '../plan/plan.ts';
import type { Range } from '../diagnostic.ts';
import type { Exchange } from '../scim/exchange.ts';
import type { Level } from '../checks/rules.ts';

export type { Section };

/**
 * pass; fail (a MUST, IdP-needed or spec-stated rule is broken); warn (a SHOULD is not met, or
 * the profile's IdP tolerates the deviation); blocked (a precondition failed: see blockedBy);
 * error (no verdict: the request got no response, the runner failed); skipped.
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'blocked' | 'error' | 'skipped';

export interface CheckResult {
  /**
   * Stable within its scenario: step.check, e.g. "3-deactivate.active" (step 3 of the scenario,
   * a deactivate), or check alone for negative, concurrency and conformance scenarios. Unique
   * across a run together with the scenario's section and name.
   */
  id: string;
  status: CheckStatus;
  /** The kind of check (core/checks/rules.ts): the same for every step and scenario that makes it. */
  rule: string;
  /** Where the rule comes from: an RFC section, an IdP's docs, or this spec's line. */
  basis: string;
  level: Level;
  /** For blocked: the id of the check (in this scenario, or `section.scenario › id`) that failed first. */
  blockedBy?: string;
  /** When the same rule failed the same way on several responses: how many (this one included). */
  count?: number;
  /** Where the other occurrences were (scenario › check id), at most a few. */
  alsoAt?: string[];
  /** What the check compared (an attribute name, "detail"): where a shortened body is cut around. */
  focus?: string[];
  /** One line: what was checked. */
  title: string;
  /** Why it failed or errored; empty for a pass. */
  message: string;
  /** The spec node that declared this check (0-based, LSP style). */
  range: Range;
  expected?: unknown;
  actual?: unknown;
  /**
   * The exchanges that decided it. A passing or skipped check keeps only their request ids (in
   * `evidenceIds`) once its scenario has ended: the trace has every exchange, and a run keeps
   * in memory only what a finding needs to show.
   */
  evidence: Exchange[];
  evidenceIds?: string[];
}

export interface ScenarioResult {
  section: Section;
  name: string;
  range: Range;
  dialect: string;
  /** Whose needs decided this scenario's verdicts (rfc7644, entra, okta). */
  profile?: string;
  status: CheckStatus;
  ms: number;
  /** When it began (ISO 8601, UTC); absent on a scenario that never ran. */
  startedAt?: string;
  checks: CheckResult[];
  /** Why the scenario was skipped, if it was. */
  skipped?: string;
  /**
   * Checks that passed or were skipped and are no longer in `checks`, counted: a session keeps a
   * finished scenario's findings only, once the reporters that list every check have seen it
   * (see `retirePassing`), so a run's memory grows with its findings, not its size.
   */
  retired?: { pass?: number; skipped?: number };
}

export type AuditAction =
  | 'created'
  | 'changed'
  | 'deactivated'
  | 'reactivated'
  | 'added to group'
  | 'removed from group'
  | 'removed'
  | 'left';

/** One attribute as the server showed it before a change and after it. */
export interface AuditChange {
  attribute: string;
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  action: AuditAction;
  resourceType: 'User' | 'Group';
  id: string;
  display: string;
  scenario: string;
  /** When it happened (ISO 8601, UTC). */
  time?: string;
  /** The dialect whose requests did it (with the run id, the actor: "entra-shaped run k3j9x2"). */
  dialect?: string;
  /** The step that did it. */
  step?: string;
  /** For a membership change: the group's name. */
  group?: string;
  /** The source-of-truth values that drove it: the identity as the run sent it (secrets redacted). */
  source?: Record<string, unknown>;
  /** For a change: each attribute the server shows differently after it, before and after. */
  changes?: AuditChange[];
  /** For "left": why it could not be removed. */
  reason?: string;
  /**
   * For "left": the create never got a definite answer and the lookup by name could not tell
   * whether the server made it; `id` is empty and `display` is the name it was sent with.
   */
  unconfirmed?: true;
}

export interface SpecResult {
  file: string;
  name: string;
  runId: string;
  dialect: string;
  /**
   * Whose needs decided the verdicts: rfc7644, entra or okta (scenarios in another dialect answer to that
   * dialect's IdP unless the run chose one).
   */
  profile: string;
  baseUrl: string;
  status: CheckStatus;
  ms: number;
  /** When its run began (ISO 8601, UTC). */
  startedAt?: string;
  scenarios: ScenarioResult[];
  audit: AuditEntry[];
  /** Resources created by this run that could not be removed. */
  orphans: AuditEntry[];
  /** A problem that stopped the spec from running at all (with where it comes from). */
  error?: {
    message: string;
    range?: Range;
    /** unreachable: no request got any answer (nothing to clean up; a configuration problem). */
    kind?: 'unreachable';
  };
}

export interface Totals {
  pass: number;
  fail: number;
  warn: number;
  blocked: number;
  error: number;
  skipped: number;
}

export function totalsOf(specs: readonly SpecResult[]): Totals {
  const totals: Totals = { pass: 0, fail: 0, warn: 0, blocked: 0, error: 0, skipped: 0 };
  for (const spec of specs) {
    if (spec.error) totals.error++;
    for (const scenario of spec.scenarios) addScenario(totals, scenario);
  }
  return totals;
}

/** Adds a scenario's checks, retired ones included, to totals. */
export function addScenario(totals: Totals, scenario: ScenarioResult): void {
  for (const check of scenario.checks) totals[check.status] = (totals[check.status] ?? 0) + 1;
  totals.pass += scenario.retired?.pass ?? 0;
  totals.skipped += scenario.retired?.skipped ?? 0;
}

/** How many checks a scenario made, retired ones included. */
export function checkCount(scenario: ScenarioResult): number {
  return scenario.checks.length + (scenario.retired?.pass ?? 0) + (scenario.retired?.skipped ?? 0);
}

/** What a report shows in full, evidence and all: failed, warned, blocked and errored checks. */
export function shownInFull(status: CheckStatus): boolean {
  return status !== 'pass' && status !== 'skipped';
}

/**
 * Keeps a finished scenario's findings only, counting what passed or was skipped in `retired`.
 * For after every reporter that lists each check (the JSON report) has seen the scenario.
 */
export function retirePassing(scenario: ScenarioResult): void {
  const kept = scenario.checks.filter((c) => shownInFull(c.status));
  if (kept.length === scenario.checks.length) return;
  const retired = { pass: scenario.retired?.pass ?? 0, skipped: scenario.retired?.skipped ?? 0 };
  for (const check of scenario.checks) if (check.status === 'pass' || check.status === 'skipped') retired[check.status]++;
  scenario.checks = kept;
  scenario.retired = {
    ...(retired.pass ? { pass: retired.pass } : {}),
    ...(retired.skipped ? { skipped: retired.skipped } : {}),
  };
}

/** The worst status wins: error > fail > blocked > warn > pass > skipped. */
export function worst(statuses: Iterable<CheckStatus>): CheckStatus {
  let result: CheckStatus = 'skipped';
  const rank: Record<CheckStatus, number> = { skipped: 0, pass: 1, warn: 2, blocked: 3, fail: 4, error: 5 };
  for (const s of statuses) if (rank[s] > rank[result]) result = s;
  return result;
}

export function isFailing(check: Pick<CheckResult, 'status'>): boolean {
  return check.status === 'fail' || check.status === 'error';
}

/**
 * A run fails when a check failed or errored, a spec could not run, or something was left behind;
 * with `strict`, a warning fails it too.
 */
export function runFailed(specs: readonly SpecResult[], options: { strict?: boolean } = {}): boolean {
  const totals = totalsOf(specs);
  return (
    totals.fail + totals.error + (options.strict ? totals.warn : 0) > 0 ||
    specs.some((spec) => spec.error !== undefined || spec.orphans.length > 0)
  );
}
