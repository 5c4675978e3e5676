// expect: what the target must show for the scenario's user at this point, each expectation
// checked at its own line in the spec.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import type { Expectation } from '../../spec/types.ts';
import { joinPointer } from '../../document/index.ts';
import { interpolateDeep } from '../../expressions/evaluate.ts';
import { resolveAttributePath, extensionSchemas, STANDARD_SCHEMAS, CORE_USER_URN } from '../../scim-schema/index.ts';
import { getKey, getPath, valuesMatch, type Resource } from '../../scim/resource.ts';
import { findByUserName, storedUserName, verifyGroups } from './verify.ts';
import type { Exchange } from '../../scim/exchange.ts';

export async function expectState(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  expectation: Expectation,
  base: string,
): Promise<void> {
  const at = (key: string, part: 'key' | 'value' = 'key') => ctx.range(joinPointer(base, key), part);
  // After a refused write the state cannot be what the spec expects: that is one defect, the write's.
  // A fact a step's own check already found wrong is that check's finding, not this one's.
  const verdictOf =
    (fact?: 'active' | 'findable'): typeof ctx.verdict =>
    (rule, id, title, range, status, detail) => {
      const cause = state.writeFailure ?? (fact ? state.wrongFacts.get(fact) : undefined);
      if (status !== 'fail' || !cause) return ctx.verdict(rule, id, title, range, status, detail);
      ctx.blocked(rule, id, title, range, cause, detail?.message || title);
      return false;
    };
  const verdict = verdictOf();
  if (!state.id) {
    ctx.verdict('run.completes', `${step.label}.user`, 'a user to check', step.range, 'error', {
      message: 'no user was provisioned before this expectation (the provision step failed)',
    });
    return;
  }
  if (state.deprovisioned === 'deactivated' && (expectation.exists === false || expectation.findable === false)) {
    // This dialect deprovisions by deactivating: "gone" can only mean "inactive" here.
    expectation = { ...expectation };
    if (expectation.exists === false) {
      delete expectation.exists;
      expectation.active ??= false;
    }
    if (expectation.findable === false) {
      verdict('expect.state', `${step.label}.findable`, 'a userName filter does not find the user', at('findable'), 'skipped', {
        message: `dialect ${ctx.dialect.name} never deletes users: a deprovisioned user stays findable (deactivated)`,
      });
      delete expectation.findable;
    }
  }
  const needsRead = expectation.exists !== undefined || expectation.active !== undefined || expectation.attributes !== undefined;
  let resource: Resource | undefined;
  let read: Exchange | undefined;
  if (needsRead) {
    read = await ctx.send({ method: 'GET', url: `/Users/${state.id}` }, step.label);
    if (read.status === 200 && read.json) resource = read.json as Resource;
    if (read.status === undefined) {
      ctx.verdict('user.read', `${step.label}.read`, 'the user can be read', step.range, 'error', {
        message: `GET ${read.url}: ${read.error}`,
        evidence: [read],
      });
      return;
    }
  }
  if (expectation.exists !== undefined && read) {
    const exists = read.status === 200;
    const ok = exists === expectation.exists && (exists || read.status === 404);
    verdict(
      'expect.state',
      `${step.label}.exists`,
      expectation.exists ? 'the user exists' : 'the user does not exist',
      at('exists'),
      ok ? 'pass' : 'fail',
      {
        message: ok ? '' : `GET /Users/${state.id} answered ${read.status}, expected ${expectation.exists ? 200 : 404}`,
        expected: expectation.exists ? 200 : 404,
        actual: read.status,
        evidence: [read],
      },
    );
  }
  if (expectation.active !== undefined && read) {
    const actual = resource ? getKey(resource, 'active') : undefined;
    const ok = actual === expectation.active;
    verdictOf('active')('expect.state', `${step.label}.active`, `active is ${expectation.active}`, at('active'), ok ? 'pass' : 'fail', {
      message: ok
        ? ''
        : resource
          ? `active is ${JSON.stringify(actual ?? null)}, expected ${expectation.active}`
          : `the user could not be read (status ${read.status})`,
      expected: expectation.active,
      actual: actual ?? null,
      evidence: [read],
    });
  }
  if (expectation.attributes && read) {
    const schemas = [...STANDARD_SCHEMAS, ...extensionSchemas(ctx.run.spec.extensions as never, 'User')];
    const scope = ctx.scope({ identity: state.identity, user: { id: state.id, ...(state.userName ? { userName: state.userName } : {}) } });
    for (const [path, raw] of Object.entries(expectation.attributes)) {
      const pointer = joinPointer(joinPointer(base, 'attributes'), path);
      const resolved = resolveAttributePath(path, schemas, CORE_USER_URN);
      if (!resolved.ok) continue;
      const expected = interpolateDeep(raw, scope);
      const actual = resource ? getPath(resource, resolved) : undefined;
      const ok = resource !== undefined && valuesMatch(expected, actual, 'exact');
      verdict(
        'expect.state',
        `${step.label}.attribute.${path}`,
        `${path} is ${JSON.stringify(expected)}`,
        ctx.range(pointer),
        ok ? 'pass' : 'fail',
        {
          message: ok
            ? ''
            : resource
              ? `${path} is ${JSON.stringify(actual ?? null)}, expected ${JSON.stringify(expected)}`
              : `the user could not be read (status ${read.status})`,
          expected,
          actual: actual ?? null,
          evidence: [read],
        },
      );
    }
  }
  if (expectation.memberOf || expectation.notMemberOf) {
    const list = (names: string[] | undefined, key: string) =>
      new Map((names ?? []).map((name, i) => [name, joinPointer(joinPointer(base, key), String(i))] as [string, string]));
    await verifyGroups(
      ctx,
      state,
      { memberOf: list(expectation.memberOf, 'memberOf'), notMemberOf: list(expectation.notMemberOf, 'notMemberOf') },
      step,
    );
  }
  const userName = storedUserName(state);
  if (expectation.findable !== undefined && userName) {
    const { ids, exchange, filter } = await findByUserName(ctx, userName, step.label);
    const found = ids?.includes(state.id) ?? false;
    const ok = ids !== undefined && found === expectation.findable;
    verdictOf('findable')(
      'expect.state',
      `${step.label}.findable`,
      expectation.findable ? 'a userName filter finds the user' : 'a userName filter does not find the user',
      at('findable'),
      ids ? (ok ? 'pass' : 'fail') : 'error',
      {
        message: ok
          ? ''
          : !ids
            ? `the filter request failed (${exchange.error ?? exchange.status})`
            : expectation.findable
              ? `the filter ${filter} does not find the user`
              : `the filter ${filter} still finds the user`,
        expected: expectation.findable ? 'found' : 'not found',
        actual: found ? 'found' : 'not found',
        evidence: [exchange],
      },
    );
  }
}
