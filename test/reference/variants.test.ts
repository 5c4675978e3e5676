// Each legal variant changes exactly its behaviour, over real HTTP: the server started with it shows
// the behaviour the RFCs permit, while a control server without it still answers the usual way.
// Nothing here is a fault: a correct client must take every one of these in its stride.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VARIANTS, VARIANT_DESCRIPTIONS, parseVariants, type Variant } from '../../reference/index.ts';
import {
  ENTERPRISE,
  ERROR,
  GROUP,
  LIST,
  USER,
  assertScimError,
  createGroup,
  createUser,
  expectStatus,
  getJson,
  memberIds,
  patch,
  patchOk,
  start,
  unique,
  type Json,
  type ScimResponse,
  type TestServer,
} from './client.ts';

const ACME_USER = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
const ACME_GROUP = 'urn:example:params:scim:schemas:extension:acme:2.0:Group';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const tested = new Set<Variant>();

/** One server with the variant for the whole describe, and the shared control server without it. */
function describeVariant(variant: Variant, body: (servers: { v: () => TestServer; control: () => TestServer }) => void): void {
  tested.add(variant);
  describe(`variant ${variant}`, () => {
    let v: TestServer | undefined;
    let control: TestServer | undefined;
    before(async () => {
      [v, control] = await Promise.all([start({ variants: [variant] }), start()]);
    });
    after(async () => {
      await Promise.all([v?.close(), control?.close()]);
    });
    body({ v: () => v!, control: () => control! });
  });
}

/** An email address no other test uses; `Mixed` keeps capitals in it. */
function email(prefix: string): string {
  return unique(prefix).replace('@example.com', '@Example.COM');
}

function ids(res: ScimResponse): string[] {
  return ((res.json.Resources ?? []) as Json[]).map((r) => r.id as string);
}

describeVariant('unique-emails', ({ v, control }) => {
  it('an email another user holds (in any case, even deactivated) is a 409 "uniqueness" on create, PUT and PATCH', async () => {
    const shared = email('shared');
    const holder = await createUser(v(), { emails: [{ type: 'work', value: shared }] });
    const again = await v().scim('POST', '/Users', { schemas: [USER], userName: unique(), emails: [{ value: shared.toLowerCase() }] });
    assertScimError(again, 409, 'uniqueness');

    await patchOk(v(), `/Users/${holder.id}`, { op: 'replace', path: 'active', value: false });
    const whileInactive = await v().scim('POST', '/Users', {
      schemas: [USER],
      userName: unique(),
      emails: [{ value: shared.toUpperCase() }],
    });
    assertScimError(whileInactive, 409, 'uniqueness');

    const other = await createUser(v(), { emails: [{ value: email('other') }] });
    const put = await v().scim('PUT', `/Users/${other.id}`, { schemas: [USER], userName: other.userName, emails: [{ value: shared }] });
    assertScimError(put, 409, 'uniqueness');
    const patched = await v().scim(
      'PATCH',
      `/Users/${other.id}`,
      patch({ op: 'add', path: 'emails', value: [{ type: 'home', value: shared }] }),
    );
    assertScimError(patched, 409, 'uniqueness');
    assert.deepEqual((await getJson(v(), `/Users/${other.id}`)).emails, other.emails, 'the refused writes changed nothing');
  });

  it('a user keeps its own email through PUT and PATCH; freeing an email lets another user take it', async () => {
    const mine = email('mine');
    const u = await createUser(v(), { emails: [{ value: mine }] });
    const put = await v().scim('PUT', `/Users/${u.id}`, {
      schemas: [USER],
      userName: u.userName,
      displayName: 'kept',
      emails: [{ value: mine }],
    });
    expectStatus(put, 200);
    await patchOk(v(), `/Users/${u.id}`, { op: 'replace', path: 'displayName', value: 'still kept' });
    await patchOk(v(), `/Users/${u.id}`, { op: 'remove', path: 'emails' });
    await createUser(v(), { emails: [{ value: mine }] });
  });

  it('control: without the variant two users may share an email', async () => {
    const shared = email('dup');
    await createUser(control(), { emails: [{ value: shared }] });
    await createUser(control(), { emails: [{ value: shared }] });
  });
});

describeVariant('patch-204', ({ v, control }) => {
  it('a successful PATCH of a user is 204 with no body but an ETag; the change is made', async () => {
    const u = await createUser(v());
    const res = await v().scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'Two Oh Four' }));
    expectStatus(res, 204);
    assert.equal(res.text, '');
    const got = await v().scim('GET', `/Users/${u.id}`);
    assert.equal(got.json.displayName, 'Two Oh Four');
    assert.equal(res.headers.get('etag'), got.headers.get('etag'), 'the 204 carries the new version');
  });

  it('a membership PATCH of a group is 204 too; with "attributes" asked for, the answer is 200 with them', async () => {
    const member = await createUser(v());
    const g = await createGroup(v(), unique('g204'));
    const add = await v().scim('PATCH', `/Groups/${g.id}`, patch({ op: 'add', path: 'members', value: [{ value: member.id }] }));
    expectStatus(add, 204);
    assert.deepEqual(memberIds(await getJson(v(), `/Groups/${g.id}`)), [member.id]);
    const asked = await v().scim(
      'PATCH',
      `/Groups/${g.id}?attributes=displayName`,
      patch({ op: 'replace', path: 'displayName', value: 'renamed' }),
    );
    expectStatus(asked, 200);
    assert.equal(asked.json.displayName, 'renamed');
    assert.equal(asked.json.members, undefined);
  });

  it('a failed PATCH is still an error; control: without the variant a PATCH is 200 with the resource', async () => {
    const bad = await v().scim('PATCH', '/Users/nope', patch({ op: 'replace', path: 'displayName', value: 'x' }));
    assertScimError(bad, 404);
    const u = await createUser(control());
    const res = await control().scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'body' }));
    expectStatus(res, 200);
    assert.equal(res.json.displayName, 'body');
  });
});

describeVariant('no-etags', ({ v, control }) => {
  it('ServiceProviderConfig says etag.supported false; no ETag header and no meta.version anywhere', async () => {
    assert.deepEqual((await getJson(v(), '/ServiceProviderConfig')).etag, { supported: false });
    const created = await v().scim('POST', '/Users', { schemas: [USER], userName: unique() });
    expectStatus(created, 201);
    const g = await createGroup(v(), unique('noetag'), [created.json.id]);
    const responses = [
      created,
      await v().scim('GET', `/Users/${created.json.id}`),
      await v().scim('PUT', `/Users/${created.json.id}`, { schemas: [USER], userName: created.json.userName, title: 't' }),
      await v().scim('PATCH', `/Users/${created.json.id}`, patch({ op: 'replace', path: 'title', value: 'u' })),
      await v().scim('GET', `/Groups/${g.id}`),
      await v().scim('GET', '/Users'),
    ];
    for (const res of responses) {
      assert.ok(res.status === 200 || res.status === 201, `${res.status}: ${res.text.slice(0, 200)}`);
      assert.equal(res.headers.get('etag'), null);
      for (const r of (res.json.Resources ?? [res.json]) as Json[]) {
        assert.equal(r.meta.version, undefined);
        assert.equal(typeof r.meta.lastModified, 'string', 'the rest of meta stays');
      }
    }
  });

  it('If-Match and If-None-Match are ignored; control: they are honoured', async () => {
    const u = await createUser(v());
    const put = await v().scim(
      'PUT',
      `/Users/${u.id}`,
      { schemas: [USER], userName: u.userName, title: 'ignored' },
      { 'if-match': 'W/"stale"' },
    );
    expectStatus(put, 200);
    const got = await v().scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': '*' });
    expectStatus(got, 200);
    assert.equal(got.json.title, 'ignored');

    assert.deepEqual((await getJson(control(), '/ServiceProviderConfig')).etag, { supported: true });
    const cu = await createUser(control());
    const stale = await control().scim('PUT', `/Users/${cu.id}`, { schemas: [USER], userName: cu.userName }, { 'if-match': 'W/"stale"' });
    assertScimError(stale, 412);
    assert.match(cu.meta.version, /^W\/"/);
  });
});

describeVariant('minimal-config', ({ v, control }) => {
  it('ServiceProviderConfig: sort, bulk and changePassword unsupported, filter with maxResults 50; /Bulk is 501', async () => {
    const config = await getJson(v(), '/ServiceProviderConfig');
    assert.deepEqual(config.sort, { supported: false });
    assert.deepEqual(config.bulk, { supported: false, maxOperations: 0, maxPayloadSize: 0 });
    assert.deepEqual(config.changePassword, { supported: false });
    assert.deepEqual(config.filter, { supported: true, maxResults: 50 });
    assert.deepEqual(config.patch, { supported: true });
    const bulk = await v().scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] });
    assertScimError(bulk, 501);
  });

  it('sortBy is ignored (resources come in creation order); pages hold at most maxResults', async () => {
    const prefix = unique('minimal').slice(0, 24);
    const names = ['c', 'a', 'b'].map((letter) => `${prefix}-${letter}@x`);
    for (const userName of names) await createUser(v(), { userName });
    const filter = encodeURIComponent(`userName sw "${prefix}"`);
    const sorted = await getJson(v(), `/Users?filter=${filter}&sortBy=userName&sortOrder=ascending`);
    assert.deepEqual(
      (sorted.Resources as Json[]).map((r) => r.userName),
      names,
    );
    for (const userName of names) await createUser(control(), { userName });
    const honoured = await getJson(control(), `/Users?filter=${filter}&sortBy=userName&sortOrder=ascending`);
    assert.deepEqual(
      (honoured.Resources as Json[]).map((r) => r.userName),
      [...names].sort(),
    );

    for (let i = 0; i < 50; i++) await createUser(v());
    const page = await getJson(v(), '/Users?count=1000');
    assert.equal(page.itemsPerPage, 50);
    assert.equal(page.Resources.length, 50);
    assert.equal(page.totalResults, 53);
  });
});

describeVariant('no-scimtype', ({ v, control }) => {
  const bare = (res: ScimResponse, status: number): void => {
    assert.equal(res.status, status, res.text);
    assert.deepEqual(res.json.schemas, [ERROR]);
    assert.equal(res.json.status, String(status));
  };

  it('errors carry the Error schema and status only: no detail, no scimType', async () => {
    const missing = await v().scim('GET', '/Users/nope');
    bare(missing, 404);
    assert.deepEqual(Object.keys(missing.json).sort(), ['schemas', 'status']);
    const invalid = await v().scim('POST', '/Users', { schemas: [USER], userName: unique(), active: 'yes' });
    bare(invalid, 400);
    assert.deepEqual(Object.keys(invalid.json).sort(), ['schemas', 'status']);
    const unauthorised = await v().scim('GET', '/Users', undefined, { authorization: 'Bearer wrong' });
    bare(unauthorised, 401);
    assert.equal(unauthorised.json.detail, undefined);
  });

  it('keeps what another sentence requires: 409 "uniqueness", "invalidFilter" with its message, "noTarget"', async () => {
    const u = await createUser(v());
    const conflict = await v().scim('POST', '/Users', { schemas: [USER], userName: u.userName });
    bare(conflict, 409);
    assert.equal(conflict.json.scimType, 'uniqueness');
    assert.equal(conflict.json.detail, undefined);
    const filter = await v().scim('GET', `/Users?filter=${encodeURIComponent('userName regex "x"')}`);
    bare(filter, 400);
    assert.equal(filter.json.scimType, 'invalidFilter');
    assert.equal(typeof filter.json.detail, 'string');
    const noTarget = await v().scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove' }));
    bare(noTarget, 400);
    assert.equal(noTarget.json.scimType, 'noTarget');
    assert.equal(noTarget.json.detail, undefined);
  });

  it('control: without the variant errors carry detail and scimType', async () => {
    const invalid = await control().scim('POST', '/Users', { schemas: [USER], userName: unique(), active: 'yes' });
    assertScimError(invalid, 400, 'invalidValue');
  });
});

describeVariant('opaque-ids', ({ v, control }) => {
  it('users get u_… and groups g_… ids of 20 base62 characters, usable everywhere an id is', async () => {
    const created = await v().scim('POST', '/Users', { schemas: [USER], userName: unique() });
    expectStatus(created, 201);
    const u = created.json;
    assert.match(u.id, /^u_[0-9A-Za-z]{20}$/);
    assert.doesNotMatch(u.id, UUID);
    assert.equal(created.headers.get('location'), `${v().baseUrl}/Users/${u.id}`);
    const g = await createGroup(v(), unique('opaque'), [u.id]);
    assert.match(g.id, /^g_[0-9A-Za-z]{20}$/);
    assert.deepEqual(memberIds(await getJson(v(), `/Groups/${g.id}`)), [u.id]);
    const byId = await getJson(v(), `/Users?filter=${encodeURIComponent(`id eq "${u.id}"`)}`);
    assert.deepEqual(
      byId.Resources.map((r: Json) => r.id),
      [u.id],
    );
    const member = await getJson(v(), `/Groups?filter=${encodeURIComponent(`id eq "${g.id}" and members[value eq "${u.id}"]`)}`);
    assert.equal(member.totalResults, 1);
    expectStatus(await v().scim('DELETE', `/Users/${u.id}`), 204);
    assertScimError(await v().scim('GET', `/Users/${u.id}`), 404);
  });

  it('ids are all different; control: without the variant they are UUIDs', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add((await createUser(v())).id);
    assert.equal(seen.size, 20);
    assert.match((await createUser(control())).id, UUID);
  });
});

describeVariant('small-pages', ({ v, control }) => {
  it('a list answers at most 2 resources whatever count asks; totalResults is the full total; paging reaches all', async () => {
    const prefix = unique('small').slice(0, 24);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createUser(v(), { userName: `${prefix}-${i}@x` })).id);
    const filter = encodeURIComponent(`userName sw "${prefix}"`);
    const first = await v().scim('GET', `/Users?filter=${filter}&count=10`);
    expectStatus(first, 200);
    assert.deepEqual(first.json.schemas, [LIST]);
    assert.equal(first.json.totalResults, 5);
    assert.equal(first.json.itemsPerPage, 2);
    assert.equal(first.json.Resources.length, 2);
    const all: string[] = [];
    for (let startIndex = 1; startIndex <= 5; ) {
      const page = await v().scim('GET', `/Users?filter=${filter}&count=10&startIndex=${startIndex}`);
      assert.equal(page.json.startIndex, startIndex);
      assert.equal(page.json.itemsPerPage, page.json.Resources.length);
      all.push(...ids(page));
      startIndex += page.json.Resources.length;
    }
    assert.deepEqual(all, created);
    const one = await getJson(v(), `/Users?filter=${filter}&count=1`);
    assert.equal(one.Resources.length, 1);
    const none = await getJson(v(), `/Users?filter=${filter}&count=0`);
    assert.equal(none.totalResults, 5);
    assert.equal(none.Resources?.length ?? 0, 0);
    const search = await v().scim('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: `userName sw "${prefix}"`,
      count: 100,
    });
    expectStatus(search, 200);
    assert.equal(search.json.Resources.length, 2);
  });

  it('single-result and membership filters are exact; a group returns all its members; control: count is honoured', async () => {
    const prefix = unique('members').slice(0, 24);
    const users: Json[] = [];
    for (let i = 0; i < 4; i++) users.push(await createUser(v(), { userName: `${prefix}-${i}@x` }));
    const g = await createGroup(
      v(),
      unique('big'),
      users.map((u) => u.id),
    );
    assert.equal((await getJson(v(), `/Groups/${g.id}`)).members.length, 4);
    const exact = await getJson(v(), `/Users?filter=${encodeURIComponent(`userName eq "${users[3].userName}"`)}`);
    assert.deepEqual(
      exact.Resources.map((r: Json) => r.id),
      [users[3].id],
    );
    assert.equal(exact.totalResults, 1);
    const member = await getJson(v(), `/Groups?filter=${encodeURIComponent(`id eq "${g.id}" and members[value eq "${users[2].id}"]`)}`);
    assert.deepEqual(
      member.Resources.map((r: Json) => r.id),
      [g.id],
    );
    const outsider = await createUser(v());
    const notMember = await getJson(v(), `/Groups?filter=${encodeURIComponent(`id eq "${g.id}" and members[value eq "${outsider.id}"]`)}`);
    assert.equal(notMember.totalResults, 0);

    for (let i = 0; i < 4; i++) await createUser(control(), { userName: `${prefix}-${i}@x` });
    const full = await getJson(control(), `/Users?filter=${encodeURIComponent(`userName sw "${prefix}"`)}&count=10`);
    assert.equal(full.Resources.length, 4);
  });
});

describeVariant('bare-members', ({ v, control }) => {
  it('group members come back with "value" only, in GET, list, POST and PATCH answers; filters on members still work', async () => {
    const u = await createUser(v());
    const inner = await createGroup(v(), unique('inner'));
    const created = await createGroup(v(), unique('outer'), [u.id, inner.id]);
    const bareMembers = [{ value: u.id }, { value: inner.id }];
    assert.deepEqual(created.members, bareMembers);
    assert.deepEqual((await getJson(v(), `/Groups/${created.id}`)).members, bareMembers);
    const listed = await getJson(v(), `/Groups?filter=${encodeURIComponent(`members[value eq "${u.id}"]`)}`);
    assert.deepEqual(
      listed.Resources.map((g: Json) => g.members),
      [bareMembers],
    );
    const other = await createUser(v());
    const patched = await patchOk(v(), `/Groups/${created.id}`, { op: 'add', path: 'members', value: [{ value: other.id }] });
    assert.deepEqual(patched.members, [...bareMembers, { value: other.id }]);
    const user = await getJson(v(), `/Users/${u.id}`);
    assert.equal(user.groups[0].display, created.displayName, "a user's groups are unchanged");
  });

  it('control: without the variant members carry display, $ref and type', async () => {
    const u = await createUser(control(), { displayName: 'Shown' });
    const g = await createGroup(control(), unique('full'), [u.id]);
    assert.deepEqual(g.members, [{ value: u.id, $ref: `${control().baseUrl}/Users/${u.id}`, display: 'Shown', type: 'User' }]);
  });
});

describeVariant('extra-attributes', ({ v, control }) => {
  it("every User and Group answer lists and carries the provider's own read-only extension, advertised in discovery", async () => {
    const u = await createUser(v());
    assert.deepEqual(u.schemas, [USER, ACME_USER]);
    assert.equal(u[ACME_USER].tenant, 'provspec-reference');
    assert.equal(u[ACME_USER].provisionedAt, u.meta.created);
    const g = await createGroup(v(), unique('acme'), [u.id]);
    assert.deepEqual(g.schemas, [GROUP, ACME_GROUP]);
    assert.equal(typeof g[ACME_GROUP].tenant, 'string');
    const user = await getJson(v(), `/Users/${u.id}`);
    assert.equal(user.groups[0].value, g.id, 'users carry their groups');
    assert.deepEqual((await getJson(v(), '/Users')).Resources[0].schemas, [USER, ACME_USER]);

    const schemaIds = (await getJson(v(), '/Schemas')).Resources.map((s: Json) => s.id);
    assert.ok(schemaIds.includes(ACME_USER) && schemaIds.includes(ACME_GROUP), schemaIds.join(', '));
    const acme = await getJson(v(), `/Schemas/${ACME_USER}`);
    assert.ok(acme.attributes.every((a: Json) => a.mutability === 'readOnly'));
    const userType = await getJson(v(), '/ResourceTypes/User');
    assert.ok(userType.schemaExtensions.some((e: Json) => e.schema === ACME_USER && e.required === false));
    assert.equal(
      (await getJson(control(), '/Schemas')).Resources.some((s: Json) => s.id === ACME_USER),
      false,
    );
  });

  it(
    'a client that sends the resource back (GET then PUT, path-less PATCH) ' + 'has the extension ignored; a PATCH of it is refused',
    async () => {
      const u = await createUser(v(), { displayName: 'before' });
      const echoed = { ...(await getJson(v(), `/Users/${u.id}`)), displayName: 'after' };
      const put = await v().scim('PUT', `/Users/${u.id}`, echoed);
      expectStatus(put, 200);
      assert.equal(put.json.displayName, 'after');
      assert.equal(put.json[ACME_USER].plan, 'standard');
      const pathless = await patchOk(v(), `/Users/${u.id}`, { op: 'replace', value: { title: 'Echo', [ACME_USER]: { plan: 'gold' } } });
      assert.equal(pathless.title, 'Echo');
      assert.equal(pathless[ACME_USER].plan, 'standard');
      const direct = await v().scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: `${ACME_USER}:plan`, value: 'gold' }));
      assertScimError(direct, 400, 'mutability');
    },
  );

  it('responses only: the stored resource is what the client wrote', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-variant-'));
    const db = path.join(dir, 'scim.db');
    try {
      const withVariant = await start({ db, variants: ['extra-attributes'] });
      let id: string;
      try {
        id = (await createUser(withVariant, { displayName: 'Stored' })).id;
      } finally {
        await withVariant.close();
      }
      const plain = await start({ db });
      try {
        const u = await getJson(plain, `/Users/${id}`);
        assert.deepEqual(u.schemas, [USER]);
        assert.equal(u[ACME_USER], undefined);
        assert.equal(u.displayName, 'Stored');
      } finally {
        await plain.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeVariant('normalised-emails', ({ v, control }) => {
  it('emails are stored lower-cased and returned sorted by value, not in the order sent', async () => {
    const zed = email('zed');
    const ann = email('ann');
    const u = await createUser(v(), {
      emails: [
        { type: 'work', value: zed },
        { type: 'home', value: ann, primary: true },
      ],
    });
    assert.deepEqual(u.emails, [
      { type: 'home', value: ann.toLowerCase(), primary: true },
      { type: 'work', value: zed.toLowerCase() },
    ]);
    assert.deepEqual((await getJson(v(), `/Users/${u.id}`)).emails, u.emails);
    const found = await getJson(v(), `/Users?filter=${encodeURIComponent(`emails.value eq "${zed.toUpperCase()}"`)}`);
    assert.deepEqual(
      found.Resources.map((r: Json) => r.id),
      [u.id],
    );
    const put = await v().scim('PUT', `/Users/${u.id}`, {
      schemas: [USER],
      userName: u.userName,
      emails: [{ value: 'B@X.example' }, { value: 'a@X.example' }],
    });
    expectStatus(put, 200);
    assert.deepEqual(
      put.json.emails.map((e: Json) => e.value),
      ['a@x.example', 'b@x.example'],
    );
  });

  it('PATCH value filters match the value as the client sent it (case-insensitively); a new primary demotes the old one', async () => {
    const work = email('work');
    const home = email('home');
    const u = await createUser(v(), {
      emails: [
        { type: 'work', value: work, primary: true },
        { type: 'home', value: home },
      ],
    });
    const patched = await patchOk(v(), `/Users/${u.id}`, { op: 'replace', path: `emails[value eq "${home}"].primary`, value: true });
    const byValue = Object.fromEntries((patched.emails as Json[]).map((e) => [e.value, e.primary]));
    assert.deepEqual(byValue, { [home.toLowerCase()]: true, [work.toLowerCase()]: false });
    const removed = await patchOk(v(), `/Users/${u.id}`, { op: 'remove', path: `emails[value eq "${work.toUpperCase()}"]` });
    assert.deepEqual(
      removed.emails.map((e: Json) => e.value),
      [home.toLowerCase()],
    );
  });

  it('control: without the variant emails keep their case and order (and a new primary still demotes the old one)', async () => {
    const emails = [
      { type: 'work', value: 'Zed@X.example', primary: true },
      { type: 'home', value: 'Ann@X.example' },
    ];
    const u = await createUser(control(), { emails });
    assert.deepEqual(u.emails, emails);
    const patched = await patchOk(control(), `/Users/${u.id}`, { op: 'replace', path: 'emails[type eq "home"].primary', value: true });
    assert.deepEqual(
      patched.emails.map((e: Json) => [e.value, e.primary]),
      [
        ['Zed@X.example', false],
        ['Ann@X.example', true],
      ],
    );
  });
});

describeVariant('unique-group-names', ({ v, control }) => {
  const groupDisplayName = async (c: TestServer): Promise<Json> =>
    (await getJson(c, `/Schemas/${GROUP}`)).attributes.find((a: Json) => a.name === 'displayName');

  it('a second group with the same displayName, in any case, is a 409 "uniqueness"; a distinct name is created', async () => {
    const name = unique('Team');
    const first = await createGroup(v(), name);
    for (const again of [name, name.toUpperCase(), name.toLowerCase()]) {
      assertScimError(await v().scim('POST', '/Groups', { schemas: [GROUP], displayName: again }), 409, 'uniqueness');
    }
    const found = await v().scim('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`);
    assert.deepEqual(ids(found), [first.id], 'the refused creates made nothing');
    await createGroup(v(), `${name}-2`);
  });

  it("a rename into another group's name (any case) by PATCH or PUT is a 409 and changes nothing; other renames work", async () => {
    const taken = unique('Taken');
    await createGroup(v(), taken);
    const g = await createGroup(v(), unique('Mine'));
    const attempts: Array<[string, unknown]> = [
      ['PATCH', patch({ op: 'replace', path: 'displayName', value: taken.toUpperCase() })],
      ['PATCH', patch({ op: 'replace', value: { displayName: taken } })],
      ['PUT', { schemas: [GROUP], displayName: taken.toLowerCase() }],
    ];
    for (const [method, body] of attempts) assertScimError(await v().scim(method, `/Groups/${g.id}`, body), 409, 'uniqueness');
    assert.equal((await getJson(v(), `/Groups/${g.id}`)).displayName, g.displayName, 'the refused writes changed nothing');

    const recased = await patchOk(v(), `/Groups/${g.id}`, { op: 'replace', path: 'displayName', value: g.displayName.toUpperCase() });
    assert.equal(recased.displayName, g.displayName.toUpperCase(), 'a group does not clash with itself');
    const free = unique('Free');
    const put = await v().scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: free });
    expectStatus(put, 200);
    assert.equal(put.json.displayName, free);
    const u = await createUser(v());
    const added = await patchOk(v(), `/Groups/${g.id}`, { op: 'add', path: 'members', value: [{ value: u.id }] });
    assert.deepEqual(memberIds(added), [u.id], 'member changes are not renames');
  });

  it('/Schemas declares Group displayName uniqueness "server"; control: "none"', async () => {
    assert.equal((await groupDisplayName(v())).uniqueness, 'server');
    assert.equal((await groupDisplayName(control())).uniqueness, 'none');
  });

  it('control: without the variant two groups may share a name', async () => {
    const name = unique('Shared');
    await createGroup(control(), name);
    await createGroup(control(), name.toUpperCase());
    await createGroup(control(), name);
    const found = await getJson(control(), `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`);
    assert.equal(found.totalResults, 3);
  });
});

describeVariant('immutable-employee-number', ({ v, control }) => {
  const employeeNumber = async (c: TestServer): Promise<Json> =>
    (await getJson(c, `/Schemas/${ENTERPRISE}`)).attributes.find((a: Json) => a.name === 'employeeNumber');
  const withNumber = (n: string) => ({ schemas: [USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: n, department: 'D' } });

  it('a set employeeNumber cannot change (400 "mutability"), by PATCH or PUT; control: it can', async () => {
    const u = await createUser(v(), withNumber('E1'));
    const path = `${ENTERPRISE}:employeeNumber`;
    assertScimError(await v().scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path, value: 'E2' })), 400, 'mutability');
    assertScimError(await v().scim('PUT', `/Users/${u.id}`, { ...withNumber('E3'), userName: u.userName }), 400, 'mutability');
    assert.equal((await getJson(v(), `/Users/${u.id}`))[ENTERPRISE].employeeNumber, 'E1', 'the refused writes changed nothing');
    const c = await createUser(control(), withNumber('E1'));
    const changed = await patchOk(control(), `/Users/${c.id}`, { op: 'replace', path, value: 'E2' });
    assert.equal(changed[ENTERPRISE].employeeNumber, 'E2');
  });

  it('other attributes still change; a PUT that leaves employeeNumber out keeps it; an empty one can be set', async () => {
    const u = await createUser(v(), withNumber('E1'));
    const moved = await patchOk(v(), `/Users/${u.id}`, { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Sales' });
    assert.equal(moved[ENTERPRISE].department, 'Sales');
    const put = await v().scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName, displayName: 'Kept' });
    expectStatus(put, 200);
    assert.equal(put.json[ENTERPRISE].employeeNumber, 'E1');
    const empty = await createUser(v());
    const set = await patchOk(v(), `/Users/${empty.id}`, { op: 'add', path: `${ENTERPRISE}:employeeNumber`, value: 'E9' });
    assert.equal(set[ENTERPRISE].employeeNumber, 'E9');
  });

  it('/Schemas declares employeeNumber "immutable"; control: "readWrite"', async () => {
    assert.equal((await employeeNumber(v())).mutability, 'immutable');
    assert.equal((await employeeNumber(control())).mutability, 'readWrite');
  });
});

describeVariant('bulk', ({ v, control }) => {
  const request = (operations: unknown[], extra: Record<string, unknown> = {}) => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    ...extra,
    Operations: operations,
  });

  it('ServiceProviderConfig advertises bulk with maxOperations 10; control: bulk unsupported and POST /Bulk 501', async () => {
    const config = await getJson(v(), '/ServiceProviderConfig');
    assert.deepEqual([config.bulk.supported, config.bulk.maxOperations], [true, 10]);
    assert.equal((await getJson(control(), '/ServiceProviderConfig')).bulk.supported, false);
    assertScimError(await control().scim('POST', '/Bulk', request([])), 501);
  });

  it('a user and a group naming it by bulkId are made in one request, the reference resolved', async () => {
    const userName = `${unique()}`;
    const res = await v().scim(
      'POST',
      '/Bulk',
      request([
        { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER], userName } },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g',
          data: { schemas: [GROUP], displayName: unique('G'), members: [{ value: 'bulkId:u' }] },
        },
      ]),
    );
    expectStatus(res, 200);
    assert.deepEqual(res.json.schemas, ['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
    assert.deepEqual(
      res.json.Operations.map((o: Json) => [o.method, o.bulkId, o.status]),
      [
        ['POST', 'u', '201'],
        ['POST', 'g', '201'],
      ],
    );
    const userId = res.json.Operations[0].location.split('/').pop();
    const group = await getJson(v(), new URL(res.json.Operations[1].location).pathname.replace(/^.*\/scim\/v2/, ''));
    assert.deepEqual(memberIds(group), [userId]);
  });

  it("more than maxOperations is a 413; failOnErrors stops at that many errors; an unknown bulkId is that operation's 409", async () => {
    const deletes = Array.from({ length: 11 }, (_, i) => ({ method: 'DELETE', path: `/Users/nobody-${i}` }));
    assertScimError(await v().scim('POST', '/Bulk', request(deletes)), 413);
    const stopped = await v().scim(
      'POST',
      '/Bulk',
      request(
        [
          { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER] } },
          { method: 'POST', path: '/Users', bulkId: 'ok', data: { schemas: [USER], userName: unique() } },
        ],
        { failOnErrors: 1 },
      ),
    );
    expectStatus(stopped, 200);
    assert.deepEqual(
      stopped.json.Operations.map((o: Json) => o.status),
      ['400'],
    );
    const dangling = await v().scim(
      'POST',
      '/Bulk',
      request([
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g',
          data: { schemas: [GROUP], displayName: unique('G'), members: [{ value: 'bulkId:nope' }] },
        },
      ]),
    );
    expectStatus(dangling, 200);
    assert.equal(dangling.json.Operations[0].status, '409');
  });
});

describe('reference variants', () => {
  it('every variant has a test here, and a one-line description', () => {
    assert.deepEqual([...tested].sort(), [...VARIANTS].sort());
    for (const variant of VARIANTS) {
      assert.ok(VARIANT_DESCRIPTIONS[variant].length > 20, variant);
      assert.doesNotMatch(VARIANT_DESCRIPTIONS[variant], /\n/);
    }
    assert.ok(!(VARIANTS as readonly string[]).includes('case-insensitive-filters'), 'correct behaviour is not a variant');
  });

  it('parseVariants reads a comma list and refuses an unknown name, listing the known ones', () => {
    assert.deepEqual(parseVariants(' patch-204 , opaque-ids,,patch-204'), ['patch-204', 'opaque-ids']);
    assert.deepEqual(parseVariants(''), []);
    assert.throws(
      () => parseVariants('patch-204,sloppy'),
      (error: Error) => {
        assert.equal(error.message, `Unknown variant "sloppy". Known: ${VARIANTS.join(', ')}.`);
        return true;
      },
    );
  });

  it('an unknown variant is refused at start', async () => {
    await assert.rejects(start({ variants: ['not-a-variant' as Variant] }), /Unknown variant "not-a-variant"/);
  });

  it('all variants together (and with a misbehaviour) start and serve a whole provisioning round', async () => {
    const c = await start({ variants: [...VARIANTS], misbehave: ['no-location'], checkContentType: true });
    try {
      const config = await getJson(c, '/ServiceProviderConfig');
      assert.equal(config.etag.supported, false);
      assert.equal(config.sort.supported, false);
      await getJson(c, '/Schemas');
      await getJson(c, '/ResourceTypes');

      const mail = email('all');
      const created = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('all'), emails: [{ value: mail, type: 'work' }] });
      expectStatus(created, 201);
      assert.equal(created.headers.get('location'), null, 'the misbehaviour applies too');
      assert.equal(created.headers.get('etag'), null);
      const u = created.json;
      assert.match(u.id, /^u_/);
      assert.deepEqual(u.emails, [{ value: mail.toLowerCase(), type: 'work' }]);
      assert.deepEqual(u.schemas, [USER, ACME_USER]);
      assert.equal(u.meta.version, undefined);
      const conflict = await c.scim('POST', '/Users', { schemas: [USER], userName: unique(), emails: [{ value: mail }] });
      assert.equal(conflict.status, 409);
      assert.deepEqual(conflict.json, { schemas: [ERROR], status: '409', scimType: 'uniqueness' });

      const g = await createGroup(c, unique('all'), [u.id]);
      assert.deepEqual(g.members, [{ value: u.id }]);
      const deactivate = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'active', value: false }));
      expectStatus(deactivate, 204);
      const found = await getJson(c, `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}&sortBy=userName`);
      assert.equal(found.totalResults, 1);
      assert.equal(found.Resources[0].active, false);
      assert.ok((await getJson(c, '/Users?count=100')).Resources.length <= 2);
      expectStatus(await c.scim('DELETE', `/Groups/${g.id}`), 204);
      expectStatus(await c.scim('DELETE', `/Users/${u.id}`), 204);
      const gone = await c.scim('GET', `/Users/${u.id}`);
      assert.equal(gone.status, 404);
      assert.deepEqual(gone.json, { schemas: [ERROR], status: '404' });
    } finally {
      await c.close();
    }
  });
});
