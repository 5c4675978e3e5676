// The `rfc7644` conformance suite: protocol behaviour every SCIM service provider owes any client
// (RFC 7644 §3-4), checked with one run-scoped user built from the spec's first identity. Each
// check is reported at the suite's item in `conformance:`.
import type { ScenarioContext } from '../context.ts';
import { buildUser, getKey, type Resource } from '../../scim/resource.ts';
import { mappedValues, scenarioIdentity } from '../identity.ts';
import { expectScimError, expectScimMediaType, expectStatus, idOf, listResources, statusCheck } from '../protocol.ts';
import type { CheckDetail } from '../context.ts';
import type { RuleId } from '../../checks/rules.ts';
import { swapCase } from '../lifecycle/verify.ts';
import { Suite } from './suite.ts';
import type { Declared } from './declared.ts';
import { readList } from './declared.ts';
import { declarationChecks } from './features.ts';
import { poolChecks } from './rfc7644-pool.ts';
import { recreateCheck } from './users.ts';

const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export async function rfc7644Suite(ctx: ScenarioContext, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const range = ctx.planned.range;
  const check = (rule: RuleId, id: string, title: string, ok: boolean, message: string, detail: CheckDetail = {}) =>
    ctx.verdict(rule, id, title, range, ok ? 'pass' : 'fail', { ...detail, message: ok ? '' : message });

  const suite = new Suite(ctx, tagged, tag);
  const declared: Declared = {};
  // Discovery (RFC 7644 §4).
  const spc = await ctx.send({ method: 'GET', url: '/ServiceProviderConfig' }, 'discovery');
  if (spc.status === 200) Object.assign(declared, { config: spc.json, configExchange: spc });
  let etags = false;
  if (
    expectStatus(
      ctx,
      spc,
      [200],
      'discovery.service-provider-config',
      'service-provider-config',
      'GET /ServiceProviderConfig answers 200',
      range,
    )
  ) {
    expectScimMediaType(ctx, spc, 'service-provider-config.media-type', range);
    const json = spc.json;
    const schemas = getKey(json, 'schemas');
    check(
      'discovery.service-provider-config',
      'service-provider-config.schema',
      'ServiceProviderConfig names its schema',
      Array.isArray(schemas) && schemas.includes('urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'),
      'the body does not list urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig in "schemas"',
      { evidence: [spc] },
    );
    const patch = getKey(getKey(json, 'patch'), 'supported');
    const filter = getKey(getKey(json, 'filter'), 'supported');
    check(
      'discovery.service-provider-config',
      'service-provider-config.features',
      'ServiceProviderConfig states patch and filter support as booleans',
      typeof patch === 'boolean' && typeof filter === 'boolean',
      `patch.supported is ${JSON.stringify(patch ?? null)}, filter.supported is ${JSON.stringify(filter ?? null)}`,
      { evidence: [spc] },
    );
    etags = getKey(getKey(json, 'etag'), 'supported') === true;
  }
  const types = await ctx.send({ method: 'GET', url: '/ResourceTypes' }, 'discovery');
  const typeList = readList(types);
  if (typeList) Object.assign(declared, { resourceTypes: typeList, resourceTypesExchange: types });
  if (expectStatus(ctx, types, [200], 'discovery.resource-types', 'resource-types', 'GET /ResourceTypes answers 200', range)) {
    const list = listResources(types) ?? (Array.isArray(types.json) ? types.json : []);
    check(
      'discovery.resource-types',
      'resource-types.user',
      'ResourceTypes lists User at /Users',
      list.some((t) => getKey(t, 'name') === 'User' && getKey(t, 'endpoint') === '/Users'),
      'no resource type named User with endpoint /Users',
      { evidence: [types] },
    );
  }
  const schemas = await ctx.send({ method: 'GET', url: '/Schemas' }, 'discovery');
  const schemaList = readList(schemas);
  if (schemaList) Object.assign(declared, { schemas: schemaList, schemasExchange: schemas });
  if (expectStatus(ctx, schemas, [200], 'discovery.schemas', 'schemas', 'GET /Schemas answers 200', range)) {
    const list = listResources(schemas) ?? (Array.isArray(schemas.json) ? schemas.json : []);
    check(
      'discovery.schemas',
      'schemas.user',
      'Schemas includes the core User schema',
      list.some((s) => getKey(s, 'id') === 'urn:ietf:params:scim:schemas:core:2.0:User'),
      'urn:ietf:params:scim:schemas:core:2.0:User is not among /Schemas',
      { evidence: [schemas] },
    );
  }

  // Authentication (RFC 7644 §2).
  const anonymous = await ctx.send({ method: 'GET', url: '/Users?count=1', credentials: false }, 'auth');
  expectStatus(ctx, anonymous, [401], 'auth.required', 'unauthenticated', 'a request without credentials is refused with 401', range);

  // A user of our own to exercise the rest.
  const first = Object.keys(ctx.run.spec.identities)[0];
  const identity = scenarioIdentity(ctx.run.spec.identities[first ?? ''] ?? {}, tagged, tag);
  const user: Resource = buildUser(mappedValues(ctx.run.spec, ctx.scope({ identity })));
  const userName = typeof user['userName'] === 'string' ? user['userName'] : undefined;
  const created = await ctx.send({ method: 'POST', url: '/Users', body: user }, 'create');
  const id = created.status === 201 ? idOf(created) : undefined;
  if (id) ctx.run.ledger.created('User', id, userName ?? id, ctx.name);
  if (!expectStatus(ctx, created, [201], 'user.create', 'create', 'POST /Users answers 201', range) || !id || !userName) return;
  const location = created.responseHeaders?.['location'];
  check(
    'user.create.location',
    'create.location',
    'the create answers a Location header naming the new user',
    location?.includes(id) === true,
    location ? `Location ${location} does not name the new user ${id}` : 'the 201 response has no Location header (RFC 7644 §3.3)',
    { expected: `…/Users/${id}`, actual: location ?? null, evidence: [created] },
  );
  const meta = getKey(created.json, 'meta');
  check(
    'resource.meta',
    'create.meta',
    'the created user carries meta.resourceType, created and location',
    getKey(meta, 'resourceType') === 'User' && typeof getKey(meta, 'created') === 'string' && typeof getKey(meta, 'location') === 'string',
    `meta is ${JSON.stringify(meta ?? null)}`,
    { evidence: [created] },
  );

  const read = await ctx.send({ method: 'GET', url: `/Users/${id}` }, 'read');
  if (expectStatus(ctx, read, [200], 'user.read', 'read', 'GET /Users/{id} answers 200', range) && etags) {
    const etag = read.responseHeaders?.['etag'];
    const version = getKey(getKey(read.json, 'meta'), 'version');
    check(
      'resource.etag',
      'read.etag',
      'with etag support, GET answers an ETag header',
      etag !== undefined,
      'ServiceProviderConfig says etag.supported, but GET answers no ETag header',
      { evidence: [read] },
    );
    if (etag !== undefined) {
      check(
        'resource.etag.version',
        'read.etag.version',
        'meta.version equals the ETag header',
        etag === version,
        `ETag is ${JSON.stringify(etag)}, meta.version is ${JSON.stringify(version ?? null)}`,
        { evidence: [read] },
      );
    }
  }

  // Filters (RFC 7644 §3.4.2.2): userName is case insensitive (RFC 7643 §4.1.1).
  // Exact first: the case-insensitive verdict means something only if an exact filter works.
  const exact = await ctx.send(
    { method: 'GET', url: `/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(userName)}`)}` },
    'filter',
  );
  const exactFound = exact.status === 200 ? listResources(exact) : undefined;
  const exactCheck = ctx.check(
    'filter.username',
    'filter.username',
    'a userName filter finds the user',
    range,
    exactFound?.some((r) => getKey(r, 'id') === id) ? 'pass' : exactFound ? 'fail' : 'error',
    {
      message: exactFound?.some((r) => getKey(r, 'id') === id)
        ? ''
        : exactFound
          ? `userName eq ${JSON.stringify(userName)} does not find the user ${id}`
          : `the filter request answered ${exact.status ?? exact.error}`,
      evidence: [exact],
    },
  );
  const other = swapCase(userName);
  if (exactCheck.status !== 'pass') {
    ctx.blocked(
      'filter.username.case-insensitive',
      'filter.case-insensitive-username',
      'userName filters compare case-insensitively',
      range,
      exactCheck,
      'an exact userName filter does not find the user either',
    );
  } else if (!ctx.run.once.has('filter.username.case-insensitive') && other !== userName) {
    ctx.run.once.add('filter.username.case-insensitive');
    const upper = await ctx.send(
      { method: 'GET', url: `/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(other)}`)}` },
      'filter',
    );
    const upperFound = upper.status === 200 ? listResources(upper) : undefined;
    check(
      'filter.username.case-insensitive',
      'filter.case-insensitive-username',
      'userName filters compare case-insensitively',
      upperFound?.some((r) => getKey(r, 'id') === id) ?? false,
      upperFound
        ? `userName eq "${other}" does not find ${userName}: userName is caseExact false (RFC 7643 §4.1.1)`
        : `the filter request answered ${upper.status ?? upper.error}`,
      { evidence: [upper] },
    );
  }
  const paged = await ctx.send(
    { method: 'GET', url: `/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(userName)}`)}&startIndex=1&count=1` },
    'filter',
  );
  if (expectStatus(ctx, paged, [200], 'list.response', 'list', 'a filtered list answers 200', range)) {
    const json = paged.json;
    const schemasOk = Array.isArray(getKey(json, 'schemas')) && (getKey(json, 'schemas') as unknown[]).includes(LIST_SCHEMA);
    check(
      'list.response',
      'list.shape',
      'a list is a ListResponse with totalResults, startIndex and itemsPerPage',
      schemasOk && getKey(json, 'totalResults') === 1 && getKey(json, 'startIndex') === 1 && getKey(json, 'itemsPerPage') === 1,
      `got schemas ${JSON.stringify(getKey(json, 'schemas') ?? null)}, ` +
        `totalResults ${JSON.stringify(getKey(json, 'totalResults') ?? null)}, ` +
        `startIndex ${JSON.stringify(getKey(json, 'startIndex') ?? null)}, ` +
        `itemsPerPage ${JSON.stringify(getKey(json, 'itemsPerPage') ?? null)}`,
      { evidence: [paged] },
    );
  }
  // An operator that does not exist: the one invalid filter RFC 7644 §3.4.2.2 says MUST be refused.
  const invalid = await ctx.send({ method: 'GET', url: `/Users?filter=${encodeURIComponent('userName regex "x"')}` }, 'filter');
  if (expectStatus(ctx, invalid, [400], 'filter.invalid', 'filter.invalid', 'an invalid filter is refused with 400', range))
    expectScimError(ctx, invalid, 'filter.invalid.body', range, {
      value: 'invalidFilter',
      rule: 'filter.invalid',
      id: 'filter.invalid.scim-type',
    });

  // What the server declares, held to what it does (RFC 7644 §4).
  declarationChecks(suite, declared);

  // Many users of our own: paging, filters, sorting, groups of 50+ members and the rest.
  const removeGroup = await poolChecks(suite, declared, { id, full: (read.json as Record<string, unknown> | undefined) ?? {} });

  // Errors (RFC 7644 §3.12).
  const duplicate = await ctx.send({ method: 'POST', url: '/Users', body: user }, 'uniqueness');
  const duplicateId = duplicate.status === 201 ? idOf(duplicate) : undefined;
  if (duplicateId) ctx.run.ledger.created('User', duplicateId, userName, ctx.name);
  if (
    expectStatus(ctx, duplicate, [409], 'uniqueness.refused', 'uniqueness', 'creating the same userName again is refused with 409', range)
  )
    expectScimError(ctx, duplicate, 'uniqueness.body', range, {
      value: 'uniqueness',
      rule: 'conflict.scim-type',
      id: 'uniqueness.scim-type',
    });
  const malformed = await ctx.send({ method: 'POST', url: '/Users', rawBody: '{"schemas": [' }, 'errors');
  // scimType invalidSyntax is OPTIONAL (RFC 7644 §3.12): only the status and the Error body are checked.
  if (expectStatus(ctx, malformed, [400], 'request.malformed', 'malformed-json', 'malformed JSON is refused with 400', range))
    expectScimError(ctx, malformed, 'malformed-json.body', range);
  const missing = await ctx.send({ method: 'GET', url: '/Users/00000000-0000-4000-8000-0000000000ff' }, 'errors');
  if (expectStatus(ctx, missing, [404], 'resource.not-found', 'not-found', 'an unknown id answers 404', range))
    expectScimError(ctx, missing, 'not-found.body', range);

  // Removal (RFC 7644 §3.6).
  const deleted = await ctx.send({ method: 'DELETE', url: `/Users/${id}` }, 'delete');
  if (deleted.status === 204 || deleted.status === 200) ctx.run.ledger.removed('User', id, ctx.name);
  const deleteCheck = statusCheck(ctx, deleted, [204], 'user.delete', 'delete', 'DELETE answers 204', range);
  if (deleteCheck.status === 'pass') {
    const gone = await ctx.send({ method: 'GET', url: `/Users/${id}` }, 'delete');
    const goneCheck = statusCheck(ctx, gone, [404], 'user.deleted', 'delete.gone', 'a deleted user answers 404', range);
    await recreateCheck(suite, user, goneCheck);
  }
  // Removal last, after the user's own: a server that answers DELETE wrongly does it for both.
  await removeGroup?.();
}
