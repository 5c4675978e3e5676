// What the server says of itself (GET /ServiceProviderConfig, /Schemas, /ResourceTypes), read
// once per suite. Checks that depend on a characteristic the server declares (a Group
// displayName it holds unique, an extension it offers, a feature it advertises) ask here, and
// fall back to RFC 7643's own schemas when the server declares nothing: a check is held to what
// the server says it does, never to what one reference server does.
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, type SchemaDefinition } from '../../scim-schema/index.ts';
import { getKey } from '../../scim/resource.ts';
import type { Exchange } from '../../scim/exchange.ts';
import { listResources } from '../protocol.ts';

export interface Characteristics {
  caseExact: boolean;
  uniqueness: 'none' | 'server' | 'global';
  required: boolean;
  mutability: string;
  returned: string;
  /** Whether the server itself declared it (else RFC 7643's schema says so). */
  declared: boolean;
}

export interface Declared {
  config?: unknown;
  configExchange?: Exchange;
  schemas?: unknown[];
  schemasExchange?: Exchange;
  resourceTypes?: unknown[];
  resourceTypesExchange?: Exchange;
}

export function readList(exchange: Exchange): unknown[] | undefined {
  if (exchange.status !== 200) return undefined;
  return listResources(exchange) ?? (Array.isArray(exchange.json) ? exchange.json : undefined);
}

/** The advertised `supported` flag of a ServiceProviderConfig feature, when it states one. */
export function advertised(
  declared: Declared,
  feature: 'patch' | 'bulk' | 'filter' | 'changePassword' | 'sort' | 'etag',
): boolean | undefined {
  const value = getKey(getKey(declared.config, feature), 'supported');
  return typeof value === 'boolean' ? value : undefined;
}

export function configNumber(declared: Declared, feature: string, key: string): number | undefined {
  const value = getKey(getKey(declared.config, feature), key);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The server's schema with this URN, when /Schemas lists it. */
export function declaredSchema(declared: Declared, urn: string): unknown {
  return declared.schemas?.find((s) => String(getKey(s, 'id')).toLowerCase() === urn.toLowerCase());
}

/** A top-level attribute's characteristics as the server declares them, else as RFC 7643 does. */
export function characteristics(declared: Declared, urn: string, name: string): Characteristics | undefined {
  const own = declaredSchema(declared, urn);
  const ownAttributes = getKey(own, 'attributes');
  const found = Array.isArray(ownAttributes)
    ? ownAttributes.find((a) => String(getKey(a, 'name')).toLowerCase() === name.toLowerCase())
    : undefined;
  if (found !== undefined) return fromObject(found, true);
  const rfc = RFC_SCHEMAS.find((s) => s.id === urn);
  const attribute = rfc?.attributes.find((a) => a.name.toLowerCase() === name.toLowerCase());
  return attribute ? fromObject(attribute, false) : undefined;
}

/** Whether the server offers an extension on a resource type (its ResourceType lists it). */
export function offersExtension(declared: Declared, resourceType: 'User' | 'Group', urn: string): boolean | undefined {
  if (!declared.resourceTypes) return undefined;
  const type = declared.resourceTypes.find((t) => getKey(t, 'name') === resourceType || getKey(t, 'id') === resourceType);
  const extensions = getKey(type, 'schemaExtensions');
  if (!Array.isArray(extensions)) return type === undefined ? undefined : false;
  return extensions.some((e) => String(getKey(e, 'schema')).toLowerCase() === urn.toLowerCase());
}

const RFC_SCHEMAS: readonly SchemaDefinition[] = [CORE_USER, CORE_GROUP, ENTERPRISE_USER];

function fromObject(attribute: unknown, declared: boolean): Characteristics {
  const uniqueness = getKey(attribute, 'uniqueness');
  return {
    caseExact: getKey(attribute, 'caseExact') === true,
    uniqueness: uniqueness === 'server' || uniqueness === 'global' ? uniqueness : 'none',
    required: getKey(attribute, 'required') === true,
    mutability: String(getKey(attribute, 'mutability') ?? 'readWrite'),
    returned: String(getKey(attribute, 'returned') ?? 'default'),
    declared,
  };
}
