// The RFC 7643 schema definitions this server enforces, read from the JSON in schemas/scim/
// (the same definitions the spec validator reads; the server shares data with core/, never code).
import userSchema from '../../schemas/scim/user.json' with { type: 'json' };
import groupSchema from '../../schemas/scim/group.json' with { type: 'json' };
import enterpriseUserSchema from '../../schemas/scim/enterprise-user.json' with { type: 'json' };
import commonSchema from '../../schemas/scim/common.json' with { type: 'json' };

export interface AttributeDefinition {
  name: string;
  type: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
  multiValued: boolean;
  description?: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  subAttributes?: AttributeDefinition[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

export interface SchemaDefinition {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
}

export const USER_SCHEMA = userSchema as SchemaDefinition;
export const GROUP_SCHEMA = groupSchema as SchemaDefinition;
export const ENTERPRISE_USER_SCHEMA = enterpriseUserSchema as SchemaDefinition;
export const COMMON_ATTRIBUTES = (commonSchema as { attributes: AttributeDefinition[] }).attributes;

/** Entra ID adds this schema to group creates; it carries nothing we store. */
export const LEGACY_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

export type ResourceTypeName = 'User' | 'Group';

export interface ResourceType {
  name: ResourceTypeName;
  endpoint: '/Users' | '/Groups';
  description: string;
  schema: SchemaDefinition;
  extensions: readonly SchemaDefinition[];
  /** Schema URNs a client may list in `schemas` and that are dropped on the way in. */
  ignoredSchemas: readonly string[];
  /**
   * Attributes the RFC text requires although the §8.7.1 schema listing says required false
   * (Group displayName: RFC 7643 §4.2 "REQUIRED").
   */
  alsoRequired: readonly string[];
}

export const RESOURCE_TYPES: Record<ResourceTypeName, ResourceType> = {
  User: {
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: USER_SCHEMA,
    extensions: [ENTERPRISE_USER_SCHEMA],
    ignoredSchemas: [],
    alsoRequired: [],
  },
  Group: {
    name: 'Group',
    endpoint: '/Groups',
    description: 'Group',
    schema: GROUP_SCHEMA,
    extensions: [],
    ignoredSchemas: [LEGACY_GROUP_SCHEMA],
    alsoRequired: ['displayName'],
  },
};

export const ALL_SCHEMAS: readonly SchemaDefinition[] = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA];

/** Attribute names are case-insensitive (RFC 7643 §2.1). */
export function findAttribute(attributes: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition | undefined {
  if (!attributes) return undefined;
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}

export function findExtension(type: ResourceType, urn: string): SchemaDefinition | undefined {
  const lower = urn.toLowerCase();
  return type.extensions.find((s) => s.id.toLowerCase() === lower);
}

/** Top-level attribute of a resource type: common, core, or `urn:…:name` of an extension. */
export function resolveTopLevel(
  type: ResourceType,
  name: string,
): { attribute: AttributeDefinition; extension?: SchemaDefinition } | undefined {
  const common = findAttribute(COMMON_ATTRIBUTES, name);
  if (common) return { attribute: common };
  const core = findAttribute(type.schema.attributes, name);
  if (core) return { attribute: core };
  return undefined;
}

/**
 * Resolves a dotted attribute path (`name.givenName`, `urn:…:User:manager.value`, `emails.value`)
 * to its definition, or undefined when the path names nothing in this resource type.
 */
export function resolvePath(type: ResourceType, path: string): AttributeDefinition | undefined {
  let rest = path;
  let attributes: readonly AttributeDefinition[] = [...COMMON_ATTRIBUTES, ...type.schema.attributes];
  const lower = path.toLowerCase();
  for (const schema of [type.schema, ...type.extensions]) {
    const prefix = `${schema.id.toLowerCase()}:`;
    if (lower.startsWith(prefix)) {
      rest = path.slice(prefix.length);
      attributes = schema.attributes;
      break;
    }
  }
  const [head, sub, ...more] = rest.split('.');
  if (more.length > 0 || head === undefined) return undefined;
  const attribute = findAttribute(attributes, head);
  if (!attribute || sub === undefined) return attribute;
  return findAttribute(attribute.subAttributes, sub);
}
