// What a scenario works with: the run's client, ledger and groups, its own dialect and
// deadline, and the list its checks are recorded in. Each check is recorded once, with the
// range of the spec node that declared it.
import type { Range } from '../diagnostic.ts';
import { locate, type ParsedDocument } from '../document/index.ts';
import type { Spec } from '../spec/types.ts';
import type { Exchange } from '../scim/exchange.ts';
import type { ScimClient, RequestContext } from '../scim/client.ts';
import type { ScimDialect, PlannedRequest } from '../scim/dialects/index.ts';
import type { SecretRegistry } from '../scim/secrets.ts';
import type { AuditDetail } from './ledger.ts';
import { bounded } from '../scim/bounded.ts';
import { idOf } from './protocol.ts';
import type { CredentialSource } from '../scim/auth.ts';
import type { ExpressionScope } from '../expressions/evaluate.ts';
import type { CleanupLedger } from './ledger.ts';
import type { CheckResult, CheckStatus } from './result.ts';
import { rangeAt, type PlannedScenario } from '../plan/plan.ts';
import { RULES, failureStatus, profileOfDialect, type Profile, type RuleId } from '../checks/rules.ts';
import type { FindingFolder } from './fold.ts';
import type { RunFederation } from './federation.ts';

/** A request as a scenario sends it. */
export type OutgoingRequest = PlannedRequest & {
  rawBody?: string;
  headers?: Record<string, string>;
  credentials?: false | CredentialSource;
};

export interface RunGroup {
  name: string;
  id: string;
  displayName: string;
}

export interface RunContext {
  runId: string;
  spec: Spec;
  document: ParsedDocument;
  client: ScimClient;
  ledger: CleanupLedger;
  secrets: SecretRegistry;
  /** Per-request budget (target.timeouts.request), for credentials that fetch tokens. */
  requestTimeoutMs: number;
  env: Readonly<Record<string, string | undefined>>;
  vars: Readonly<Record<string, unknown>>;
  /** Spec group name → the group on the target (created by this run or found). */
  groups: Map<string, RunGroup>;
  /** Why a group could not be prepared, and the check that found it, for checks that need it. */
  groupProblems: Map<string, { message: string; check: string }>;
  /** Run-wide checks already made (one finding per run, whichever scenario made it). */
  once: Set<string>;
  /** Source ranges by part and pointer, computed on first use. */
  ranges: Map<string, Range>;
  /** Which IdP's needs decide the verdicts, when the user chose (else each scenario's dialect's IdP). */
  profile?: Profile;
  /** Folds repeats of per-response findings into their first occurrence. */
  folder: FindingFolder;
  /** Whether the target honours `members[value eq …]` group filters (probed once per run). */
  memberFilter?: Promise<boolean>;
  onCheck?: (check: CheckResult, scenario: PlannedScenario) => void;
  /** Federation: the run's IdP, started by the first step that asks (absent without a federation section). */
  federation?: () => Promise<RunFederation>;
  /** Exchanges made outside the SCIM client (a sign-in's hops), for the trace. */
  recordExchange?: (exchange: Exchange, context: RequestContext) => void;
}

export class ScenarioContext {
  readonly run: RunContext;
  readonly planned: PlannedScenario;
  readonly dialect: ScimDialect;
  readonly signal: AbortSignal;
  /** Whose needs decide this scenario's verdicts (a deviation that IdP tolerates only warns). */
  readonly profile: Profile;
  readonly checks: CheckResult[] = [];
  /**
   * Writes the server refused, by how (method, status, scimType): a server that refuses the
   * dialect's PATCH shape refuses every PATCH of the scenario; the first refusal is the finding.
   */
  readonly refusals = new Map<string, CheckResult>();
  readonly #ids = new Map<string, number>();
  /** While true (an eventually's tries), checks are not announced as they are made. */
  quiet = false;

  constructor(run: RunContext, planned: PlannedScenario, dialect: ScimDialect, signal: AbortSignal) {
    this.run = run;
    this.planned = planned;
    this.dialect = dialect;
    this.signal = signal;
    this.profile = run.profile ?? profileOfDialect(planned.dialect);
  }

  get name(): string {
    return this.planned.name;
  }

  /** Who did it and in which step, for the audit trail: this scenario's dialect, the step, and any more. */
  audit(step: string | undefined, detail: AuditDetail = {}): AuditDetail {
    return { dialect: this.dialect.name, ...(step ? { step } : {}), ...detail };
  }

  /** Values for the audit trail (the source values, a change's before and after), every secret the run knows redacted. */
  auditRedacted<T extends object>(values: T): T {
    return this.run.secrets.redactDeepLazily(values) as T;
  }

  /** The range of a spec node; the scenario's own range for nodes a built-in suite made up. */
  range(pointer: string, part: 'key' | 'value' = 'key'): Range {
    // Thousands of checks point at the same few dozen nodes: ranges are computed once per run.
    const key = `${part}:${pointer}`;
    let range = this.run.ranges.get(key);
    if (!range) {
      range = locate(this.run.document, pointer) ? rangeAt(this.run.document, pointer, part) : undefined;
      if (range) this.run.ranges.set(key, range);
    }
    return range ?? this.planned.range;
  }

  scope(extra: Partial<ExpressionScope> = {}): ExpressionScope {
    return {
      env: this.run.env,
      vars: this.run.vars,
      run: { id: this.run.runId },
      scenario: { name: this.planned.name },
      groups: Object.fromEntries([...this.run.groups].map(([name, g]) => [name, { id: g.id, displayName: g.displayName }])),
      ...extra,
    };
  }

  /** Drops the checks recorded since `length` (an `eventually` try that will be retried). */
  rollback(length: number): void {
    for (const check of this.checks.splice(length)) {
      const base = check.id.replace(/#\d+$/, '');
      this.#ids.set(base, (this.#ids.get(base) ?? 1) - 1);
    }
  }

  /**
   * While a step's delivery fault is in force (retry, duplicate, timeout-then-retry): how each of
   * its writes reaches the server, given the way to deliver it once (lifecycle/delivery.ts).
   */
  deliver?: (
    request: OutgoingRequest,
    once: (request: OutgoingRequest, options?: { cutOffAnswer?: boolean }) => Promise<Exchange>,
  ) => Promise<Exchange>;

  async send(request: OutgoingRequest, step: string): Promise<Exchange> {
    const deliver = this.deliver;
    if (deliver && request.method.toUpperCase() !== 'GET') return deliver(request, (r, options) => this.#sendOnce(r, step, options));
    return this.#sendOnce(request, step);
  }

  async #sendOnce(request: OutgoingRequest, step: string, options: { cutOffAnswer?: boolean } = {}): Promise<Exchange> {
    const context: RequestContext = { scenario: this.planned.name, step };
    const creating = createOf(request);
    const exchange = await this.run.client.send({
      method: request.method,
      url: request.url,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.rawBody === undefined ? {} : { rawBody: request.rawBody }),
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.credentials === undefined ? {} : { credentials: request.credentials }),
      context,
      // A create in flight is not cut off when the scenario stops: cut off, the server may make
      // the resource while the answer (and its id) is lost. It gets one request budget more.
      signal: creating ? graceAfter(this.signal, this.run.requestTimeoutMs) : this.signal,
      ...(options.cutOffAnswer ? { cutOffAnswer: true } : {}),
    });
    if (creating) this.#settleCreate(creating, exchange);
    return exchange;
  }

  /** Every create is in the ledger the moment its answer names the id; an unanswered one is written down as unconfirmed. */
  #settleCreate(
    creating: { resourceType: 'User' | 'Group'; attribute: 'userName' | 'displayName'; value: string },
    exchange: Exchange,
  ): void {
    const status = exchange.status;
    if (status !== undefined && status >= 400 && status < 500) return; // refused: nothing was made
    const id = status !== undefined && status < 300 ? idOf(exchange) : undefined;
    if (id) {
      this.run.ledger.created(creating.resourceType, id, creating.value, this.planned.name);
      return;
    }
    const reason = exchange.error ?? (status !== undefined && status < 300 ? `answered ${status} without an id` : `answered ${status}`);
    this.run.ledger.unconfirmed({ ...creating, scenario: this.planned.name, reason });
  }

  record(check: CheckResult): CheckResult {
    // Ids are unique within a scenario: a repeated id gets a counter.
    const seen = this.#ids.get(check.id) ?? 0;
    this.#ids.set(check.id, seen + 1);
    // Titles and messages quote URLs and values a spec may have filled with a secret.
    const secrets = this.run.secrets;
    const result: CheckResult = {
      ...check,
      id: seen === 0 ? check.id : `${check.id}#${seen + 1}`,
      title: secrets.redact(check.title),
      message: secrets.redact(check.message),
      // A value quoted from a response is bounded as its exchange is (core/scim/bounded.ts).
      ...('expected' in check ? { expected: secrets.redactDeepLazily(bounded(check.expected)) } : {}),
      ...('actual' in check ? { actual: secrets.redactDeepLazily(bounded(check.actual)) } : {}),
      // Focus terms are values the spec sent; one may be a credential.
      ...(check.focus ? { focus: check.focus.map((term) => secrets.redact(term)) } : {}),
    };
    this.checks.push(result);
    if (!this.quiet) this.run.onCheck?.(result, this.planned);
    return result;
  }

  /**
   * Records a check of `rule`. A `fail` becomes what the rule's level and the run's profile make
   * of it (a SHOULD, or a deviation the profile's IdP tolerates, only warns). Returns whether it
   * passed.
   */
  verdict(
    rule: RuleId,
    id: string,
    title: string,
    range: Range,
    status: 'pass' | 'fail' | 'error' | 'skipped',
    detail: CheckDetail = {},
  ): boolean {
    this.check(rule, id, title, range, status, detail);
    return status === 'pass';
  }

  /** As verdict, returning the recorded check (to point blocked checks at it). */
  check(
    rule: RuleId,
    id: string,
    title: string,
    range: Range,
    status: 'pass' | 'fail' | 'error' | 'skipped',
    detail: CheckDetail = {},
  ): CheckResult {
    const definition = RULES[rule];
    const effective: CheckStatus = status === 'fail' ? failureStatus(rule, this.profile) : status;
    return this.record({
      id,
      status: effective,
      rule,
      basis:
        definition.level === 'spec'
          ? `this spec, line ${range.start.line + 1}` +
            `${definition.basis.startsWith('this spec') ? definition.basis.slice('this spec'.length) : `; ${definition.basis}`}`
          : definition.basis,
      level: definition.level,
      title,
      range,
      message: detail.message ?? '',
      ...('expected' in detail ? { expected: detail.expected } : {}),
      ...('actual' in detail ? { actual: detail.actual } : {}),
      ...(detail.focus?.length ? { focus: detail.focus } : {}),
      evidence: detail.evidence ?? [],
    });
  }

  /** The failure behind a blocked check of this scenario: a blocked check points at the cause, never at another blocked one. */
  #rootCause(id: string): string {
    const seen = new Set<string>();
    let current = id;
    for (;;) {
      const check = this.checks.find((c) => c.id === current);
      if (check?.status !== 'blocked' || !check.blockedBy || seen.has(current)) return current;
      seen.add(current);
      current = check.blockedBy;
    }
  }

  /**
   * A check that could not be made because a check it depends on did not pass: reported as
   * blocked, pointing at that check, never as a second failure.
   */
  blocked(
    rule: RuleId,
    id: string,
    title: string,
    range: Range,
    by: Pick<CheckResult, 'id'> | string,
    message: string,
    evidence: Exchange[] = [],
  ): CheckResult {
    const definition = RULES[rule];
    const blockedBy = this.#rootCause(typeof by === 'string' ? by : by.id);
    return this.record({
      id,
      status: 'blocked',
      rule,
      basis: definition.level === 'spec' ? `this spec, line ${range.start.line + 1}` : definition.basis,
      level: definition.level,
      blockedBy,
      title,
      range,
      message: `${message} (blocked by ${blockedBy})`,
      evidence,
    });
  }
}

export interface CheckDetail {
  message?: string;
  /** What the check compared, for evidence shown short (see CheckResult.focus). */
  focus?: string[];
  expected?: unknown;
  actual?: unknown;
  evidence?: Exchange[];
}

/** What a request creates, if it is a POST to Users or Groups with a name a lookup can find. */
function createOf(request: {
  method: string;
  url: string;
  body?: unknown;
}): { resourceType: 'User' | 'Group'; attribute: 'userName' | 'displayName'; value: string } | undefined {
  if (request.method.toUpperCase() !== 'POST') return undefined;
  const type = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]+)?(?:\/[^?]*)?\/(Users|Groups)\/?(?:\?.*)?$/i.exec(request.url)?.[1]?.toLowerCase();
  if (!type) return undefined;
  const body = request.body as Record<string, unknown> | undefined;
  const attribute = type === 'users' ? 'userName' : 'displayName';
  const value = body && typeof body === 'object' ? body[attribute] : undefined;
  return typeof value === 'string' ? { resourceType: type === 'users' ? 'User' : 'Group', attribute, value } : undefined;
}

/** Aborts `ms` after `signal` does: the time an in-flight request gets to finish. */
function graceAfter(signal: AbortSignal, ms: number): AbortSignal {
  const controller = new AbortController();
  const later = () => setTimeout(() => controller.abort(signal.reason), ms).unref();
  if (signal.aborted) later();
  else signal.addEventListener('abort', later, { once: true });
  return controller.signal;
}
