// The discovery endpoints (RFC 7644 §4, RFC 7643 §5-7): what this server supports, stated so
// that a client can rely on it. Every "supported" below is implemented, and nothing else is.
import { ALL_SCHEMAS, RESOURCE_TYPES, type SchemaDefinition } from '../schema/definitions.ts';
import { MAX_PAGE_SIZE, LIST_SCHEMA } from './service.ts';
import { ScimError } from './errors.ts';
import { ACME_SCHEMAS, MINIMAL_MAX_RESULTS, type Variant } from '../variants.ts';

export function serviceProviderConfig(baseUrl: string, variants: ReadonlySet<Variant> = new Set()): Record<string, unknown> {
  const minimal = variants.has('minimal-config');
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/provspec/provspec#the-reference-server',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: minimal ? MINIMAL_MAX_RESULTS : MAX_PAGE_SIZE },
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

/** The schemas this server describes: the RFC's, plus its own extensions under `extra-attributes`. */
function allSchemas(variants: ReadonlySet<Variant>): readonly SchemaDefinition[] {
  return variants.has('extra-attributes') ? [...ALL_SCHEMAS, ACME_SCHEMAS.User, ACME_SCHEMAS.Group] : ALL_SCHEMAS;
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

export function schemas(baseUrl: string, id?: string, variants: ReadonlySet<Variant> = new Set()): Record<string, unknown> {
  const known = allSchemas(variants);
  if (id === undefined) return listOf(known.map((s) => schemaResource(s, baseUrl)));
  const schema = known.find((s) => s.id.toLowerCase() === id.toLowerCase());
  if (!schema) throw new ScimError(404, `No schema ${JSON.stringify(id)} here.`);
  return schemaResource(schema, baseUrl);
}

export function resourceTypes(baseUrl: string, id?: string, variants: ReadonlySet<Variant> = new Set()): Record<string, unknown> {
  const names = Object.keys(RESOURCE_TYPES) as (keyof typeof RESOURCE_TYPES)[];
  if (id === undefined) return listOf(names.map((n) => resourceTypeResource(n, baseUrl, variants)));
  const name = names.find((n) => n.toLowerCase() === id.toLowerCase());
  if (!name) throw new ScimError(404, `No resource type ${JSON.stringify(id)} here.`);
  return resourceTypeResource(name, baseUrl, variants);
}
