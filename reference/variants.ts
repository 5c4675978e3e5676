// Legal variants: behaviours that RFC 7643/7644 permit and that real service providers show, each
// reproducible on demand. They are the mirror of misbehaviours.ts: against a server started with
// any of them, a correct SCIM client must not report a single failure. One flag, one behaviour.
import { randomBytes } from 'node:crypto';
import type { SchemaDefinition } from './schema/definitions.ts';

// The RFC text each one rests on, quoted:
//
// unique-emails
//   RFC 7643 §7 ("uniqueness"): "A server MAY reject an invalid value based on uniqueness by
//   returning HTTP response code 400 (Bad Request)." The schema's uniqueness "none" for emails is
//   what the provider declares, not a ceiling; a conflict with an existing resource is answered
//   like RFC 7644 §3.3's: "If the service provider determines that the creation of the requested
//   resource conflicts with existing resources (e.g., a "User" resource with a duplicate
//   "userName"), the service provider MUST return HTTP status code 409 (Conflict) with a
//   "scimType" error code of "uniqueness", as per Section 3.12."
//
// patch-204
//   RFC 7644 §3.5.2: "On successful completion, the server either MUST return a 200 OK response
//   code and the entire resource within the response body, subject to the "attributes" query
//   parameter (see Section 3.9), or MAY return HTTP status code 204 (No Content) and the
//   appropriate response headers for a successful PATCH request. The server MUST return a 200 OK
//   if the "attributes" parameter is specified in the request."
//
// no-etags
//   RFC 7644 §3.14: "Service providers MAY support weak ETags as the preferred mechanism for
//   performing conditional retrievals and ensuring that clients do not inadvertently overwrite
//   each other's changes, respectively. When supported, SCIM ETags MUST be specified as an HTTP
//   header and SHOULD be specified within the 'version' attribute contained in the resource's
//   'meta' attribute." RFC 7643 §5: "etag A complex type that specifies ETag configuration
//   options. REQUIRED." / "supported A Boolean value specifying whether or not the operation is
//   supported. REQUIRED."
//
// minimal-config
//   RFC 7644 §3.7: "The SCIM bulk operation is an optional server feature that enables clients to
//   send a potentially large collection of resource operations in a single request. Support for
//   bulk requests can be discovered by querying the service provider configuration (see
//   Section 4)." RFC 7644 §3.12, Table 8: "501 (Not Implemented) | Service provider does not
//   support the request operation, e.g., PATCH." RFC 7643 §5: "sort ... supported A Boolean value
//   specifying whether or not sorting is supported. REQUIRED." and "maxResults An integer value
//   specifying the maximum number of resources returned in a response. REQUIRED." Neither RFC
//   says how a provider without sorting answers a sortBy sent anyway (no sentence of §3.4.2.3
//   covers it): it is ignored here, as real servers do, and resources come in storage order.
//
// no-scimtype
//   RFC 7644 §3.12: "scimType A SCIM detail error keyword. See Table 9. OPTIONAL." and "detail A
//   detailed human-readable message. OPTIONAL." Kept where other sentences require them: the 409
//   scimType (§3.3, quoted above), "invalidFilter" with its message (§3.4.2.2: "Providers MUST
//   decline to filter results if the specified filter operation is not recognized and return an
//   HTTP 400 error with a "scimType" error of "invalidFilter" and an appropriate human-readable
//   response as per Section 3.12.") and "noTarget" (§3.5.2.3: "... the service provider SHALL
//   indicate failure by returning HTTP status code 400 and a "scimType" error code of
//   "noTarget"."; §3.5.2.2: "If "path" is unspecified, the operation fails with HTTP status code
//   400 and a "scimType" error code of "noTarget".").
//
// opaque-ids
//   RFC 7643 §3.1: "id A unique identifier for a SCIM resource as defined by the service provider.
//   ... The value of the "id" attribute is always issued by the service provider and MUST NOT be
//   specified by the client. The string "bulkId" is a reserved keyword and MUST NOT be used within
//   any unique identifier value."
//
// small-pages
//   RFC 7644 §3.4.2.4 ("count"): "When specified, the service provider MUST NOT return more
//   results than specified, although it MAY return fewer results. If unspecified, the maximum
//   number of results is set by the service provider." RFC 7644 §3.4.2: "totalResults The total
//   number of results returned by the list or query operation. The value may be larger than the
//   number of resources returned, such as when returning a single page (see Section 3.4.2.4) of
//   results where multiple pages are available. REQUIRED."
//
// bare-members
//   RFC 7643 §4.2: "members A list of members of the Group. While values MAY be added or removed,
//   sub-attributes of members are "immutable". The "value" sub-attribute contains the value of an
//   "id" attribute of a SCIM resource, and the "$ref" sub-attribute must be the URI of a SCIM
//   resource such as a "User", or a "Group"." The §8.7.1 schema lists value, $ref and type, each
//   with "required" : false, and no "display" at all.
//
// extra-attributes
//   RFC 7643 §3: "schemas ... an array of Strings containing URIs that are used to indicate the
//   namespaces of the SCIM schemas that define the attributes present in the current JSON
//   structure"; RFC 7643 §6 ("schemaExtensions" ... "required ... If false, a resource of this
//   type MAY omit this schema extension."); RFC 7644 §3.3: "In the request body, attributes whose
//   mutability is "readOnly" (see Sections 2.2 and 7 of [RFC7643]) SHALL be ignored." The
//   provider's own extension is advertised in /Schemas and /ResourceTypes, its attributes are
//   readOnly, and a client that sends them back (a GET-then-PUT) has them ignored.
//
// normalised-emails
//   RFC 7643 §7 ("caseExact"): "If the attribute is case insensitive, the server MAY alter case
//   for a submitted value." (emails.value is "caseExact" : false.) RFC 7643 §2.4 names the
//   preferred value with "primary", not with a position: "primary A Boolean value indicating the
//   'primary' or preferred attribute value for this attribute". No sentence of either RFC makes
//   a multi-valued attribute's order significant (only sub-attribute order is called "not
//   significant", §2.4), and none requires a provider to keep the order a client sent.
// unique-group-names
//   RFC 7643 §7 ("uniqueness"): "A server MAY reject an invalid value based on uniqueness by
//   returning HTTP response code 400 (Bad Request)." Microsoft's SCIM endpoint tutorial: "Groups
//   must have uniqueness on the 'displayName' value to match with Microsoft Entra ID and the SCIM
//   application. The uniqueness isn't a requirement of the SCIM protocol, but is a requirement for
//   integrating a SCIM endpoint with Microsoft Entra ID." Declared in /Schemas as "server", and a
//   conflict answered as RFC 7644 §3.3's 409 "uniqueness".
// immutable-employee-number
//   RFC 7643 §7 ("mutability"): "immutable  The attribute MAY be defined at resource creation
//   (e.g., POST) or at record replacement via a request (e.g., a PUT).  The attribute SHALL NOT be
//   updated." RFC 7644 §3.5.1: "immutable  If one or more values are already set for the
//   attribute, the input value(s) MUST match, or HTTP status code 400 SHOULD be returned with a
//   "scimType" error code of "mutability".  If the service provider has no existing values, the
//   new value(s) SHALL be applied." The provider declares the enterprise employeeNumber so in
//   /Schemas (it keys its HR records on it): set once, never changed, kept when a PUT leaves it out.
// bulk
//   RFC 7644 §3.7: "The SCIM bulk operation is an optional server feature that enables clients to
//   send a potentially large collection of resource operations in a single request." Offered
//   here with maxOperations 10 (RFC 7643 §5: "maxOperations  An integer value specifying the
//   maximum number of operations.  REQUIRED."), bulkId references resolved (§3.7.2: "The service
//   provider MUST replace the string "bulkId:qwerty" with the permanent resource id once
//   created.") and failOnErrors honoured.
export const VARIANTS = [
  'unique-emails',
  'patch-204',
  'no-etags',
  'minimal-config',
  'no-scimtype',
  'opaque-ids',
  'small-pages',
  'bare-members',
  'extra-attributes',
  'normalised-emails',
  'unique-group-names',
  'immutable-employee-number',
  'bulk',
] as const;

export type Variant = (typeof VARIANTS)[number];

export const VARIANT_DESCRIPTIONS: Record<Variant, string> = {
  'unique-emails':
    'an email already held by another user (any case, active or not) makes a create, PUT or PATCH ' +
    'a 409 "uniqueness" (RFC 7643 §7: "A server MAY reject an invalid value based on uniqueness")',
  'patch-204':
    'a successful PATCH answers 204 No Content, 200 when "attributes" is asked for (RFC 7644 §3.5.2: the server "MAY ' +
    'return HTTP status code 204 (No Content) and the appropriate response headers for a successful PATCH request")',
  'no-etags':
    'no ETag header, no meta.version, If-Match/If-None-Match ignored, etag.supported ' +
    'false (RFC 7644 §3.14: "Service providers MAY support weak ETags")',
  'minimal-config':
    'sort, bulk and changePassword unsupported, filter.maxResults 50 (pages capped at 50), ' +
    '/Bulk 501, sortBy ignored (RFC 7644 §3.7: "The SCIM bulk operation is an optional ' +
    'server feature"; RFC 7643 §5: sort.supported says "whether or not sorting is supported")',
  'no-scimtype':
    'errors carry only schemas and status: no detail, no scimType except where required (409 ' +
    'uniqueness, invalidFilter, noTarget) (RFC 7644 §3.12: scimType and detail are "OPTIONAL")',
  'opaque-ids':
    'ids are not UUIDs: u_… and g_… with 20 random base62 characters (RFC 7643 §3.1: id ' +
    'is "a unique identifier for a SCIM resource as defined by the service provider")',
  'small-pages':
    'lists return at most 2 resources per page whatever count asks; totalResults ' +
    'stays the full total (RFC 7644 §3.4.2.4: the provider "MAY return fewer results")',
  'bare-members':
    'group members are returned with "value" only: no display, $ref or type ' +
    '(RFC 7643 §8.7.1: every members sub-attribute is "required" : false)',
  'extra-attributes':
    "every User and Group response carries the server's own read-only extension " +
    '(urn:example:params:scim:schemas:extension:acme:2.0:User/Group), listed in schemas and /Schemas (RFC 7643 §3, §6)',
  'normalised-emails':
    'email values are stored lower-cased and returned sorted by value, not in the order sent (RFC ' +
    '7643 §7: "If the attribute is case insensitive, the server MAY alter case for a submitted value")',
  'unique-group-names':
    'Group displayName is declared uniqueness "server" and a second group with a name (any case) is a 409 "uniqueness" ' +
    '(RFC 7643 §7: "A server MAY reject an invalid value based on uniqueness"; Entra\'s tutorial requires it)',
  'immutable-employee-number':
    'the enterprise employeeNumber is declared "immutable": set at create or while empty, a change is a 400 "mutability" ' +
    '(RFC 7643 §7: "The attribute SHALL NOT be updated")',
  bulk:
    'POST /Bulk is offered (bulk.supported true, maxOperations 10): bulkId references resolved, failOnErrors honoured, ' +
    'more operations a 413 (RFC 7644 §3.7: "The SCIM bulk operation is an optional server feature")',
};

export function parseVariants(text: string): Variant[] {
  const out: Variant[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(VARIANTS as readonly string[]).includes(part)) {
      throw new Error(`Unknown variant "${part}". Known: ${VARIANTS.join(', ')}.`);
    }
    if (!out.includes(part as Variant)) out.push(part as Variant);
  }
  return out;
}

/** The provider's own extension schemas that `extra-attributes` adds to every response. */
export const ACME_USER_SCHEMA = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
export const ACME_GROUP_SCHEMA = 'urn:example:params:scim:schemas:extension:acme:2.0:Group';

/** `small-pages`: the most resources one list response carries. */
export const SMALL_PAGE_SIZE = 2;
/** `minimal-config`: filter.maxResults, and so the largest page. */
export const MINIMAL_MAX_RESULTS = 50;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `opaque-ids`: `u_` or `g_` and 20 random base62 characters, never containing "bulkId". */
export function opaqueId(type: 'User' | 'Group'): string {
  for (;;) {
    let body = '';
    while (body.length < 20) {
      // 248 = 4 × 62: bytes at or above it are dropped, so every character is equally likely.
      for (const byte of randomBytes(32)) if (byte < 248 && body.length < 20) body += BASE62[byte % 62];
    }
    const id = `${type === 'User' ? 'u' : 'g'}_${body}`;
    if (!id.includes('bulkId')) return id;
  }
}

function readOnly(name: string, type: 'string' | 'dateTime', description: string): SchemaDefinition['attributes'][number] {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readOnly',
    returned: 'default',
    uniqueness: 'none',
  };
}

/** `extra-attributes`: the provider's own extensions, advertised in /Schemas and /ResourceTypes. */
export const ACME_SCHEMAS: Record<'User' | 'Group', SchemaDefinition> = {
  User: {
    id: ACME_USER_SCHEMA,
    name: 'AcmeUser',
    description: 'What this service provider records about a user on its own (read-only).',
    attributes: [
      readOnly('tenant', 'string', 'The tenant the user was provisioned into.'),
      readOnly('plan', 'string', 'The licence plan the provider assigned.'),
      readOnly('provisionedAt', 'dateTime', 'When the provider first saw the user.'),
    ],
  },
  Group: {
    id: ACME_GROUP_SCHEMA,
    name: 'AcmeGroup',
    description: 'What this service provider records about a group on its own (read-only).',
    attributes: [
      readOnly('tenant', 'string', 'The tenant the group was provisioned into.'),
      readOnly('provisionedAt', 'dateTime', 'When the provider first saw the group.'),
    ],
  },
};

/** The extension object `extra-attributes` adds to a response. */
export function acmeExtension(type: 'User' | 'Group', created: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { tenant: 'provspec-reference' };
  if (type === 'User') out['plan'] = 'standard';
  if (typeof created === 'string') out['provisionedAt'] = created;
  return out;
}
