// Filters on /Users and /Groups: RFC 7644 §3.4.2.2, plus what IdPs send.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENTERPRISE,
  USER,
  assertScimError,
  createGroup,
  createUser,
  expectStatus,
  filterUserNames,
  getJson,
  sleep,
  start,
  type Json,
  type TestServer,
} from './client.ts';

const A = 'alice@x';
const B = 'bob@x';
const C = 'carol@y';
const D = 'dave@y';

describe('reference filters', () => {
  let c: TestServer;
  const ids: Record<string, string> = {};
  before(async () => {
    c = await start();
    const seed: Json[] = [
      {
        userName: A,
        displayName: 'Alice Anders',
        name: { givenName: 'Alice', familyName: 'Anders' },
        title: 'Engineer',
        active: true,
        emails: [
          { type: 'work', value: 'alice@work.example', primary: true },
          { type: 'home', value: 'alice@home.example' },
        ],
        schemas: [USER, ENTERPRISE],
        [ENTERPRISE]: { department: 'Sales', employeeNumber: '100' },
      },
      {
        userName: B,
        displayName: 'Bob Brown',
        name: { givenName: 'Bob', familyName: 'Brown' },
        title: 'Manager',
        active: true,
        emails: [{ type: 'home', value: 'bob@work.example' }],
        schemas: [USER, ENTERPRISE],
        [ENTERPRISE]: { department: 'Engineering', employeeNumber: '200' },
      },
      {
        userName: C,
        displayName: 'Carol Clark',
        name: { givenName: 'Carol', familyName: 'Clark' },
        active: false,
        emails: [{ type: 'work', value: 'carol@work.example' }],
        schemas: [USER, ENTERPRISE],
        [ENTERPRISE]: { department: 'Sales', employeeNumber: '300' },
      },
      { userName: D, name: { givenName: 'Dave' }, nickName: 'dd', active: true },
    ];
    for (const u of seed) ids[u.userName] = (await createUser(c, u)).id;
  });
  after(async () => {
    await c?.close();
  });

  const cases: Array<[string, string[]]> = [
    [`userName eq "alice@x"`, [A]],
    [`userName eq "ALICE@X"`, [A]],
    [`USERNAME eq "alice@x"`, [A]],
    [`userName ne "alice@x"`, [B, C, D]],
    [`userName co "@y"`, [C, D]],
    [`userName co "@Y"`, [C, D]],
    [`userName sw "b"`, [B]],
    [`userName ew "@x"`, [A, B]],
    [`title pr`, [A, B]],
    [`not (title pr)`, [C, D]],
    [`displayName co "a"`, [A, C]],
    [`title eq "engineer"`, [A]],
    [`name.familyName eq "Brown"`, [B]],
    [`name.givenName sw "Da"`, [D]],
    [`active eq false`, [C]],
    [`active eq true and userName ew "@y"`, [D]],
    [`userName sw "a" or userName sw "d"`, [A, D]],
    [`(userName sw "a" or userName sw "b") and active eq true`, [A, B]],
    [`userName sw "a" or userName sw "b" and active eq false`, [A]],
    [`not (userName ew "@x")`, [C, D]],
    [`not (userName ew "@x") and nickName eq "dd"`, [D]],
    [`emails pr`, [A, B, C]],
    [`emails[type eq "work"]`, [A, C]],
    [`emails[type eq "work" and value co "@work"]`, [A, C]],
    [`emails[type eq "work" and value co "alice"]`, [A]],
    [`emails[type eq "home"] and emails[type eq "work"]`, [A]],
    [`emails.value co "bob"`, [B]],
    [`emails.type eq "home"`, [A, B]],
    [`${ENTERPRISE}:department eq "Sales"`, [A, C]],
    [`${ENTERPRISE}:department pr`, [A, B, C]],
    [`${ENTERPRISE}:employeeNumber gt "150"`, [B, C]],
    [`${ENTERPRISE}:employeeNumber ge "200"`, [B, C]],
    [`${ENTERPRISE}:employeeNumber lt "200"`, [A]],
    [`${ENTERPRISE}:employeeNumber le "200"`, [A, B]],
    [`userName eq "nobody@nowhere"`, []],
  ];
  for (const [filter, expected] of cases) {
    it(`filter ${filter}`, async () => {
      assert.deepEqual(await filterUserNames(c, filter), [...expected].sort());
    });
  }

  it('filter by id', async () => {
    assert.deepEqual(await filterUserNames(c, `id eq "${ids[B]}"`), [B]);
  });

  it('a deactivated user is found by filter and readable by id', async () => {
    assert.deepEqual(await filterUserNames(c, `userName eq "${C}"`), [C]);
    const got = await getJson(c, `/Users/${ids[C]}`);
    assert.equal(got.active, false);
    const all = await c.scim('GET', '/Users');
    assert.equal(all.json.totalResults, 4);
  });

  for (const bad of [
    `userName eq`,
    `userName zz "x"`,
    `(userName eq "a"`,
    `userName eq "unterminated`,
    `and`,
    `emails[type eq "work"`,
    `userName eq "a" or`,
  ]) {
    it(`invalid filter ${bad} is 400 invalidFilter`, async () => {
      const res = await c.scim('GET', `/Users?filter=${encodeURIComponent(bad)}`);
      assertScimError(res, 400, 'invalidFilter');
    });
  }

  it('filters combine with paging: totalResults counts all matches', async () => {
    const res = await c.scim('GET', `/Users?filter=${encodeURIComponent('active eq true')}&startIndex=1&count=2`);
    expectStatus(res, 200);
    assert.equal(res.json.totalResults, 3);
    assert.equal(res.json.Resources.length, 2);
  });

  it('groups filter by displayName (what IdPs send before creating a group)', async () => {
    const g = await createGroup(c, 'Filter Team', [ids[A]!]);
    await createGroup(c, 'Other Team');
    const res = await c.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Filter Team"')}`);
    expectStatus(res, 200);
    assert.equal(res.json.totalResults, 1);
    assert.equal(res.json.Resources[0].id, g.id);
    const ci = await c.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "filter team"')}`);
    expectStatus(ci, 200);
    assert.equal(ci.json.totalResults, 1, 'Group displayName is caseExact false');
    const bad = await c.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq')}`);
    assertScimError(bad, 400, 'invalidFilter');
  });
});

describe('reference filters on meta.lastModified', () => {
  it('meta.lastModified gt "<time>" finds only what changed after it', async () => {
    const c = await start();
    try {
      const early = [await createUser(c), await createUser(c)];
      const cut = early
        .map((u) => u.meta.lastModified as string)
        .sort()
        .at(-1)!;
      const resolution = /\.\d+/.test(cut) ? 2 : 1001;
      while (Date.now() <= Date.parse(cut) + resolution) await sleep(2);
      const late = await createUser(c);
      assert.ok(Date.parse(late.meta.lastModified) > Date.parse(cut), 'precondition: the late user is newer');
      assert.deepEqual(await filterUserNames(c, `meta.lastModified gt "${cut}"`), [late.userName]);
      assert.deepEqual(await filterUserNames(c, `meta.lastModified le "${cut}"`), early.map((u) => u.userName).sort());
      const patched = await c.scim('PATCH', `/Users/${early[0].id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'touched' }],
      });
      expectStatus(patched, 200);
      assert.deepEqual(await filterUserNames(c, `meta.lastModified gt "${cut}"`), [early[0].userName, late.userName].sort());
    } finally {
      await c.close();
    }
  });
});
