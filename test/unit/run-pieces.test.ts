// The runner's pure pieces: expressions, run-scoped identities, role rules, resource paths,
// plans and shards, durations, redaction, JUnit escaping. No server needed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, interpolateDeep, ExpressionError } from '../../core/expressions/evaluate.ts';
import { tagValue, scenarioIdentity, taggedAttributes, matchingRules, groupExpectations } from '../../core/run/identity.ts';
import { buildUser, getPath, removePath, setPath, valuesMatch } from '../../core/scim/resource.ts';
import { resolveAttributePath, STANDARD_SCHEMAS, CORE_USER_URN, type ResolvedPath } from '../../core/scim-schema/index.ts';
import { buildPlan, parseShard, PlanError } from '../../core/plan/plan.ts';
import { durationMs } from '../../core/plan/duration.ts';
import { SecretRegistry, REDACTED } from '../../core/scim/secrets.ts';
import { CleanupLedger } from '../../core/run/ledger.ts';
import { toJunit } from '../../core/report/junit.ts';
import { validateText } from '../../core/validate/index.ts';
import type { Spec } from '../../core/spec/types.ts';

const scope = {
  env: { TOKEN: 'abc', EMPTY: '' },
  vars: { n: 3 },
  run: { id: 'r1' },
  identity: { email: 'a@x.test', age: 42 },
  scenario: { name: 's' },
};

function path(p: string): ResolvedPath {
  const r = resolveAttributePath(p, STANDARD_SCHEMAS, CORE_USER_URN);
  assert.ok(r.ok, p);
  return r;
}

describe('expressions', () => {
  it('interpolates inside text and keeps the type of a whole-string expression', () => {
    assert.equal(interpolate('Bearer ${{ env.TOKEN }}!', scope), 'Bearer abc!');
    assert.equal(interpolate('${{ identity.age }}', scope), 42);
    assert.equal(interpolate('${{vars.n}}-${{ run.id }}', scope), '3-r1');
    assert.deepEqual(interpolateDeep({ a: ['${{ identity.email }}', 1] }, scope), { a: ['a@x.test', 1] });
  });
  it('says which variable is missing, and that user needs a provisioned user', () => {
    assert.throws(
      () => interpolate('${{ env.NOPE }}', scope),
      (e: unknown) => e instanceof ExpressionError && /environment variable NOPE/.test(e.message),
    );
    assert.throws(() => interpolate('${{ user.id }}', scope), /needs a provisioned user/);
    assert.equal(interpolate('${{ env.EMPTY }}', scope), '');
  });
});

describe('run-scoped identities', () => {
  it('tags emails before the @ and other values at the end', () => {
    assert.equal(tagValue('alice@example.test', 'ps-r1-2'), 'alice+ps-r1-2@example.test');
    assert.equal(tagValue('Alice Liddell', 'ps-r1-2'), 'Alice Liddell ps-r1-2');
    assert.equal(tagValue('alice', 'ps-r1-2'), 'alice-ps-r1-2');
  });
  it('tags exactly the identity attributes that feed userName, externalId and displayName', () => {
    const spec = {
      mapping: { userName: '${{ identity.upn }}', externalId: { value: '${{ identity.mail }}' }, title: '${{ identity.job }}' },
    } as unknown as Spec;
    const tagged = taggedAttributes(spec);
    assert.deepEqual([...tagged].sort(), ['mail', 'upn']);
    assert.deepEqual(scenarioIdentity({ upn: 'u@x', mail: 'm@x', job: 'Dev' }, tagged, 't'), { upn: 'u+t@x', mail: 'm+t@x', job: 'Dev' });
  });
  it('also tags what feeds emails, phoneNumbers and ims, and anything that looks like an email address', () => {
    const spec = {
      identities: {
        a: { upn: 'a', email: 'a@example.test', backup: 'b@example.test', phone: '+1 555 010 0100', chat: 'a_chat', dept: 'Eng' },
      },
      mapping: {
        userName: '${{ identity.upn }}',
        'emails[type eq "work"].value': '${{ identity.email }}',
        'phoneNumbers[type eq "work"].value': '${{ identity.phone }}',
        'ims[type eq "xmpp"].value': '${{ identity.chat }}',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': '${{ identity.dept }}',
      },
    } as unknown as Spec;
    assert.deepEqual([...taggedAttributes(spec)].sort(), ['backup', 'chat', 'email', 'phone', 'upn']);
  });
  it('runScoped adds an attribute or leaves one as written', () => {
    const spec = {
      identities: { a: { upn: 'a', email: 'a@example.test', employeeNumber: '42' } },
      mapping: { userName: '${{ identity.upn }}', 'emails[type eq "work"].value': '${{ identity.email }}' },
      runScoped: { employeeNumber: true, email: false },
    } as unknown as Spec;
    assert.deepEqual([...taggedAttributes(spec)].sort(), ['employeeNumber', 'upn']);
  });
  it('a phone number stays a phone number: its last digits come from the tag, the same tag gives the same number', () => {
    const one = tagValue('+1 555 010 0100', 'ps-r1-2');
    assert.match(one, /^\+1 555 \d{3} \d{4}$/);
    assert.equal(one.slice(0, 7), '+1 555 ');
    assert.equal(tagValue('+1 555 010 0100', 'ps-r1-2'), one);
    assert.notEqual(tagValue('+1 555 010 0100', 'ps-r1-3'), one);
  });
});

describe('role rules', () => {
  const rules = [
    { when: { dept: 'Eng' }, memberOf: ['Eng'], notMemberOf: ['Sales'], roles: ['dev'] },
    { when: { dept: ['Eng', 'Ops'] }, memberOf: ['Tech'] },
    { memberOf: ['All'] },
    { when: { dept: 'Sales' }, memberOf: ['Sales'] },
  ];
  it('match on equal values, on one of a list, and always without when', () => {
    assert.deepEqual(
      matchingRules(rules, { dept: 'Eng' }).map((m) => m.index),
      [0, 1, 2],
    );
    assert.deepEqual(
      matchingRules(rules, { dept: 'Ops' }).map((m) => m.index),
      [1, 2],
    );
  });
  it('collect groups with the pointer of the rule item that requires them', () => {
    const e = groupExpectations(rules, { dept: 'Eng' });
    assert.deepEqual(
      [...e.memberOf],
      [
        ['Eng', '/roles/0/memberOf/0'],
        ['Tech', '/roles/1/memberOf/0'],
        ['All', '/roles/2/memberOf/0'],
      ],
    );
    assert.deepEqual([...e.notMemberOf], [['Sales', '/roles/0/notMemberOf/0']]);
    assert.deepEqual(e.roles, ['dev']);
  });
});

describe('resource paths', () => {
  it('builds a user from mapped values, creating the filtered element and the extension', () => {
    const values = [
      { path: 'userName', resolved: path('userName'), value: 'a@x', compare: 'exact' as const, verify: true, pointer: '' },
      { path: 'name.givenName', resolved: path('name.givenName'), value: 'A', compare: 'exact' as const, verify: true, pointer: '' },
      {
        path: 'emails[type eq "work"].value',
        resolved: path('emails[type eq "work"].value'),
        value: 'w@x',
        compare: 'exact' as const,
        verify: true,
        pointer: '',
      },
      {
        path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
        resolved: path('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'),
        value: 'Eng',
        compare: 'exact' as const,
        verify: true,
        pointer: '',
      },
    ];
    const user = buildUser(values);
    assert.deepEqual(user, {
      schemas: [CORE_USER_URN, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      userName: 'a@x',
      name: { givenName: 'A' },
      emails: [{ type: 'work', value: 'w@x' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Eng' },
    });
    for (const v of values) assert.equal(getPath(user, v.resolved), v.value);
  });
  it('reads back by filter and case-insensitive keys, and removes', () => {
    const server = {
      UserName: 'a@x',
      emails: [
        { type: 'home', value: 'h@x' },
        { type: 'Work', value: 'w@x' },
      ],
    };
    assert.equal(getPath(server, path('userName')), 'a@x');
    assert.equal(getPath(server, path('emails[type eq "work"].value')), 'w@x');
    const user: Record<string, unknown> = {
      userName: 'a',
      name: { givenName: 'G', familyName: 'F' },
      emails: [{ type: 'work', value: 'w' }],
    };
    removePath(user, path('name.givenName'));
    removePath(user, path('emails[type eq "work"]'));
    removePath(user, path('userName'));
    assert.deepEqual(user, { name: { familyName: 'F' }, emails: [] });
    setPath(user, path('emails[type eq "work"].value'), 'n');
    assert.deepEqual(user['emails'], [{ type: 'work', value: 'n' }]);
  });
  it('compares exactly unless told otherwise, and never a string with a boolean', () => {
    assert.ok(valuesMatch('A@x', 'a@X', 'case-insensitive'));
    assert.ok(!valuesMatch('A@x', 'a@X', 'exact'));
    assert.ok(!valuesMatch(false, 'False', 'case-insensitive'));
    assert.ok(valuesMatch({ a: 1 }, { a: 1 }, 'exact'));
  });
});

describe('plans and shards', () => {
  const text = `provspec: 1
name: p
target: { baseUrl: "http://127.0.0.1:1/scim/v2", auth: none, dialect: okta }
identities: { a: { email: a@x } }
mapping: { userName: "\${{ identity.email }}" }
lifecycle:
  one: { identity: a, steps: [provision] }
  two: { identity: a, dialect: entra, steps: [provision] }
  three: { identity: a, skip: not today, steps: [provision] }
negative:
  four: { auth: none, get: /Users, expect: { status: 401 } }
  five: { auth: none, get: /Groups, expect: { status: 401 } }
`;
  const v = validateText(text, 'p.provspec.yaml');
  assert.ok(v.spec, JSON.stringify(v.diagnostics));
  it('lists scenarios in source order with dialects, skips and the range of their key', () => {
    const plan = buildPlan('p', v.document, v.spec!);
    assert.deepEqual(
      plan.scenarios.map((s) => [s.name, s.dialect, s.skip ?? null, s.range.start.line + 1]),
      [
        ['one', 'okta', null, 7],
        ['two', 'entra', null, 8],
        ['three', 'okta', 'not today', 9],
        ['four', 'okta', null, 11],
        ['five', 'okta', null, 12],
      ],
    );
    assert.equal(buildPlan('p', v.document, v.spec!, { dialect: 'rfc7644' }).scenarios[0]!.dialect, 'rfc7644');
  });
  it('shards deal every scenario to exactly one shard', () => {
    const names = [1, 2, 3].flatMap((index) =>
      buildPlan('p', v.document, v.spec!, { shard: { index, count: 3 } }).scenarios.map((s) => s.name),
    );
    assert.deepEqual(names.sort(), ['five', 'four', 'one', 'three', 'two']);
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) assert.throws(() => parseShard(bad), PlanError);
  });
  it('selects scenarios by name and refuses names that exist nowhere', () => {
    assert.deepEqual(
      buildPlan('p', v.document, v.spec!, { scenarios: ['two', 'four'] }).scenarios.map((s) => s.name),
      ['two', 'four'],
    );
    assert.throws(() => buildPlan('p', v.document, v.spec!, { scenarios: ['nine'] }), PlanError);
  });
});

describe('durations, secrets, ledger, junit', () => {
  it('durations', () => {
    assert.equal(durationMs('500ms', 0), 500);
    assert.equal(durationMs('1.5s', 0), 1500);
    assert.equal(durationMs('2m', 0), 120_000);
    assert.equal(durationMs(250, 0), 250);
    assert.equal(durationMs(undefined, 7), 7);
  });
  it('redacts every registered secret, in base64 too, and in nested values', () => {
    const secrets = new SecretRegistry();
    secrets.add('s3cret-token');
    secrets.addBasic('user', 'pa55word');
    const basic = Buffer.from('user:pa55word').toString('base64');
    assert.equal(
      secrets.redact(`Bearer s3cret-token and Basic ${basic} and ${Buffer.from('s3cret-token').toString('base64')}`),
      `Bearer ${REDACTED} and Basic ${REDACTED} and ${REDACTED}`,
    );
    assert.deepEqual(secrets.redactDeep({ a: ['x pa55word y'] }), { a: [`x ${REDACTED} y`] });
    secrets.add('ab');
    assert.equal(secrets.redact('ab'), 'ab', 'too short to be a secret worth redacting');
  });
  it('ledger: removes newest first, each once, and knows what it owns', () => {
    const ledger = new CleanupLedger();
    ledger.created('Group', 'g1', 'G', 'setup');
    ledger.created('User', 'u1', 'a', 's');
    ledger.created('User', 'u1', 'a', 's');
    ledger.created('User', 'u2', 'b', 's');
    ledger.removed('User', 'u2', 's');
    assert.deepEqual(
      ledger.pending().map((e) => e.id),
      ['u1', 'g1'],
    );
    assert.ok(ledger.owns('User', 'u2') && !ledger.owns('User', 'u9'));
    assert.deepEqual(
      ledger.audit.map((a) => `${a.action} ${a.id}`),
      ['created g1', 'created u1', 'created u2', 'removed u2'],
    );
  });
  it('junit escapes markup and control characters', () => {
    const xml = toJunit([
      {
        file: 'a.yaml',
        name: 'x<y>&"z"',
        runId: 'r',
        dialect: 'rfc7644',
        profile: 'rfc7644',
        baseUrl: '',
        status: 'fail',
        ms: 5,
        audit: [],
        orphans: [],
        scenarios: [
          {
            section: 'lifecycle',
            name: 's',
            range: { start: { line: 1, character: 2 }, end: { line: 1, character: 3 } },
            dialect: 'rfc7644',
            status: 'fail',
            ms: 1,
            checks: [
              {
                id: 'c',
                status: 'fail',
                rule: 'user.create',
                basis: 'RFC 7644 §3.3',
                level: 'MUST',
                title: 't',
                message: 'bad \u0001 <tag>',
                range: { start: { line: 4, character: 0 }, end: { line: 4, character: 1 } },
                evidence: [],
              },
            ],
          },
        ],
      },
    ]);
    assert.match(xml, /name="x&lt;y&gt;&amp;&quot;z&quot;"/);
    assert.match(xml, /<failure message="t: bad {2}&lt;tag&gt;" type="c">a\.yaml:5:1 c/);
    assert.doesNotMatch(xml, /\u0001/);
  });
});
