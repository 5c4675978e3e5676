// A scenario's own copy of an identity: the values that become userName, externalId and
// displayName carry the run id and the scenario's index, so parallel scenarios, shards and runs
// never collide on the target, and every resource is recognisably this run's.
import type { IdentityValue, MappingRule, RoleRule, Spec } from '../spec/types.ts';
import { findExpressions } from '../validate/expressions.ts';
import { interpolate, type ExpressionScope } from '../expressions/evaluate.ts';
import { resolveAttributePath, extensionSchemas, STANDARD_SCHEMAS, CORE_USER_URN, type ResolvedPath } from '../scim-schema/index.ts';
import { joinPointer } from '../document/index.ts';
import type { MappedValue } from '../scim/resource.ts';

const TAGGED_PATHS = new Set(['username', 'externalid', 'displayname']);

/** alice@example.test → alice+ps-k3j9x2-3@example.test; "Alice Liddell" → "Alice Liddell ps-k3j9x2-3". */
export function tagValue(value: string, tag: string): string {
  const at = value.lastIndexOf('@');
  if (at > 0) return `${value.slice(0, at)}+${tag}${value.slice(at)}`;
  return value.includes(' ') ? `${value} ${tag}` : `${value}-${tag}`;
}

/** The identity attributes that feed userName, externalId or displayName. */
export function taggedAttributes(spec: Spec): Set<string> {
  const out = new Set<string>();
  for (const [path, rule] of Object.entries(spec.mapping)) {
    if (!TAGGED_PATHS.has(path.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/, ''))) continue;
    const text = ruleText(rule);
    if (typeof text !== 'string') continue;
    for (const e of findExpressions(text)) if (e.namespace === 'identity' && e.path[0]) out.add(e.path[0]);
  }
  return out;
}

export function scenarioIdentity(identity: Record<string, IdentityValue>, tagged: ReadonlySet<string>, tag: string): Record<string, IdentityValue> {
  const copy: Record<string, IdentityValue> = { ...identity };
  for (const name of tagged) {
    const value = copy[name];
    if (typeof value === 'string') copy[name] = tagValue(value, tag);
  }
  return copy;
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
export function matchingRules(rules: readonly RoleRule[] | undefined, identity: Readonly<Record<string, IdentityValue>>): Array<{ rule: RoleRule; index: number }> {
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

export function groupExpectations(rules: readonly RoleRule[] | undefined, identity: Readonly<Record<string, IdentityValue>>): GroupExpectations {
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
