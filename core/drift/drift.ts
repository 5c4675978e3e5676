// `provspec drift`: reads the target's users and the spec's groups and reports, per person,
// where production differs from what the spec's identities and role rules say, plus accounts
// the spec does not know. Strictly read-only: every request here is a GET, so it can run against
// production on a schedule. Bounded: users are read a page at a time, at most drift.maxUsers of
// them, and only the accounts that match an identity are kept whole.
import type { Range } from '../diagnostic.ts';
import type { Diagnostic } from '../diagnostic.ts';
import type { ParsedDocument } from '../document/index.ts';
import { joinPointer } from '../document/index.ts';
import { interpolate, type ExpressionScope } from '../expressions/evaluate.ts';
import { missingEnvironment } from '../plan/environment.ts';
import { rangeAt, type Plan } from '../plan/plan.ts';
import { listResources } from '../run/protocol.ts';
import type { ScimClient } from '../scim/client.ts';
import { failedToConnect } from '../scim/client.ts';
import type { Exchange } from '../scim/exchange.ts';
import { getKey } from '../scim/resource.ts';
import type { SecretRegistry } from '../scim/secrets.ts';
import type { Spec } from '../spec/types.ts';
import {
  compareAttributes,
  compareGrants,
  DEFAULT_MAX_USERS,
  expectedPerson,
  foldKey,
  groupDisplayName,
  mappingPathOf,
  matchKeyOf,
  type ExpectedPerson,
  type MatchKey,
} from './compare.ts';

/** Where in the spec a finding belongs: 1-based line and column for people, the range for tools. */
export interface DriftLocation {
  pointer: string;
  line: number;
  column: number;
  range: Range;
}

export type DifferenceKind = 'attribute' | 'membership' | 'grant' | 'duplicate';

export interface DriftDifference extends DriftLocation {
  identity: string;
  kind: DifferenceKind;
  /** The mapping path (attribute), `roles`/`entitlements` (grant). */
  attribute?: string;
  /** The spec group's name (membership). */
  group?: string;
  expected: unknown;
  actual: unknown;
  userId?: string;
  message: string;
}

export interface DriftMissing extends DriftLocation {
  identity: string;
  key: string;
  message: string;
}

export interface DriftOrphan extends DriftLocation {
  id: string;
  userName?: string;
  externalId?: string;
  displayName?: string;
  active?: boolean;
  message: string;
}

/** What kept part of the comparison from being made; that part reports nothing rather than a guess. */
export interface DriftProblem extends Partial<DriftLocation> {
  message: string;
}

export interface DriftPerson {
  identity: string;
  key?: string;
  userId?: string;
  status: 'in-sync' | 'drift' | 'missing' | 'unmatched';
  differences: number;
}

export interface DriftReport {
  provspecDrift: 1;
  file: string;
  /** The target's base URL, secrets redacted. */
  target: string;
  generatedAt: string;
  ms: number;
  match: MatchKey;
  maxUsers: number;
  /** Users read from the target. */
  usersRead: number;
  /** Whether the target has more users than maxUsers (orphans past the bound were not seen). */
  truncated: boolean;
  /** Whether anything differs (differences, missing people, orphans). */
  drift: boolean;
  counts: { identities: number; matched: number; inSync: number; differences: number; missing: number; orphans: number; problems: number };
  people: DriftPerson[];
  differences: DriftDifference[];
  missing: DriftMissing[];
  orphans: DriftOrphan[];
  problems: DriftProblem[];
  /** The target could not be read: nothing else in the report can be relied on. */
  error?: DriftProblem;
}

export interface DriftInput {
  file: string;
  document: ParsedDocument;
  spec: Spec;
  client: ScimClient;
  secrets: SecretRegistry;
  /** Redacted, for the report. */
  baseUrl: string;
  env: Readonly<Record<string, string | undefined>>;
  vars: Readonly<Record<string, unknown>>;
  /** Overrides drift.maxUsers. */
  maxUsers?: number;
  pageSize?: number;
  signal?: AbortSignal;
}

/** Problems with the spec that stop drift before any request, each at its line. */
export function driftSpecErrors(
  file: string,
  document: ParsedDocument,
  spec: Spec,
  env: Readonly<Record<string, string | undefined>>,
  options: { baseUrlGiven?: boolean } = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const key = matchKeyOf(spec);
  if (mappingPathOf(spec, key) === undefined) {
    out.push({
      range: rangeAt(document, spec.drift?.match ? '/drift/match' : '/mapping', spec.drift?.match ? 'value' : 'key'),
      severity: 'error',
      code: 'drift-match-unmapped',
      message:
        `drift matches people by ${key}, but the mapping does not map ${key}: ` +
        'map it, or set drift.match to the attribute that is mapped',
    });
  }
  // The target, the mapping, identities, groups and roles are what drift evaluates: a plan with
  // one scenario that has no body asks the environment about exactly those.
  const plan: Plan = {
    file,
    document,
    spec,
    dialect: spec.target.dialect ?? 'rfc7644',
    scenarios: [{ section: 'lifecycle', name: 'drift', pointer: '/drift', range: rangeAt(document, '/target'), dialect: 'rfc7644' }],
  };
  out.push(...missingEnvironment(plan, env, options));
  return out;
}

const PAGE_SIZE = 100;
const CONTEXT = { scenario: 'drift' };

class ReadError extends Error {}

export async function runDrift(input: DriftInput): Promise<DriftReport> {
  const started = performance.now();
  const { spec, document, secrets } = input;
  const ranges = new Map<string, DriftLocation>();
  const at = (pointer: string, part: 'key' | 'value' = 'key'): DriftLocation => {
    let location = ranges.get(`${part}:${pointer}`);
    if (!location) {
      const range = rangeAt(document, pointer, part);
      location = { pointer, line: range.start.line + 1, column: range.start.character + 1, range };
      ranges.set(`${part}:${pointer}`, location);
    }
    return location;
  };
  const match = matchKeyOf(spec);
  const maxUsers = input.maxUsers ?? spec.drift?.maxUsers ?? DEFAULT_MAX_USERS;
  const report: DriftReport = {
    provspecDrift: 1,
    file: input.file,
    target: input.baseUrl,
    generatedAt: new Date().toISOString(),
    ms: 0,
    match,
    maxUsers,
    usersRead: 0,
    truncated: false,
    drift: false,
    counts: { identities: 0, matched: 0, inSync: 0, differences: 0, missing: 0, orphans: 0, problems: 0 },
    people: [],
    differences: [],
    missing: [],
    orphans: [],
    problems: [],
  };
  const reader = new Reader(input.client, input.signal);
  try {
    await compareAll(input, report, reader, at, match, maxUsers);
  } catch (error) {
    if (!(error instanceof ReadError)) throw error;
    report.error = { message: error.message, ...at('/target/baseUrl', 'value') };
    // Half a reading would report the unread half as missing or in sync: nothing is kept.
    report.differences = [];
    report.missing = [];
    report.orphans = [];
    report.people = [];
  }
  report.drift = !report.error && (report.differences.length > 0 || report.missing.length > 0 || report.orphans.length > 0);
  report.counts = {
    identities: Object.keys(spec.identities ?? {}).length,
    matched: report.people.filter((p) => p.userId !== undefined).length,
    inSync: report.people.filter((p) => p.status === 'in-sync').length,
    differences: report.differences.length,
    missing: report.missing.length,
    orphans: report.orphans.length,
    problems: report.problems.length,
  };
  report.ms = Math.round(performance.now() - started);
  // Everything quoted came from the target or the spec; either may carry a credential.
  return secrets.redactDeep(report);
}

interface Account {
  id: string;
  resource: Record<string, unknown>;
}

async function compareAll(
  input: DriftInput,
  report: DriftReport,
  reader: Reader,
  at: (pointer: string, part?: 'key' | 'value') => DriftLocation,
  match: MatchKey,
  maxUsers: number,
): Promise<void> {
  const { spec } = input;
  const base: ExpressionScope = { env: input.env, vars: input.vars, run: { id: 'drift' } };
  const people = Object.entries(spec.identities ?? {}).map(([name, identity]) => expectedPerson(spec, name, identity, base));
  const byKey = new Map<string, ExpectedPerson>();
  for (const person of people) {
    const folded = foldKey(match, person.key);
    if (folded === undefined) {
      report.problems.push({
        message: `identity ${person.identity} has no ${match} (the mapping produces none from it), so it cannot be matched to an account`,
        ...at(joinPointer('/identities', person.identity)),
      });
      continue;
    }
    const other = byKey.get(folded);
    if (other) {
      report.problems.push({
        message:
          `identities ${other.identity} and ${person.identity} have the same ` +
          `${match} ${JSON.stringify(person.key)}; only the first is compared`,
        ...at(joinPointer('/identities', person.identity)),
      });
      continue;
    }
    byKey.set(folded, person);
  }

  // Users: a page at a time. Accounts that match an identity are kept whole; the rest are
  // orphans, kept as a few names each, so memory is bounded by the spec plus maxUsers small records.
  const accounts = new Map<ExpectedPerson, Account[]>();
  const orphans: DriftOrphan[] = [];
  const orphanAt = at('/identities');
  const seen = new Set<string>();
  const take = (resource: Record<string, unknown>) => {
    const id = getKey(resource, 'id');
    if (typeof id !== 'string' || seen.has(id)) return false;
    seen.add(id);
    const folded = foldKey(match, getKey(resource, match));
    const person = folded === undefined ? undefined : byKey.get(folded);
    if (person) {
      const list = accounts.get(person) ?? [];
      list.push({ id, resource });
      accounts.set(person, list);
    } else {
      orphans.push(orphanOf(id, resource, match, orphanAt));
    }
    return true;
  };
  const read = await reader.users(maxUsers, input.pageSize ?? PAGE_SIZE, take);
  report.usersRead = read.read;
  report.truncated = read.truncated;
  const unknown = new Set<ExpectedPerson>();
  if (read.truncated) {
    // Past the bound the missing are unknown, not missing: each is looked up by its key.
    for (const person of byKey.values()) {
      if (accounts.has(person)) continue;
      const found = await reader.findUser(match, person.key!);
      if (found === undefined) {
        report.problems.push({
          message: `could not look ${person.identity} up by ${match} (the filter failed), so whether the account exists is unknown`,
          ...at(joinPointer('/identities', person.identity)),
        });
        unknown.add(person);
        continue;
      }
      for (const resource of found) {
        const id = getKey(resource, 'id');
        if (typeof id === 'string' && foldKey(match, getKey(resource, match)) === foldKey(match, person.key))
          accounts.set(person, [...(accounts.get(person) ?? []), { id, resource }]);
      }
    }
  }

  // Groups: each spec group by its displayName, with its members (authoritative for membership).
  const groups = new Map<string, GroupOnTarget>();
  for (const name of Object.keys(spec.groups ?? {})) {
    let displayName: string;
    try {
      displayName = String(interpolate(groupDisplayName(spec, name), base));
    } catch (error) {
      report.problems.push({
        message: `group ${name}: ${(error as Error).message}; its memberships are not judged`,
        ...at(joinPointer('/groups', name)),
      });
      continue;
    }
    const outcome = await reader.group(displayName);
    if ('problem' in outcome) {
      report.problems.push({
        message: `group ${name}: ${outcome.problem}; its memberships are not judged`,
        ...at(joinPointer('/groups', name)),
      });
      continue;
    }
    groups.set(name, { displayName, ...outcome });
  }

  const indexed = new Set(byKey.values());
  for (const person of people) {
    if (!indexed.has(person) || unknown.has(person)) {
      report.people.push({ identity: person.identity, ...(person.key ? { key: person.key } : {}), status: 'unmatched', differences: 0 });
      continue;
    }
    const found = accounts.get(person);
    if (!found || found.length === 0) {
      report.missing.push({
        identity: person.identity,
        key: person.key!,
        message: `${person.identity} (${match} ${JSON.stringify(person.key)}) has no account on the target`,
        ...at(joinPointer('/identities', person.identity)),
      });
      report.people.push({ identity: person.identity, key: person.key!, status: 'missing', differences: 0 });
      continue;
    }
    const [account, ...duplicates] = found;
    const differences: DriftDifference[] = [];
    const who = { identity: person.identity, userId: account!.id };
    for (const extra of duplicates) {
      differences.push({
        ...who,
        kind: 'duplicate',
        expected: 'one account',
        actual: extra.id,
        message: `${person.identity} has more than one account with ${match} ${JSON.stringify(person.key)} (${account!.id}, ${extra.id})`,
        ...at(joinPointer('/identities', person.identity)),
      });
    }
    for (const d of compareAttributes(person, account!.resource)) {
      differences.push({
        ...who,
        kind: 'attribute',
        attribute: d.attribute,
        expected: d.expected,
        actual: d.actual,
        message:
          d.actual === null
            ? `${d.attribute} is not set on the target; the spec says ${JSON.stringify(d.expected)}`
            : `${d.attribute} is ${JSON.stringify(d.actual)} on the target; the spec says ${JSON.stringify(d.expected)}`,
        ...at(d.pointer),
      });
    }
    for (const g of compareGrants(person, account!.resource)) {
      differences.push({
        ...who,
        kind: 'grant',
        attribute: g.attribute,
        expected: g.value,
        actual: g.actual,
        message: `${g.attribute} on the target do not include ${JSON.stringify(g.value)}, which role rules grant`,
        ...at(g.pointer, 'value'),
      });
    }
    differences.push(...membershipDifferences(spec, person, account!, groups, at));
    differences.sort((a, b) => a.line - b.line || a.column - b.column);
    report.differences.push(...differences);
    report.people.push({
      identity: person.identity,
      key: person.key!,
      userId: account!.id,
      status: differences.length ? 'drift' : 'in-sync',
      differences: differences.length,
    });
  }
  report.orphans = orphans.sort((a, b) => (a.userName ?? a.id).localeCompare(b.userName ?? b.id) || a.id.localeCompare(b.id));
}

interface GroupOnTarget {
  displayName: string;
  /** Absent: no group of that name on the target. */
  id?: string;
  /** Member ids, when the group states its members. */
  members?: Set<string>;
}

function membershipDifferences(
  spec: Spec,
  person: ExpectedPerson,
  account: Account,
  groups: ReadonlyMap<string, GroupOnTarget>,
  at: (pointer: string, part?: 'key' | 'value') => DriftLocation,
): DriftDifference[] {
  const out: DriftDifference[] = [];
  const who = { identity: person.identity, userId: account.id };
  const named = (name: string, group: GroupOnTarget) =>
    group.displayName === name ? name : `${name} (${JSON.stringify(group.displayName)})`;
  // The user's own `groups` speaks for groups whose members were not stated (RFC 7643 §4.1.2: readOnly, set by the server).
  const listed = getKey(account.resource, 'groups');
  const userGroups = new Set(
    (Array.isArray(listed) ? listed : []).map((g) => getKey(g, 'value')).filter((v): v is string => typeof v === 'string'),
  );
  for (const name of Object.keys(spec.groups ?? {})) {
    const group = groups.get(name);
    if (!group) continue; // not judged: a problem says why
    const wanted = person.memberOf.get(name);
    const refused = person.notMemberOf.get(name);
    if (!group.id) {
      if (wanted !== undefined)
        out.push({
          ...who,
          kind: 'membership',
          group: name,
          expected: 'member',
          actual: 'group not on the target',
          message: `role rules put ${person.identity} in ${name}, but there is no group ${JSON.stringify(group.displayName)} on the target`,
          ...at(wanted, 'value'),
        });
      continue;
    }
    const member = group.members ? group.members.has(account.id) || userGroups.has(group.id) : userGroups.has(group.id);
    if (wanted !== undefined && !member) {
      out.push({
        ...who,
        kind: 'membership',
        group: name,
        expected: 'member',
        actual: 'not a member',
        message: `${person.identity} is not a member of ${named(name, group)}, which role rules grant them`,
        ...at(wanted, 'value'),
      });
    } else if (wanted === undefined && member) {
      out.push({
        ...who,
        kind: 'membership',
        group: name,
        expected: 'not a member',
        actual: 'member',
        message:
          refused !== undefined
            ? `${person.identity} is a member of ${named(name, group)}, which role rules exclude`
            : `${person.identity} is a member of ${named(name, group)}, which no role rule grants them`,
        ...(refused !== undefined ? at(refused, 'value') : at(joinPointer('/groups', name))),
      });
    }
  }
  return out;
}

function orphanOf(id: string, resource: Record<string, unknown>, match: MatchKey, location: DriftLocation): DriftOrphan {
  const text = (key: string) => {
    const value = getKey(resource, key);
    return typeof value === 'string' ? value : undefined;
  };
  const active = getKey(resource, 'active');
  const userName = text('userName');
  const externalId = text('externalId');
  const displayName = text('displayName');
  const value = match === 'userName' ? userName : externalId;
  return {
    id,
    ...(userName !== undefined ? { userName } : {}),
    ...(externalId !== undefined ? { externalId } : {}),
    ...(displayName !== undefined ? { displayName } : {}),
    ...(typeof active === 'boolean' ? { active } : {}),
    message:
      value === undefined
        ? `user ${id}${userName ? ` (${userName})` : ''} has no ${match}, so no identity describes it`
        : `user ${id}${userName ? ` (${userName})` : ''}: no identity has ${match} ${JSON.stringify(value)}`,
    ...location,
  };
}

/** Every request drift makes: GETs, each retried once after a transient failure. */
class Reader {
  readonly #client: ScimClient;
  readonly #signal: AbortSignal | undefined;

  constructor(client: ScimClient, signal: AbortSignal | undefined) {
    this.#client = client;
    this.#signal = signal;
  }

  async get(url: string): Promise<Exchange> {
    const send = () => this.#client.send({ method: 'GET', url, context: CONTEXT, ...(this.#signal ? { signal: this.#signal } : {}) });
    const exchange = await send();
    const transient = !failedToConnect(exchange) && (exchange.status === undefined || exchange.status >= 500 || exchange.status === 429);
    return transient && !this.#signal?.aborted ? send() : exchange;
  }

  /** A list response's resources, or a ReadError that says what the target answered. */
  async list(url: string, what: string): Promise<{ resources: unknown[]; total?: number }> {
    const exchange = await this.get(url);
    const resources = exchange.status === 200 ? listResources(exchange) : undefined;
    if (!resources) throw new ReadError(`${what}: ${describe(exchange)}`);
    const total = getKey(exchange.json, 'totalResults');
    return { resources, ...(typeof total === 'number' ? { total } : {}) };
  }

  /** Pages through /Users until the end, an empty page, a page with nothing new, or maxUsers. */
  async users(
    maxUsers: number,
    pageSize: number,
    take: (resource: Record<string, unknown>) => boolean,
  ): Promise<{ read: number; truncated: boolean }> {
    let read = 0;
    for (let startIndex = 1; ; ) {
      const count = Math.min(pageSize, maxUsers - read);
      const { resources, total } = await this.list(
        `/Users?startIndex=${startIndex}&count=${count}`,
        `GET /Users (startIndex ${startIndex}) failed, so the target's users could not be read`,
      );
      let fresh = 0;
      for (const r of resources) {
        if (read >= maxUsers) break;
        if (typeof r === 'object' && r !== null && !Array.isArray(r) && take(r as Record<string, unknown>)) {
          fresh++;
          read++;
        }
      }
      const end = total !== undefined && startIndex - 1 + resources.length >= total;
      // A page with nothing new ends the walk too: a server that ignores startIndex repeats page one.
      if (resources.length === 0 || fresh === 0 || end) return { read, truncated: false };
      if (read >= maxUsers) return { read, truncated: total === undefined ? resources.length >= count : total > read };
      startIndex += resources.length;
    }
  }

  /** Users whose `key` equals `value`, by filter; undefined when the filter cannot be answered. */
  async findUser(key: MatchKey, value: string): Promise<Record<string, unknown>[] | undefined> {
    const filter = `${key} eq ${JSON.stringify(value)}`;
    const exchange = await this.get(`/Users?filter=${encodeURIComponent(filter)}`);
    const resources = exchange.status === 200 ? listResources(exchange) : undefined;
    return resources?.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
  }

  /** The group of that displayName and its member ids; no id when there is none; a problem when it cannot be told. */
  async group(displayName: string): Promise<{ id?: string; members?: Set<string> } | { problem: string }> {
    const filter = `displayName eq ${JSON.stringify(displayName)}`;
    const exchange = await this.get(`/Groups?filter=${encodeURIComponent(filter)}`);
    const resources = exchange.status === 200 ? listResources(exchange) : undefined;
    if (!resources) {
      if (failedToConnect(exchange) || exchange.status === undefined) throw new ReadError(`GET /Groups failed: ${describe(exchange)}`);
      return { problem: `GET /Groups?filter=${filter} ${describe(exchange)}` };
    }
    // displayName is caseExact false (RFC 7643 §4.2); a server's filter may be looser still.
    const same = resources.filter((g) => {
      const name = getKey(g, 'displayName');
      return typeof name === 'string' && name.toLowerCase() === displayName.toLowerCase();
    });
    if (same.length === 0) return {};
    if (same.length > 1) return { problem: `${same.length} groups on the target are named ${JSON.stringify(displayName)}` };
    const id = getKey(same[0], 'id');
    if (typeof id !== 'string') return { problem: `the group ${JSON.stringify(displayName)} has no id` };
    let members = getKey(same[0], 'members');
    if (members === undefined) {
      // Lists often leave members out (they can be large); the group read by id states them, or has none.
      const whole = await this.get(`/Groups/${encodeURIComponent(id)}`);
      if (whole.status !== 200 || typeof whole.json !== 'object' || whole.json === null)
        return { problem: `GET /Groups/${id} ${describe(whole)}` };
      members = getKey(whole.json, 'members');
      if (members === undefined) return { id, members: new Set() };
    }
    if (!Array.isArray(members)) return { problem: `the group ${JSON.stringify(displayName)} has members that are not a list` };
    return { id, members: new Set(members.map((m) => getKey(m, 'value')).filter((v): v is string => typeof v === 'string')) };
  }
}

function describe(exchange: Exchange): string {
  if (exchange.status === undefined) return `got no answer (${exchange.error ?? 'no response'})`;
  if (exchange.error) return `answered ${exchange.status}, but ${exchange.error}`;
  if (exchange.status !== 200) return `answered ${exchange.status}${detailOf(exchange)}`;
  if (exchange.json === undefined) return 'answered 200 with a body that is not JSON';
  return 'answered 200 with something that is not a ListResponse';
}

function detailOf(exchange: Exchange): string {
  const detail = getKey(exchange.json, 'detail');
  return typeof detail === 'string' ? ` (${detail.slice(0, 200)})` : '';
}
