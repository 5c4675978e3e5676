// What the spec says each person's account should hold, and how to tell whether the target's
// account holds it. Pure: no requests. The values are the identities as written (drift compares
// production data, which never carries a run tag), evaluated through the same mapping the runner
// provisions with; the comparison is the runner's (valuesMatch) widened to every reading RFC 7643
// allows, because a drift report must never claim a difference a correct server may show.
import type { AttributeDefinition } from '../scim-schema/index.ts';
import type { IdentityValue, Spec } from '../spec/types.ts';
import { joinPointer } from '../document/index.ts';
import { findExpressions } from '../expressions/parse.ts';
import type { ExpressionScope } from '../expressions/evaluate.ts';
import { groupExpectations, mappedValues, matchingRules } from '../run/identity.ts';
import { getKey, getPath, valuesMatch, type MappedValue } from '../scim/resource.ts';

export type MatchKey = 'externalId' | 'userName';

export const DEFAULT_MAX_USERS = 100_000;

/** The attribute that names a person on both sides: drift.match, else externalId where it is mapped. */
export function matchKeyOf(spec: Spec): MatchKey {
  if (spec.drift?.match) return spec.drift.match;
  return mappingPathOf(spec, 'externalId') !== undefined ? 'externalId' : 'userName';
}

/** The mapping key as written that maps `attribute` (mapping keys are read case-insensitively). */
export function mappingPathOf(spec: Spec, attribute: string): string | undefined {
  const lower = attribute.toLowerCase();
  return Object.keys(spec.mapping).find((path) => path.toLowerCase() === lower);
}

/**
 * Match values are compared as SCIM defines the attribute: userName is caseExact false (RFC 7643
 * §4.1.1), externalId caseExact true (§3.1).
 */
export function foldKey(key: MatchKey, value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value);
  if (text === '') return undefined;
  return key === 'userName' ? text.toLowerCase() : text;
}

export interface ExpectedValue {
  mapped: MappedValue;
  /** Where a difference is shown: the identity's attribute when the rule is just `${{ identity.x }}`, else the rule. */
  pointer: string;
}

export interface ExpectedPerson {
  identity: string;
  /** The match value as the mapping produces it; undefined when the identity has none. */
  key?: string;
  values: ExpectedValue[];
  /** Spec group name → pointer of the rule item (memberOf / notMemberOf). */
  memberOf: Map<string, string>;
  notMemberOf: Map<string, string>;
  /** Values role rules grant, each with the pointer of the rule item that grants it. */
  grants: Array<{ attribute: 'roles' | 'entitlements'; value: string; pointer: string }>;
}

/** Attributes a server does not return by default, or never: their absence says nothing (RFC 7643 §2.4). */
function unreadable(attribute: AttributeDefinition | undefined): boolean {
  return (
    attribute !== undefined && (attribute.returned === 'never' || attribute.returned === 'request' || attribute.mutability === 'writeOnly')
  );
}

/** Mapping rules that depend on the run (a run id, a scenario): nothing production holds can match them. */
function runDependent(spec: Spec): Set<string> {
  const out = new Set<string>();
  for (const [path, rule] of Object.entries(spec.mapping)) {
    const text = typeof rule === 'object' ? rule.value : rule;
    if (typeof text !== 'string') continue;
    if (findExpressions(text).some((e) => e.namespace === 'run' || e.namespace === 'scenario' || e.namespace === 'user')) out.add(path);
  }
  return out;
}

/** `${{ identity.x }}` and nothing else: the attribute x, whose line is where the value lives. */
function soleIdentityAttribute(rule: Spec['mapping'][string]): string | undefined {
  const text = typeof rule === 'object' ? rule.value : rule;
  if (typeof text !== 'string') return undefined;
  const expressions = findExpressions(text);
  const only = expressions[0];
  if (expressions.length !== 1 || !only || only.start !== 0 || only.end !== text.length) return undefined;
  return only.namespace === 'identity' && only.path.length === 1 ? only.path[0] : undefined;
}

/** What the spec expects of one identity's account. `base` is the scope without `identity`. */
export function expectedPerson(
  spec: Spec,
  name: string,
  identity: Readonly<Record<string, IdentityValue>>,
  base: ExpressionScope,
): ExpectedPerson {
  const key = matchKeyOf(spec);
  const skip = runDependent(spec);
  const values: ExpectedValue[] = [];
  let keyValue: string | undefined;
  for (const mapped of mappedValues(spec, { ...base, identity })) {
    if (mapped.path.toLowerCase() === key.toLowerCase()) keyValue = typeof mapped.value === 'string' ? mapped.value : String(mapped.value);
    if (!mapped.verify || skip.has(mapped.path) || unreadable(mapped.resolved.parent) || unreadable(mapped.resolved.attribute)) continue;
    const attribute = soleIdentityAttribute(spec.mapping[mapped.path]!);
    const pointer =
      attribute !== undefined && Object.hasOwn(identity, attribute)
        ? joinPointer(joinPointer('/identities', name), attribute)
        : mapped.pointer;
    values.push({ mapped, pointer });
  }
  const groups = groupExpectations(spec.roles, identity);
  const grants: ExpectedPerson['grants'] = [];
  const granted = new Set<string>();
  for (const { rule, index } of matchingRules(spec.roles, identity)) {
    for (const attribute of ['roles', 'entitlements'] as const) {
      (rule[attribute] ?? []).forEach((value, i) => {
        if (granted.has(`${attribute}:${value}`)) return;
        granted.add(`${attribute}:${value}`);
        grants.push({ attribute, value, pointer: `/roles/${index}/${attribute}/${i}` });
      });
    }
  }
  return {
    identity: name,
    ...(keyValue !== undefined && keyValue !== '' ? { key: keyValue } : {}),
    values,
    memberOf: groups.memberOf,
    notMemberOf: groups.notMemberOf,
    grants,
  };
}

export interface AttributeDifference {
  attribute: string;
  expected: unknown;
  /** null when the target does not return the attribute. */
  actual: unknown;
  pointer: string;
}

/** The mapped attributes where the target's account differs from what the spec expects. */
export function compareAttributes(person: ExpectedPerson, resource: unknown): AttributeDifference[] {
  const out: AttributeDifference[] = [];
  for (const { mapped, pointer } of person.values) {
    const actual = getPath(resource, mapped.resolved);
    if (sameValue(mapped.value, actual, mapped.resolved.attribute, mapped.compare)) continue;
    out.push({ attribute: mapped.path, expected: mapped.value, actual: actual ?? null, pointer });
  }
  return out;
}

/** Values role rules grant (roles, entitlements) that the account does not carry. */
export function compareGrants(
  person: ExpectedPerson,
  resource: unknown,
): Array<{ attribute: 'roles' | 'entitlements'; value: string; actual: unknown[]; pointer: string }> {
  const out: Array<{ attribute: 'roles' | 'entitlements'; value: string; actual: unknown[]; pointer: string }> = [];
  for (const grant of person.grants) {
    const list = getKey(resource, grant.attribute);
    const values = Array.isArray(list) ? list.map((e) => (typeof e === 'object' ? getKey(e, 'value') : e)) : [];
    // roles and entitlements values are caseExact false (RFC 7643 §4.1.2).
    if (values.some((v) => typeof v === 'string' && v.toLowerCase() === grant.value.toLowerCase())) continue;
    out.push({ attribute: grant.attribute, value: grant.value, actual: values, pointer: grant.pointer });
  }
  return out;
}

/**
 * Whether the target's value is the expected one under some correct reading of RFC 7643: the
 * runner's comparison first; then strings of a caseExact false attribute in any case, booleans and
 * numbers in their string forms, the same instant written two ways, and a multi-valued
 * attribute in any order.
 */
export function sameValue(
  expected: unknown,
  actual: unknown,
  attribute: Pick<AttributeDefinition, 'caseExact' | 'type'> | undefined,
  compare: 'exact' | 'case-insensitive',
): boolean {
  if (actual === undefined || actual === null) return expected === undefined || expected === null;
  if (valuesMatch(expected, actual, compare)) return true;
  if (Array.isArray(expected) || Array.isArray(actual)) {
    const e = Array.isArray(expected) ? expected : [expected];
    const a = Array.isArray(actual) ? actual : [actual];
    return (
      e.length === a.length &&
      e.every((x) => a.some((y) => sameScalar(x, y, attribute, compare))) &&
      a.every((y) => e.some((x) => sameScalar(x, y, attribute, compare)))
    );
  }
  return sameScalar(expected, actual, attribute, compare);
}

function sameScalar(
  expected: unknown,
  actual: unknown,
  attribute: Pick<AttributeDefinition, 'caseExact' | 'type'> | undefined,
  compare: 'exact' | 'case-insensitive',
): boolean {
  // A simple value may come back as {value: …} (a multi-valued attribute's element).
  const value = typeof actual === 'object' && actual !== null && !Array.isArray(actual) ? getKey(actual, 'value') : actual;
  if (typeof expected === 'string' && typeof value === 'string') {
    if (expected === value) return true;
    if (attribute?.type === 'dateTime') {
      const e = Date.parse(expected);
      const a = Date.parse(value);
      if (Number.isFinite(e) && Number.isFinite(a)) return e === a;
    }
    const insensitive = compare === 'case-insensitive' || attribute?.caseExact === false;
    return insensitive && expected.normalize('NFC').toLowerCase() === value.normalize('NFC').toLowerCase();
  }
  if (typeof expected === 'boolean' || typeof value === 'boolean') {
    const e = asBoolean(expected);
    return e !== undefined && e === asBoolean(value);
  }
  if (typeof expected === 'number' || typeof value === 'number') {
    const e = asNumber(expected);
    return e !== undefined && e === asNumber(value);
  }
  return JSON.stringify(expected) === JSON.stringify(value);
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/** A spec group's name on the target. */
export function groupDisplayName(spec: Spec, name: string): string {
  return spec.groups?.[name]?.displayName ?? name;
}
