// Discovery held to behaviour: what /ServiceProviderConfig, /Schemas and /ResourceTypes say must
// be what the server does. An advertised feature must work (sorting, ETags, a maxResults cap);
// one it denies must be refused the RFC way (Bulk); /Me is served or refused with 501; the
// filter operators the server accepts must give exactly the matching resources, judged over
// the run's own users (an operator it refuses with 400 invalidFilter is its right, not judged).
import type { Suite } from './suite.ts';
import { brokenPaging, collectIds, filterText, listedIds, plural, query } from './suite.ts';
import type { Pool } from './pool.ts';
import type { Declared } from './declared.ts';
import { advertised, configNumber, declaredSchema, offersExtension } from './declared.ts';
import { getKey } from '../../scim/resource.ts';
import { CORE_GROUP_URN, CORE_USER_URN, resolveAttributePath, STANDARD_SCHEMAS } from '../../scim-schema/index.ts';
import { userBody } from './pool.ts';
import { patch } from '../../scim/dialects/base.ts';
import { statusCheck } from '../protocol.ts';
import type { CheckResult } from '../result.ts';
import type { Exchange } from '../../scim/exchange.ts';

const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** Group in /Schemas and /ResourceTypes; every mapped attribute declared (a warning at its mapping line). */
export function declarationChecks(suite: Suite, declared: Declared): void {
  const { ctx } = suite;
  if (declared.schemas && declared.resourceTypes) {
    const schema = declaredSchema(declared, CORE_GROUP_URN) !== undefined;
    const type = declared.resourceTypes.some((t) => getKey(t, 'name') === 'Group' && getKey(t, 'endpoint') === '/Groups');
    suite.check(
      'discovery.group',
      'discovery.group',
      'the Group schema and resource type are declared',
      schema && type,
      [!schema ? `${CORE_GROUP_URN} is not among /Schemas` : '', !type ? 'no resource type named Group with endpoint /Groups' : '']
        .filter(Boolean)
        .join('; '),
      { evidence: [declared.schemasExchange, declared.resourceTypesExchange].filter((e): e is Exchange => e !== undefined) },
    );
  }
  if (!declared.schemas) return;
  // Each mapped attribute, at its own mapping line: the server says which it knows.
  for (const path of Object.keys(ctx.run.spec.mapping)) {
    const resolved = resolveAttributePath(path, STANDARD_SCHEMAS, CORE_USER_URN);
    if (!resolved.ok || resolved.common) continue;
    const urn = resolved.schema.id;
    const top = (resolved.parent ?? resolved.attribute).name;
    const schema = declaredSchema(declared, urn);
    const attributes = getKey(schema, 'attributes');
    const declaredTop = Array.isArray(attributes)
      ? attributes.find((a) => String(getKey(a, 'name')).toLowerCase() === top.toLowerCase())
      : undefined;
    const offered = urn === CORE_USER_URN || offersExtension(declared, 'User', urn) !== false;
    const ok = schema !== undefined && declaredTop !== undefined && offered;
    ctx.verdict(
      'discovery.mapped-attribute',
      `discovery.mapped.${path}`,
      `${path} is declared by the server`,
      ctx.range(`/mapping/${escapePointer(path)}`),
      ok ? 'pass' : 'fail',
      {
        message: ok
          ? ''
          : schema === undefined
            ? `the server's /Schemas has no ${urn}, so ${path} is an attribute it does not declare`
            : !offered
              ? `the User resource type does not list the ${urn} extension`
              : `${urn} in /Schemas has no attribute "${top}"`,
        evidence: declared.schemasExchange ? [declared.schemasExchange] : [],
      },
    );
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** maxResults, Bulk when denied, /Me. */
export async function configChecks(suite: Suite, pool: Pool, declared: Declared): Promise<void> {
  const { ctx } = suite;
  const max = configNumber(declared, 'filter', 'maxResults');
  const maxTitle = 'no list returns more resources than filter.maxResults';
  if (max === undefined || max < 1 || max >= pool.users.length) {
    suite.skipped(
      'discovery.max-results',
      'discovery.max-results',
      maxTitle,
      max === undefined ? 'filter.maxResults is not stated' : `filter.maxResults (${max}) is not below the ${pool.users.length} test users`,
    );
  } else {
    const list = await ctx.send(
      { method: 'GET', url: query('/Users', { filter: filterText('userName', 'sw', pool.prefix), count: pool.users.length }) },
      'discovery',
    );
    const ids = listedIds(list);
    if (list.status === 400)
      suite.skipped('discovery.max-results', 'discovery.max-results', maxTitle, 'the server refuses the "sw" filter the check needs', [
        list,
      ]);
    else
      suite.check(
        'discovery.max-results',
        'discovery.max-results',
        maxTitle,
        ids !== undefined && ids.length <= max,
        ids
          ? `count=${pool.users.length} returned ${ids.length}, above maxResults ${max}`
          : `the list answered ${list.status ?? list.error}`,
        {
          expected: `at most ${max}`,
          actual: ids?.length ?? null,
          evidence: [list],
        },
      );
  }

  const bulk = advertised(declared, 'bulk');
  const bulkTitle = 'with bulk.supported false, POST /Bulk is refused with 501';
  if (bulk === false) {
    const sent = await ctx.send(
      { method: 'POST', url: '/Bulk', body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] } },
      'discovery',
    );
    statusCheck(ctx, sent, [501, 404, 405], 'discovery.bulk-denied', 'discovery.bulk-denied', bulkTitle, suite.range);
  } else if (bulk) {
    suite.skipped('discovery.bulk-denied', 'discovery.bulk-denied', bulkTitle, 'the server advertises bulk: the bulk checks hold it to it');
    await bulkChecks(suite, declared);
  } else {
    suite.skipped('discovery.bulk-denied', 'discovery.bulk-denied', bulkTitle, 'bulk.supported is not stated');
  }

  const me = await ctx.send({ method: 'GET', url: '/Me' }, 'discovery');
  const meTitle = '/Me is served (200) or refused with 501';
  if (!suite.unanswered('feature.me', 'feature.me', meTitle, me)) {
    suite.check('feature.me', 'feature.me', meTitle, me.status === 200 || me.status === 501, `GET /Me answered ${me.status}`, {
      expected: '200 or 501',
      actual: me.status ?? null,
      evidence: [me],
    });
  }
}

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/**
 * Bulk, where advertised (RFC 7644 §3.7): a user and a group that names it by bulkId are made in
 * one request, the reference replaced by the user's id; a request over maxOperations is refused
 * with 413; failOnErrors stops the request once that many operations failed.
 */
async function bulkChecks(suite: Suite, declared: Declared): Promise<void> {
  const { ctx } = suite;
  const user = userBody(suite, 'bk');
  const groupName = `provspec bulk ${suite.tag}`;
  const send = (body: Record<string, unknown>) =>
    ctx.send({ method: 'POST', url: '/Bulk', body: { schemas: [BULK_REQUEST], ...body } }, 'bulk');
  const group = { schemas: [CORE_GROUP_URN], displayName: groupName, members: [{ value: 'bulkId:u1' }] };
  const made = await send({
    Operations: [
      { method: 'POST', path: '/Users', bulkId: 'u1', data: user },
      { method: 'POST', path: '/Groups', bulkId: 'g1', data: group },
    ],
  });
  const results = bulkResults(made);
  const [userId, groupId] = results.map((r) => idFromLocation(getKey(r, 'location')));
  // What the request made is the run's to remove, whatever the verdict.
  if (userId) ctx.run.ledger.created('User', userId, String(user['userName']), ctx.name);
  if (groupId) ctx.run.ledger.created('Group', groupId, groupName, ctx.name);
  const title = 'a BulkRequest makes a user and a group that names it by bulkId, the reference replaced by its id';
  let check: CheckResult;
  if (made.status !== 200 || results.length !== 2) {
    const message = `POST /Bulk answered ${made.status ?? made.error} with ${plural(results.length, 'operation result')}`;
    check = suite.check('feature.bulk', 'feature.bulk', title, false, message, { evidence: [made] });
  } else {
    const statuses = results.map((r) => String(getKey(r, 'status')));
    const read = groupId ? await ctx.send({ method: 'GET', url: `/Groups/${encodeURIComponent(groupId)}` }, 'bulk') : undefined;
    const members = (getKey(read?.json, 'members') as unknown[] | undefined)?.map((m) => getKey(m, 'value')) ?? [];
    const problems: string[] = [];
    if (statuses.some((s) => s !== '201')) problems.push(`the operations answered ${statuses.join(', ')}, not 201`);
    else if (!userId || !groupId) problems.push('an operation result has no location naming what it made');
    else if (!members.includes(userId)) problems.push(`the group's members are ${JSON.stringify(members)}, not the new user ${userId}`);
    check = suite.check('feature.bulk', 'feature.bulk', title, problems.length === 0, problems.join('; '), {
      evidence: [made, ...(read ? [read] : [])],
    });
  }

  const max = configNumber(declared, 'bulk', 'maxOperations');
  const maxTitle = 'a BulkRequest with more operations than maxOperations is refused with 413';
  if (max === undefined || max < 1 || max > 100) {
    suite.skipped('feature.bulk.max-operations', 'feature.bulk.max-operations', maxTitle, `bulk.maxOperations is ${max ?? 'not stated'}`);
  } else {
    // Deletes of ids nobody has: harmless if a server wrongly processes them.
    const deletes = Array.from({ length: max + 1 }, (_, i) => ({
      method: 'DELETE',
      path: `/Users/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    }));
    const over = await send({ Operations: deletes });
    statusCheck(ctx, over, [413], 'feature.bulk.max-operations', 'feature.bulk.max-operations', maxTitle, suite.range);
  }

  const failTitle = 'failOnErrors: 1 stops a BulkRequest at its first failed operation';
  if (check.status !== 'pass') {
    suite.blocked('feature.bulk.fail-on-errors', 'feature.bulk.fail-on-errors', failTitle, check, 'bulk requests do not work at all');
    return;
  }
  const next = userBody(suite, 'bf');
  const stopped = await send({
    failOnErrors: 1,
    Operations: [
      { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [CORE_USER_URN] } },
      { method: 'POST', path: '/Users', bulkId: 'next', data: next },
    ],
  });
  const later = bulkResults(stopped)[1];
  const madeAnyway = idFromLocation(getKey(later, 'location'));
  if (madeAnyway) ctx.run.ledger.created('User', madeAnyway, String(next['userName']), ctx.name);
  const ok = stopped.status === 200 && !madeAnyway && String(getKey(later, 'status') ?? '') !== '201';
  const message =
    stopped.status === 200 ? 'the operation after the first failure was still processed' : `POST /Bulk answered ${stopped.status}`;
  suite.check('feature.bulk.fail-on-errors', 'feature.bulk.fail-on-errors', failTitle, ok, message, { evidence: [stopped] });
}

function bulkResults(exchange: Exchange): unknown[] {
  const operations = getKey(exchange.json, 'Operations');
  return exchange.status === 200 && Array.isArray(operations) ? operations : [];
}

function idFromLocation(location: unknown): string | undefined {
  if (typeof location !== 'string') return undefined;
  const id = /\/(?:Users|Groups)\/([^/?#]+)\/?$/.exec(location)?.[1];
  return id ? decodeURIComponent(id) : undefined;
}

/** sortBy, POST /.search, and ETags, each where advertised (.search has no flag: tried, and judged when served). */
export async function advertisedFeatureChecks(suite: Suite, pool: Pool, declared: Declared, user: { id: string }): Promise<void> {
  const { ctx } = suite;
  const scope = filterText('userName', 'sw', pool.prefix);
  const sorted = [...pool.users].sort((a, b) => compare(a.userName.toLowerCase(), b.userName.toLowerCase()));
  const sortTitle = 'sortBy=userName orders the results (ascending by default, descending on request)';
  const sort = advertised(declared, 'sort');
  if (sort !== true) {
    suite.skipped(
      'feature.sort',
      'feature.sort',
      sortTitle,
      sort === false ? 'the server says sort.supported false' : 'sort.supported is not stated',
    );
  } else {
    const count = pool.users.length + 5;
    const ascending = await collectIds(suite, '/Users', { filter: scope, sortBy: 'userName', count }, 'sort');
    const descending = await collectIds(suite, '/Users', { filter: scope, sortBy: 'userName', sortOrder: 'descending', count }, 'sort');
    const expectUp = sorted.map((u) => u.id);
    const expectDown = [...expectUp].reverse();
    const problems: string[] = [];
    for (const [result, expected, name] of [
      [ascending, expectUp, 'ascending (the default)'],
      [descending, expectDown, 'descending'],
    ] as const) {
      const ids = result.ids?.filter((id) => expected.includes(id));
      if (!ids) problems.push(`sortBy=userName ${name} answered ${result.failed?.status ?? result.failed?.error}`);
      else if (ids.some((id, i) => id !== expected[i])) {
        const at = ids.findIndex((id, i) => id !== expected[i]);
        problems.push(`${name}: position ${at + 1} holds ${nameOf(pool, ids[at]!)}, expected ${nameOf(pool, expected[at]!)}`);
      } else if (ids.length !== expected.length)
        problems.push(`${name}: ${plural(ids.length, 'user')} returned across the pages, ${expected.length} expected`);
    }
    suite.check('feature.sort', 'feature.sort', sortTitle, problems.length === 0, problems.join('; '), {
      evidence: [ascending.failed ?? ascending.first, descending.failed ?? descending.first],
    });
  }

  // POST /.search: the same query as a GET, in a SearchRequest body.
  const searchTitle = 'POST /Users/.search returns what the same GET query returns';
  // One page for all of them where the server allows it: the sets compare whatever the order.
  const whole = pool.users.length + 5;
  const get = await ctx.send({ method: 'GET', url: query('/Users', { filter: scope, startIndex: 1, count: whole }) }, 'search');
  const search = await ctx.send(
    { method: 'POST', url: '/Users/.search', body: { schemas: [SEARCH_SCHEMA], filter: scope, startIndex: 1, count: whole } },
    'search',
  );
  if (search.status === 404 || search.status === 405 || search.status === 501) {
    suite.skipped(
      'feature.search',
      'feature.search',
      searchTitle,
      `POST /Users/.search answered ${search.status}: the server does not offer it (RFC 7644 makes it a client's MAY)`,
      [search],
    );
  } else if (get.status !== 200) {
    suite.skipped('feature.search', 'feature.search', searchTitle, `the GET query to compare with answered ${get.status ?? get.error}`, [
      get,
    ]);
  } else {
    const a = listedIds(get);
    const b = listedIds(search);
    // A partial page (the server caps pages) is compared by its total and its size only: which
    // resources a page holds may differ between two requests (RFC 7644 §3.4.2.4).
    const complete = a !== undefined && b !== undefined && a.length === pool.users.length && b.length === pool.users.length;
    const same =
      a !== undefined &&
      b !== undefined &&
      getKey(search.json, 'totalResults') === getKey(get.json, 'totalResults') &&
      (complete ? [...a].sort().join() === [...b].sort().join() : a.length === b.length);
    suite.check(
      'feature.search',
      'feature.search',
      searchTitle,
      same,
      b === undefined
        ? `POST /Users/.search answered ${search.status ?? search.error}${search.status === 200 ? ' without a ListResponse' : ''}`
        : `GET found ${plural(a?.length ?? 0, 'user')} of ${String(getKey(get.json, 'totalResults'))}, ` +
            `POST /.search ${plural(b.length, 'user')} of ${String(getKey(search.json, 'totalResults'))}`,
      { evidence: [get, search] },
    );
  }

  const etag = advertised(declared, 'etag');
  const notModifiedTitle = 'a GET with If-None-Match of the current ETag answers 304';
  const staleTitle = 'a PATCH with If-Match of a stale ETag is refused with 412';
  if (etag !== true) {
    const why = etag === false ? 'the server says etag.supported false' : 'etag.supported is not stated';
    suite.skipped('feature.etag.not-modified', 'feature.etag.not-modified', notModifiedTitle, why);
    suite.skipped('feature.etag.precondition', 'feature.etag.precondition', staleTitle, why);
    return;
  }
  const url = `/Users/${encodeURIComponent(user.id)}`;
  const first = await ctx.send({ method: 'GET', url }, 'etag');
  const tag = first.responseHeaders?.['etag'];
  if (!tag) {
    const by: CheckResult | string = ctx.checks.find((c) => c.id === 'read.etag') ?? 'read.etag';
    suite.blocked('feature.etag.not-modified', 'feature.etag.not-modified', notModifiedTitle, by, 'GET answers no ETag header', [first]);
    suite.blocked('feature.etag.precondition', 'feature.etag.precondition', staleTitle, by, 'GET answers no ETag header', [first]);
    return;
  }
  const conditional = await ctx.send({ method: 'GET', url, headers: { 'if-none-match': tag } }, 'etag');
  statusCheck(ctx, conditional, [304], 'feature.etag.not-modified', 'feature.etag.not-modified', notModifiedTitle, suite.range);
  // Change the user, so the first ETag is stale; then a write conditional on it must fail.
  const change = await ctx.send(patch(url, [{ op: 'replace', path: 'title', value: `provspec etag ${suite.tag}` }]), 'etag');
  if (change.status !== 200 && change.status !== 204) {
    suite.skipped(
      'feature.etag.precondition',
      'feature.etag.precondition',
      staleTitle,
      `the change that makes the ETag stale answered ${change.status ?? change.error}`,
      [change],
    );
    return;
  }
  const after = await ctx.send({ method: 'GET', url }, 'etag');
  if (after.responseHeaders?.['etag'] === tag) {
    suite.check(
      'feature.etag.precondition',
      'feature.etag.precondition',
      staleTitle,
      false,
      `the ETag stayed ${tag} after the user changed`,
      { evidence: [change, after] },
    );
    return;
  }
  const stale = await ctx.send(
    { ...patch(url, [{ op: 'replace', path: 'title', value: `provspec stale ${suite.tag}` }]), headers: { 'if-match': tag } },
    'etag',
  );
  statusCheck(ctx, stale, [412], 'feature.etag.precondition', 'feature.etag.precondition', staleTitle, suite.range);
}

interface OperatorCase {
  name: string;
  filter: string;
  /** Pool indexes (0-based) the filter matches. */
  matches: (index: number, userName: string) => boolean;
  /** Whether the filter is scoped to the pool by itself (else results outside it are not judged). */
  scoped: boolean;
  needsAnd?: boolean;
}

/** Each filter operator and the logical ones, over the pool (users 01…NN, their names differing only in the number). */
export async function filterOperatorChecks(suite: Suite, pool: Pool): Promise<void> {
  const users = pool.users;
  const scope = filterText('userName', 'sw', pool.prefix);
  const u = (i: number) => users[i]!.userName;
  const number = (name: string) => name.slice(pool.prefix.length);
  const cases: OperatorCase[] = [
    { name: 'and', filter: `${scope} and ${filterText('userName', 'eq', u(0))}`, matches: (i) => i === 0, scoped: true },
    {
      name: 'co',
      filter: filterText('userName', 'co', `${pool.prefix}${number(u(0)).slice(0, 1)}`),
      matches: (_, n) => number(n).startsWith(number(u(0)).slice(0, 1)),
      scoped: true,
    },
    { name: 'ew', filter: filterText('userName', 'ew', number(u(6))), matches: (i) => i === 6, scoped: false },
    { name: 'ne', filter: `${scope} and ${filterText('userName', 'ne', u(1))}`, matches: (i) => i !== 1, scoped: true, needsAnd: true },
    { name: 'gt', filter: `${scope} and ${filterText('userName', 'gt', u(4))}`, matches: (i) => i > 4, scoped: true, needsAnd: true },
    { name: 'ge', filter: `${scope} and ${filterText('userName', 'ge', u(4))}`, matches: (i) => i >= 4, scoped: true, needsAnd: true },
    { name: 'lt', filter: `${scope} and ${filterText('userName', 'lt', u(4))}`, matches: (i) => i < 4, scoped: true, needsAnd: true },
    { name: 'le', filter: `${scope} and ${filterText('userName', 'le', u(4))}`, matches: (i) => i <= 4, scoped: true, needsAnd: true },
    { name: 'pr', filter: `${scope} and userName pr`, matches: () => true, scoped: true, needsAnd: true },
    {
      name: 'or',
      filter: `${filterText('userName', 'eq', u(0))} or ${filterText('userName', 'eq', u(2))}`,
      matches: (i) => i === 0 || i === 2,
      scoped: true,
    },
    {
      name: 'not',
      filter: `${scope} and not (${filterText('userName', 'eq', u(0))})`,
      matches: (i) => i !== 0,
      scoped: true,
      needsAnd: true,
    },
    // Grouping, and "and" binding tighter than "or" (RFC 7644 §3.4.2.2's order of operations).
    {
      name: 'grouping',
      filter: `${scope} and (${filterText('userName', 'eq', u(0))} or ${filterText('userName', 'eq', u(2))})`,
      matches: (i) => i === 0 || i === 2,
      scoped: true,
      needsAnd: true,
    },
    {
      name: 'precedence',
      filter: `${filterText('userName', 'eq', u(0))} or ${filterText('userName', 'eq', u(2))} and ${filterText('userName', 'eq', u(3))}`,
      matches: (i) => i === 0,
      scoped: true,
    },
  ];
  const poolIds = new Map(users.map((user, i) => [user.id, i]));
  let andCheck: CheckResult | undefined;
  for (const c of cases) {
    const id = `filter.operator.${c.name}`;
    const title = `the "${c.name}" filter returns exactly the users it matches`;
    if (c.needsAnd && andCheck && andCheck.status !== 'pass') {
      if (andCheck.status === 'skipped')
        suite.skipped('filter.operator', id, title, 'the server refuses "and", which this filter needs to stay within the test users');
      else suite.blocked('filter.operator', id, title, andCheck, '"and" does not work, and this filter needs it');
      continue;
    }
    const result = await collectIds(suite, '/Users', { filter: c.filter, count: users.length + 5 }, 'filter-operators', users.length + 2);
    const paging = result.pages > 1 ? brokenPaging(suite) : undefined;
    const exchange = result.failed ?? result.first;
    let check: CheckResult;
    if (exchange.status === 400 || exchange.status === 501) {
      check = suite.skipped(
        'filter.operator',
        id,
        title,
        `the server refuses ${JSON.stringify(c.filter)} (${exchange.status}${scimTypeOf(exchange)}): it does not offer "${c.name}"`,
        [exchange],
      );
    } else {
      const ids = result.ids;
      if (!ids) {
        check = suite.check(
          'filter.operator',
          id,
          title,
          false,
          `the filter ${JSON.stringify(c.filter)} answered ${exchange.status ?? exchange.error}`,
          { evidence: [exchange] },
        );
      } else {
        const found = new Set(ids.filter((x) => poolIds.has(x)));
        const expected = users.filter((user, i) => c.matches(i, user.userName)).map((user) => user.id);
        const missing = expected.filter((x) => !found.has(x));
        const extra = [...found].filter((x) => !expected.includes(x));
        const strangers = c.scoped ? ids.filter((x) => !poolIds.has(x)) : [];
        const ok = missing.length === 0 && extra.length === 0 && strangers.length === 0;
        if (!ok && paging) {
          check = suite.blocked('filter.operator', id, title, paging, 'the answer spans pages, and paging is broken', [exchange]);
          if (c.name === 'and') andCheck = check;
          continue;
        }
        check = suite.check(
          'filter.operator',
          id,
          title,
          ok,
          `${JSON.stringify(c.filter)}: ` +
            [
              missing.length
                ? `misses ${missing
                    .slice(0, 3)
                    .map((x) => nameOf(pool, x))
                    .join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`
                : '',
              extra.length
                ? `also returns ${extra
                    .slice(0, 3)
                    .map((x) => nameOf(pool, x))
                    .join(', ')}${extra.length > 3 ? ` and ${extra.length - 3} more` : ''}`
                : '',
              strangers.length ? `returns ${plural(strangers.length, 'resource')} outside the filter's scope` : '',
            ]
              .filter(Boolean)
              .join('; '),
          { expected: plural(expected.length, 'user'), actual: plural(found.size + strangers.length, 'user'), evidence: [exchange] },
        );
      }
    }
    if (c.name === 'and') andCheck = check;
  }
}

function scimTypeOf(exchange: Exchange): string {
  const scimType = getKey(exchange.json, 'scimType');
  return typeof scimType === 'string' ? ` ${scimType}` : '';
}

function nameOf(pool: Pool, id: string): string {
  return JSON.stringify(pool.users.find((u) => u.id === id)?.userName ?? id);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
