// The pure pieces the conformance suites and load runs stand on: percentiles, the run-scoped
// prefix, what the server declares (falling back to RFC 7643's schemas), and paging-safe ids.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { percentile } from '../../core/run/load.ts';
import { commonPrefix, filterText, query } from '../../core/run/conformance/suite.ts';
import { advertised, characteristics, configNumber, offersExtension, type Declared } from '../../core/run/conformance/declared.ts';
import { CORE_GROUP_URN, CORE_USER_URN, ENTERPRISE_USER_URN } from '../../core/scim-schema/index.ts';

describe('percentile', () => {
  it('is the nearest rank, 0 for no values, and ignores input order', () => {
    assert.equal(percentile([], 95), 0);
    assert.equal(percentile([5], 50), 5);
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 95);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile([1.26, 3.24], 100), 3.2);
  });
});

describe('suite helpers', () => {
  it('commonPrefix is what every value starts with', () => {
    assert.equal(commonPrefix(['ann+ps-x-1-m01@e.t', 'ann+ps-x-1-m02@e.t', 'ann+ps-x-1-m12@e.t']), 'ann+ps-x-1-m');
    assert.equal(commonPrefix(['abc']), 'abc');
    assert.equal(commonPrefix([]), '');
  });

  it('filterText quotes the value as JSON; query encodes and drops undefined', () => {
    assert.equal(filterText('userName', 'sw', 'a"b\\c'), 'userName sw "a\\"b\\\\c"');
    assert.equal(
      query('/Users', { filter: 'userName eq "a b"', count: 0, startIndex: undefined }),
      '/Users?filter=userName%20eq%20%22a%20b%22&count=0',
    );
  });
});

describe('what the server declares', () => {
  const declared: Declared = {
    config: { patch: { supported: true }, bulk: { supported: false, maxOperations: 0 }, filter: { supported: true, maxResults: 200 } },
    schemas: [
      { id: CORE_GROUP_URN, attributes: [{ name: 'displayName', caseExact: true, uniqueness: 'server', mutability: 'readWrite' }] },
    ],
    resourceTypes: [{ name: 'User', endpoint: '/Users', schemaExtensions: [{ schema: ENTERPRISE_USER_URN, required: false }] }],
  };

  it("reads the server's own characteristics, and RFC 7643's where it declares none", () => {
    assert.deepEqual(characteristics(declared, CORE_GROUP_URN, 'DISPLAYNAME'), {
      caseExact: true,
      uniqueness: 'server',
      required: false,
      mutability: 'readWrite',
      returned: 'default',
      declared: true,
    });
    const userName = characteristics(declared, CORE_USER_URN, 'userName');
    assert.equal(userName?.declared, false);
    assert.equal(userName?.caseExact, false);
    assert.equal(userName?.uniqueness, 'server');
    assert.equal(characteristics(declared, CORE_USER_URN, 'nonsense'), undefined);
  });

  it('says what is advertised, and nothing for what is not stated', () => {
    assert.equal(advertised(declared, 'patch'), true);
    assert.equal(advertised(declared, 'bulk'), false);
    assert.equal(advertised(declared, 'sort'), undefined);
    assert.equal(configNumber(declared, 'filter', 'maxResults'), 200);
    assert.equal(configNumber(declared, 'bulk', 'maxPayloadSize'), undefined);
    assert.equal(offersExtension(declared, 'User', ENTERPRISE_USER_URN), true);
    assert.equal(offersExtension(declared, 'Group', ENTERPRISE_USER_URN), undefined);
    assert.equal(offersExtension({}, 'User', ENTERPRISE_USER_URN), undefined);
  });
});
