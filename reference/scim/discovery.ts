// The discovery endpoints (RFC 7644 §4, RFC 7643 §5-7): what this server supports, stated so
// that a client can rely on it. Every "supported" below is implemented, and nothing else is.
import { ALL_SCHEMAS, RESOURCE_TYPES, type SchemaDefinition } from '../schema/definitions.ts';
import { MAX_PAGE_SIZE, LIST_SCHEMA } from './service.ts';
import { ScimError } from './errors.ts';
import { ACME_SCHEMAS, MINIMAL_MAX_RESULTS, type Variant } from '../variants.ts';
import type { Misbehaviour } from '../misbehaviours.ts';
import { BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD } from './bulk.ts';

/** Bulk is offered under the `bulk` variant, and by the misbehaviours that get it wrong. */
export function offersBulk(variants: ReadonlySet<Variant>, flags: ReadonlySet<Misbehaviour>): boolean {
  return variants.has('bulk') || flags.has('bulk-ignores-bulkid') || flags.has('bulk-no-413') || flags.has('bulk-ignores-fail-on-errors');
}

/** `max-results-ignored`: what the buggy server claims as its page limit. */
const CLAIMED_MAX_RESULTS = 10;

export function serviceProviderConfig(
  baseUrl: string,
  variants: ReadonlySet<Variant> = new Set(),
  flags: ReadonlySet<Misbehaviour> = new Set(),
): Record<string, unknown> {
  const minimal = variants.has('minimal-config');
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/provspec/provspec#the-reference-server',
    patch: { supported: !flags.has('advertises-no-patch') },
    bulk: offersBulk(variants, flags)
      ? { supported: true, maxOperations: BULK_MAX_OPERATIONS, maxPayloadSize: BULK_MAX_PAYLOAD }
      : { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: {
      supported: true,
      maxResults: flags.has('max-results-ignored') ? CLAIMED_MAX_RESULTS : minimal ? MINIMAL_MAX_RESULTS : MAX_PAGE_SIZE,
    },
    changePassword: { supported: false },
    sort: { supported: !minimal },
    etag: { supported: !variants.has('no-etags') },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A bearer token in the Authorization header (the token `provspec serve` prints).',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

function schemaResource(schema: SchemaDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    ...schema,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

/**
 * The schemas this server describes: the RFC's, plus its own extensions under `extra-attributes`;
 * Group displayName declared unique under `unique-group-names` (and, falsely, `groups-no-uniqueness`).
 */
function allSchemas(variants: ReadonlySet<Variant>, flags: ReadonlySet<Misbehaviour>): readonly SchemaDefinition[] {
  let list: SchemaDefinition[] = variants.has('extra-attributes')
    ? [...ALL_SCHEMAS, ACME_SCHEMAS.User, ACME_SCHEMAS.Group]
    : [...ALL_SCHEMAS];
  if (variants.has('unique-group-names') || flags.has('groups-no-uniqueness')) {
    list = list.map((schema) =>
      schema.id === RESOURCE_TYPES.Group.schema.id
        ? { ...schema, attributes: schema.attributes.map((a) => (a.name === 'displayName' ? { ...a, uniqueness: 'server' as const } : a)) }
        : schema,
    );
  }
  if (variants.has('immutable-employee-number') || flags.has('immutable-changed')) {
    list = list.map((schema) =>
      schema.id === RESOURCE_TYPES.User.extensions[0]!.id
        ? {
            ...schema,
            attributes: schema.attributes.map((a) => (a.name === 'employeeNumber' ? { ...a, mutability: 'immutable' as const } : a)),
          }
        : schema,
    );
  }
  if (flags.has('undeclared-department')) {
    list = list.map((schema) =>
      schema.id === RESOURCE_TYPES.User.extensions[0]!.id
        ? { ...schema, attributes: schema.attributes.filter((a) => a.name !== 'department') }
        : schema,
    );
  }
  if (flags.has('schemas-no-group')) list = list.filter((schema) => schema.id !== RESOURCE_TYPES.Group.schema.id);
  return list;
}

function resourceTypeResource(name: keyof typeof RESOURCE_TYPES, baseUrl: string, variants: ReadonlySet<Variant>): Record<string, unknown> {
  const type = RESOURCE_TYPES[name];
  const extensions = variants.has('extra-attributes') ? [...type.extensions, ACME_SCHEMAS[name]] : type.extensions;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    schemaExtensions: extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.name}` },
  };
}

function listOf(resources: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [LIST_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}

export function schemas(
  baseUrl: string,
  id?: string,
  variants: ReadonlySet<Variant> = new Set(),
  flags: ReadonlySet<Misbehaviour> = new Set(),
): Record<string, unknown> {
  const known = allSchemas(variants, flags);
  if (id === undefined) return listOf(known.map((s) => schemaResource(s, baseUrl)));
  const schema = known.find((s) => s.id.toLowerCase() === id.toLowerCase());
  if (!schema) throw new ScimError(404, `No schema ${JSON.stringify(id)} here.`);
  return schemaResource(schema, baseUrl);
}

export function resourceTypes(
  baseUrl: string,
  id?: string,
  variants: ReadonlySet<Variant> = new Set(),
  flags: ReadonlySet<Misbehaviour> = new Set(),
): Record<string, unknown> {
  const names = (Object.keys(RESOURCE_TYPES) as (keyof typeof RESOURCE_TYPES)[]).filter(
    (n) => !(n === 'Group' && flags.has('schemas-no-group')),
  );
  if (id === undefined) return listOf(names.map((n) => resourceTypeResource(n, baseUrl, variants)));
  const name = names.find((n) => n.toLowerCase() === id.toLowerCase());
  if (!name) throw new ScimError(404, `No resource type ${JSON.stringify(id)} here.`);
  return resourceTypeResource(name, baseUrl, variants);
}
