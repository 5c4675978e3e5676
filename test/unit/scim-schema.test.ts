// The RFC 7643 schema JSON, the attribute-path parser and the resolver. Offsets are asserted
// exactly: editors underline what these functions report.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMON_ATTRIBUTES,
  CORE_GROUP,
  CORE_GROUP_URN,
  CORE_USER,
  CORE_USER_URN,
  ENTERPRISE_USER,
  ENTERPRISE_USER_URN,
  listAttributePaths,
  parseAttributePath,
  resolveAttributePath,
  type AttributeDefinition,
  type ParsedPath,
  type PathError,
  type ResolveError,
  type ResolvedPath,
  type SchemaDefinition,
} from '../../core/scim-schema/index.ts';

const SCHEMAS = [CORE_USER, ENTERPRISE_USER];
const ENT = ENTERPRISE_USER_URN;

function attr(list: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition {
  const a = list?.find((x) => x.name === name);
  assert.ok(a, `attribute ${name}`);
  return a;
}

function ok(path: string, schemas: SchemaDefinition[] = SCHEMAS, resource = CORE_USER_URN): ResolvedPath {
  const r = resolveAttributePath(path, schemas, resource);
  assert.ok(r.ok, `${path}: ${r.ok ? '' : `${r.code} ${r.message}`}`);
  return r;
}

function bad(path: string, schemas: SchemaDefinition[] = SCHEMAS, resource = CORE_USER_URN): ResolveError {
  const r = resolveAttributePath(path, schemas, resource);
  assert.ok(!r.ok, `${path} should not resolve`);
  return r;
}

function parsed(path: string): ParsedPath {
  const r = parseAttributePath(path);
  assert.ok(r.ok, `${path}: ${r.ok ? '' : r.message}`);
  return r;
}

function parseError(path: string): PathError {
  const r = parseAttributePath(path);
  assert.ok(!r.ok, `${path} should not parse`);
  return r;
}

/** The range of the `nth` occurrence of `part` in `path`. */
function at(path: string, part: string, nth = 0): { start: number; end: number } {
  let start = -1;
  for (let i = 0; i <= nth; i++) start = path.indexOf(part, start + 1);
  assert.ok(start >= 0, `${part} in ${path}`);
  return { start, end: start + part.length };
}

function range(r: { start: number; end: number }) {
  return { start: r.start, end: r.end };
}

function everyAttribute(list: readonly AttributeDefinition[]): AttributeDefinition[] {
  return list.flatMap((a) => [a, ...everyAttribute(a.subAttributes ?? [])]);
}

describe('RFC 7643 schema JSON', () => {
  test('ids, names and URN constants', () => {
    assert.equal(CORE_USER.id, 'urn:ietf:params:scim:schemas:core:2.0:User');
    assert.equal(CORE_USER_URN, CORE_USER.id);
    assert.equal(CORE_USER.name, 'User');
    assert.equal(CORE_USER.description, 'User Account');
    assert.equal(CORE_GROUP.id, 'urn:ietf:params:scim:schemas:core:2.0:Group');
    assert.equal(CORE_GROUP_URN, CORE_GROUP.id);
    assert.equal(ENTERPRISE_USER.id, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    assert.equal(ENTERPRISE_USER.name, 'EnterpriseUser');
    for (const s of [CORE_USER, CORE_GROUP, ENTERPRISE_USER]) {
      assert.deepEqual(s.meta, { resourceType: 'Schema', location: `/v2/Schemas/${s.id}` });
    }
  });

  test('every attribute carries every characteristic, with valid values', () => {
    const types = new Set(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex']);
    const all = [CORE_USER, CORE_GROUP, ENTERPRISE_USER]
      .flatMap((s) => everyAttribute(s.attributes))
      .concat(everyAttribute(COMMON_ATTRIBUTES));
    assert.equal(all.length, 66 + 5 + 9 + 8, 'User, Group, enterprise, common');
    for (const a of all) {
      assert.ok(types.has(a.type), `${a.name}.type`);
      for (const key of ['multiValued', 'required', 'caseExact'] as const) assert.equal(typeof a[key], 'boolean', `${a.name}.${key}`);
      assert.equal(typeof a.description, 'string');
      assert.ok(['readOnly', 'readWrite', 'immutable', 'writeOnly'].includes(a.mutability), `${a.name}.mutability`);
      assert.ok(['always', 'never', 'default', 'request'].includes(a.returned), `${a.name}.returned`);
      assert.ok(['none', 'server', 'global'].includes(a.uniqueness), `${a.name}.uniqueness`);
      assert.equal(a.subAttributes !== undefined, a.type === 'complex', `${a.name}: subAttributes iff complex`);
      assert.equal(a.referenceTypes !== undefined, a.type === 'reference', `${a.name}: referenceTypes iff reference`);
      for (const sub of a.subAttributes ?? []) assert.notEqual(sub.type, 'complex', 'no complex sub-attributes (§2.3.8)');
    }
  });

  test('User: the attributes of §4.1, in order', () => {
    assert.deepEqual(
      CORE_USER.attributes.map((a) => a.name),
      [
        'userName',
        'name',
        'displayName',
        'nickName',
        'profileUrl',
        'title',
        'userType',
        'preferredLanguage',
        'locale',
        'timezone',
        'active',
        'password',
        'emails',
        'phoneNumbers',
        'ims',
        'photos',
        'addresses',
        'groups',
        'entitlements',
        'roles',
        'x509Certificates',
      ],
    );
  });

  test('userName: required, unique on the server, case-insensitive', () => {
    const u = attr(CORE_USER.attributes, 'userName');
    assert.equal(u.required, true);
    assert.equal(u.uniqueness, 'server');
    assert.equal(u.caseExact, false);
    assert.equal(u.mutability, 'readWrite');
    assert.equal(CORE_USER.attributes.filter((a) => a.required).length, 1, 'only userName is required');
  });

  test('name: single-valued complex with the six components', () => {
    const n = attr(CORE_USER.attributes, 'name');
    assert.equal(n.type, 'complex');
    assert.equal(n.multiValued, false);
    assert.deepEqual(
      n.subAttributes?.map((a) => a.name),
      ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'],
    );
  });

  test('emails: multi-valued complex, canonical types work/home/other', () => {
    const e = attr(CORE_USER.attributes, 'emails');
    assert.equal(e.type, 'complex');
    assert.equal(e.multiValued, true);
    assert.deepEqual(
      e.subAttributes?.map((a) => a.name),
      ['value', 'display', 'type', 'primary'],
    );
    assert.deepEqual(attr(e.subAttributes, 'type').canonicalValues, ['work', 'home', 'other']);
    assert.equal(attr(e.subAttributes, 'primary').type, 'boolean');
  });

  test('other canonical values and types', () => {
    assert.deepEqual(attr(attr(CORE_USER.attributes, 'phoneNumbers').subAttributes, 'type').canonicalValues, [
      'work',
      'home',
      'mobile',
      'fax',
      'pager',
      'other',
    ]);
    assert.deepEqual(attr(attr(CORE_USER.attributes, 'ims').subAttributes, 'type').canonicalValues, [
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]);
    assert.deepEqual(attr(attr(CORE_USER.attributes, 'photos').subAttributes, 'type').canonicalValues, ['photo', 'thumbnail']);
    assert.deepEqual(attr(attr(CORE_USER.attributes, 'addresses').subAttributes, 'type').canonicalValues, ['work', 'home', 'other']);
    assert.deepEqual(attr(CORE_USER.attributes, 'profileUrl').referenceTypes, ['external']);
    assert.equal(attr(CORE_USER.attributes, 'active').type, 'boolean');
    assert.equal(attr(attr(CORE_USER.attributes, 'x509Certificates').subAttributes, 'value').type, 'binary');
    assert.deepEqual(
      attr(CORE_USER.attributes, 'addresses').subAttributes?.map((a) => a.name),
      ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'],
    );
  });

  test('password: writeOnly, never returned', () => {
    const p = attr(CORE_USER.attributes, 'password');
    assert.equal(p.mutability, 'writeOnly');
    assert.equal(p.returned, 'never');
  });

  test('groups: readOnly, as are all its sub-attributes; $ref to User or Group', () => {
    const g = attr(CORE_USER.attributes, 'groups');
    assert.equal(g.mutability, 'readOnly');
    assert.equal(g.multiValued, true);
    assert.deepEqual(
      g.subAttributes?.map((a) => [a.name, a.mutability]),
      [
        ['value', 'readOnly'],
        ['$ref', 'readOnly'],
        ['display', 'readOnly'],
        ['type', 'readOnly'],
      ],
    );
    assert.deepEqual(attr(g.subAttributes, '$ref').referenceTypes, ['User', 'Group']);
    assert.deepEqual(attr(g.subAttributes, 'type').canonicalValues, ['direct', 'indirect']);
  });

  test('Group: displayName and members with immutable sub-attributes', () => {
    assert.deepEqual(
      CORE_GROUP.attributes.map((a) => a.name),
      ['displayName', 'members'],
    );
    const m = attr(CORE_GROUP.attributes, 'members');
    assert.equal(m.multiValued, true);
    assert.deepEqual(
      m.subAttributes?.map((a) => [a.name, a.mutability]),
      [
        ['value', 'immutable'],
        ['$ref', 'immutable'],
        ['type', 'immutable'],
      ],
    );
    assert.deepEqual(attr(m.subAttributes, 'type').canonicalValues, ['User', 'Group']);
  });

  test('enterprise extension: the six attributes; manager is value/$ref/displayName', () => {
    assert.deepEqual(
      ENTERPRISE_USER.attributes.map((a) => a.name),
      ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager'],
    );
    const m = attr(ENTERPRISE_USER.attributes, 'manager');
    assert.equal(m.type, 'complex');
    assert.equal(m.multiValued, false);
    assert.deepEqual(
      m.subAttributes?.map((a) => a.name),
      ['value', '$ref', 'displayName'],
    );
    assert.deepEqual(attr(m.subAttributes, '$ref').referenceTypes, ['User']);
    assert.equal(attr(m.subAttributes, 'displayName').mutability, 'readOnly');
    assert.equal(attr(m.subAttributes, 'value').mutability, 'readWrite');
  });

  test('common attributes (§3.1): id, externalId, meta', () => {
    assert.deepEqual(
      COMMON_ATTRIBUTES.map((a) => a.name),
      ['id', 'externalId', 'meta'],
    );
    const id = attr(COMMON_ATTRIBUTES, 'id');
    assert.equal(id.mutability, 'readOnly');
    assert.equal(id.returned, 'always');
    assert.equal(id.caseExact, true);
    assert.equal(id.uniqueness, 'server');
    const ext = attr(COMMON_ATTRIBUTES, 'externalId');
    assert.equal(ext.mutability, 'readWrite');
    assert.equal(ext.caseExact, true);
    const meta = attr(COMMON_ATTRIBUTES, 'meta');
    assert.equal(meta.mutability, 'readOnly');
    assert.deepEqual(
      meta.subAttributes?.map((a) => [a.name, a.type]),
      [
        ['resourceType', 'string'],
        ['created', 'dateTime'],
        ['lastModified', 'dateTime'],
        ['location', 'reference'],
        ['version', 'string'],
      ],
    );
  });

  test('the shared definitions cannot be mutated', () => {
    assert.throws(() => {
      (CORE_USER.attributes as AttributeDefinition[]).push(CORE_USER.attributes[0]!);
    });
    assert.throws(() => {
      attr(CORE_USER.attributes, 'userName').required = false;
    });
  });
});

describe('parseAttributePath', () => {
  test('plain attribute and sub-attribute, with offsets', () => {
    assert.deepEqual(parsed('userName'), { ok: true, attribute: 'userName', spans: { attribute: { start: 0, end: 8 } } });
    assert.deepEqual(parsed('name.givenName'), {
      ok: true,
      attribute: 'name',
      subAttribute: 'givenName',
      spans: { attribute: { start: 0, end: 4 }, subAttribute: { start: 5, end: 14 } },
    });
  });

  test('value filter with sub-attribute', () => {
    const path = 'emails[type eq "work"].value';
    const p = parsed(path);
    assert.equal(p.attribute, 'emails');
    assert.equal(p.subAttribute, 'value');
    assert.deepEqual(p.spans.subAttribute, { start: 23, end: 28 });
    const f = p.valueFilter;
    assert.ok(f);
    assert.equal(f.text, 'type eq "work"');
    assert.deepEqual([f.start, f.end], [7, 21]);
    assert.equal(path.slice(f.start, f.end), f.text);
    assert.equal(f.comparisons.length, 1);
    const c = f.comparisons[0]!;
    assert.deepEqual([c.attribute, c.op, c.value], ['type', 'eq', 'work']);
    assert.deepEqual([c.start, c.end], [7, 21]);
    assert.deepEqual(c.attributeSpan, { start: 7, end: 11 });
    assert.deepEqual(c.opSpan, { start: 12, end: 14 });
    assert.deepEqual(c.valueSpan, { start: 15, end: 21 });
  });

  test('and/or/not, pr, literals, operator case', () => {
    const p = parsed('emails[type eq "work" and primary eq true].value');
    assert.equal(p.valueFilter?.expression.kind, 'and');
    assert.deepEqual(
      p.valueFilter?.comparisons.map((c) => [c.attribute, c.op, c.value]),
      [
        ['type', 'eq', 'work'],
        ['primary', 'eq', true],
      ],
    );
    const q = parsed('x[not (a pr) or (b GT 3.5 and c Le -2e3) or d ne null or e sw "q\\"x"]');
    assert.equal(q.valueFilter?.expression.kind, 'or');
    assert.deepEqual(
      q.valueFilter?.comparisons.map((c) => [c.attribute, c.op, c.value]),
      [
        ['a', 'pr', undefined],
        ['b', 'gt', 3.5],
        ['c', 'le', -2000],
        ['d', 'ne', null],
        ['e', 'sw', 'q"x'],
      ],
    );
    assert.equal(parsed('emails[value co "a]b"].value').valueFilter?.text, 'value co "a]b"', '"]" inside a string');
  });

  test('value filter without sub-attribute', () => {
    const p = parsed('emails[primary eq true]');
    assert.equal(p.subAttribute, undefined);
    assert.equal(p.valueFilter?.text, 'primary eq true');
  });

  test('schema URN prefix', () => {
    const path = `${ENT}:manager.value`;
    const p = parsed(path);
    assert.equal(p.schemaUrn, ENT);
    assert.deepEqual(p.spans.schemaUrn, { start: 0, end: ENT.length });
    assert.equal(p.attribute, 'manager');
    assert.deepEqual(p.spans.attribute, { start: ENT.length + 1, end: ENT.length + 8 });
    assert.equal(p.subAttribute, 'value');
    const q = parsed('urn:acme:ext:1.0:User:emails[type eq "urn:x:y"].value');
    assert.equal(q.schemaUrn, 'urn:acme:ext:1.0:User', 'colons inside the filter are not URN separators');
    assert.equal(q.attribute, 'emails');
  });

  test('$ref is an attribute name', () => {
    assert.equal(parsed('manager.$ref').subAttribute, '$ref');
  });

  const errors: Array<[string, number, number, RegExp]> = [
    ['', 0, 0, /empty/],
    ['name.', 4, 5, /missing/],
    ['.givenName', 0, 1, /missing/],
    ['name..givenName', 4, 5, /missing/],
    ['emails[type eq "work"', 6, 7, /no matching "\]"/],
    ['emails]', 6, 7, /no matching "\["/],
    ['emails[]', 6, 8, /empty/],
    ['emails[  ].value', 6, 10, /empty/],
    ['emails[type eq "work"]value', 22, 23, /followed by "\.subAttribute"/],
    ['emails[type eq "work"][x eq 1]', 22, 23, /followed by "\.subAttribute"/],
    ['emails[type is "work"].value', 12, 14, /"is" is not a filter operator/],
    ['emails[type = "work"].value', 12, 13, /"=" cannot appear/],
    ['emails[type eq].value', 12, 14, /needs a value/],
    ['emails[type].value', 7, 11, /needs an operator/],
    ['emails[type eq work].value', 15, 19, /"work" is not a value/],
    ["emails[type eq 'work'].value", 15, 16, /double quotes/],
    ['emails[type eq "work].value', 15, 27, /no matching|closing quote/],
    ['emails[type eq "work" primary eq true].value', 22, 29, /Expected "and" or "or"/],
    ['emails[type eq "work" and].value', 22, 25, /Expected a condition after "and"/],
    ['emails[(type eq "work"].value', 7, 8, /"\(" has no matching "\)"/],
    ['emails[type eq "work")].value', 21, 22, /"\)" has no matching "\("/],
    ['emails[not type eq "work"].value', 7, 15, /"not" takes a condition in parentheses/],
    ['emails[x[y eq 1]].value', 8, 9, /nested/],
    ['name.givenName.x', 14, 16, /at most one level/],
    ['name.givenName[type eq "x"]', 14, 27, /goes right after the multi-valued attribute/],
    ['user name', 4, 5, /whitespace/],
    ['1name', 0, 1, /starts with a letter/],
    ['name:givenName', 4, 5, /"name" is not a URN/],
    ['urn:acme::User:dept', 8, 10, /empty segment/],
    [`${CORE_USER_URN}:`, CORE_USER_URN.length, CORE_USER_URN.length + 1, /missing after the schema URN/],
  ];
  for (const [path, start, end, message] of errors) {
    test(`error: ${JSON.stringify(path)} at [${start}, ${end})`, () => {
      const e = parseError(path);
      assert.deepEqual(range(e), { start, end }, e.message);
      assert.match(e.message, message);
    });
  }

  test('never throws on hostile input', () => {
    for (const path of [
      '[',
      ']',
      '"',
      '((((',
      `emails[${'('.repeat(10_000)}]`,
      `emails[${'not ('.repeat(5_000)}]`,
      'a'.repeat(100_000),
      '\u0000',
      '😀.x',
    ]) {
      const r = parseAttributePath(path);
      assert.equal(typeof r.ok, 'boolean');
    }
    assert.equal(parseAttributePath(42 as unknown as string).ok, false);
  });
});

describe('resolveAttributePath: the path forms IdP mappings use', () => {
  const cases: Array<[string, string, string | undefined, string]> = [
    // path, attribute, parent, schema
    ['userName', 'userName', undefined, 'User'],
    ['name.givenName', 'givenName', 'name', 'User'],
    ['emails[type eq "work"].value', 'value', 'emails', 'User'],
    ['emails[type eq "work" and primary eq true].value', 'value', 'emails', 'User'],
    ['phoneNumbers[type eq "mobile"].value', 'value', 'phoneNumbers', 'User'],
    ['addresses[type eq "work"].locality', 'locality', 'addresses', 'User'],
    [`${ENT}:department`, 'department', undefined, 'EnterpriseUser'],
    [`${ENT}:manager.value`, 'value', 'manager', 'EnterpriseUser'],
    [`${ENT}:manager`, 'manager', undefined, 'EnterpriseUser'],
    [`${ENT}:manager.$ref`, '$ref', 'manager', 'EnterpriseUser'],
    [`${CORE_USER_URN}:userName`, 'userName', undefined, 'User'],
    [`${CORE_USER_URN}:name.familyName`, 'familyName', 'name', 'User'],
    ['emails', 'emails', undefined, 'User'],
    ['emails.value', 'value', 'emails', 'User'],
    ['emails[type eq "work"]', 'emails', undefined, 'User'],
    ['roles[primary eq true].value', 'value', 'roles', 'User'],
    ['externalId', 'externalId', undefined, 'User'],
    ['id', 'id', undefined, 'User'],
    ['meta.lastModified', 'lastModified', 'meta', 'User'],
    ['active', 'active', undefined, 'User'],
    ['groups', 'groups', undefined, 'User'],
    ['x509Certificates[type eq "x"].value', 'value', 'x509Certificates', 'User'],
  ];
  for (const [path, attribute, parent, schema] of cases) {
    test(path, () => {
      const r = ok(path);
      assert.equal(r.attribute.name, attribute);
      assert.equal(r.parent?.name, parent);
      assert.equal(r.schema.name, schema);
    });
  }

  test('groups is readOnly; externalId/id/meta are common', () => {
    assert.equal(ok('groups').attribute.mutability, 'readOnly');
    assert.equal(ok('groups.display').attribute.mutability, 'readOnly');
    assert.equal(ok('externalId').common, true);
    assert.equal(ok('id').attribute.mutability, 'readOnly');
    assert.equal(ok('userName').common, false);
    assert.equal(ok(`${CORE_USER_URN}:externalId`).common, true, 'common attributes under the core URN');
  });

  test('canonical form: schema spelling, core URN dropped, filter re-printed', () => {
    assert.equal(ok('NAME.GIVENNAME').canonical, 'name.givenName');
    assert.equal(ok(`${CORE_USER_URN.toLowerCase()}:USERNAME`).canonical, 'userName');
    assert.equal(ok('Emails[ Type  EQ "work" ].Value').canonical, 'emails[type eq "work"].value');
    assert.equal(ok(`${ENT.toUpperCase()}:Manager.Value`).canonical, `${ENT}:manager.value`);
    assert.equal(
      ok('emails[(type eq "work" or type eq "home") and not (primary eq false)].value').canonical,
      'emails[(type eq "work" or type eq "home") and not (primary eq false)].value',
    );
  });

  test('the result carries the parse', () => {
    const r = ok('emails[type eq "work"].value');
    assert.equal(r.parsed.valueFilter?.comparisons[0]?.value, 'work');
  });
});

describe('resolveAttributePath: case-insensitivity (RFC 7643 §2.1)', () => {
  for (const path of [
    'name.givenname',
    'USERNAME',
    'Emails[TYPE eq "work"].VALUE',
    'emails[type EQ "work" AND primary Eq true].value',
    `${ENT.toLowerCase()}:department`,
    `${ENT.toUpperCase()}:MANAGER.VALUE`,
    `${CORE_USER_URN.toUpperCase()}:username`,
    'EXTERNALID',
  ]) {
    test(path, () => {
      ok(path);
    });
  }
  test('the resource URN is matched case-insensitively too', () => {
    assert.equal(ok('userName', SCHEMAS, CORE_USER_URN.toLowerCase()).schema, CORE_USER);
  });
});

describe('resolveAttributePath: errors with exact offsets', () => {
  test('invalid-attribute-path from the parser keeps its range', () => {
    const path = 'emails[type is "work"].value';
    const e = bad(path);
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), at(path, 'is'));
    assert.deepEqual(e.suggestions, []);
  });

  test('unbalanced bracket', () => {
    const e = bad('emails[type eq "work"');
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), { start: 6, end: 7 });
  });

  test('a filter on a single-valued attribute: the whole [..]', () => {
    const path = 'name[type eq "x"].givenName';
    const e = bad(path);
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), at(path, '[type eq "x"]'));
  });

  test('a filter on a simple attribute', () => {
    const path = 'userName[value eq "x"]';
    const e = bad(path);
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), { start: 8, end: path.length });
  });

  test('a filter on a qualified single-valued extension attribute', () => {
    const path = `${ENT}:manager[value eq "x"].value`;
    const e = bad(path);
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), at(path, '[value eq "x"]'));
  });

  test('a filter comparison on an unknown sub-attribute', () => {
    const path = 'emails[kind eq "work"].value';
    const e = bad(path);
    assert.equal(e.code, 'unknown-scim-attribute');
    assert.deepEqual(range(e), at(path, 'kind'));
    const second = 'emails[type eq "work" and primry eq true].value';
    const e2 = bad(second);
    assert.deepEqual(range(e2), at(second, 'primry'));
    assert.deepEqual(e2.suggestions, ['emails[type eq "work" and primary eq true].value']);
  });

  test('a boolean sub-attribute compared with a string', () => {
    const path = 'emails[primary eq "true"].value';
    const e = bad(path);
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), at(path, '"true"'));
    assert.deepEqual(e.suggestions, ['emails[primary eq true].value']);
  });

  test('unknown top-level attribute', () => {
    const e = bad('usrName');
    assert.equal(e.code, 'unknown-scim-attribute');
    assert.deepEqual(range(e), { start: 0, end: 7 });
    assert.deepEqual(e.suggestions, ['userName']);
    assert.match(e.message, /Did you mean "userName"\?/);
  });

  test('unknown sub-attribute', () => {
    const path = 'name.gvenName';
    const e = bad(path);
    assert.equal(e.code, 'unknown-scim-attribute');
    assert.deepEqual(range(e), { start: 5, end: 13 });
    assert.deepEqual(e.suggestions, ['name.givenName']);
  });

  test('unknown sub-attribute behind a filter', () => {
    const path = 'emails[type eq "work"].vaule';
    const e = bad(path);
    assert.equal(e.code, 'unknown-scim-attribute');
    assert.deepEqual(range(e), at(path, 'vaule'));
    assert.deepEqual(e.suggestions, ['emails[type eq "work"].value']);
  });

  test('a sub-attribute of a simple attribute', () => {
    const path = 'userName.value';
    const e = bad(path);
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), { start: 9, end: 14 });
  });

  test('unknown attribute of a qualified extension', () => {
    const path = `${ENT}:departmnt`;
    const e = bad(path);
    assert.equal(e.code, 'unknown-scim-attribute');
    assert.deepEqual(range(e), { start: ENT.length + 1, end: path.length });
    assert.deepEqual(e.suggestions, [`${ENT}:department`]);
  });

  test('unknown sub-attribute of a qualified extension attribute', () => {
    const path = `${ENT}:manager.displayname.x`;
    assert.equal(bad(path).code, 'invalid-attribute-path');
    const typo = `${ENT}:manager.vale`;
    const e = bad(typo);
    assert.equal(e.code, 'unknown-scim-attribute');
    assert.deepEqual(range(e), at(typo, 'vale'));
    assert.deepEqual(e.suggestions, [`${ENT}:manager.value`]);
  });

  test('an extension attribute written without its URN', () => {
    const e = bad('department');
    assert.equal(e.code, 'unknown-scim-attribute');
    assert.deepEqual(range(e), { start: 0, end: 10 });
    assert.deepEqual(e.suggestions, [`${ENT}:department`]);
    assert.deepEqual(bad('manager.value').suggestions, [`${ENT}:manager.value`]);
  });

  test('fixes: the suggestions as minimal edits of the path', () => {
    assert.deepEqual(bad('name.gvenName').fixes, [{ start: 6, end: 6, text: 'i' }]);
    assert.deepEqual(bad('department').fixes, [{ start: 0, end: 0, text: `${ENT}:` }]);
    assert.deepEqual(bad(`${ENT}.department`).fixes, [{ start: ENT.length, end: ENT.length + 1, text: ':' }]);
    for (const path of [
      'name.gvenName',
      'department',
      'usrName',
      `${ENT}:departmnt`,
      'emails[primary eq "true"].value',
      'givenName',
      'zzz',
    ]) {
      const e = bad(path);
      assert.equal(e.fixes.length, e.suggestions.length, path);
      e.fixes.forEach((f, i) => assert.equal(path.slice(0, f.start) + f.text + path.slice(f.end), e.suggestions[i], path));
    }
  });

  test('a sub-attribute written without its parent', () => {
    assert.deepEqual(bad('givenName').suggestions, ['name.givenName']);
  });

  test('a core attribute qualified with the extension URN', () => {
    const path = `${ENT}:userName`;
    const e = bad(path);
    assert.equal(e.code, 'unknown-scim-attribute');
    assert.deepEqual(range(e), { start: ENT.length + 1, end: path.length });
    assert.deepEqual(e.suggestions, ['userName']);
    assert.deepEqual(bad(`${ENT}:externalId`).suggestions, ['externalId']);
  });

  test('unknown schema URN: the URN range, and the closest known one', () => {
    const wrong = 'urn:ietf:params:scim:schemas:extension:enterprize:2.0:User';
    const e = bad(`${wrong}:department`);
    assert.equal(e.code, 'unknown-scim-schema');
    assert.deepEqual(range(e), { start: 0, end: wrong.length });
    assert.deepEqual(e.suggestions, [`${ENT}:department`]);
  });

  test('unknown schema URN cut one segment short', () => {
    const short = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0';
    const e = bad(`${short}:department`);
    assert.equal(e.code, 'unknown-scim-schema');
    assert.deepEqual(range(e), { start: 0, end: short.length });
    assert.deepEqual(e.suggestions, [`${ENT}:department`]);
  });

  test('an unrelated URN gets no suggestion', () => {
    const e = bad('urn:acme:custom:1.0:User:badge');
    assert.equal(e.code, 'unknown-scim-schema');
    assert.deepEqual(range(e), { start: 0, end: 'urn:acme:custom:1.0:User'.length });
    assert.deepEqual(e.suggestions, []);
  });

  test('the enterprise URN is unknown when the extension is not in scope', () => {
    const e = bad(`${ENT}:department`, [CORE_USER]);
    assert.equal(e.code, 'unknown-scim-schema');
    assert.deepEqual(range(e), { start: 0, end: ENT.length });
  });

  test('"." instead of ":" after the schema URN', () => {
    const path = `${ENT}.department`;
    const e = bad(path);
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), { start: ENT.length, end: ENT.length + 1 });
    assert.deepEqual(e.suggestions, [`${ENT}:department`]);
  });

  test('a bare schema URN is not an attribute', () => {
    const e = bad(ENT);
    assert.equal(e.code, 'invalid-attribute-path');
    assert.deepEqual(range(e), { start: 0, end: ENT.length });
  });

  test('no suggestion for far-off names', () => {
    assert.deepEqual(bad('zzz').suggestions, []);
    assert.deepEqual(bad('name.qq').suggestions, []);
    assert.deepEqual(bad('favouriteColour').suggestions, []);
  });
});

describe('resolveAttributePath: scope', () => {
  const custom: SchemaDefinition = {
    id: 'urn:acme:params:scim:schemas:extension:acme:1.0:User',
    name: 'Acme',
    description: 'test',
    attributes: [
      {
        name: 'badge',
        type: 'complex',
        multiValued: true,
        description: '',
        required: false,
        caseExact: false,
        mutability: 'readWrite',
        returned: 'default',
        uniqueness: 'none',
        subAttributes: [
          {
            name: 'value',
            type: 'string',
            multiValued: false,
            description: '',
            required: false,
            caseExact: false,
            mutability: 'readWrite',
            returned: 'default',
            uniqueness: 'none',
          },
          {
            name: 'type',
            type: 'string',
            multiValued: false,
            description: '',
            required: false,
            caseExact: false,
            mutability: 'readWrite',
            returned: 'default',
            uniqueness: 'none',
            canonicalValues: ['door'],
          },
        ],
      },
    ],
  };

  test('custom extension schemas resolve like the standard ones', () => {
    const r = ok(`${custom.id}:badge[type eq "door"].value`, [CORE_USER, ENTERPRISE_USER, custom]);
    assert.equal(r.schema, custom);
    assert.equal(r.parent?.name, 'badge');
    assert.deepEqual(bad(`${custom.id}:bdge`, [CORE_USER, custom]).suggestions, [`${custom.id}:badge`]);
  });

  test('the longest matching schema id wins', () => {
    const outer: SchemaDefinition = { ...custom, id: 'urn:acme:x', attributes: [] };
    const inner: SchemaDefinition = { ...custom, id: 'urn:acme:x:v2' };
    assert.equal(ok('urn:acme:x:v2:badge', [CORE_USER, outer, inner]).schema, inner);
    assert.equal(ok('urn:acme:x:v2:badge', [CORE_USER, inner, outer]).schema, inner);
  });

  test('the core schema is found even when not passed', () => {
    assert.equal(ok('userName', [ENTERPRISE_USER]).schema, CORE_USER);
  });

  test('Group resources', () => {
    assert.equal(ok('members[type eq "User"].value', [CORE_GROUP], CORE_GROUP_URN).parent?.name, 'members');
    assert.equal(ok('displayName', [CORE_GROUP], CORE_GROUP_URN).schema, CORE_GROUP);
    assert.equal(bad('userName', [CORE_GROUP], CORE_GROUP_URN).code, 'unknown-scim-attribute');
  });

  test('malformed schemas in scope are ignored, not thrown on', () => {
    const junk = [
      null,
      {},
      { id: 5 },
      { id: 'urn:x', attributes: 'no' },
      { id: 'urn:y', attributes: [{}] },
    ] as unknown as SchemaDefinition[];
    assert.equal(ok('userName', [CORE_USER, ...junk]).attribute.name, 'userName');
    assert.equal(bad('urn:y:foo', [CORE_USER, ...junk]).code, 'unknown-scim-attribute');
    const broken = {
      id: 'urn:z',
      name: 'Z',
      description: '',
      attributes: [
        { name: 'tag', type: 'complex', multiValued: true, subAttributes: [{ name: 'value', type: 'string' }, 7, { type: 'string' }] },
        { name: 'odd', type: 'complex', subAttributes: 'nope' },
        { type: 'string' },
      ],
    } as unknown as SchemaDefinition;
    assert.equal(ok('urn:z:tag.value', [CORE_USER, broken]).attribute.name, 'value');
    assert.equal(bad('urn:z:tag.valu', [CORE_USER, broken]).code, 'unknown-scim-attribute');
    assert.equal(bad('urn:z:odd.x', [CORE_USER, broken]).code, 'invalid-attribute-path');
    assert.ok(listAttributePaths([CORE_USER, broken], CORE_USER_URN).some((e) => e.path === 'urn:z:tag.value'));
    assert.equal(resolveAttributePath('userName', null as unknown as SchemaDefinition[], CORE_USER_URN).ok, true);
    assert.equal(resolveAttributePath(undefined as unknown as string, SCHEMAS, CORE_USER_URN).ok, false);
  });

  test('an unknown resource schema still has the common attributes', () => {
    assert.equal(ok('externalId', [], 'urn:acme:Device').common, true);
    assert.equal(bad('userName', [], 'urn:acme:Device').code, 'unknown-scim-attribute');
  });
});

describe('listAttributePaths', () => {
  const entries = listAttributePaths(SCHEMAS, CORE_USER_URN);
  const paths = entries.map((e) => e.path);

  test('top-level, sub-attribute, common and fully qualified extension paths', () => {
    for (const p of [
      'userName',
      'name',
      'name.givenName',
      'emails',
      'emails.value',
      'groups',
      'id',
      'externalId',
      'meta.created',
      `${ENT}:department`,
      `${ENT}:manager`,
      `${ENT}:manager.value`,
      `${ENT}:manager.$ref`,
    ]) {
      assert.ok(paths.includes(p), p);
    }
    assert.ok(!paths.includes('department'));
  });

  test('value-filter forms for canonical types, and primary', () => {
    for (const p of [
      'emails[type eq "work"].value',
      'emails[type eq "home"].value',
      'phoneNumbers[type eq "mobile"].value',
      'addresses[type eq "work"].locality',
      'photos[type eq "thumbnail"].value',
      'emails[primary eq true].value',
      'roles[primary eq true].value',
    ]) {
      assert.ok(paths.includes(p), p);
    }
    assert.ok(!paths.some((p) => p.includes('].type')), 'no filter on type that then reads type');
    assert.ok(!paths.some((p) => p.startsWith('roles[type')), 'roles has no canonical types');
  });

  test('entries carry their definitions', () => {
    const e = entries.find((x) => x.path === 'emails[type eq "work"].value');
    assert.equal(e?.attribute.name, 'value');
    assert.equal(e?.parent?.name, 'emails');
    assert.equal(entries.find((x) => x.path === 'groups')?.attribute.mutability, 'readOnly');
    assert.equal(entries.find((x) => x.path === `${ENT}:manager.value`)?.schema, ENTERPRISE_USER);
  });

  test('no duplicates, and every listed path resolves to the same attribute', () => {
    assert.equal(new Set(paths.map((p) => p.toLowerCase())).size, paths.length);
    for (const e of entries) {
      const r = ok(e.path);
      assert.equal(r.attribute, e.attribute, e.path);
      assert.equal(r.canonical, e.path, 'listed paths are canonical');
    }
  });
});
