// Run-scoped identities and role rules: what a scenario sends, and which groups it expects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tagValue, scenarioIdentity, taggedAttributes, matchingRules, groupExpectations } from '../../core/run/identity.ts';
import type { Spec } from '../../core/spec/types.ts';

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
