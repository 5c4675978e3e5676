// SCIM resources as the runner builds and reads them: a user assembled from the spec's mapping
// (attribute path → value), and values read back from what the server returns, by the same
// paths, so that "sent" and "stored" are compared attribute by attribute.
import type { FilterExpression, ResolvedPath } from '../scim-schema/index.ts';
import { CORE_USER_URN } from '../scim-schema/index.ts';

export type Resource = Record<string, unknown>;

export interface MappedValue {
  /** The mapping key as written in the spec. */
  path: string;
  resolved: ResolvedPath;
  value: unknown;
  compare: 'exact' | 'case-insensitive';
  verify: boolean;
  /** JSON pointer of the mapping entry, for the check's range. */
  pointer: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Key lookup as SCIM reads attribute names: case-insensitively. */
export function getKey(object: unknown, key: string): unknown {
  if (!isObject(object)) return undefined;
  if (key in object) return object[key];
  const lower = key.toLowerCase();
  const found = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : object[found];
}

function container(resource: Resource, resolved: ResolvedPath): Record<string, unknown> {
  const urn = resolved.parsed.schemaUrn ?? (resolved.common ? undefined : resolved.schema.id);
  if (!urn || urn.toLowerCase() === CORE_USER_URN.toLowerCase() || resolved.schema.id === CORE_USER_URN || resolved.common) return resource;
  const schemaId = resolved.schema.id;
  const existing = resource[schemaId];
  if (isObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  resource[schemaId] = created;
  return created;
}

function readContainer(resource: Resource, resolved: ResolvedPath): unknown {
  if (resolved.common || resolved.schema.id === CORE_USER_URN || resolved.schema.id.endsWith(':core:2.0:Group')) return resource;
  return getKey(resource, resolved.schema.id);
}

/** The equality comparisons of a value filter, as the attributes a new element must carry. */
function filterDefaults(filter: FilterExpression | undefined): Record<string, unknown> {
  if (!filter) return {};
  if (filter.kind === 'comparison') return filter.comparison.op === 'eq' ? { [filter.comparison.attribute]: filter.comparison.value } : {};
  if (filter.kind === 'and') return { ...filterDefaults(filter.left), ...filterDefaults(filter.right) };
  return {};
}

export function matchesFilter(element: unknown, filter: FilterExpression): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesFilter(element, filter.left) && matchesFilter(element, filter.right);
    case 'or':
      return matchesFilter(element, filter.left) || matchesFilter(element, filter.right);
    case 'not':
      return !matchesFilter(element, filter.operand);
    case 'comparison': {
      const { attribute, op, value } = filter.comparison;
      const actual = getKey(element, attribute);
      if (op === 'pr') return actual !== undefined && actual !== null && actual !== '';
      const fold = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
      const a = fold(actual);
      const b = fold(value);
      switch (op) {
        case 'eq':
          return a === b;
        case 'ne':
          return a !== b;
        case 'co':
          return typeof a === 'string' && typeof b === 'string' && a.includes(b);
        case 'sw':
          return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
        case 'ew':
          return typeof a === 'string' && typeof b === 'string' && a.endsWith(b);
        case 'gt':
          return (a as number) > (b as number);
        case 'ge':
          return (a as number) >= (b as number);
        case 'lt':
          return (a as number) < (b as number);
        case 'le':
          return (a as number) <= (b as number);
      }
    }
  }
  return false;
}

/** Writes `value` at a mapped path, creating the filtered element (emails[type eq "work"]) if needed. */
export function setPath(resource: Resource, resolved: ResolvedPath, value: unknown): void {
  const target = container(resource, resolved);
  const { parsed } = resolved;
  const top = resolved.parent ?? resolved.attribute;
  const name = top.name;
  if (top.multiValued && top.type === 'complex') {
    const list = Array.isArray(target[name]) ? (target[name] as Record<string, unknown>[]) : [];
    target[name] = list;
    let element = parsed.valueFilter ? list.find((e) => matchesFilter(e, parsed.valueFilter!.expression)) : list[0];
    if (!element) {
      element = { ...filterDefaults(parsed.valueFilter?.expression) };
      list.push(element);
    }
    element[parsed.subAttribute ? resolved.attribute.name : 'value'] = value;
    return;
  }
  if (resolved.parent) {
    const inner = isObject(target[name]) ? (target[name] as Record<string, unknown>) : {};
    target[name] = inner;
    inner[resolved.attribute.name] = value;
    return;
  }
  target[name] = value;
}

/** The value at a mapped path in a resource as the server returned it; undefined when absent. */
export function getPath(resource: unknown, resolved: ResolvedPath): unknown {
  const source = readContainer(resource as Resource, resolved);
  const { parsed } = resolved;
  const top = resolved.parent ?? resolved.attribute;
  const value = getKey(source, top.name);
  if (top.multiValued && top.type === 'complex') {
    if (!Array.isArray(value)) return undefined;
    const element = parsed.valueFilter ? value.find((e) => matchesFilter(e, parsed.valueFilter!.expression)) : value[0];
    return getKey(element, parsed.subAttribute ? resolved.attribute.name : 'value');
  }
  if (resolved.parent) return getKey(value, resolved.attribute.name);
  return value;
}

/** Removes the value at a mapped path (negative cases leave attributes out on purpose). */
export function removePath(resource: Resource, resolved: ResolvedPath): void {
  const target = readContainer(resource, resolved);
  if (!isObject(target)) return;
  const top = resolved.parent ?? resolved.attribute;
  const key = Object.keys(target).find((k) => k.toLowerCase() === top.name.toLowerCase());
  if (key === undefined) return;
  if (top.multiValued && top.type === 'complex' && resolved.parsed.valueFilter) {
    const list = target[key];
    if (!Array.isArray(list)) return;
    const filter = resolved.parsed.valueFilter.expression;
    if (resolved.parsed.subAttribute) {
      for (const element of list) if (matchesFilter(element, filter) && isObject(element)) delete element[resolved.attribute.name];
    } else {
      target[key] = list.filter((element) => !matchesFilter(element, filter));
    }
    return;
  }
  if (resolved.parent) {
    const inner = target[key];
    if (isObject(inner)) delete inner[resolved.attribute.name];
    return;
  }
  delete target[key];
}

export function buildUser(values: readonly MappedValue[]): Resource {
  const resource: Resource = { schemas: [CORE_USER_URN] };
  for (const mapped of values) setPath(resource, mapped.resolved, mapped.value);
  const extensions = new Set<string>();
  for (const mapped of values)
    if (!mapped.resolved.common && mapped.resolved.schema.id !== CORE_USER_URN) extensions.add(mapped.resolved.schema.id);
  resource['schemas'] = [CORE_USER_URN, ...extensions];
  return resource;
}

export function valuesMatch(expected: unknown, actual: unknown, compare: 'exact' | 'case-insensitive'): boolean {
  if (typeof expected === 'string' && typeof actual === 'string') {
    return compare === 'case-insensitive' ? expected.toLowerCase() === actual.toLowerCase() : expected === actual;
  }
  if (typeof expected === 'number' && typeof actual === 'string') return false;
  return JSON.stringify(expected) === JSON.stringify(actual);
}
