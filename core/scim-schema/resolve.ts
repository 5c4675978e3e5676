// Resolves SCIM attribute paths against the schemas in scope for a resource, the way a service
// provider would (RFC 7644 §3.10): names are case-insensitive, core attributes may omit their
// URN, extension attributes may not, and id/externalId/meta belong to every resource.
import { distance } from 'fastest-levenshtein';
import { COMMON_ATTRIBUTES, STANDARD_SCHEMAS, type AttributeDefinition, type SchemaDefinition } from './definitions.ts';
import { parseAttributePath, type FilterExpression, type ParsedPath } from './path.ts';

export type ResolveErrorCode = 'invalid-attribute-path' | 'unknown-scim-attribute' | 'unknown-scim-schema';

export interface ResolvedPath {
  ok: true;
  /** The attribute the path ends at: the sub-attribute when there is one. */
  attribute: AttributeDefinition;
  /** The complex attribute that holds `attribute`, for sub-attribute paths. */
  parent?: AttributeDefinition;
  /** The schema the top-level attribute belongs to; the resource's own schema for id/externalId/meta. */
  schema: SchemaDefinition;
  /** True for id, externalId and meta (RFC 7643 §3.1). */
  common: boolean;
  /**
   * The path spelled as the schemas spell it, core URN omitted, filter re-printed: two paths
   * with the same canonical form address the same values.
   */
  canonical: string;
  parsed: ParsedPath;
}

export interface ResolveError {
  ok: false;
  code: ResolveErrorCode;
  message: string;
  /** Offsets of the offending part within the path string (UTF-16, end exclusive). */
  start: number;
  end: number;
  /** Corrected full paths, best first (did-you-mean). */
  suggestions: string[];
  /**
   * The same corrections as minimal edits of the path, one per suggestion: the reported range is
   * often only part of the path, so a quick fix must not paste a whole suggestion into it.
   */
  fixes: PathEdit[];
}

/** Replace `path.slice(start, end)` with `text`. */
export interface PathEdit {
  start: number;
  end: number;
  text: string;
}

export type ResolveResult = ResolvedPath | ResolveError;

export interface AttributePathEntry {
  path: string;
  attribute: AttributeDefinition;
  parent?: AttributeDefinition;
  /** Absent for the common attributes, which belong to no schema. */
  schema?: SchemaDefinition;
}

// Spec-declared extensions can carry malformed names; comparing must not throw on them.
const same = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
const findAttribute = (list: readonly AttributeDefinition[] | undefined, name: string) => list?.find((a) => same(a.name, name));

interface Scope {
  /** The resource's core schema, when it is known. */
  resource: SchemaDefinition | undefined;
  /** Every schema in scope, the resource's own included. */
  all: SchemaDefinition[];
}

function scopeOf(schemas: readonly SchemaDefinition[], resourceSchemaUrn: string): Scope {
  // Spec-declared extensions arrive from user input: skip anything that is not a usable schema.
  const all = (Array.isArray(schemas) ? schemas : [])
    .filter((s): s is SchemaDefinition => !!s && typeof s.id === 'string' && s.id !== '' && Array.isArray(s.attributes))
    .map(usableSchema);
  const urn = typeof resourceSchemaUrn === 'string' ? resourceSchemaUrn : '';
  let resource = all.find((s) => same(s.id, urn));
  if (!resource) {
    resource = STANDARD_SCHEMAS.find((s) => same(s.id, urn));
    if (resource) all.unshift(resource);
  }
  return { resource, all };
}

function isUsable(a: AttributeDefinition): boolean {
  return (
    !!a &&
    typeof a === 'object' &&
    typeof a.name === 'string' &&
    a.name !== '' &&
    typeof a.type === 'string' &&
    (a.subAttributes === undefined || (Array.isArray(a.subAttributes) && a.subAttributes.every(isUsable)))
  );
}

/** The schema itself when every attribute is well-formed (the usual case), else a copy without the broken ones. */
function usableSchema(schema: SchemaDefinition): SchemaDefinition {
  if (schema.attributes.every(isUsable)) return schema;
  const clean = (list: AttributeDefinition[]): AttributeDefinition[] =>
    list
      .filter((a) => !!a && typeof a === 'object' && typeof a.name === 'string' && a.name !== '' && typeof a.type === 'string')
      .map((a) => {
        if (a.subAttributes === undefined || isUsable(a)) return a;
        const { subAttributes, ...rest } = a;
        return Array.isArray(subAttributes) ? { ...rest, subAttributes: clean(subAttributes) } : rest;
      });
  return { ...schema, attributes: clean(schema.attributes) };
}

export function resolveAttributePath(path: string, schemas: readonly SchemaDefinition[], resourceSchemaUrn: string): ResolveResult {
  if (typeof path !== 'string') return error('invalid-attribute-path', 'An attribute path must be a string.', 0, 0);
  const result = resolve(path, schemas, resourceSchemaUrn);
  if (!result.ok) result.fixes = result.suggestions.map((s) => edit(path, s));
  return result;
}

function resolve(path: string, schemas: readonly SchemaDefinition[], resourceSchemaUrn: string): ResolveResult {
  const scope = scopeOf(schemas, resourceSchemaUrn);
  const lower = path.toLowerCase();

  // The longest known id wins, so that one schema URN extending another still picks the right schema.
  let schema: SchemaDefinition | undefined;
  for (const s of scope.all) {
    if (lower.startsWith(`${s.id.toLowerCase()}:`) && (!schema || s.id.length > schema.id.length)) schema = s;
  }

  let parsed: ParsedPath;
  if (schema) {
    const result = parseAttributePath(path, schema.id.length);
    if (!result.ok) return error('invalid-attribute-path', result.message, result.start, result.end);
    parsed = result;
  } else {
    const whole = scope.all.find((s) => same(s.id, path));
    if (whole) {
      const example = whole.attributes[0]?.name ?? 'attribute';
      return error(
        'invalid-attribute-path',
        `"${path}" names a schema, not an attribute: add ":" and an attribute name, as in ${whole.id}:${example}.`,
        0,
        path.length,
      );
    }
    const dotted = scope.all.find((s) => lower.startsWith(`${s.id.toLowerCase()}.`));
    if (dotted) {
      const at = dotted.id.length;
      return error('invalid-attribute-path', 'A ":" separates the schema URN from the attribute name, not a ".".', at, at + 1, [
        `${path.slice(0, at)}:${path.slice(at + 1)}`,
      ]);
    }
    const result = parseAttributePath(path);
    if (!result.ok) return error('invalid-attribute-path', result.message, result.start, result.end);
    parsed = result;
    if (parsed.schemaUrn !== undefined) return unknownSchema(path, parsed.schemaUrn, scope);
  }

  const top = lookUpTopLevel(parsed, schema, scope);
  if (!top) return unknownAttribute(path, parsed, schema, scope);
  const { attribute, common } = top;
  const owner = top.schema;

  const filter = parsed.valueFilter;
  if (filter) {
    if (attribute.type !== 'complex' || !attribute.multiValued) {
      const kind = attribute.multiValued ? `a multi-valued ${attribute.type}` : `single-valued`;
      return error(
        'invalid-attribute-path',
        `"${attribute.name}" is ${kind}: a value filter [...] only selects among the ` +
          `values of a multi-valued complex attribute, such as emails[type eq "work"].`,
        filter.start - 1,
        filter.end + 1,
      );
    }
    for (const comparison of filter.comparisons) {
      const sub = findAttribute(attribute.subAttributes, comparison.attribute);
      if (!sub) {
        const span = comparison.attributeSpan;
        return error(
          'unknown-scim-attribute',
          `"${comparison.attribute}" is not a sub-attribute of "${attribute.name}", so the ` +
            `filter cannot test it; ${attribute.name} has ${names(attribute.subAttributes)}.`,
          span.start,
          span.end,
          suggest(comparison.attribute, candidatesAt(path, span.start, span.end, attribute.subAttributes)),
        );
      }
      if (sub.type === 'boolean' && comparison.valueSpan && typeof comparison.value !== 'boolean' && comparison.value !== null) {
        const span = comparison.valueSpan;
        return error(
          'invalid-attribute-path',
          `"${sub.name}" is a boolean: compare it with true or false, without quotes.`,
          span.start,
          span.end,
          typeof comparison.value === 'string' && /^(true|false)$/i.test(comparison.value)
            ? [`${path.slice(0, span.start)}${comparison.value.toLowerCase()}${path.slice(span.end)}`]
            : [],
        );
      }
    }
  }

  let resolved = attribute;
  let parent: AttributeDefinition | undefined;
  if (parsed.subAttribute !== undefined && parsed.spans.subAttribute) {
    const span = parsed.spans.subAttribute;
    if (!attribute.subAttributes) {
      return error(
        'invalid-attribute-path',
        `"${attribute.name}" is a ${attribute.type}${attribute.multiValued ? ' (multi-valued)' : ''} and has no sub-attributes.`,
        span.start,
        span.end,
      );
    }
    const sub = findAttribute(attribute.subAttributes, parsed.subAttribute);
    if (!sub) {
      return error(
        'unknown-scim-attribute',
        `"${attribute.name}" has no sub-attribute "${parsed.subAttribute}"; it has ${names(attribute.subAttributes)}.`,
        span.start,
        span.end,
        suggest(parsed.subAttribute, candidatesAt(path, span.start, span.end, attribute.subAttributes)),
      );
    }
    resolved = sub;
    parent = attribute;
  }

  const prefix = common || owner === scope.resource ? '' : `${owner.id}:`;
  const canonical =
    `${prefix}${attribute.name}${filter ? `[${printFilter(filter.expression, attribute)}]` : ''}` + `${parent ? `.${resolved.name}` : ''}`;
  return { ok: true, attribute: resolved, ...(parent ? { parent } : {}), schema: owner, common, canonical, parsed };
}

/** `fixes` is filled in by resolveAttributePath, which knows the whole path. */
function error(code: ResolveErrorCode, message: string, start: number, end: number, suggestions: string[] = []): ResolveError {
  return { ok: false, code, message: message + didYouMean(suggestions), start, end, suggestions, fixes: [] };
}

/** The smallest single edit that turns `from` into `to`. */
function edit(from: string, to: string): PathEdit {
  let prefix = 0;
  while (prefix < from.length && prefix < to.length && from[prefix] === to[prefix]) prefix++;
  let suffix = 0;
  while (suffix < from.length - prefix && suffix < to.length - prefix && from[from.length - 1 - suffix] === to[to.length - 1 - suffix])
    suffix++;
  return { start: prefix, end: from.length - suffix, text: to.slice(prefix, to.length - suffix) };
}

function lookUpTopLevel(
  parsed: ParsedPath,
  schema: SchemaDefinition | undefined,
  scope: Scope,
): { attribute: AttributeDefinition; schema: SchemaDefinition; common: boolean } | undefined {
  const home = schema ?? scope.resource;
  const own = home ? findAttribute(home.attributes, parsed.attribute) : undefined;
  if (own && home) return { attribute: own, schema: home, common: false };
  // Common attributes are unqualified; accepting them under the resource's own URN too is what servers do.
  if (!schema || schema === scope.resource) {
    const common = findAttribute(COMMON_ATTRIBUTES, parsed.attribute);
    if (common) return { attribute: common, schema: scope.resource ?? commonPseudoSchema(), common: true };
  }
  return undefined;
}

let commonSchema: SchemaDefinition | undefined;
/** Stands in as the owner of id/externalId/meta for a resource whose own schema is unknown. */
function commonPseudoSchema(): SchemaDefinition {
  commonSchema ??= {
    id: '',
    name: 'Common',
    description: 'The common attributes of every resource (RFC 7643 §3.1).',
    attributes: [...COMMON_ATTRIBUTES],
  };
  return commonSchema;
}

function unknownSchema(path: string, urn: string, scope: Scope): ResolveError {
  const rest = path.slice(urn.length);
  const lowerUrn = urn.toLowerCase();
  const candidates = scope.all.map((s) => ({ name: s.id, replacement: `${s.id}${rest}` }));
  // A URN cut one segment short (…:enterprise:2.0 instead of …:enterprise:2.0:User) is too far for edit distance.
  const truncated = scope.all.filter((s) => s.id.toLowerCase().startsWith(`${lowerUrn}:`)).map((s) => `${s.id}${rest}`);
  const suggestions = [...new Set([...suggest(urn, candidates), ...truncated])].slice(0, 3);
  const known = scope.all.map((s) => s.id).join(', ');
  return error(
    'unknown-scim-schema',
    `"${urn}" is not a schema in scope for this resource (${known || 'none'}); ` +
      `custom extension schemas must be declared in the spec's extensions.`,
    0,
    urn.length,
    suggestions,
  );
}

function unknownAttribute(path: string, parsed: ParsedPath, schema: SchemaDefinition | undefined, scope: Scope): ResolveError {
  const { start, end } = parsed.spans.attribute;
  const name = parsed.attribute;
  const rest = path.slice(end);
  const candidates: Candidate[] = [];
  const exact: Candidate[] = [];
  const home = schema ?? scope.resource;
  const homeIsResource = !schema || schema === scope.resource;
  if (home) candidates.push(...candidatesAt(path, start, end, home.attributes));
  if (homeIsResource) candidates.push(...candidatesAt(path, start, end, COMMON_ATTRIBUTES));

  if (!schema) {
    // Unqualified: the name may be an extension attribute missing its URN, or a sub-attribute missing its parent.
    for (const ext of scope.all) {
      if (ext === scope.resource) continue;
      for (const a of ext.attributes) candidates.push({ name: a.name, replacement: `${ext.id}:${a.name}${rest}` });
    }
    if (parsed.subAttribute === undefined && !parsed.valueFilter) {
      for (const a of [...(scope.resource?.attributes ?? []), ...COMMON_ATTRIBUTES]) {
        if (a.type !== 'complex' || a.multiValued) continue;
        for (const sub of a.subAttributes ?? []) candidates.push({ name: sub.name, replacement: `${a.name}.${sub.name}` });
      }
    }
  } else {
    // Qualified with the wrong schema: only an exact match elsewhere is worth proposing.
    for (const other of scope.all) {
      if (other === schema) continue;
      const a = findAttribute(other.attributes, name);
      if (a) exact.push({ name: a.name, replacement: `${other === scope.resource ? '' : `${other.id}:`}${a.name}${rest}` });
    }
    if (!homeIsResource) {
      const a = findAttribute(COMMON_ATTRIBUTES, name);
      if (a) exact.push({ name: a.name, replacement: `${a.name}${rest}` });
    }
  }

  const suggestions = [...new Set([...suggest(name, candidates), ...exact.map((c) => c.replacement)])].slice(0, 3);
  const where = schema
    ? schema === scope.resource
      ? `the ${schema.name} schema (${schema.id}) or a common attribute (id, externalId, meta)`
      : `${schema.id}`
    : scope.resource
      ? `the ${scope.resource.name} schema or a common attribute (id, ` +
        `externalId, meta); extension attributes are written with their schema URN`
      : 'this resource';
  return error('unknown-scim-attribute', `"${name}" is not an attribute of ${where}.`, start, end, suggestions);
}

interface Candidate {
  name: string;
  /** The whole path with the misspelt part replaced by `name`. */
  replacement: string;
}

function candidatesAt(path: string, start: number, end: number, attributes: readonly AttributeDefinition[] | undefined): Candidate[] {
  return (attributes ?? []).map((a) => ({ name: a.name, replacement: `${path.slice(0, start)}${a.name}${path.slice(end)}` }));
}

/**
 * The replacements whose name is within a small edit distance of `written`, closest first: at
 * most 2 edits and at most a third of the name (rounded up, so that a swapped pair of letters in
 * a five-letter name, 2 edits, still counts), so that short names do not "suggest" unrelated ones.
 */
function suggest(written: string, candidates: readonly Candidate[], limit = 3): string[] {
  const lower = written.toLowerCase();
  const scored: Array<{ replacement: string; score: number; order: number }> = [];
  candidates.forEach((c, order) => {
    const name = c.name.toLowerCase();
    const d = distance(lower, name);
    const budget = Math.min(2, Math.ceil(Math.max(lower.length, name.length) / 3));
    if (d <= budget) scored.push({ replacement: c.replacement, score: d, order });
  });
  scored.sort((a, b) => a.score - b.score || a.order - b.order);
  return [...new Set(scored.map((s) => s.replacement))].slice(0, limit);
}

function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  if (suggestions.length === 1) return ` Did you mean "${suggestions[0]}"?`;
  return ` Did you mean ${suggestions
    .slice(0, -1)
    .map((s) => `"${s}"`)
    .join(', ')} or "${suggestions.at(-1)}"?`;
}

function names(attributes: readonly AttributeDefinition[] | undefined): string {
  return (attributes ?? []).map((a) => a.name).join(', ');
}

function printFilter(e: FilterExpression, parent: AttributeDefinition): string {
  switch (e.kind) {
    case 'comparison': {
      const c = e.comparison;
      const name = findAttribute(parent.subAttributes, c.attribute)?.name ?? c.attribute;
      return `${name} ${c.op}${c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`}`;
    }
    case 'and': {
      const wrap = (x: FilterExpression) => (x.kind === 'or' ? `(${printFilter(x, parent)})` : printFilter(x, parent));
      return `${wrap(e.left)} and ${wrap(e.right)}`;
    }
    case 'or':
      return `${printFilter(e.left, parent)} or ${printFilter(e.right, parent)}`;
    case 'not':
      return `not (${printFilter(e.operand, parent)})`;
  }
}

/**
 * Every path an IdP mapping can address for the resource, for completion: top-level attributes,
 * sub-attributes, and for multi-valued complex attributes the value-filter forms on their
 * canonical types (emails[type eq "work"].value) and on primary. Extension paths are fully
 * qualified.
 */
export function listAttributePaths(schemas: readonly SchemaDefinition[], resourceSchemaUrn: string): AttributePathEntry[] {
  const scope = scopeOf(schemas, resourceSchemaUrn);
  const out: AttributePathEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: AttributePathEntry) => {
    const key = entry.path.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    out.push(entry);
  };
  const addAttribute = (prefix: string, a: AttributeDefinition, schema: SchemaDefinition | undefined) => {
    const at = (path: string, attribute: AttributeDefinition, parent?: AttributeDefinition): AttributePathEntry => ({
      path,
      attribute,
      ...(parent ? { parent } : {}),
      ...(schema ? { schema } : {}),
    });
    const base = `${prefix}${a.name}`;
    add(at(base, a));
    const subs = a.subAttributes ?? [];
    for (const sub of subs) add(at(`${base}.${sub.name}`, sub, a));
    if (a.type !== 'complex' || !a.multiValued) return;
    const type = findAttribute(subs, 'type');
    for (const value of type?.canonicalValues ?? []) {
      for (const sub of subs) {
        if (sub !== type) add(at(`${base}[type eq ${JSON.stringify(value)}].${sub.name}`, sub, a));
      }
    }
    const primary = findAttribute(subs, 'primary');
    const value = findAttribute(subs, 'value');
    if (primary && value) add(at(`${base}[primary eq true].${value.name}`, value, a));
  };

  for (const a of scope.resource?.attributes ?? []) addAttribute('', a, scope.resource);
  for (const a of COMMON_ATTRIBUTES) addAttribute('', a, undefined);
  for (const s of scope.all) {
    if (s === scope.resource) continue;
    for (const a of s.attributes) addAttribute(`${s.id}:`, a, s);
  }
  return out;
}
