// SCIM filters (RFC 7644 §3.4.2.2). The grammar is parsed by scim2-parse-filter; comparing is
// done here because it depends on the schema: strings compare case-insensitively unless the
// attribute is caseExact, dateTimes compare as instants, and attribute names are
// case-insensitive.
import { parse, type Filter } from 'scim2-parse-filter';
import { ScimError } from './errors.ts';
import { findAttribute, findExtension, COMMON_ATTRIBUTES, type AttributeDefinition, type ResourceType } from '../schema/definitions.ts';

export type Predicate = (resource: Record<string, unknown>) => boolean;

export interface FilterOptions {
  /** A buggy server compares userName case-sensitively. */
  caseSensitiveUserName: boolean;
  /** `filter-gt-as-ge`: "gt" also matches equal values. */
  gtAsGe?: boolean;
  /** `group-filter-prefix`: Group displayName eq matches by prefix. */
  displayNamePrefix?: boolean;
  /** `group-filter-case-sensitive`: Group displayName eq compares case-sensitively. */
  caseSensitiveDisplayName?: boolean;
}

export function parseFilter(text: string): Filter {
  try {
    return parse(text);
  } catch (error) {
    throw new ScimError(
      400,
      `Invalid filter ${JSON.stringify(text)}: ${error instanceof Error ? error.message : String(error)}`,
      'invalidFilter',
    );
  }
}

export function compileFilter(filter: Filter, type: ResourceType, options: FilterOptions): Predicate {
  return compile(filter, type, undefined, options);
}

interface Resolved {
  /** Path from the resource (or the value-path element) down to the value. */
  keys: string[];
  attribute: AttributeDefinition | undefined;
}

function resolve(attrPath: string, type: ResourceType, within: AttributeDefinition | undefined): Resolved {
  if (within) {
    const sub = findAttribute(within.subAttributes, attrPath);
    if (!sub) throw new ScimError(400, `"${attrPath}" is not a sub-attribute of "${within.name}".`, 'invalidFilter');
    return { keys: [sub.name], attribute: sub };
  }
  let rest = attrPath;
  let attributes: readonly AttributeDefinition[] = [...COMMON_ATTRIBUTES, ...type.schema.attributes];
  const keys: string[] = [];
  const lower = attrPath.toLowerCase();
  for (const schema of [type.schema, ...type.extensions]) {
    if (lower.startsWith(`${schema.id.toLowerCase()}:`)) {
      rest = attrPath.slice(schema.id.length + 1);
      attributes = schema.attributes;
      if (schema !== type.schema) keys.push(findExtension(type, schema.id)!.id);
      break;
    }
  }
  const [head = '', sub, ...more] = rest.split('.');
  const attribute = findAttribute(attributes, head);
  if (!attribute || more.length > 0) throw new ScimError(400, `"${attrPath}" is not an attribute of a ${type.name}.`, 'invalidFilter');
  keys.push(attribute.name);
  if (sub === undefined) return { keys, attribute };
  const subAttribute = findAttribute(attribute.subAttributes, sub);
  if (!subAttribute) throw new ScimError(400, `"${attrPath}" is not an attribute of a ${type.name}.`, 'invalidFilter');
  keys.push(subAttribute.name);
  return { keys, attribute: subAttribute };
}

/** Every value at `keys`, flattening multi-valued attributes on the way down. */
function valuesAt(resource: unknown, keys: readonly string[]): unknown[] {
  let current: unknown[] = [resource];
  for (const key of keys) {
    const next: unknown[] = [];
    for (const item of current) {
      if (typeof item !== 'object' || item === null) continue;
      const value = (item as Record<string, unknown>)[key];
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) next.push(...value);
      else next.push(value);
    }
    current = next;
  }
  return current;
}

function compile(filter: Filter, type: ResourceType, within: AttributeDefinition | undefined, options: FilterOptions): Predicate {
  switch (filter.op) {
    case 'and': {
      const parts = filter.filters.map((f) => compile(f, type, within, options));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = filter.filters.map((f) => compile(f, type, within, options));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compile(filter.filter, type, within, options);
      return (r) => !inner(r);
    }
    case '[]': {
      const { keys, attribute } = resolve(filter.attrPath, type, within);
      if (attribute?.type !== 'complex')
        throw new ScimError(400, `"${filter.attrPath}" is not complex: it cannot take a value filter.`, 'invalidFilter');
      const inner = compile(filter.valFilter, type, attribute, options);
      return (r) =>
        valuesAt(r, keys).some((element) => typeof element === 'object' && element !== null && inner(element as Record<string, unknown>));
    }
    case 'pr': {
      const { keys } = resolve(filter.attrPath, type, within);
      return (r) => valuesAt(r, keys).some((v) => v !== '' && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0));
    }
    default: {
      const { keys, attribute } = resolve(filter.attrPath, type, within);
      // A filter on a complex multi-valued attribute without a sub-attribute means its "value".
      const valueKeys = attribute?.type === 'complex' && findAttribute(attribute.subAttributes, 'value') ? [...keys, 'value'] : keys;
      const groupName = type.name === 'Group' && attribute?.name === 'displayName' && within === undefined;
      const op =
        filter.op === 'gt' && options.gtAsGe ? 'ge' : groupName && filter.op === 'eq' && options.displayNamePrefix ? 'sw' : filter.op;
      const compare = comparator(op, filter.compValue, attribute, filter.attrPath, {
        ...options,
        caseSensitiveUserName: options.caseSensitiveUserName || (groupName && options.caseSensitiveDisplayName === true),
      });
      if (filter.op === 'ne') return (r) => !valuesAt(r, valueKeys).some((v) => compare(v));
      return (r) => valuesAt(r, valueKeys).some((v) => compare(v));
    }
  }
}

function comparator(
  op: string,
  expected: unknown,
  attribute: AttributeDefinition | undefined,
  attrPath: string,
  options: FilterOptions,
): (actual: unknown) => boolean {
  const type = attribute?.type ?? 'string';
  const caseExact =
    attribute?.caseExact === true ||
    (options.caseSensitiveUserName &&
      (attribute?.name === 'userName' || (attribute?.name === 'displayName' && options.caseSensitiveDisplayName === true)));
  if (type === 'boolean' || expected === null || typeof expected === 'boolean') {
    if (op !== 'eq' && op !== 'ne')
      throw new ScimError(400, `"${op}" cannot compare ${type === 'boolean' ? 'a boolean' : 'null'} (${attrPath}).`, 'invalidFilter');
    return (actual) => actual === expected;
  }
  if (type === 'integer' || type === 'decimal') {
    if (typeof expected !== 'number') throw new ScimError(400, `${attrPath} is a number; compare it with a number.`, 'invalidFilter');
    return ordered(op, attrPath, (actual) => (typeof actual === 'number' ? actual - expected : undefined));
  }
  if (typeof expected !== 'string') throw new ScimError(400, `${attrPath} is a string; compare it with a quoted string.`, 'invalidFilter');
  if (type === 'dateTime') {
    const instant = Date.parse(expected);
    if (Number.isNaN(instant)) throw new ScimError(400, `${JSON.stringify(expected)} is not a dateTime.`, 'invalidFilter');
    if (op === 'co' || op === 'sw' || op === 'ew')
      throw new ScimError(400, `"${op}" cannot compare a dateTime (${attrPath}).`, 'invalidFilter');
    return ordered(op, attrPath, (actual) => (typeof actual === 'string' ? Date.parse(actual) - instant : undefined));
  }
  const fold = (s: string) => (caseExact ? s : s.toLowerCase());
  const want = fold(expected);
  switch (op) {
    case 'eq':
    case 'ne':
      return (actual) => typeof actual === 'string' && fold(actual) === want;
    case 'co':
      return (actual) => typeof actual === 'string' && fold(actual).includes(want);
    case 'sw':
      return (actual) => typeof actual === 'string' && fold(actual).startsWith(want);
    case 'ew':
      return (actual) => typeof actual === 'string' && fold(actual).endsWith(want);
    default:
      return ordered(op, attrPath, (actual) =>
        typeof actual === 'string' ? (fold(actual) < want ? -1 : fold(actual) > want ? 1 : 0) : undefined,
      );
  }
}

function ordered(op: string, attrPath: string, diff: (actual: unknown) => number | undefined): (actual: unknown) => boolean {
  const test: Record<string, (d: number) => boolean> = {
    eq: (d) => d === 0,
    ne: (d) => d === 0,
    gt: (d) => d > 0,
    ge: (d) => d >= 0,
    lt: (d) => d < 0,
    le: (d) => d <= 0,
  };
  const check = test[op];
  if (!check) throw new ScimError(400, `"${op}" cannot compare ${attrPath}.`, 'invalidFilter');
  return (actual) => {
    const d = diff(actual);
    return d !== undefined && !Number.isNaN(d) && check(d);
  };
}

/** `userName eq "x"` and friends, answered from an index instead of a scan. */
export function indexedEquality(
  filter: Filter,
): { attribute: 'userName' | 'externalId' | 'displayName' | 'id'; value: string } | undefined {
  // `id eq "g" and members[value eq "u"]` (Entra's membership check): the indexed side narrows.
  if (filter.op === 'and') {
    for (const part of filter.filters) {
      const found = indexedEquality(part);
      if (found) return found;
    }
    return undefined;
  }
  if (filter.op !== 'eq' || typeof filter.compValue !== 'string') return undefined;
  const name = filter.attrPath.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, '');
  const attribute = ({ username: 'userName', externalid: 'externalId', displayname: 'displayName', id: 'id' } as const)[name];
  return attribute && { attribute, value: filter.compValue };
}
