// Building resources and reading and writing attribute paths in them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildUser, getPath, removePath, setPath, valuesMatch } from '../../core/scim/resource.ts';
import { resolveAttributePath, STANDARD_SCHEMAS, CORE_USER_URN, type ResolvedPath } from '../../core/scim-schema/index.ts';

function path(p: string): ResolvedPath {
  const r = resolveAttributePath(p, STANDARD_SCHEMAS, CORE_USER_URN);
  assert.ok(r.ok, p);
  return r;
}

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
