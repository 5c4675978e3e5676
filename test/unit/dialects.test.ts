// The IdP request-shape builders against what the vendors document their provisioning clients
// send. Each fixture under fixtures/dialects/<dialect>/<operation>.json paraphrases one documented
// request (method, URL, body) with placeholders for ids and names, and names its source. Bodies
// are compared exactly after placeholder substitution (op casing, paths, "False" vs false, $ref
// null, password/groups presence), except for generated values (compared by type) and keys the
// fixture marks optional; query strings are compared decoded and order-insensitively.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dialectFor, type PlannedRequest } from '../../core/scim/dialects/index.ts';
import { buildUser, type MappedValue, type Resource } from '../../core/scim/resource.ts';
import { CORE_USER, CORE_USER_URN, ENTERPRISE_USER, resolveAttributePath } from '../../core/scim-schema/index.ts';
import type { Dialect } from '../../core/spec/types.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'dialects');

const PLACEHOLDERS: Record<string, string> = {
  userId: 'u1',
  groupId: 'g1',
  memberId: 'u2',
  memberDisplay: 'member@example.com',
  userName: 'test.user@example.com',
  displayName: 'Engineering',
  externalId: 'ext-1',
};

interface Fixture {
  source: { url: string; section: string };
  notes?: string;
  input?: { mapped?: string[]; changes?: Record<string, unknown>; unchanged?: Record<string, unknown>; current?: Resource };
  optional?: string[];
  typeOnly?: string[];
  request: { method: string; url: string; body?: unknown };
}

function substitute<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\{(\w+)\}/g, (m, name: string) => PLACEHOLDERS[name] ?? m) as T;
  if (Array.isArray(value)) return value.map(substitute) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)])) as T;
  return value;
}

function load(dialect: string, operation: string): Fixture {
  const fixture = JSON.parse(readFileSync(path.join(FIXTURES, dialect, `${operation}.json`), 'utf8')) as Fixture;
  assert.match(fixture.source.url, /^https:\/\//, 'the fixture names its source URL');
  assert.ok(fixture.source.section, 'the fixture names its source section');
  return substitute(fixture);
}

function mapped(values: Record<string, unknown> = {}): MappedValue[] {
  return Object.entries(values).map(([p, value]) => {
    const resolved = resolveAttributePath(p, [CORE_USER, ENTERPRISE_USER], CORE_USER_URN);
    assert.ok(resolved.ok, `fixture path ${p} resolves`);
    return { path: p, resolved, value, compare: 'exact', verify: true, pointer: '' };
  });
}

/** A documented path pattern ("Operations[].value[].$ref") as a matcher of concrete paths. */
function matches(patterns: readonly string[] | undefined, at: string): boolean {
  return (patterns ?? []).some((p) => at.replace(/\[\d+\]/g, '[]') === p);
}

function compareBody(actual: unknown, expected: unknown, fixture: Fixture, at = ''): string[] {
  const where = at || '(body)';
  if (matches(fixture.typeOnly, at))
    return typeof actual === typeof expected ? [] : [`${where}: ${typeof actual}, documented ${typeof expected}`];
  if (expected === null || typeof expected !== 'object') {
    return Object.is(actual, expected)
      ? []
      : [
          `${where}: ${JSON.stringify(actual)} (${actual === null ? 'null' : typeof actual}), ` +
            `documented ${JSON.stringify(expected)} (${expected === null ? 'null' : typeof expected})`,
        ];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${where}: ${JSON.stringify(actual)}, documented an array`];
    if (actual.length !== expected.length)
      return [`${where}: ${actual.length} element(s), documented ${expected.length}: ${JSON.stringify(actual)}`];
    return expected.flatMap((e, i) => compareBody(actual[i], e, fixture, `${at}[${i}]`));
  }
  if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return [`${where}: ${JSON.stringify(actual)}, documented an object`];
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(e)])) {
    const child = at ? `${at}.${key}` : key;
    if (!(key in e)) problems.push(`${child}: sent, not documented (${JSON.stringify(a[key])})`);
    else if (!(key in a)) {
      if (!matches(fixture.optional, child)) problems.push(`${child}: documented, not sent`);
    } else problems.push(...compareBody(a[key], e[key], fixture, child));
  }
  return problems;
}

function splitUrl(url: string): { pathname: string; query: Record<string, string> } {
  const [pathname = '', search] = url.split('?', 2);
  return {
    pathname,
    query: Object.fromEntries(
      search
        ? search.split('&').map((kv) => {
            const i = kv.indexOf('=');
            return [kv.slice(0, i), kv.slice(i + 1)];
          })
        : [],
    ),
  };
}

function assertMatches(request: PlannedRequest | undefined, fixture: Fixture): void {
  const cite = `(${fixture.source.section} — ${fixture.source.url})`;
  assert.ok(request, `a request is planned ${cite}`);
  assert.equal(request.method, fixture.request.method, `method ${cite}`);
  assert.doesNotMatch(request.url, /[ "]/, 'the URL is percent-encoded');
  const actual = new URL(request.url, 'https://scim.example');
  const expected = splitUrl(fixture.request.url);
  assert.equal(actual.pathname, expected.pathname, `URL path ${cite}`);
  assert.deepEqual(Object.fromEntries(actual.searchParams), expected.query, `query parameters, decoded ${cite}`);
  if (fixture.request.body === undefined) {
    assert.equal(request.body, undefined, `no body ${cite}`);
    return;
  }
  assert.deepEqual(compareBody(request.body, fixture.request.body, fixture), [], `body shape ${cite}`);
}

/** The builder call that produces each documented operation, from the fixture's input. */
const OPERATIONS: Record<string, (dialect: Dialect, f: Fixture) => PlannedRequest | undefined> = {
  'lookup-user': (d) => dialectFor(d).lookupUser(PLACEHOLDERS.userName!),
  'create-user': (d, f) => {
    const body = f.request.body as Resource;
    const user = Object.fromEntries((f.input?.mapped ?? []).map((k) => [k, body[k]]));
    return dialectFor(d).createUser(user);
  },
  'update-user': (d, f) => {
    const changes = mapped(f.input?.changes);
    const desired = buildUser([...mapped(f.input?.unchanged), ...changes]);
    return dialectFor(d).updateUser(PLACEHOLDERS.userId!, changes, desired, f.input?.current);
  },
  'deactivate-user': (d, f) => dialectFor(d).setActive(PLACEHOLDERS.userId!, false, f.input?.current),
  'delete-user': (d) => dialectFor(d).deleteUser(PLACEHOLDERS.userId!),
  'lookup-group': (d) => dialectFor(d).lookupGroup(PLACEHOLDERS.displayName!),
  // The spec always supplies an externalId here; whether the IdP sends it is the fixture's to say.
  'create-group': (d) => dialectFor(d).createGroup(PLACEHOLDERS.displayName!, PLACEHOLDERS.externalId),
  'add-members': (d) =>
    dialectFor(d).addMembers(PLACEHOLDERS.groupId!, [{ id: PLACEHOLDERS.memberId!, display: PLACEHOLDERS.memberDisplay! }]),
  'remove-members': (d) =>
    dialectFor(d).removeMembers(PLACEHOLDERS.groupId!, [{ id: PLACEHOLDERS.memberId!, display: PLACEHOLDERS.memberDisplay! }]),
  'replace-members': (d) =>
    dialectFor(d).replaceMembers(PLACEHOLDERS.groupId!, [{ id: PLACEHOLDERS.memberId!, display: PLACEHOLDERS.memberDisplay! }]),
  'delete-group': (d) => dialectFor(d).deleteGroup(PLACEHOLDERS.groupId!),
  'rename-group': (d) => dialectFor(d).renameGroup(PLACEHOLDERS.groupId!, PLACEHOLDERS.displayName!),
};
OPERATIONS['update-user-single-valued'] = OPERATIONS['update-user']!;
OPERATIONS['update-user-multiple'] = OPERATIONS['update-user']!;

/** Fixtures documented for one dialect that also hold for another (the flag or the AIW changes nothing there). */
const SHARED: Array<{ dialect: Dialect; from: Dialect; operations: string[]; why: string }> = [
  {
    dialect: 'entra-2020',
    from: 'entra',
    operations: ['lookup-user', 'create-user', 'delete-user', 'lookup-group', 'create-group', 'delete-group'],
    why: 'aadOptscim062020 alters only disables, single-value adds, multi-attribute replaces and member removes',
  },
  {
    dialect: 'okta-wizard',
    from: 'okta',
    operations: ['lookup-user', 'create-user', 'create-group'],
    why: 'Okta documents no AIW difference for these',
  },
];

/** Documented requests no ScimDialect builder produces (the interface has no such operation). */
const NO_BUILDER = new Set<string>();

describe("dialect request shapes match the vendors' documented requests", () => {
  for (const dialect of readdirSync(FIXTURES).sort() as Dialect[]) {
    describe(dialect, () => {
      for (const file of readdirSync(path.join(FIXTURES, dialect))
        .filter((f) => f.endsWith('.json'))
        .sort()) {
        const operation = file.replace(/\.json$/, '');
        if (NO_BUILDER.has(`${dialect}/${operation}`)) {
          it.todo(`${operation}: documented, but no builder plans it`);
          continue;
        }
        it(operation, () => {
          const fixture = load(dialect, operation);
          const build = OPERATIONS[operation];
          assert.ok(build, `a builder call is wired for ${operation}`);
          assertMatches(build(dialect, fixture), fixture);
        });
      }
      for (const shared of SHARED.filter((s) => s.dialect === dialect)) {
        for (const operation of shared.operations) {
          it(`${operation} (as documented for ${shared.from}: ${shared.why})`, () => {
            const fixture = load(shared.from, operation);
            assertMatches(OPERATIONS[operation]!(dialect, fixture), fixture);
          });
        }
      }
    });
  }
});

describe('documented behaviours without a request body to compare', () => {
  it('okta never deletes users: deprovisioning is a deactivation (Okta SCIM 2.0 reference, "Delete Users")', () => {
    assert.equal(dialectFor('okta').deprovision, 'deactivate');
    assert.equal(dialectFor('okta-wizard').deprovision, 'deactivate');
  });

  it('okta reads the user before a PUT update; the AIW also before (de)activation', () => {
    assert.deepEqual([...dialectFor('okta').needsCurrent], ['update']);
    assert.deepEqual([...dialectFor('okta-wizard').needsCurrent].sort(), ['deactivate', 'reactivate', 'update']);
  });

  it('entra deletes users (tutorial, "Delete User")', () => {
    assert.equal(dialectFor('entra').deprovision, 'delete');
    assert.equal(dialectFor('entra-2020').deprovision, 'delete');
  });

  it('a plain RFC 7644 client makes no lookup before creating', () => {
    assert.equal(dialectFor('rfc7644').lookupUser(PLACEHOLDERS.userName!), undefined);
  });

  it("reactivation mirrors deactivation in each dialect's value type", () => {
    const ops = (d: Dialect) =>
      (dialectFor(d).setActive('u1', true, { id: 'u1', active: false }).body as { Operations?: unknown[] } | undefined)?.Operations;
    assert.deepEqual(ops('entra'), [{ op: 'Replace', path: 'active', value: 'True' }]);
    assert.deepEqual(ops('entra-2020'), [{ op: 'replace', path: 'active', value: true }]);
    assert.deepEqual(ops('okta'), [{ op: 'replace', value: { active: true } }]);
    assert.equal((dialectFor('okta-wizard').setActive('u1', true, { id: 'u1', active: false }).body as Resource)['active'], true);
  });

  it("okta's generated password is fresh for every create", () => {
    const a = dialectFor('okta').createUser({ userName: 'x' }).body as Resource;
    const b = dialectFor('okta').createUser({ userName: 'x' }).body as Resource;
    assert.equal(typeof a['password'], 'string');
    assert.notEqual(a['password'], b['password']);
  });
});
