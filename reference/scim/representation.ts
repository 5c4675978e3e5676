// What a client sees of a stored resource: its attributes plus id, meta, and the
// relationships kept in the members table (a group's members, a user's groups), then cut down
// to what the request's `attributes` / `excludedAttributes` ask for (RFC 7644 §3.9).
import type { ResourceStore, StoredResource } from '../store/resources.ts';
import {
  RESOURCE_TYPES,
  findAttribute,
  findExtension,
  COMMON_ATTRIBUTES,
  type AttributeDefinition,
  type ResourceType,
} from '../schema/definitions.ts';
import { ScimError } from './errors.ts';
import { ACME_SCHEMAS, acmeExtension, type Variant } from '../variants.ts';

export function etagOf(stored: Pick<StoredResource, 'version'>): string {
  return `W/"${stored.version}"`;
}

export function locationOf(baseUrl: string, stored: Pick<StoredResource, 'type' | 'id'>): string {
  return `${baseUrl}${RESOURCE_TYPES[stored.type].endpoint}/${stored.id}`;
}

export function represent(store: ResourceStore, stored: StoredResource, baseUrl: string): Record<string, unknown> {
  const out: Record<string, unknown> = { schemas: stored.data['schemas'], id: stored.id };
  const type = RESOURCE_TYPES[stored.type];
  for (const [key, value] of Object.entries(stored.data)) {
    if (key === 'schemas' || findAttribute(type.schema.attributes, key)?.returned === 'never') continue;
    out[key] = value;
  }
  if (stored.type === 'User') {
    const groups = store.groupsOf(stored.id);
    if (groups.length > 0) {
      out['groups'] = groups.map((g) => ({ value: g.value, $ref: `${baseUrl}/Groups/${g.value}`, display: g.display, type: 'direct' }));
    }
  } else {
    const members = store.membersOf(stored.id);
    if (members.length > 0) {
      out['members'] = members.map((m) => ({
        value: m.value,
        $ref: `${baseUrl}${RESOURCE_TYPES[m.type].endpoint}/${m.value}`,
        display: m.display,
        type: m.type,
      }));
    }
  }
  out['meta'] = {
    resourceType: stored.type,
    created: stored.created,
    lastModified: stored.lastModified,
    location: locationOf(baseUrl, stored),
    version: etagOf(stored),
  };
  return out;
}

/**
 * What the legal variants change in a resource on its way out (never in the store, never in what
 * filters and PATCH see): members reduced to their value, no meta.version, the provider's own
 * extension added.
 */
export function shapeForVariants(resource: Record<string, unknown>, variants: ReadonlySet<Variant>): Record<string, unknown> {
  if (variants.size === 0) return resource;
  const out: Record<string, unknown> = { ...resource };
  const meta = out['meta'] as Record<string, unknown> | undefined;
  if (variants.has('bare-members') && Array.isArray(out['members'])) {
    out['members'] = (out['members'] as Record<string, unknown>[]).map((m) => ({ value: m['value'] }));
  }
  if (variants.has('no-etags') && meta) {
    const rest = { ...meta };
    delete rest['version'];
    out['meta'] = rest;
  }
  const type = meta?.['resourceType'];
  if (variants.has('extra-attributes') && (type === 'User' || type === 'Group')) {
    const urn = ACME_SCHEMAS[type].id;
    const declared = Array.isArray(out['schemas']) ? (out['schemas'] as string[]) : [];
    out['schemas'] = [...declared, urn];
    const { meta: keptMeta, ...attributes } = out;
    return { ...attributes, [urn]: acmeExtension(type, meta?.['created']), meta: keptMeta };
  }
  return out;
}

export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

export function readProjection(query: URLSearchParams | Record<string, unknown>): Projection {
  const get = (name: string): string | undefined => {
    if (query instanceof URLSearchParams) return query.get(name) ?? undefined;
    const value = query[name];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value.join(',');
    return String(value);
  };
  const split = (text: string | undefined) =>
    text
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const projection: Projection = {};
  const attributes = split(get('attributes'));
  const excluded = split(get('excludedAttributes'));
  if (attributes) projection.attributes = attributes;
  if (excluded) projection.excludedAttributes = excluded;
  return projection;
}

interface PathRef {
  /** Key in the resource: a core/common attribute name, or an extension URN. */
  top: string;
  /** For extension attributes and sub-attributes. */
  rest: string[];
}

function parseAttributePath(type: ResourceType, path: string): PathRef {
  const lower = path.toLowerCase();
  if (lower === 'schemas') return { top: 'schemas', rest: [] };
  for (const schema of [type.schema, ...type.extensions]) {
    const urn = schema.id.toLowerCase();
    if (lower === urn) return { top: schema === type.schema ? '' : schema.id, rest: [] };
    if (lower.startsWith(`${urn}:`)) {
      const parts = path.slice(urn.length + 1).split('.');
      if (schema === type.schema) return canonical(type, parts);
      const attribute = findAttribute(findExtension(type, schema.id)?.attributes, parts[0] ?? '');
      if (!attribute) throw new ScimError(400, `"${path}" is not an attribute of a ${type.name}.`, 'invalidValue');
      const sub = parts[1] === undefined ? undefined : findAttribute(attribute.subAttributes, parts[1]);
      return { top: schema.id, rest: sub ? [attribute.name, sub.name] : [attribute.name] };
    }
  }
  return canonical(type, path.split('.'));
}

function canonical(type: ResourceType, parts: string[]): PathRef {
  const attribute = findAttribute([...COMMON_ATTRIBUTES, ...type.schema.attributes], parts[0] ?? '');
  if (!attribute) throw new ScimError(400, `"${parts.join('.')}" is not an attribute of a ${type.name}.`, 'invalidValue');
  const sub: AttributeDefinition | undefined = parts[1] === undefined ? undefined : findAttribute(attribute.subAttributes, parts[1]);
  return { top: attribute.name, rest: sub ? [sub.name] : [] };
}

const ALWAYS = new Set(['id', 'schemas']);

export function project(resource: Record<string, unknown>, type: ResourceType, projection: Projection): Record<string, unknown> {
  if (projection.attributes?.length) {
    const out: Record<string, unknown> = {};
    for (const key of ALWAYS) if (key in resource) out[key] = resource[key];
    for (const path of projection.attributes) copyPath(resource, out, parseAttributePath(type, path));
    return out;
  }
  if (projection.excludedAttributes?.length) {
    const out = structuredClone(resource);
    for (const path of projection.excludedAttributes) {
      const ref = parseAttributePath(type, path);
      if (ALWAYS.has(ref.top)) continue;
      removePath(out, ref);
    }
    return out;
  }
  return resource;
}

function copyPath(from: Record<string, unknown>, to: Record<string, unknown>, ref: PathRef): void {
  if (ref.top === '') {
    for (const attribute of Object.keys(from)) if (!attribute.startsWith('urn:')) to[attribute] = from[attribute];
    return;
  }
  const value = from[ref.top];
  if (value === undefined) return;
  if (ref.rest.length === 0) {
    to[ref.top] = value;
    return;
  }
  const target = (to[ref.top] ??= Array.isArray(value) ? value.map(() => ({})) : {}) as unknown;
  copyNested(value, target, ref.rest);
}

function copyNested(from: unknown, to: unknown, rest: string[]): void {
  if (Array.isArray(from) && Array.isArray(to)) {
    from.forEach((item, i) => copyNested(item, to[i], rest));
    return;
  }
  if (typeof from !== 'object' || from === null || typeof to !== 'object' || to === null) return;
  const [key, ...more] = rest;
  if (key === undefined) return;
  const value = (from as Record<string, unknown>)[key];
  if (value === undefined) return;
  if (more.length === 0) (to as Record<string, unknown>)[key] = value;
  else copyNested(value, ((to as Record<string, unknown>)[key] ??= Array.isArray(value) ? value.map(() => ({})) : {}), more);
}

function removePath(target: Record<string, unknown>, ref: PathRef): void {
  if (ref.rest.length === 0) {
    delete target[ref.top];
    return;
  }
  const remove = (node: unknown, rest: string[]): void => {
    if (Array.isArray(node)) return node.forEach((item) => remove(item, rest));
    if (typeof node !== 'object' || node === null) return;
    const [key, ...more] = rest;
    if (key === undefined) return;
    if (more.length === 0) delete (node as Record<string, unknown>)[key];
    else remove((node as Record<string, unknown>)[key], more);
  };
  remove(target[ref.top], ref.rest);
}
