// The comparison behind `provspec drift` (core/drift/compare.ts): what each identity's account
// should hold, where a difference is shown, and that a value a correct server may store another
// way (another case, a boolean or number as a string, an instant, a list in another order) is
// never reported as a difference.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateText } from '../../core/validate/index.ts';
import {
  compareAttributes,
  compareGrants,
  expectedPerson,
  foldKey,
  matchKeyOf,
  sameValue,
  type ExpectedPerson,
} from '../../core/drift/compare.ts';
import { driftSpecErrors } from '../../core/drift/drift.ts';
import type { Spec } from '../../core/spec/types.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function load(text: string): { spec: Spec; document: ReturnType<typeof validateText>['document'] } {
  const result = validateText(text, 'drift.provspec.yaml');
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => d.message),
    [],
  );
  return { spec: result.spec!, document: result.document };
}

const SPEC = `provspec: 1
target:
  baseUrl: https://scim.example.test/scim/v2
  auth: none
variables:
  domain: example.test
identities:
  alice:
    employeeId: 1001
    email: alice@example.test
    givenName: Alice
    familyName: Liddell
    department: Engineering
    hired: "2024-01-02T03:04:05Z"
mapping:
  userName: \${{ identity.email }}
  externalId: \${{ identity.employeeId }}
  displayName: \${{ identity.givenName }} \${{ identity.familyName }}
  nickName: \${{ identity.givenName }}-\${{ run.id }}
  title: { value: "\${{ identity.department }}", verify: false }
  password: secret-\${{ identity.givenName }}
  emails[type eq "work"].value: \${{ identity.email }}
  active: true
  ${ENTERPRISE}:employeeNumber: \${{ identity.employeeId }}
  ${ENTERPRISE}:department: \${{ identity.department }}
groups:
  Engineering: {}
roles:
  - when: { department: Engineering }
    memberOf: [Engineering]
    roles: [developer]
`;

function alice(): ExpectedPerson {
  const { spec } = load(SPEC);
  return expectedPerson(spec, 'alice', spec.identities['alice']!, { env: {}, vars: { domain: 'example.test' }, run: { id: 'drift' } });
}

describe('drift: what an account should hold', () => {
  it('matches by externalId where it is mapped, else userName, unless drift.match says', () => {
    assert.equal(matchKeyOf(load(SPEC).spec), 'externalId');
    assert.equal(matchKeyOf(load(SPEC.replace(/^ {2}externalId: .*\n/m, '')).spec), 'userName');
    assert.equal(matchKeyOf(load(`${SPEC}drift:\n  match: userName\n`).spec), 'userName');
    // userName is caseExact false, externalId caseExact true.
    assert.equal(foldKey('userName', 'Alice@Example.TEST'), 'alice@example.test');
    assert.equal(foldKey('externalId', 'Ab1'), 'Ab1');
    assert.equal(foldKey('externalId', ''), undefined);
  });

  it('uses the identity as written (no run tag), and leaves out what production cannot hold', () => {
    const person = alice();
    assert.equal(person.key, '1001');
    const paths = person.values.map((v) => v.mapped.path);
    assert.ok(paths.includes('userName'));
    assert.equal(person.values.find((v) => v.mapped.path === 'userName')!.mapped.value, 'alice@example.test');
    assert.ok(!paths.includes('nickName'), 'a value with the run id is not compared');
    assert.ok(!paths.includes('title'), 'verify: false is not compared');
    assert.ok(!paths.includes('password'), 'a writeOnly, never-returned attribute is not compared');
    assert.deepEqual([...person.memberOf.keys()], ['Engineering']);
    assert.deepEqual(
      person.grants.map((g) => [g.attribute, g.value, g.pointer]),
      [['roles', 'developer', '/roles/0/roles/0']],
    );
  });

  it("points at the identity's attribute for `${{ identity.x }}`, at the mapping rule otherwise", () => {
    const pointers = Object.fromEntries(alice().values.map((v) => [v.mapped.path, v.pointer]));
    assert.equal(pointers['userName'], '/identities/alice/email');
    assert.equal(pointers[`${ENTERPRISE}:department`], '/identities/alice/department');
    assert.equal(pointers['displayName'], '/mapping/displayName');
    assert.equal(pointers['active'], '/mapping/active');
  });
});

describe('drift: comparing', () => {
  const stored = {
    id: 'u1',
    USERNAME: 'ALICE@example.test',
    externalId: '1001',
    displayName: 'alice liddell',
    emails: [
      { type: 'home', value: 'a@home.test' },
      { type: 'Work', value: 'Alice@Example.Test' },
    ],
    active: 'True',
    roles: [{ value: 'Developer' }],
    [ENTERPRISE]: { employeeNumber: '1001', Department: 'Engineering' },
  };

  it('finds no difference where a correct server stores the same value another way', () => {
    assert.deepEqual(compareAttributes(alice(), stored), []);
    assert.deepEqual(compareGrants(alice(), stored), []);
  });

  it('finds the attributes that differ or are missing, and the grants not carried', () => {
    const drifted = {
      ...stored,
      displayName: 'Alice Hart',
      active: false,
      [ENTERPRISE]: { employeeNumber: 1001 },
      roles: [],
    };
    assert.deepEqual(
      compareAttributes(alice(), drifted).map((d) => [d.attribute, d.expected, d.actual, d.pointer]),
      [
        ['displayName', 'Alice Liddell', 'Alice Hart', '/mapping/displayName'],
        ['active', true, false, '/mapping/active'],
        [`${ENTERPRISE}:department`, 'Engineering', null, '/identities/alice/department'],
      ],
    );
    assert.deepEqual(
      compareGrants(alice(), drifted).map((g) => g.value),
      ['developer'],
    );
  });

  it('reads values the lenient RFC 7643 ways, and no further', () => {
    const string = { caseExact: false, type: 'string' } as const;
    const exact = { caseExact: true, type: 'string' } as const;
    assert.ok(sameValue('Sales', 'sales', string, 'exact'), 'caseExact false');
    assert.ok(!sameValue('Sales', 'sales', exact, 'exact'), 'caseExact true');
    assert.ok(sameValue('Sales', 'sales', exact, 'case-insensitive'), 'compare: case-insensitive');
    assert.ok(sameValue(true, 'TRUE', { caseExact: false, type: 'boolean' }, 'exact'));
    assert.ok(!sameValue(true, 'yes', { caseExact: false, type: 'boolean' }, 'exact'));
    assert.ok(sameValue(42, '42', string, 'exact'));
    assert.ok(sameValue('42', 42, string, 'exact'));
    assert.ok(!sameValue(42, '42a', string, 'exact'));
    assert.ok(sameValue('2024-01-02T03:04:05Z', '2024-01-02T04:04:05+01:00', { caseExact: false, type: 'dateTime' }, 'exact'));
    assert.ok(!sameValue('2024-01-02T03:04:05Z', '2024-01-02T03:04:06Z', { caseExact: false, type: 'dateTime' }, 'exact'));
    assert.ok(sameValue(['a', 'b'], ['B', 'A'], string, 'exact'), 'a multi-valued attribute in any order');
    assert.ok(sameValue(['a'], [{ value: 'a' }], string, 'exact'), 'simple values as elements');
    assert.ok(!sameValue(['a', 'b'], ['a'], string, 'exact'));
    assert.ok(!sameValue('x', undefined, string, 'exact'));
    assert.ok(!sameValue('x', null, string, 'exact'));
  });
});

describe('drift: spec errors before any request', () => {
  it('refuses a match key the mapping does not map, at drift.match', () => {
    const { spec, document } = load(`${SPEC.replace(/^ {2}externalId: .*\n/m, '')}drift:\n  match: externalId\n`);
    const errors = driftSpecErrors('drift.provspec.yaml', document, spec, {});
    assert.deepEqual(
      errors.map((e) => [e.code, e.range.start.line + 1]),
      [['drift-match-unmapped', SPEC.split('\n').length]],
    );
  });

  it('names each unset environment variable drift would read, at its line', () => {
    const { spec, document } = load(SPEC.replace('https://scim.example.test/scim/v2', '${{ env.SCIM_BASE_URL }}'));
    assert.deepEqual(
      driftSpecErrors('drift.provspec.yaml', document, spec, {}).map((e) => [e.code, e.range.start.line + 1]),
      [['unset-env', 3]],
    );
    assert.deepEqual(driftSpecErrors('drift.provspec.yaml', document, spec, {}, { baseUrlGiven: true }), []);
  });
});
