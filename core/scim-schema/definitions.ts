// The RFC 7643 schemas as typed values. The JSON in schemas/scim/ is the single source, so the
// published package and the validator can never disagree about what an attribute is.
import userJson from '../../schemas/scim/user.json' with { type: 'json' };
import groupJson from '../../schemas/scim/group.json' with { type: 'json' };
import enterpriseUserJson from '../../schemas/scim/enterprise-user.json' with { type: 'json' };
import commonJson from '../../schemas/scim/common.json' with { type: 'json' };

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/** One attribute as RFC 7643 §7 describes it. */
export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  /** Only on `complex` attributes; sub-attributes are never complex themselves (RFC 7643 §2.3.8). */
  subAttributes?: AttributeDefinition[];
}

export interface SchemaDefinition {
  /** The schema URN, e.g. urn:ietf:params:scim:schemas:core:2.0:User. */
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
  meta?: { resourceType: string; location: string };
}

export const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// The singletons are shared by every validation a language server runs; a caller mutating one
// would silently change the rules for all later documents.
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export const CORE_USER: SchemaDefinition = deepFreeze(userJson as SchemaDefinition);
export const CORE_GROUP: SchemaDefinition = deepFreeze(groupJson as SchemaDefinition);
export const ENTERPRISE_USER: SchemaDefinition = deepFreeze(enterpriseUserJson as SchemaDefinition);

/** id, externalId and meta (RFC 7643 §3.1): part of every resource, yet of no schema. */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = deepFreeze(commonJson.attributes as AttributeDefinition[]);

/** The schemas RFC 7643 defines, for looking a resource's core schema up by URN. */
export const STANDARD_SCHEMAS: readonly SchemaDefinition[] = [CORE_USER, CORE_GROUP, ENTERPRISE_USER];
