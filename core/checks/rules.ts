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
  'patch.atomic': {
    what: 'a PATCH one of whose operations fails changes nothing: the operations before it are undone too',
    basis: `${RFC7644} §3.5.2`,
    level: 'MUST',
    quote:
      'A PATCH request, regardless of the number of operations, SHALL be treated as atomic. If a single operation encounters an ' +
      'error condition, the original SCIM resource MUST be restored, and a failure status SHALL be returned.',
  },
  // Delivery faults (a step's `retry`, `duplicate`, `timeout-then-retry`; the `reorder` step).
  'delivery.repeat': {
    what: 'a write delivered again (retried, duplicated, retried after a timeout) makes no second user and leaves what one delivery left',
    basis: `${RFC7644} §3.3; this spec (the step's delivery fault)`,
    level: 'MUST',
    quote:
      'If the service provider determines that the creation of the requested resource conflicts with existing resources ' +
      '(e.g., a "User" resource with a duplicate "userName"), the service provider MUST return HTTP status code 409 (Conflict) ' +
      'with a "scimType" error code of "uniqueness", as per Section 3.12.',
  },
  'delivery.repeat.answer': {
    what: 'a repeated write answers success (a repeated create 409 or the same user, a repeated DELETE 404)',
    basis: `${RFC7644} §3.5.2.1`,
    level: 'SHOULD',
    quote:
      'If the target location already contains the value specified, no changes SHOULD be made to the resource, and a success ' +
      'response SHOULD be returned.',
  },
  'delivery.reorder': {
    what: 'an update that overtakes its create survives the late create: the account keeps the newer values',
    basis: `${RFC7644} §3.3; this spec (reorder)`,
    level: 'MUST',
    quote:
      'If the service provider determines that the creation of the requested resource conflicts with existing resources ' +
      '(e.g., a "User" resource with a duplicate "userName"), the service provider MUST return HTTP status code 409 (Conflict) ' +
      'with a "scimType" error code of "uniqueness", as per Section 3.12.',
  },
  // Offboarding and rehire.
  'offboarding.keep': {
    what: 'a deactivated leaver stays readable and keeps every `offboarding.keep` attribute unchanged',
    basis: 'this spec (offboarding.keep)',
    level: 'spec',
  },
  'rehire.create': {
    what: "a leaver deleted from the target can be provisioned again with the old account's userName, externalId and emails",
    basis: `${RFC7644} §3.6; this spec (offboarding mode delete)`,
    level: 'spec',
    quote:
      'In addition, the service provider SHOULD NOT consider the deleted resource in conflict calculation.  For example, if a ' +
      'User resource is deleted, a CREATE request for a User resource with the same userName as the previously deleted resource ' +
      'SHOULD NOT fail with a 409 error due to userName conflict.',
  },
  'rehire.access': {
    what: "a rehired person holds only the groups, roles and entitlements the role rules grant now, none of the old account's",
    basis: 'this spec (role rules; rehire)',
    level: 'spec',
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

  // Paging (RFC 7644 §3.4.2.4), over the run's own users and groups.
  'list.paging.count': {
    what: 'a page never holds more resources than count asked for',
    basis: `${RFC7644} §3.4.2.4`,
    level: 'MUST',
    quote: 'When specified, the service provider MUST NOT return more results than specified, although it MAY return fewer results.',
  },
  'list.paging.items-per-page': {
    what: 'itemsPerPage equals the number of resources on the page',
    basis: `${RFC7644} §3.4.2`,
    level: 'MUST',
    quote:
      'itemsPerPage  The number of resources returned in a list response page.  ' +
      'REQUIRED when partial results are returned due to pagination.',
  },
  'list.paging.start-index': {
    what: 'startIndex in a page is the index asked for',
    basis: `${RFC7644} §3.4.2`,
    level: 'MUST',
    quote:
      'startIndex  The 1-based index of the first result in the current set of list results.  ' +
      'REQUIRED when partial results are returned due to pagination.',
  },
  'list.paging.total': {
    what: 'totalResults is the number of matching resources on every page (count=0 included)',
    basis: `${RFC7644} §3.4.2`,
    level: 'MUST',
    quote:
      'totalResults  The total number of results returned by the list or query operation.  The value may be larger than the number ' +
      'of resources returned, such as when returning a single page (see Section 3.4.2.4) of results where ' +
      'multiple pages are available.  REQUIRED.',
  },
  'list.paging.complete': {
    what: 'paging through an unchanging set returns every resource exactly once (no duplicates, no gaps)',
    basis: `${RFC7644} §3.4.2.4 (clients must handle inconsistent results); Okta SCIM 2.0 Protocol Reference (pagination)`,
    level: 'SHOULD',
    quote:
      'Because pagination is not stateful, clients MUST be prepared to handle inconsistent results.  For example, a request for a list ' +
      'of 10 resources beginning with a startIndex of 1 MAY return different results when repeated, since resources on the service ' +
      'provider may have changed between requests.',
    required: {
      okta:
        'Okta SCIM 2.0 Protocol Reference: "The SCIM server must consistently return the same ordering of results for the requests, ' +
        'regardless of which values are provided for the `count` and `startIndex` pagination references."',
    },
  },
  'list.paging.count-zero': {
    what: 'count=0 returns no resources, only totalResults',
    basis: `${RFC7644} §3.4.2.4 (Table 6)`,
    level: 'MUST',
    quote:
      'A negative value SHALL be interpreted as "0".  A value of "0" indicates that no resource results are to be ' +
      'returned except for "totalResults".',
  },
  'list.paging.start-index-min': {
    what: 'a startIndex below 1 is read as 1',
    basis: `${RFC7644} §3.4.2.4 (Table 6)`,
    level: 'MUST',
    quote: 'The 1-based index of the first query result. A value less than 1 SHALL be interpreted as 1.',
  },

  // Group membership (RFC 7644 §3.5.1, §3.5.2), over a group of 50+ members.
  'group.members.add': {
    what: 'adding members (50 in one PATCH, then one more) keeps every earlier member',
    basis: `${RFC7644} §3.5.2.1; Microsoft Entra ID gallery requirements (several memberships in one PATCH)`,
    level: 'MUST',
    quote: 'If the target location specifies a multi-valued attribute, a new value is added to the attribute.',
  },
  'group.members.remove': {
    what: 'removing a member by value filter removes exactly that member',
    basis: `${RFC7644} §3.5.2.2`,
    level: 'MUST',
    quote:
      'If the target location is a multi-valued attribute and a complex filter is specified comparing a "value", the values ' +
      'matched by the filter are removed.  If no other values remain after removal of the selected values, the multi-valued ' +
      'attribute SHALL be considered unassigned.',
  },
  'group.members.remove-by-value': {
    what: "Entra's member removal (op Remove, path members, a value array) removes exactly the members named",
    basis: 'Microsoft Entra ID: known issues with SCIM 2.0 compliance (group member removal without the aadOptscim062020 flag)',
    level: 'IdP',
    quote: 'Remove a group member ... Without feature flag: {"op": "Remove", "path": "members", "value": [{"value": "u1091"}]}',
  },
  'group.members.replace': {
    what: 'a replace of members leaves exactly the members sent',
    basis: `${RFC7644} §3.5.2.3; Okta SCIM 2.0 Protocol Reference (full push of the membership)`,
    level: 'MUST',
    quote: 'If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are replaced.',
  },
  'group.members.remove-all': {
    what: 'a remove of members without a filter leaves none',
    basis: `${RFC7644} §3.5.2.2`,
    level: 'MUST',
    quote:
      'If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are removed, ' +
      'and the attribute SHALL be considered unassigned.',
  },
  'group.members.put': {
    what: 'a PUT of a group with its member list leaves exactly those members (Okta AIW group push)',
    basis: `${RFC7644} §3.5.1; Okta SCIM 2.0 Protocol Reference (AIW integrations update groups by PUT)`,
    level: 'MUST',
    quote: 'readWrite, writeOnly  Any values provided SHALL replace the existing attribute values.',
  },

  // Attribute projection (RFC 7644 §3.9).
  'projection.excluded': {
    what: 'excludedAttributes=members leaves members out of a group read and of a filtered group list',
    basis: `${RFC7644} §3.9, §3.4.2.5; Microsoft Entra ID reads groups with excludedAttributes=members`,
    level: 'MUST',
    quote:
      'When specified, each resource returned MUST contain the minimum set of resource attributes. Additionally, the default ' +
      'set of attributes minus those attributes listed in "excludedAttributes" is returned.',
  },
  'projection.attributes': {
    what: 'attributes= returns what was asked for and what is always returned, nothing else',
    basis: `${RFC7644} §3.9`,
    level: 'MUST',
    quote:
      'attributes  When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain ' +
      'the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the "attributes" parameter.',
  },

  // Group filters and negatives.
  'filter.group-display-name': {
    what: 'displayName eq finds the group named and not a group whose name it only starts',
    basis: `${RFC7644} §3.4.2.2; Microsoft Entra ID matches groups by displayName filter`,
    level: 'MUST',
    quote: 'When specified, only those resources matching the filter expression SHALL be returned.',
  },
  'filter.group-display-name.case': {
    what: "displayName eq in the other case matches as the server's schema says (caseExact false: it matches)",
    basis: `${RFC7644} §3.4.2.2; ${RFC7643} §7 (caseExact), §8.7.1 (Group displayName caseExact false)`,
    level: 'MUST',
    quote:
      'When comparing attributes of type String, the case sensitivity for String type attributes SHALL be determined by the ' +
      'attribute\'s "caseExact" characteristic (see Section 2.2 of [RFC7643]).',
  },
  'group.uniqueness': {
    what: 'where the server declares Group displayName unique, a second group with the name is refused with 409',
    basis: `${RFC7644} §3.3; the server's own /Schemas (uniqueness)`,
    level: 'MUST',
    quote:
      'If the service provider determines that the creation of the requested resource conflicts with existing resources ' +
      '(e.g., a "User" resource with a duplicate "userName"), the service provider MUST return HTTP status code 409 (Conflict) ' +
      'with a "scimType" error code of "uniqueness", as per Section 3.12.',
  },
  'group.member-unknown': {
    what: 'adding a member that does not exist is refused (400 or 404)',
    basis: `${RFC7644} §3.12 (Table 8); ${RFC7643} §4.2 (a member's value is the id of a SCIM resource)`,
    level: 'SHOULD',
    quote: '400 (Bad Request) ... Request is unparsable, syntactically incorrect, or violates schema.',
  },
  'group.delete': {
    what: 'a DELETE of a group answers 204 No Content',
    basis: `${RFC7644} §3.6`,
    level: 'MUST',
    quote: 'In response to a successful DELETE, the server SHALL return a successful HTTP status code 204 (No Content).',
  },
  'group.deleted': {
    what: 'a deleted group answers 404 to a read and to a second DELETE',
    basis: `${RFC7644} §3.6`,
    level: 'MUST',
    quote:
      'Service providers MAY choose not to permanently delete the resource but MUST return a 404 (Not Found) error code for all ' +
      'operations associated with the previously deleted resource.',
  },

  // Users beyond the lifecycle.
  'user.put': {
    what: 'a PUT of the full user is accepted with 200',
    basis: `${RFC7644} §3.5.1`,
    level: 'MUST',
    quote:
      'Unless otherwise specified, a successful PUT operation returns a 200 OK response code and the entire resource within the ' +
      "response body, enabling the client to correlate the client's and the service provider's views of the updated resource.",
  },
  'user.put.replaces': {
    what: 'a PUT replaces: an attribute it sends as null is gone afterwards, not merged with the old value',
    basis: `${RFC7644} §3.5.1; ${RFC7643} §2.5`,
    level: 'MUST',
    quote:
      'readWrite, writeOnly  Any values provided SHALL replace the existing attribute values. ... Clients that want to override a ' +
      'server\'s defaults MAY specify "null" for a single-valued attribute, or an empty array "[]" for a multi-valued ' +
      'attribute, to clear all values.',
  },
  'user.put.unknown': {
    what: 'a PUT to an id that does not exist answers 404 and creates nothing',
    basis: `${RFC7644} §3.5.1, §3.12 (Table 8)`,
    level: 'SHOULD',
    quote:
      'Because SCIM resource identifiers are assigned by the service provider, HTTP PUT MUST NOT be used to create new resources. ' +
      '... 404 (Not Found) ... Specified resource (e.g., User) or endpoint does not exist.',
  },
  'user.immutable': {
    what: 'a change to an attribute the server declares immutable is refused (400) and the value stays',
    basis: `${RFC7644} §3.5.2; ${RFC7643} §7 (mutability "immutable"); the server's own /Schemas`,
    level: 'MUST',
    quote:
      'For example, a client MUST NOT modify an attribute that has mutability "readOnly" or "immutable". ... An operation that ' +
      "is not compatible with an attribute's mutability or schema SHALL return the appropriate HTTP response status code and a " +
      'JSON detail error response as defined in Section 3.12.',
  },
  'user.clear': {
    what: 'a PATCH replace with null, or a remove, of an attribute leaves it unassigned (absent)',
    basis: `${RFC7643} §2.5; ${RFC7644} §3.5.2.2`,
    level: 'MUST',
    quote:
      'Unassigned attributes, the null value, or an empty array (in the case of a multi-valued attribute) SHALL be considered to ' +
      'be equivalent in "state". ... If the target location is a single-value attribute, the attribute and its associated value ' +
      'is removed, and the attribute SHALL be considered unassigned.',
  },
  'user.clear.element': {
    what: 'a PATCH remove by value filter removes that element of a multi-valued attribute and keeps the others',
    basis: `${RFC7644} §3.5.2.2`,
    level: 'MUST',
    quote:
      "If the target location is a complex multi-valued attribute and a complex filter is specified based on the attribute's " +
      'sub-attributes, the matching records are removed.',
  },
  'patch.no-target': {
    what: 'a replace through a value path that matches nothing is refused with 400 and scimType noTarget, not turned into an add',
    basis: `${RFC7644} §3.5.2.3`,
    level: 'MUST',
    quote:
      'If the target location is a multi-valued attribute for which a value selection filter ("valuePath") has been supplied and ' +
      'no record match was made, the service provider SHALL indicate failure by returning HTTP status code 400 and a "scimType" ' +
      'error code of "noTarget".',
  },
  'user.manager.set': {
    what: 'a manager set as the complex value {"value": id} reads back naming that user',
    basis: `${RFC7643} §4.3; ${RFC7644} §3.5.2.3`,
    level: 'MUST',
    quote:
      "manager  The user's manager.  A complex type that optionally allows service providers to represent organizational " +
      'hierarchy by referencing the "id" attribute of another User.',
  },
  'user.manager.idp-shape': {
    what: "Entra's manager, sent as the bare id string, reads back as the complex value naming that user",
    basis: 'Microsoft Entra ID SCIM endpoint tutorial (its User example carries the manager as a bare id); RFC 7643 §4.3',
    level: 'IdP',
    quote: '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "manager": "123456" }',
  },
  'user.manager.removed': {
    what: 'after the manager is removed it is absent: not {}, not {"value": ""}, not ""',
    basis: `${RFC7644} §3.5.2.2`,
    level: 'MUST',
    quote:
      'If the target location is a single-value attribute, the attribute and its associated value is removed, and the ' +
      'attribute SHALL be considered unassigned.',
  },
  'user.rename': {
    what: 'a PATCH of userName renames the user: the new name reads back and finds it, the old one does not',
    basis: `${RFC7644} §3.5.2.3; ${RFC7643} §4.1.1 (userName is readWrite)`,
    level: 'MUST',
    quote: 'If the target location is a single-value attribute, the attributes value is replaced.',
  },
  'user.password.never-returned': {
    what: 'a password is never returned, by the create or by a read',
    basis: `${RFC7643} §4.1.1 (password), §7`,
    level: 'MUST',
    quote:
      'The cleartext value or the hashed value of a password SHALL NOT be returnable by a service provider. ... The mutability of ' +
      'the password attribute is "writeOnly", indicating that the value MUST NOT be returned by a service provider in any form ' +
      '(the attribute characteristic "returned" is "never").',
  },
  'user.create.unknown-attribute': {
    what: 'a create with an attribute no schema defines is ignored (201) or refused with 400, never a server error',
    basis: `${RFC7644} §3.12 (Tables 8, 9); RFC 7644 does not say which of the two`,
    level: 'SHOULD',
    quote:
      '400 (Bad Request) ... Request is unparsable, syntactically incorrect, or violates schema. ... invalidSyntax  The request ' +
      'body message structure was invalid or did not conform to the request schema.',
  },
  'user.recreate': {
    what: 'after a DELETE, the same userName and externalId can be provisioned again',
    basis: `${RFC7644} §3.6; ${RFC7643} §4.1.1 (userName is unique among Users)`,
    level: 'SHOULD',
    quote:
      'Service providers MAY choose not to permanently delete the resource but MUST return a 404 (Not Found) error code for all ' +
      'operations associated with the previously deleted resource.  Service providers MUST omit the resource from future query results.',
  },
  'user.create.string-booleans': {
    what: 'a create carrying "True"/"False" strings for booleans (as Entra sends them) is accepted',
    basis: 'Microsoft Entra ID: known issues with SCIM 2.0 compliance (booleans as strings without the aadOptscim062020 flag)',
    level: 'IdP',
    quote: 'Without feature flag: {"op": "Replace", "path": "active", "value": "False"}',
  },

  // Discovery consistent with behaviour (RFC 7644 §4, RFC 7643 §5-7).
  'discovery.group': {
    what: '/Schemas holds the core Group schema and /ResourceTypes lists Group at /Groups',
    basis: `${RFC7644} §4; ${RFC7643} §6`,
    level: 'SHOULD',
    quote: 'An HTTP GET to the endpoint "/Schemas" SHALL return all supported schemas in ListResponse format (see Figure 3).',
  },
  'discovery.mapped-attribute': {
    what: "every attribute the spec maps is declared in the server's schema for it",
    basis: `${RFC7644} §4 (the server's /Schemas); this spec (mapping)`,
    level: 'SHOULD',
    quote: 'An HTTP GET to the endpoint "/Schemas" SHALL return all supported schemas in ListResponse format (see Figure 3).',
  },
  'discovery.max-results': {
    what: 'no list returns more resources than filter.maxResults says',
    basis: `${RFC7643} §5 (filter.maxResults)`,
    level: 'MUST',
    quote: 'maxResults  An integer value specifying the maximum number of resources returned in a response.  REQUIRED.',
  },
  'discovery.patch-denied': {
    what: 'with patch.supported false, a PATCH is refused with 501',
    basis: `${RFC7644} §3.12 (Table 8); ${RFC7643} §5 (patch.supported)`,
    level: 'SHOULD',
    quote: '501 (Not Implemented) ... Service provider does not support the request operation, e.g., PATCH.',
  },
  'discovery.bulk-denied': {
    what: 'with bulk.supported false, POST /Bulk is refused with 501 (or 404/405: no such endpoint)',
    basis: `${RFC7644} §3.7, §3.12 (Table 8)`,
    level: 'SHOULD',
    quote: '501 (Not Implemented) ... Service provider does not support the request operation, e.g., PATCH.',
  },
  'feature.bulk': {
    what: 'with bulk.supported true, a BulkRequest makes a user and a group naming it by bulkId, the reference replaced by its id',
    basis: `${RFC7644} §3.7, §3.7.2`,
    level: 'MUST',
    quote: 'The service provider MUST replace the string "bulkId:qwerty" with the permanent resource id once created.',
  },
  'feature.bulk.max-operations': {
    what: 'a BulkRequest with more operations than bulk.maxOperations is refused with 413',
    basis: `${RFC7644} §3.7.4`,
    level: 'MUST',
    quote: 'If either limit is exceeded, the service provider MUST return HTTP response code 413 (Payload Too Large).',
  },
  'feature.bulk.fail-on-errors': {
    what: 'failOnErrors: 1 stops a BulkRequest at its first failed operation',
    basis: `${RFC7644} §3.7.3`,
    level: 'SHOULD',
    quote:
      'failOnErrors  An integer specifying the number of errors that the service provider will accept before the operation is ' +
      'terminated and an error response is returned.  OPTIONAL in a request.  Not valid in a response.',
  },
  'feature.sort': {
    what: 'with sort.supported true, sortBy=userName orders the results, ascending by default and descending on request',
    basis: `${RFC7644} §3.4.2.3; ${RFC7643} §5 (sort.supported)`,
    level: 'MUST',
    quote:
      'If a value for "sortBy" is provided and no "sortOrder" is specified, "sortOrder" SHALL default to ascending. ... "sortOrder" ' +
      'MUST sort according to the attribute type; i.e., for case-insensitive attributes, sort the result using case-insensitive ' +
      'Unicode alphabetic sort order with no specific locale implied',
  },
  'feature.search': {
    what: 'POST /Users/.search with a SearchRequest returns what the same GET query returns',
    basis: `${RFC7644} §3.4.3`,
    level: 'MUST',
    quote:
      'The inclusion of "/.search" on the end of a valid SCIM endpoint SHALL be used to indicate that the HTTP POST verb ' +
      'is intended to be a query operation.',
  },
  'feature.etag.not-modified': {
    what: 'with etag.supported true, a GET with If-None-Match of the current ETag answers 304',
    basis: `${RFC7644} §3.14`,
    level: 'MUST',
    quote: 'If the resource has not changed, the service provider simply returns an empty body with a 304 (Not Modified) response code.',
  },
  'feature.etag.precondition': {
    what: 'with etag.supported true, a PATCH with If-Match of a stale ETag is refused with 412 and changes nothing',
    basis: `${RFC7644} §3.14, §3.12 (Table 8)`,
    level: 'MUST',
    quote:
      'the client MAY supply an If-Match header (Section 3.1 of [RFC7232]) for PUT and PATCH operations to ensure that the requested ' +
      'operation succeeds only if the supplied ETag matches the latest service provider resource ... 412 (Precondition Failed) ... ' +
      'Failed to update. Resource has changed on the server.',
  },
  'filter.operator': {
    what: 'a filter operator the server accepts returns exactly the resources it matches (one refused with 400 is not judged)',
    basis: `${RFC7644} §3.4.2.2`,
    level: 'MUST',
    quote:
      'When specified, only those resources matching the filter expression SHALL be returned. ... Filters MUST be evaluated using ' +
      'the following order of operations, in order of precedence:  1.  Grouping operators  2.  Logical operators - where "not" ' +
      'takes precedence over "and", which takes precedence over "or"  3.  Attribute operators',
  },
  'feature.me': {
    what: '/Me is served (200) or, where not supported, refused with 501',
    basis: `${RFC7644} §3.11`,
    level: 'SHOULD',
    quote: 'A service provider that does NOT support this feature SHOULD respond with HTTP status code 501 (Not Implemented).',
  },

  // Load (a `load` scenario).
  'load.rate': {
    what: 'the server answers at the rate the spec asks (by default 90% of the rate sent)',
    basis: 'this spec (load); Microsoft Entra ID: user provisioning requirements for the app gallery',
    level: 'spec',
    quote:
      'Support at least 25 requests per second per tenant so that users and groups are provisioned and deprovisioned ' +
      'without delay. (Required)',
  },
  'load.latency': {
    what: 'the p50, p95 and p99 latencies under load are within the bounds the spec states',
    basis: 'this spec (load expect)',
    level: 'spec',
  },
  'load.errors': {
    what: 'under load the server answers no more errors than the spec allows (none by default): 2xx, or a 429 a retry got past',
    basis: 'this spec (load expect.errors)',
    level: 'spec',
  },

  // Federation: accounts made just in time at sign-in (provspec plays the IdP).
  'federation.login': {
    what: "a sign-in through the app ends in a session for the person's own account",
    basis: 'this spec (login)',
    level: 'spec',
  },
  'federation.refused': {
    what: 'a sign-in the spec expects refused ends in no session',
    basis: 'this spec (login expect: refused)',
    level: 'spec',
  },
  'federation.account': {
    what: 'after a sign-in, exactly one account carries the mapped userName',
    basis: 'this spec (login, mapping)',
    level: 'spec',
  },
  'federation.same-account': {
    what: 'a later sign-in of the same person (same iss and sub) reaches the account the first one made',
    basis: 'OpenID Connect Core 1.0 §5.7',
    level: 'spec',
    quote:
      'The sub (subject) and iss (issuer) Claims, used together, are the only Claims that an RP can rely upon as a stable ' +
      'identifier for the End-User, since the sub Claim MUST be locally unique and never reassigned within the Issuer for a ' +
      'particular End-User, as described in Section 2. Therefore, the only guaranteed unique identifier for a given End-User ' +
      'is the combination of the iss Claim and the sub Claim.',
  },
  'federation.session': {
    what: "the person's session in the app is active or has ended, as the spec states",
    basis: 'this spec (expect.session)',
    level: 'spec',
  },
  'federation.backchannel': {
    what: 'the app answers a valid back-channel logout token with 200 OK',
    basis: 'OpenID Connect Back-Channel Logout 1.0 §2.8',
    level: 'MUST',
    quote: 'If the logout succeeded, the RP MUST respond with HTTP 200 OK.',
  },

  // The oidc-rp suite: ID tokens with one defect, which the app must not sign anyone in with.
  'oidc-rp.wrong-iss': {
    what: 'the app refuses an ID token whose iss is not its IdP',
    basis: 'OpenID Connect Core 1.0 §3.1.3.7',
    level: 'MUST',
    quote:
      'The Issuer Identifier for the OpenID Provider (which is typically obtained during Discovery) MUST exactly match the value ' +
      'of the iss (issuer) Claim.',
  },
  'oidc-rp.wrong-aud': {
    what: 'the app refuses an ID token issued to another client',
    basis: 'OpenID Connect Core 1.0 §3.1.3.7',
    level: 'MUST',
    quote:
      'The Client MUST validate that the aud (audience) Claim contains its client_id value registered at the Issuer identified by ' +
      'the iss (issuer) Claim as an audience.',
  },
  'oidc-rp.expired': {
    what: 'the app refuses an expired ID token',
    basis: 'OpenID Connect Core 1.0 §3.1.3.7',
    level: 'MUST',
    quote: 'The current time MUST be before the time represented by the exp Claim.',
  },
  'oidc-rp.wrong-nonce': {
    what: 'the app refuses an ID token whose nonce is not the one it sent',
    basis: 'OpenID Connect Core 1.0 §3.1.3.7',
    level: 'MUST',
    quote:
      'If a nonce value was sent in the Authentication Request, a nonce Claim MUST be present and its value checked to verify ' +
      'that it is the same value as the one that was sent in the Authentication Request.',
  },
  'oidc-rp.alg-none': {
    what: 'the app refuses an unsigned ID token (alg none)',
    basis: 'OpenID Connect Core 1.0 §3.1.3.7',
    level: 'SHOULD',
    quote:
      'The alg value SHOULD be the default of RS256 or the algorithm sent by the Client in the id_token_signed_response_alg ' +
      'parameter during Registration.',
  },
  'oidc-rp.pkce': {
    what: 'the app sends a PKCE code challenge (S256) with its authorization request',
    basis: 'RFC 9700 §2.1.1',
    level: 'SHOULD',
    quote:
      'For confidential clients, the use of PKCE [RFC7636] is RECOMMENDED, as it provides strong protection against misuse and ' +
      'injection of authorization codes as described in Section 4.5.3.1.',
  },

  'oidc-rp.hs256': {
    what: 'the app refuses an ID token MACed with its client secret (HS256) when RS256 is what it registered',
    basis: 'OpenID Connect Core 1.0 §3.1.3.7',
    level: 'SHOULD',
    quote:
      'The alg value SHOULD be the default of RS256 or the algorithm sent by the Client in the id_token_signed_response_alg ' +
      'parameter during Registration.',
  },
  'oidc-rp.extra-aud': {
    what: 'the app refuses an ID token issued to another client that names the app as one more audience',
    basis: 'OpenID Connect Core 1.0 §3.1.3.7',
    level: 'MUST',
    quote:
      'The ID Token MUST be rejected if the ID Token does not list the Client as a valid audience, or if it contains additional ' +
      'audiences not trusted by the Client.',
  },
  'oidc-rp.missing-sub': {
    what: 'the app refuses an ID token without a sub',
    basis: 'OpenID Connect Core 1.0 §2',
    level: 'MUST',
    quote:
      'REQUIRED. Subject Identifier. A locally unique and never reassigned identifier within the Issuer for the End-User, which ' +
      'is intended to be consumed by the Client',
  },
  'oidc-rp.key-rollover': {
    what: "the app takes an ID token signed with the IdP's other published key (kid), as after a signing key rollover",
    basis: 'OpenID Connect Core 1.0 §10.1.1; Microsoft identity platform: signing key rollover',
    level: 'SHOULD',
    quote:
      'The signer can begin using a new key at its discretion and signals the change to the verifier using the kid value. The ' +
      'verifier knows to go back to the jwks_uri location to re-retrieve the keys when it sees an unfamiliar kid value.',
  },
  // A SHOULD, though §10.12 says MUST: RFC 9700 §2.1 lets an app rely on PKCE, or OpenID Connect's
  // nonce, for CSRF protection instead of state; the property itself is oidc-rp.code-injection's.
  'oidc-rp.state': {
    what: 'the app refuses an authorization response whose state is not the one it sent, or has none',
    basis: 'RFC 6749 §10.12; RFC 9700 §2.1',
    level: 'SHOULD',
    quote:
      'The binding value enables the client to verify the validity of the request by matching the binding value to the ' +
      "user-agent's authenticated state.",
  },
  // A SHOULD: RFC 9700 §2.1 asks a client to use the iss parameter ("clients SHOULD") against mix-up.
  'oidc-rp.mix-up': {
    what: "the app refuses an authorization response whose iss parameter is not its IdP's",
    basis: 'RFC 9207 §2.4; RFC 9700 §2.1',
    level: 'SHOULD',
    quote:
      'If the value does not match the expected issuer identifier, clients MUST reject the authorization response and MUST NOT ' +
      'proceed with the authorization grant.',
  },
  'oidc-rp.code-injection': {
    what: "the app signs no one in with an authorization code delivered in another browser's sign-in",
    basis: 'RFC 9700 §2.1.1',
    level: 'MUST',
    quote:
      'Clients MUST prevent authorization code injection attacks (see Section 4.5) and misuse of authorization codes using one ' +
      'of the following options:',
  },

  // The saml-sp suite: Responses with one defect, which the app must not sign anyone in with.
  'saml-sp.unsigned': {
    what: 'the app refuses a Response whose assertion carries no signature',
    basis: 'SAML 2.0 Profiles §4.1.4.5',
    level: 'MUST',
    quote: 'If the HTTP POST binding is used to deliver the <Response>, the enclosed assertion(s) MUST be signed.',
  },
  'saml-sp.other-key': {
    what: "the app refuses a Response not signed with its IdP's key",
    basis: 'SAML 2.0 Profiles §4.1.4.3',
    level: 'MUST',
    quote:
      'Regardless of the SAML binding used, the service provider MUST do the following: ' +
      'Verify any signatures present on the assertion(s) or the response',
  },
  'saml-sp.modified': {
    what: 'the app refuses an assertion changed after it was signed',
    basis: 'SAML 2.0 Profiles §4.1.4.3',
    level: 'MUST',
    quote:
      'Regardless of the SAML binding used, the service provider MUST do the following: ' +
      'Verify any signatures present on the assertion(s) or the response',
  },
  'saml-sp.wrong-audience': {
    what: 'the app refuses an assertion addressed to another service provider',
    basis: 'SAML 2.0 Profiles §4.1.4.3; SAML 2.0 Core §2.5.1.4',
    level: 'MUST',
    quote:
      'Regardless of the SAML binding used, the service provider MUST do the following: ' +
      'Verify that any assertions relied upon are valid in other respects',
  },
  'saml-sp.wrong-recipient': {
    what: 'the app refuses a Response meant for another assertion consumer service',
    basis: 'SAML 2.0 Profiles §4.1.4.3',
    level: 'MUST',
    quote:
      'Verify that the Recipient attribute in any bearer <SubjectConfirmationData> matches the assertion consumer service URL ' +
      'to which the <Response> or artifact was delivered',
  },
  'saml-sp.expired': {
    what: 'the app refuses an expired assertion',
    basis: 'SAML 2.0 Profiles §4.1.4.3',
    level: 'MUST',
    quote:
      'Verify that the NotOnOrAfter attribute in any bearer <SubjectConfirmationData> has not passed, subject to allowable clock ' +
      'skew between the providers',
  },

  'saml-sp.unknown-in-response-to': {
    what: 'the app refuses a Response to a request it never made',
    basis: 'SAML 2.0 Profiles §4.1.4.3',
    level: 'MUST',
    quote:
      'Verify that the InResponseTo attribute in the bearer <SubjectConfirmationData> equals the ID of its original ' +
      '<AuthnRequest> message, unless the response is unsolicited (see Section 4.1.5), in which case the attribute MUST NOT be present',
  },
  'saml-sp.replayed': {
    what: 'the app refuses a Response it has already taken',
    basis: 'SAML 2.0 Profiles §4.1.4.5',
    level: 'MUST',
    quote:
      'The service provider MUST ensure that bearer assertions are not replayed, by maintaining the set of used ID values for ' +
      'the length of time for which the assertion would be considered valid based on the NotOnOrAfter attribute in the ' +
      '<SubjectConfirmationData>.',
  },
  'saml-sp.wrapped': {
    what: 'the app does not sign anyone in from an unsigned assertion wrapped around a signed one',
    basis: 'SAML 2.0 Profiles §4.1.4.5',
    level: 'MUST',
    quote: 'If the HTTP POST binding is used to deliver the <Response>, the enclosed assertion(s) MUST be signed.',
  },

  'saml-sp.comment-in-name-id': {
    what: "the app reads the signed NameID whole: a comment inside it does not make it another person's",
    basis: 'SAML 2.0 Profiles §4.1.4.5',
    level: 'MUST',
    quote: 'If the HTTP POST binding is used to deliver the <Response>, the enclosed assertion(s) MUST be signed.',
  },

  'saml-sp.unsolicited': {
    what: 'an unsolicited Response (no InResponseTo, as an IdP-initiated sign-in sends it) is refused, or taken, as the spec declares',
    basis: 'this spec (federation.sp.unsolicited); SAML 2.0 Profiles §4.1.5',
    level: 'spec',
    quote:
      'Verify that the InResponseTo attribute in the bearer <SubjectConfirmationData> equals the ID of its original ' +
      '<AuthnRequest> message, unless the response is unsolicited (see Section 4.1.5 ), in which case the attribute MUST NOT be present',
  },

  'saml-sp.sha1': {
    what: 'a Response signed with RSA-SHA1 over SHA-1 digests is refused, or taken, as the spec declares',
    basis: 'this spec (federation.sp.sha1); XML Signature 1.1 §6.1',
    level: 'spec',
    quote: 'SHA1 (Use is DISCOURAGED; see SHA-1 Warning)',
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
