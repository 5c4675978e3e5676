// Paging (RFC 7644 §3.4.2.4), as Entra's validation exercises it: count=5 over more resources
// than fit on two pages, for Users and for Groups. The page set is scoped by a filter on the
// run's own prefix, so the true total is known and nobody else's writes shift the pages. The
// walk advances by what each page returned (a server MAY return fewer than count) and stops at
// the known total, never at totalResults, so a wrong total is one finding, not also a gap.
import type { Suite } from './suite.ts';
import { filterText, listedIds, plural, query } from './suite.ts';
import type { Exchange } from '../../scim/exchange.ts';
import type { CheckResult } from '../result.ts';
import { getKey } from '../../scim/resource.ts';
import { idOf } from '../protocol.ts';

const PAGE = 5;

interface Collection {
  name: 'Users' | 'Groups';
  attribute: 'userName' | 'displayName';
  prefix: string;
  ids: readonly string[];
}

interface Page {
  requested: number;
  exchange: Exchange;
  ids: string[];
}

interface Walk {
  collection: Collection;
  filter: string;
  pages: Page[];
  /** The first request the server did not answer with a list. */
  broken?: Exchange;
}

/** Groups enough for three pages of five: created here, named with the run's tag. */
export async function createPagingGroups(suite: Suite, size: number): Promise<Collection | CheckResult> {
  const prefix = `provspec page ${suite.tag} `;
  const ids: string[] = [];
  for (let i = 1; i <= size; i++) {
    const created = await suite.ctx.send(suite.ctx.dialect.createGroup(`${prefix}${String(i).padStart(2, '0')}`, undefined), 'paging');
    const id = created.status === 201 ? idOf(created) : undefined;
    if (!id) {
      const failed = suite.unanswered('group.setup', 'paging.groups', `${size} groups to page through are created`, created);
      return (
        failed ??
        suite.check(
          'group.setup',
          'paging.groups',
          `${size} groups to page through are created`,
          false,
          describe(created, 'a group create'),
          {
            evidence: [created],
          },
        )
      );
    }
    ids.push(id);
  }
  return { name: 'Groups', attribute: 'displayName', prefix, ids };
}

export function userCollection(prefix: string, ids: readonly string[]): Collection {
  return { name: 'Users', attribute: 'userName', prefix, ids };
}

/**
 * The paging checks over each collection, one verdict per property across all of them: a server
 * that miscounts Users miscounts Groups the same way, and that is one defect.
 */
export async function pagingChecks(suite: Suite, collections: readonly Collection[]): Promise<void> {
  const walks: Walk[] = [];
  for (const collection of collections) {
    const walk = await walkPages(suite, collection);
    if (walk) walks.push(walk);
  }
  if (walks.length === 0) return;
  const broken = walks.find((w) => w.broken);
  if (broken?.broken) {
    suite.check(
      'list.response',
      'paging.pages',
      'every page of a filtered list answers 200 with a ListResponse',
      false,
      describe(broken.broken, 'a page'),
      {
        evidence: [broken.broken],
      },
    );
    return;
  }
  const pages = walks.flatMap((w) => w.pages.map((p) => ({ walk: w, page: p })));

  // count: never more than asked (RFC 7644 §3.4.2.4).
  const tooMany = pages.filter(({ page }) => page.ids.length > PAGE);
  const countCheck = suite.check(
    'list.paging.count',
    'paging.count',
    `a page never holds more than count (${PAGE}) resources`,
    tooMany.length === 0,
    tooMany
      .map(({ walk, page }) => `${walk.collection.name} startIndex=${page.requested}&count=${PAGE} returned ${page.ids.length}`)
      .join('; '),
    {
      expected: `at most ${PAGE}`,
      actual: tooMany[0]?.page.ids.length ?? null,
      evidence: tooMany.slice(0, 2).map(({ page }) => page.exchange),
    },
  );

  // itemsPerPage and startIndex say what this page is (RFC 7644 §3.4.2).
  // An empty page (a server that pages short) is no "partial result": these two are not asked of it.
  const partial = pages.filter(({ page }) => page.ids.length > 0);
  const wrongItems = partial.filter(({ page }) => getKey(page.exchange.json, 'itemsPerPage') !== page.ids.length);
  suite.check(
    'list.paging.items-per-page',
    'paging.items-per-page',
    'itemsPerPage equals the resources on the page',
    wrongItems.length === 0,
    wrongItems
      .slice(0, 3)
      .map(
        ({ walk, page }) =>
          `${walk.collection.name} startIndex=${page.requested}: itemsPerPage ` +
          `${JSON.stringify(getKey(page.exchange.json, 'itemsPerPage') ?? null)} with ${plural(page.ids.length, 'resource')}`,
      )
      .join('; '),
    {
      focus: ['itemsPerPage'],
      expected: wrongItems[0]?.page.ids.length ?? null,
      actual: (getKey(wrongItems[0]?.page.exchange.json, 'itemsPerPage') as number | undefined) ?? null,
      evidence: wrongItems.slice(0, 2).map(({ page }) => page.exchange),
    },
  );
  const wrongStart = partial.filter(({ page }) => getKey(page.exchange.json, 'startIndex') !== page.requested);
  suite.check(
    'list.paging.start-index',
    'paging.start-index',
    'startIndex echoes the page asked for',
    wrongStart.length === 0,
    wrongStart
      .slice(0, 3)
      .map(
        ({ walk, page }) =>
          `${walk.collection.name} startIndex=${page.requested} answered startIndex ` +
          `${JSON.stringify(getKey(page.exchange.json, 'startIndex') ?? null)}`,
      )
      .join('; '),
    {
      focus: ['startIndex'],
      expected: wrongStart[0]?.page.requested ?? null,
      actual: (getKey(wrongStart[0]?.page.exchange.json, 'startIndex') as number | undefined) ?? null,
      evidence: wrongStart.slice(0, 2).map(({ page }) => page.exchange),
    },
  );

  // Every resource exactly once across the pages: no duplicates, no gaps.
  const gaps: string[] = [];
  const gapEvidence: Exchange[] = [];
  for (const walk of walks) {
    const seen = new Map<string, number>();
    for (const page of walk.pages) for (const id of page.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    const missing = walk.collection.ids.filter((id) => !seen.has(id));
    const twice = [...seen].filter(([id, n]) => n > 1 && walk.collection.ids.includes(id)).map(([id]) => id);
    const strangers = [...seen.keys()].filter((id) => !walk.collection.ids.includes(id));
    if (missing.length || twice.length || strangers.length) {
      gaps.push(
        `${walk.collection.name}: ` +
          [
            missing.length ? `${plural(missing.length, 'resource')} on no page (${missing.slice(0, 3).join(', ')})` : '',
            twice.length ? `${plural(twice.length, 'resource')} on two pages (${twice.slice(0, 3).join(', ')})` : '',
            strangers.length ? `${plural(strangers.length, 'resource')} the filter ${JSON.stringify(walk.filter)} does not match` : '',
          ]
            .filter(Boolean)
            .join(', '),
      );
      gapEvidence.push(...walk.pages.slice(0, 2).map((p) => p.exchange));
    }
  }
  const complete = suite.check(
    'list.paging.complete',
    'paging.complete',
    'paging through a list returns every resource exactly once',
    gaps.length === 0,
    `${gaps.join('; ')} (pages walked by startIndex += resources returned, count=${PAGE})`,
    { evidence: gapEvidence.slice(0, 3) },
  );

  // count=0 and startIndex below 1 (RFC 7644 §3.4.2.4).
  const totals: Array<{ walk: Walk; exchange: Exchange }> = pages.map(({ walk, page }) => ({ walk, exchange: page.exchange }));
  const zero: Array<{ walk: Walk; exchange: Exchange }> = [];
  const below: Array<{ walk: Walk; exchange: Exchange }> = [];
  for (const walk of walks) {
    const z = await suite.ctx.send({ method: 'GET', url: query(`/${walk.collection.name}`, { filter: walk.filter, count: 0 }) }, 'paging');
    zero.push({ walk, exchange: z });
    if (z.status === 200) totals.push({ walk, exchange: z });
    const b = await suite.ctx.send(
      { method: 'GET', url: query(`/${walk.collection.name}`, { filter: walk.filter, startIndex: 0, count: PAGE }) },
      'paging',
    );
    below.push({ walk, exchange: b });
    if (b.status === 200) totals.push({ walk, exchange: b });
  }

  // totalResults: the full count of matches on every page, count=0 included.
  const wrongTotals = totals.filter(({ walk, exchange }) => getKey(exchange.json, 'totalResults') !== walk.collection.ids.length);
  suite.check(
    'list.paging.total',
    'paging.total',
    'totalResults is the number of matching resources, the same on every page',
    wrongTotals.length === 0,
    wrongTotals
      .slice(0, 3)
      .map(
        ({ walk, exchange }) =>
          `${walk.collection.name} ${new URL(exchange.url, 'http://x').search.replace(/filter=[^&]*&?/, '')}: totalResults ` +
          `${JSON.stringify(getKey(exchange.json, 'totalResults') ?? null)}, but ${walk.collection.ids.length} match`,
      )
      .join('; '),
    {
      focus: ['totalResults'],
      expected: wrongTotals[0]?.walk.collection.ids.length ?? null,
      actual: (getKey(wrongTotals[0]?.exchange.json, 'totalResults') as number | undefined) ?? null,
      evidence: wrongTotals.slice(0, 2).map((t) => t.exchange),
    },
  );

  const zeroTitle = 'count=0 returns no resources, only totalResults';
  if (countCheck.status !== 'pass') {
    suite.blocked('list.paging.count-zero', 'paging.count-zero', zeroTitle, countCheck, 'the server does not honour count at all');
  } else {
    // No "Resources" at all is as good as an empty list here: nothing but totalResults was asked for.
    const returned = (exchange: Exchange) => (getKey(exchange.json, 'Resources') === undefined ? 0 : (listedIds(exchange)?.length ?? -1));
    const wrong = zero.filter(({ exchange }) => exchange.status !== 200 || returned(exchange) !== 0);
    suite.check(
      'list.paging.count-zero',
      'paging.count-zero',
      zeroTitle,
      wrong.length === 0,
      wrong
        .map(({ walk, exchange }) =>
          exchange.status === 200
            ? `${walk.collection.name}?count=0 returned ${plural(Math.max(0, returned(exchange)), 'resource')}`
            : `${walk.collection.name}?count=0 ${describe(exchange, 'the request')}`,
        )
        .join('; '),
      { evidence: wrong.slice(0, 2).map((w) => w.exchange) },
    );
  }

  const belowTitle = 'startIndex below 1 is read as 1';
  if (complete.status !== 'pass') {
    suite.blocked(
      'list.paging.start-index-min',
      'paging.start-index-below-1',
      belowTitle,
      complete,
      'the pages themselves are not consistent',
    );
  } else {
    const wrong = below.filter(({ walk, exchange }) => {
      const ids = listedIds(exchange);
      const first = walk.pages[0]?.ids ?? [];
      return !ids || ids.length !== first.length || ids.some((id, i) => id !== first[i]);
    });
    suite.check(
      'list.paging.start-index-min',
      'paging.start-index-below-1',
      belowTitle,
      wrong.length === 0,
      wrong
        .map(({ walk, exchange }) =>
          exchange.status === 200
            ? `${walk.collection.name}?startIndex=0 returned [${(listedIds(exchange) ?? []).slice(0, PAGE).join(', ')}], ` +
              `startIndex=1 returned [${(walk.pages[0]?.ids ?? []).join(', ')}]`
            : `${walk.collection.name}?startIndex=0 ${describe(exchange, 'the request')}`,
        )
        .join('; '),
      { evidence: wrong.slice(0, 2).map((w) => w.exchange) },
    );
  }
}

/**
 * Pages through a collection's run-scoped resources. The scope is a `sw` filter on the prefix,
 * else `co` on it: a server that offers neither cannot be paged over a known set, and the
 * paging checks are skipped with that reason (RFC 7644 lets a provider offer only some operators).
 */
async function walkPages(suite: Suite, collection: Collection): Promise<Walk | undefined> {
  const { ctx } = suite;
  let filter = filterText(collection.attribute, 'sw', collection.prefix);
  let first = await ctx.send({ method: 'GET', url: query(`/${collection.name}`, { filter, startIndex: 1, count: PAGE }) }, 'paging');
  if (first.status === 400 || first.status === 501) {
    filter = filterText(collection.attribute, 'co', collection.prefix);
    const retry = await ctx.send({ method: 'GET', url: query(`/${collection.name}`, { filter, startIndex: 1, count: PAGE }) }, 'paging');
    if (retry.status === 400 || retry.status === 501) {
      suite.skipped(
        'list.paging.complete',
        `paging.${collection.name.toLowerCase()}`,
        `${collection.name} can be paged over a known set`,
        `the server refuses both "sw" and "co" filters on ${collection.attribute} (${first.status}, ${retry.status}), ` +
          'so no page set can be limited to this run’s resources',
        [first, retry],
      );
      return undefined;
    }
    first = retry;
  }
  const walk: Walk = { collection, filter, pages: [] };
  let exchange = first;
  let start = 1;
  // Bounded: a page holds at least one resource until the end, so no walk of a known set needs
  // more pages than it has resources (a server MAY return fewer than count); one that ignores
  // startIndex must not keep the walk going.
  const limit = collection.ids.length + 2;
  for (let n = 0; n < limit; n++) {
    const ids = listedIds(exchange);
    if (!ids) {
      walk.broken = exchange;
      return walk;
    }
    walk.pages.push({ requested: start, exchange, ids });
    if (ids.length === 0) break;
    start += ids.length;
    // The set's true size is known: past it there is nothing a client would ask for (Entra and
    // Okta stop at totalResults), so what a server answers there is not judged.
    if (start > collection.ids.length) break;
    exchange = await ctx.send({ method: 'GET', url: query(`/${collection.name}`, { filter, startIndex: start, count: PAGE }) }, 'paging');
  }
  return walk;
}

function describe(exchange: Exchange, what: string): string {
  if (exchange.status === undefined) return `${what} got no answer: ${exchange.error ?? 'no response'}`;
  if (exchange.status !== 200 && exchange.status !== 201) return `${what} answered ${exchange.status}`;
  return `${what} answered ${exchange.status} without a usable body`;
}
