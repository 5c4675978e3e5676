// Every kind of check the runner makes, with the rule it enforces: where the rule comes from
// (an RFC section, an IdP's published behaviour, or the spec line that asked for it) and how
// binding it is. A check result names its rule; its verdict follows from the rule's level and
// the profile the run answers to. docs/checks.md is generated from this table (npm run docs).

/**
 * MUST: RFC 7643/7644 MUST, SHALL or REQUIRED: a deviation fails.
 * SHOULD: RFC SHOULD or RECOMMENDED: a deviation warns (and fails only with --strict).
 * IdP: not an RFC requirement, but what the IdP needs in order to work (its published docs): fails.
 * spec: the spec asked for it (a mapping, a role rule, an expectation): fails.
 * MAY is not checked: a server may do either, so no verdict could be fair.
 */
export type Level = 'MUST' | 'SHOULD' | 'IdP' | 'spec';

export type Profile = 'rfc7644' | 'entra' | 'okta';
export const PROFILES: readonly Profile[] = ['rfc7644', 'entra', 'okta'];

export interface Rule {
  /** What a passing check shows, in one line. */
  what: string;
  /** Where the rule comes from: "RFC 7644 §3.3", "Microsoft Entra ID provisioning docs", "this spec". */
  basis: string;
  level: Level;
  /** The rule's own words, where an RFC or an IdP's docs state it. */
  quote?: string;
  /**
   * Profiles under which a deviation only warns, each with the published source that shows the
   * IdP tolerates it. Nothing here is guessed: a tolerance without a source is not listed.
   */
  tolerated?: Partial<Record<Profile, string>>;
  /**
   * Profiles under which a SHOULD fails: the IdP's published docs say it does not work without it.
   */
  required?: Partial<Record<Profile, string>>;
  /**
   * One finding per run, not per response: a server that answers every request with the wrong
   * media type has one defect, shown once with a count.
   */
  perResponse?: boolean;
}

const RFC7644 = 'RFC 7644';
const RFC7643 = 'RFC 7643';

export const RULES = {
  // Every response.
  'response.media-type': {
    what: 'a response with a body is application/scim+json',
    basis: `${RFC7644} §8.1`,
    level: 'SHOULD',
    quote: 'Applications intending to use the SCIM protocol SHOULD use the "application/scim+json" media type.',
    perResponse: true,
  },
  'response.json': {
    what: 'a response body is JSON',
    basis: `${RFC7644} §3.8`,
    level: 'MUST',
    quote: 'Servers MUST accept requests and be able to return JSON-structured responses using UTF-8 encoding [RFC3629].',
    perResponse: true,
  },
  'response.scim-error': {
    what: 'an error response is a JSON body with the SCIM Error schema',
    basis: `${RFC7644} §3.12`,
    level: 'MUST',
    quote:
      'In addition to returning an HTTP response code, implementers MUST return the errors in the ' +
      'body of the response in a JSON format, using the attributes described below.  Error responses ' +
      'are identified using the following "schema" URI: "urn:ietf:params:scim:api:messages:2.0:Error".',
    perResponse: true,
  },
  'response.scim-error.status': {
    what: 'an error body states its HTTP status as a JSON string',
    basis: `${RFC7644} §3.12`,
    level: 'MUST',
    quote: 'status  The HTTP status code (see Section 6 of [RFC7231]) expressed as a JSON string.  REQUIRED.',
    tolerated: { okta: 'Okta\'s SCIM 2.0 Protocol Reference shows its error examples with "status": 409 and "status": 404 as integers' },
    perResponse: true,
  },

  // Provisioning a user.
  'user.lookup': {
    what: 'the lookup before create (a userName filter) answers 200 with a ListResponse',
    basis: `${RFC7644} §3.4.2; Entra ID and Okta look a user up by userName before creating it`,
    level: 'MUST',
    quote: 'A query that does not return any matches SHALL return success (HTTP status code 200) with "totalResults" set to a value of 0.',
  },
  'user.lookup.absent': {
    what: "the lookup before create finds nobody: no user has this run's userName yet",
    basis: `${RFC7644} §3.4.2.2`,
    level: 'MUST',
    quote: 'When specified, only those resources matching the filter expression SHALL be returned.',
  },
  'user.create': {
    what: 'a create answers 201 Created',
    basis: `${RFC7644} §3.3`,
    level: 'MUST',
    quote:
      'When the service provider successfully creates the new resource, an ' +
      'HTTP response SHALL be returned with HTTP status code 201 (Created).',
  },
  'user.create.id': {
    what: "the created user's representation carries its id",
    basis: `${RFC7644} §3.3`,
    level: 'SHOULD',
    quote: "The response body SHOULD contain the service provider's representation of the newly created resource.",
    required: {
      okta:
        'Okta\'s SCIM 2.0 Protocol Reference: "If the SCIM server returns an empty response ' +
        'body to the provisioning request, then Okta marks the operation as invalid"',
    },
  },
  'user.create.identifiable': {
    what: "a create tells the client the new user's id (in the body, the Location header, or by lookup)",
    basis: `${RFC7644} §3.3`,
    level: 'MUST',
    quote:
      'The URI of the created resource SHALL include, in the HTTP "Location" header and ' +
      'the HTTP body, a JSON representation [RFC7159] with the attribute "meta.location".',
  },
  'user.create.location': {
    what: 'a create answers a Location header naming the new resource (and meta.location, if given, agrees)',
    basis: `${RFC7644} §3.3`,
    level: 'MUST',
    quote:
      'The URI of the created resource SHALL include, in the HTTP "Location" header and ' +
      'the HTTP body, a JSON representation [RFC7159] with the attribute "meta.location".',
    perResponse: true,
    tolerated: {
      entra: 'the Create User example response in Microsoft\'s SCIM endpoint tutorial ("HTTP/1.1 201 Created") carries no Location header',
      okta: 'the create example response in Okta\'s SCIM 2.0 Protocol Reference ("HTTP/1.1 201 Created") carries no Location header',
    },
  },
  'user.read': {
    what: 'the user can be read back by id (200)',
    basis: `${RFC7644} §3.4.1`,
    level: 'MUST',
    quote:
      'If the resource exists, the server responds with HTTP status code 200 (OK) and includes the result in the body of the response.',
  },
  'user.attribute': {
    what: 'a mapped attribute reads back as the IdP sent it',
    basis: 'this spec (mapping)',
    level: 'spec',
  },
  'user.values': {
    what: 'the roles and entitlements role rules grant are on the user',
    basis: 'this spec (roles)',
    level: 'spec',
  },
  'user.update': {
    what: "an update (PATCH or PUT, in the dialect's shape) succeeds",
    basis: `${RFC7644} §3.5.1, §3.5.2; the IdP sends this shape`,
    level: 'MUST',
    quote:
      'On successful completion, the server either MUST return a 200 OK response code and the entire resource ' +
      'within the response body, subject to the "attributes" query parameter (see Section 3.9), or MAY return ' +
      'HTTP status code 204 (No Content) and the appropriate response headers for a successful PATCH request.',
  },
  'user.set-active': {
    what: "a deactivate or reactivate request (in the dialect's shape) succeeds",
    basis: `${RFC7644} §3.5.2; ${RFC7643} §4.1.1 (active)`,
    level: 'MUST',
  },
  'user.active': {
    what: 'after deactivate (reactivate), active reads back false (true)',
    basis: `${RFC7643} §4.1.1 (active is a Boolean); this spec's step`,
    level: 'spec',
  },
  'filter.username': {
    what: 'a userName eq filter with the stored userName finds the user',
    basis: `${RFC7644} §3.4.2.2; Entra ID and Okta match accounts by userName filter`,
    level: 'MUST',
    quote: 'When specified, only those resources matching the filter expression SHALL be returned.',
  },
  'filter.username.case-insensitive': {
    what: 'a userName eq filter in another case finds the user',
    basis: `${RFC7643} §4.1.1 (userName is case insensitive); ${RFC7644} §3.4.2.2`,
    level: 'MUST',
    quote:
      'When comparing attributes of type String, the case sensitivity for String type attributes SHALL ' +
      'be determined by the attribute\'s "caseExact" characteristic (see Section 2.2 of [RFC7643]).',
  },
  'user.findable-inactive': {
    what: 'a deactivated user is still found by a userName filter',
    basis: 'Microsoft Entra ID SCIM endpoint tutorial (soft delete); RFC 7643/7644 say nothing of inactive users',
    level: 'IdP',
    quote:
      'The user object should be returned in a request whether or not the user is active. The ' +
      "only time the user shouldn't be returned is when it's hard deleted from the application.",
  },
  'user.delete': {
    what: 'a DELETE answers 204 No Content',
    basis: `${RFC7644} §3.6`,
    level: 'MUST',
    quote: 'In response to a successful DELETE, the server SHALL return a successful HTTP status code 204 (No Content).',
  },
  'user.deleted': {
    what: 'a deleted user is gone: 404 by id and absent from filters',
    basis: `${RFC7644} §3.6`,
    level: 'MUST',
    quote:
      'Service providers MAY choose not to permanently delete the resource but MUST return ' +
      'a 404 (Not Found) error code for all operations associated with the previously ' +
      'deleted resource.  Service providers MUST omit the resource from future query results.',
  },

  // Groups.
  'group.setup': {
    what: 'a group the spec declares is created on the target, or found there (create: false)',
    basis: `${RFC7644} §3.3; this spec (groups)`,
    level: 'MUST',
  },
  'group.change-member': {
    what: "adding or removing a member (in the dialect's shape) succeeds",
    basis: `${RFC7644} §3.5.2`,
    level: 'MUST',
  },
  'group.membership': {
    what: 'group membership is as the role rules (or an expectation) say',
    basis: 'this spec (roles, expect)',
    level: 'spec',
  },
  'group.read-members': {
    what: "a group's members can be read (by member filter, or GET with attributes=members)",
    basis: `${RFC7644} §3.4.1, §3.4.2.5`,
    level: 'MUST',
  },
  'group.rename': {
    what: "a pushed group rename (in the IdP's shape) keeps the id and shows the new name",
    basis: `${RFC7644} §3.5.2; the IdP's group push`,
    level: 'MUST',
    quote: 'A PATCH request, regardless of the number of operations, SHALL be treated as atomic.',
  },

  // What a spec states.
  'expect.state': {
    what: 'the user is as an expect step states (exists, active, attributes, findable)',
    basis: 'this spec (expect)',
    level: 'spec',
  },
  'probe.response': {
    what: 'a downstream probe answers as the spec states',
    basis: 'this spec (probe)',
    level: 'spec',
  },
  'negative.status': {
    what: 'a request the spec says must be refused gets the stated status',
    basis: 'this spec (negative)',
    level: 'spec',
  },
  'negative.scim-type': {
    what: 'the refusal carries the scimType the spec states',
    basis: `this spec (negative expect.scimType); ${RFC7644} §3.12`,
    level: 'spec',
  },

  // Races.
  'race.created': {
    what: 'identical creates racing each other make exactly the stated number of users',
    basis: `${RFC7644} §3.3 (uniqueness); this spec (concurrency)`,
    level: 'spec',
  },
  'race.conflict': {
    what: 'the losing creates answer 409',
    basis: 'this spec (concurrency expect.conflict)',
    level: 'spec',
  },
  'race.one-user': {
    what: 'after the race exactly one user holds the userName',
    basis: `${RFC7643} §4.1.1`,
    level: 'MUST',
    quote: "This identifier MUST be unique across the service provider's entire set of Users.",
  },
  'race.setup': {
    what: 'the users a membership race needs are created',
    basis: `${RFC7644} §3.3`,
    level: 'MUST',
  },
  'race.members': {
    what: 'concurrent member changes all land, and removing one member leaves the others',
    basis: `${RFC7644} §3.5.2.2, §3.5.2.3`,
    level: 'MUST',
  },

  // Uniqueness and errors.
  'conflict.scim-type': {
    what: 'a create that conflicts with an existing user answers 409 with scimType "uniqueness"',
    basis: `${RFC7644} §3.3`,
    level: 'MUST',
    quote:
      'If the service provider determines that the creation of the requested resource conflicts with existing ' +
      'resources (e.g., a "User" resource with a duplicate "userName"), the service provider MUST return ' +
      'HTTP status code 409 (Conflict) with a "scimType" error code of "uniqueness", as per Section 3.12.',
    tolerated: { okta: "the duplicate-user example in Okta's SCIM 2.0 Protocol Reference answers 409 with no scimType" },
  },

  // The rfc7644 conformance suite.
  'discovery.service-provider-config': {
    what: 'GET /ServiceProviderConfig answers its schema and states patch and filter support as booleans',
    basis: `${RFC7644} §4; ${RFC7643} §5`,
    level: 'MUST',
    quote:
      'This endpoint SHALL return responses with a JSON object using a "schemas" ' +
      'attribute of "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig".',
  },
  'discovery.resource-types': {
    what: 'GET /ResourceTypes lists User at /Users',
    basis: `${RFC7644} §4; ${RFC7643} §6`,
    level: 'SHOULD',
    quote:
      '/ResourceTypes  An HTTP GET to this endpoint is used to discover the types ' +
      'of resources available on a SCIM service provider (e.g., Users and Groups).',
  },
  'discovery.schemas': {
    what: 'GET /Schemas includes the core User schema',
    basis: `${RFC7644} §4`,
    level: 'MUST',
    quote: 'An HTTP GET to the endpoint "/Schemas" SHALL return all supported schemas in ListResponse format (see Figure 3).',
  },
  'auth.required': {
    what: 'a request without credentials is refused with 401',
    basis: `${RFC7644} §3.12 (Table 8)`,
    level: 'SHOULD',
    quote:
      'Implementers SHOULD handle the identified HTTP status codes as described below. ... 401 ' +
      '(Unauthorized) ... Authorization failure.  The authorization header is invalid or missing.',
  },
  'resource.meta': {
    what: 'a created resource carries meta.resourceType, meta.created and meta.location',
    basis: `${RFC7643} §3.1`,
    level: 'MUST',
    quote:
      'When accepted by a service provider (e.g., after a SCIM create), the attributes "id" and ' +
      '"meta" (and its associated sub-attributes) MUST be assigned values by the service provider.',
  },
  'resource.etag': {
    what: 'with ETag support advertised, GET answers an ETag header',
    basis: `${RFC7644} §3.14`,
    level: 'MUST',
    quote:
      'When supported, SCIM ETags MUST be specified as an HTTP header and SHOULD be ' +
      "specified within the 'version' attribute contained in the resource's 'meta' attribute.",
  },
  'resource.etag.version': {
    what: 'with ETag support advertised, meta.version equals the ETag header',
    basis: `${RFC7644} §3.14`,
    level: 'SHOULD',
    quote:
      'When supported, SCIM ETags MUST be specified as an HTTP header and SHOULD be ' +
      "specified within the 'version' attribute contained in the resource's 'meta' attribute.",
  },
  'list.response': {
    what: 'a paged, filtered list is a ListResponse with totalResults, startIndex and itemsPerPage',
    basis: `${RFC7644} §3.4.2`,
    level: 'MUST',
    quote:
      'Responses MUST be identified using the following URI: "urn:ietf:params:scim:api:messages:2.0:ListResponse". ' +
      '... totalResults ... REQUIRED. ... startIndex ... REQUIRED when partial results are returned due to pagination.',
  },
  'filter.invalid': {
    what: 'a filter with an operator the server does not know is refused with 400 and scimType invalidFilter',
    basis: `${RFC7644} §3.4.2.2`,
    level: 'MUST',
    quote:
      'Providers MUST decline to filter results if the specified filter operation is not recognized and return an HTTP ' +
      '400 error with a "scimType" error of "invalidFilter" and an appropriate human-readable response as per Section 3.12.',
  },
  'uniqueness.refused': {
    what: 'creating the same userName again is refused with 409',
    basis: `${RFC7644} §3.3`,
    level: 'MUST',
    quote: 'the service provider MUST return HTTP status code 409 (Conflict) with a "scimType" error code of "uniqueness"',
  },
  'request.malformed': {
    what: 'malformed JSON is refused with 400 (its scimType is OPTIONAL and not checked)',
    basis: `${RFC7644} §3.12 (Table 8)`,
    level: 'SHOULD',
    quote: '400 (Bad Request) ... Request is unparsable, syntactically incorrect, or violates schema.',
  },
  'resource.not-found': {
    what: 'an unknown id answers 404',
    basis: `${RFC7644} §3.12 (Table 8)`,
    level: 'SHOULD',
    quote: '404 (Not Found) ... Specified resource (e.g., User) or endpoint does not exist.',
  },

  // The run itself.
  'run.completes': {
    what: 'the scenario runs to its end within its timeout',
    basis: 'this spec (target.timeouts); provspec',
    level: 'spec',
  },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

export function ruleOf(id: string): Rule | undefined {
  return (RULES as Record<string, Rule>)[id];
}

/**
 * What a failed check becomes under a profile. A SHOULD warns unless the profile's IdP needs it;
 * a MUST fails unless the profile's IdP demonstrably tolerates the deviation; what an IdP needs
 * beyond the RFCs fails under that IdP's profile and warns under rfc7644 (the RFCs do not ask it);
 * what the spec asked for always fails.
 */
export function failureStatus(rule: RuleId, profile: Profile): 'fail' | 'warn' {
  const definition: Rule = RULES[rule];
  switch (definition.level) {
    case 'SHOULD':
      return definition.required?.[profile] ? 'fail' : 'warn';
    case 'MUST':
      return definition.tolerated?.[profile] ? 'warn' : 'fail';
    case 'IdP':
      return profile === 'rfc7644' ? 'warn' : 'fail';
    case 'spec':
      return 'fail';
  }
}

/** The profile a spec answers to unless told otherwise: its dialect's IdP. */
export function profileOfDialect(dialect: string): Profile {
  if (dialect.startsWith('entra')) return 'entra';
  if (dialect.startsWith('okta')) return 'okta';
  return 'rfc7644';
}
