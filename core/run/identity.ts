// A scenario's own copy of an identity: every value the server may keep unique, or a later
// scenario, shard or run may collide with, carries the run id and the scenario's index: what
// feeds userName, externalId, displayName, emails, phoneNumbers and ims, and anything that looks
// like an email address. So runs never collide on the target, and every resource is
// recognisably this run's. `runScoped` in the spec adds or removes attributes.
import { createHash } from 'node:crypto';
import type { IdentityValue, MappingRule, RoleRule, Spec } from '../spec/types.ts';
import { findExpressions } from '../expressions/parse.ts';
import { interpolate, type ExpressionScope } from '../expressions/evaluate.ts';
import { resolveAttributePath, extensionSchemas, STANDARD_SCHEMAS, CORE_USER_URN, type ResolvedPath } from '../scim-schema/index.ts';
import { joinPointer } from '../document/index.ts';
import type { MappedValue } from '../scim/resource.ts';

/** Core User attributes a server may hold unique (RFC 7643 §4.1: userName MUST be; the others often are). */
const SCOPED_ATTRIBUTES = new Set(['username', 'externalid', 'displayname', 'emails', 'phonenumbers', 'ims']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s().-]{7,}$/;

/**
 * alice@example.test → alice+ps-k3j9x2-3@example.test; "Alice Liddell" → "Alice Liddell ps-k3j9x2-3";
 * +1 555 010 0100 → +1 555 0XX XXXX (the last digits replaced with ones derived from the tag, so
 * the number stays a number a server that validates phone numbers accepts).
 */
export function tagValue(value: string, tag: string): string {
  const at = value.lastIndexOf('@');
  if (at > 0) return `${value.slice(0, at)}+${tag}${value.slice(at)}`;
  if (PHONE.test(value) && /\d/.test(value)) return tagPhone(value, tag);
  return value.includes(' ') ? `${value} ${tag}` : `${value}-${tag}`;
}

function tagPhone(value: string, tag: string): string {
  const digits = [...value].filter((c) => c >= '0' && c <= '9').length;
  const replace = Math.max(1, Math.min(7, digits - 4));
  const derived = (BigInt(`0x${createHash('sha256').update(tag).digest('hex').slice(0, 15)}`) % 10n ** BigInt(replace))
    .toString()
    .padStart(replace, '0');
  let left = replace;
  const chars = [...value];
  for (let i = chars.length - 1; i >= 0 && left > 0; i--) {
    if (chars[i]! >= '0' && chars[i]! <= '9') chars[i] = derived[--left]!;
  }
  return chars.join('');
}

/** The identity attributes this spec's scenarios tag (see the module comment). */
export function taggedAttributes(spec: Spec): Set<string> {
  const out = new Set<string>();
  for (const { rule, resolved } of resolvedMapping(spec)) {
    // The top-level attribute the path writes (emails for emails[type eq "work"].value).
    const top = (resolved.parent ?? resolved.attribute).name.toLowerCase();
    if (!(resolved.common || resolved.schema.id === CORE_USER_URN) || !SCOPED_ATTRIBUTES.has(top)) continue;
    const text = ruleText(rule);
    if (typeof text !== 'string') continue;
    for (const e of findExpressions(text)) if (e.namespace === 'identity' && e.path[0]) out.add(e.path[0]);
  }
  // Anything that looks like an address is someone's unique handle somewhere.
  for (const identity of Object.values(spec.identities ?? {})) {
    for (const [name, value] of Object.entries(identity)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && EMAIL.test(v))) out.add(name);
    }
  }
  for (const [name, scoped] of Object.entries(spec.runScoped ?? {})) {
    if (scoped) out.add(name);
    else out.delete(name);
  }
  return out;
}

export function scenarioIdentity(
  identity: Record<string, IdentityValue>,
  tagged: ReadonlySet<string>,
  tag: string,
): Record<string, IdentityValue> {
  const copy: Record<string, IdentityValue> = { ...identity };
  for (const name of tagged) {
    const value = copy[name];
    if (value !== undefined) copy[name] = tagIdentityValue(value, tag);
  }
  return copy;
}

/** A tagged attribute's value (each string of a list), as scenarioIdentity and updates send it. */
export function tagIdentityValue(value: IdentityValue, tag: string): IdentityValue {
  if (typeof value === 'string') return tagValue(value, tag);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? tagValue(v, tag) : v));
  return value;
}

function ruleText(rule: MappingRule): string | number | boolean {
  return typeof rule === 'object' ? rule.value : rule;
}

/**
 * The mapping evaluated for one identity: each SCIM attribute and the value the IdP would
 * send. Attributes whose source value the identity lacks are not sent (as an IdP would not).
 */
export function mappedValues(spec: Spec, scope: ExpressionScope): MappedValue[] {
  const out: MappedValue[] = [];
  for (const { path, rule, resolved } of resolvedMapping(spec)) {
    const raw = ruleText(rule);
    let value: unknown;
    try {
      value = typeof raw === 'string' ? interpolate(raw, scope) : raw;
    } catch {
      continue;
    }
    if (value === undefined || value === null || value === '') continue;
    const compare = typeof rule === 'object' && rule.compare ? rule.compare : 'exact';
    const verify = typeof rule === 'object' ? rule.verify !== false : true;
    out.push({ path, resolved, value, compare, verify, pointer: joinPointer('/mapping', path) });
  }
  return out;
}

const RESOLVED = new WeakMap<Spec, Array<{ path: string; rule: MappingRule; resolved: ResolvedPath }>>();

/** The mapping's attribute paths resolved against the schemas once per spec, not once per user. */
function resolvedMapping(spec: Spec): Array<{ path: string; rule: MappingRule; resolved: ResolvedPath }> {
  let list = RESOLVED.get(spec);
  if (!list) {
    const schemas = [...STANDARD_SCHEMAS, ...extensionSchemas(spec.extensions as never, 'User')];
    list = [];
    for (const [path, rule] of Object.entries(spec.mapping)) {
      const resolved = resolveAttributePath(path, schemas, CORE_USER_URN);
      if (resolved.ok) list.push({ path, rule, resolved }); // invalid paths were reported by validation
    }
    RESOLVED.set(spec, list);
  }
  return list;
}

/** Role rules whose `when` holds for the identity (equal value, or one of a list). */
export function matchingRules(
  rules: readonly RoleRule[] | undefined,
  identity: Readonly<Record<string, IdentityValue>>,
): Array<{ rule: RoleRule; index: number }> {
  const out: Array<{ rule: RoleRule; index: number }> = [];
  (rules ?? []).forEach((rule, index) => {
    const holds = Object.entries(rule.when ?? {}).every(([attribute, expected]) => {
      const actual = identity[attribute];
      const accepted = Array.isArray(expected) ? expected : [expected];
      const actualValues = Array.isArray(actual) ? actual : [actual];
      return actualValues.some((a) => accepted.some((e) => e === a));
    });
    if (holds) out.push({ rule, index });
  });
  return out;
}

export interface GroupExpectations {
  /** Group name → pointer of the rule item that requires membership. */
  memberOf: Map<string, string>;
  notMemberOf: Map<string, string>;
  roles: string[];
  entitlements: string[];
}

export function groupExpectations(
  rules: readonly RoleRule[] | undefined,
  identity: Readonly<Record<string, IdentityValue>>,
): GroupExpectations {
  const result: GroupExpectations = { memberOf: new Map(), notMemberOf: new Map(), roles: [], entitlements: [] };
  for (const { rule, index } of matchingRules(rules, identity)) {
    (rule.memberOf ?? []).forEach((g, i) => result.memberOf.has(g) || result.memberOf.set(g, `/roles/${index}/memberOf/${i}`));
    (rule.notMemberOf ?? []).forEach((g, i) => result.notMemberOf.has(g) || result.notMemberOf.set(g, `/roles/${index}/notMemberOf/${i}`));
    result.roles.push(...(rule.roles ?? []));
    result.entitlements.push(...(rule.entitlements ?? []));
  }
  for (const g of result.memberOf.keys()) result.notMemberOf.delete(g);
  return result;
}
