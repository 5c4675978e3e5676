// Plans: which scenarios run, and how shards deal them out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, parseShard, PlanError } from '../../core/plan/plan.ts';
import { validateText } from '../../core/validate/index.ts';

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
