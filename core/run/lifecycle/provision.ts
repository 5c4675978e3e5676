// provision: what an IdP does for a joiner. Look the account up the dialect's way, create it,
// record it for cleanup, read it back and hold every mapped attribute to what was sent, then
// push the groups the role rules give and check the target recorded them.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import { mappedValues, groupExpectations, type GroupExpectations } from '../identity.ts';
import { buildUser, getKey, type MappedValue, type Resource } from '../../scim/resource.ts';
import { expectScimMediaType, expectStatus, idOf, listResources, statusCheck } from '../protocol.ts';
import { caseInsensitiveUserNameFilter, findByUserName, readUser, verifyAttributes, verifyGroups, verifyValues } from './verify.ts';
import type { Exchange } from '../../scim/exchange.ts';
import { addToGroups } from './groups.ts';

/**
 * The id of a user the server says it created but whose response body was lost (cut, garbled,
 * too large): from the Location header, else by looking the run-scoped userName up. Without it
 * the user could not be cleaned up.
 */
async function createdId(
  ctx: ScenarioContext,
  exchange: Exchange,
  userName: string | undefined,
  label: string,
): Promise<string | undefined> {
  const location = exchange.responseHeaders?.['location'];
  const fromLocation = location ? /\/Users\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location)?.[1] : undefined;
  if (fromLocation) return decodeURIComponent(fromLocation);
  if (userName === undefined) return undefined;
  const { ids } = await findByUserName(ctx, userName, label);
  return ids?.length === 1 ? ids[0] : undefined;
}

export interface ProvisionOptions {
  /** The rule the create is judged by: a rehire's is that the leaver's unique values are free again. */
  createRule?: 'user.create' | 'rehire.create';
}

export async function provision(ctx: ScenarioContext, state: UserState, step: StepInfo, options: ProvisionOptions = {}): Promise<void> {
  const values = mappedValues(ctx.run.spec, ctx.scope({ identity: state.identity }));
  const expectations = groupExpectations(ctx.run.spec.roles, state.identity);
  const user: Resource = buildUser(values);
  if (expectations.roles.length) user['roles'] = expectations.roles.map((value) => ({ value }));
  if (expectations.entitlements.length) user['entitlements'] = expectations.entitlements.map((value) => ({ value }));
  const userName = typeof user['userName'] === 'string' ? user['userName'] : undefined;

  const lookup = userName === undefined ? undefined : ctx.dialect.lookupUser(userName);
  if (lookup) {
    const exchange = await ctx.send(lookup, step.label);
    if (expectStatus(ctx, exchange, [200], 'user.lookup', `${step.label}.lookup`, 'the lookup before create answers 200', step.range)) {
      const found = listResources(exchange);
      if (!found) {
        ctx.verdict('user.lookup', `${step.label}.lookup.list`, 'the lookup answers a ListResponse', step.range, 'fail', {
          message: 'the lookup did not answer a ListResponse with Resources or totalResults',
          expected: 'ListResponse',
          actual: exchange.json ?? null,
          evidence: [exchange],
        });
      } else {
        ctx.verdict(
          'user.lookup.absent',
          `${step.label}.lookup.absent`,
          "the lookup does not find this run's user before it is created",
          step.range,
          found.length === 0 ? 'pass' : 'fail',
          {
            message: found.length
              ? `the filter for ${userName}, a name only this run uses, answers ${found.length} ` +
                `user(s) before the run created it: the filter is not applied`
              : '',
            expected: 'totalResults 0',
            actual: `${found.length} result(s)`,
            evidence: [exchange],
          },
        );
      }
    }
  }

  const exchange = await ctx.send(ctx.dialect.createUser(user), step.label);
  const recovered = await recoveredAfterTimeout(ctx, step, exchange, userName);
  const id =
    recovered ??
    (exchange.status !== undefined && exchange.status >= 200 && exchange.status < 300
      ? (idOf(exchange) ?? (await createdId(ctx, exchange, userName, step.label)))
      : undefined);
  if (id) {
    ctx.run.ledger.created('User', id, userName ?? id, ctx.name, ctx.audit(step.label, { source: ctx.auditRedacted(state.identity) }));
    state.id = id;
    state.userName = userName;
    state.exists = true;
  }
  if (recovered) {
    // The answer that named the user was the one given up on: the Location and id checks have nothing to judge.
    await verifyCreated(ctx, state, step, values, expectations);
    return;
  }
  const rehiring = options.createRule === 'rehire.create';
  const created = statusCheck(
    ctx,
    exchange,
    [201],
    options.createRule ?? 'user.create',
    `${step.label}.created`,
    rehiring ? "the rehire's create answers 201 Created: the leaver's unique values are free again" : 'the create answers 201 Created',
    step.range,
  );
  if (created.status !== 'pass') {
    if (!id) state.createFailure = created;
    return;
  }
  expectScimMediaType(ctx, exchange, `${step.label}.created.media-type`, step.range);
  const bodyId = idOf(exchange);
  if (!id) {
    // Neither the body, nor Location, nor a lookup names the user: no IdP could manage it.
    state.createFailure = ctx.check(
      'user.create.identifiable',
      `${step.label}.created.id`,
      "the create tells the client the new user's id",
      step.range,
      'fail',
      {
        message: 'the 201 response carries no "id", no Location header names the user, and a userName filter does not find it',
        evidence: [exchange],
      },
    );
    return;
  }
  ctx.verdict(
    'user.create.id',
    `${step.label}.created.id`,
    "the created user's representation has its id",
    step.range,
    bodyId ? 'pass' : 'fail',
    {
      message: bodyId ? '' : `the 201 response carries no "id" (the user was found as ${id} and will be cleaned up)`,
      evidence: [exchange],
    },
  );
  const location = exchange.responseHeaders?.['location'];
  const metaLocation = getKey(getKey(exchange.json, 'meta'), 'location');
  ctx.verdict(
    'user.create.location',
    `${step.label}.created.location`,
    'the create answers a Location header naming the new user',
    step.range,
    location && (metaLocation === undefined || metaLocation === location) && location.includes(id) ? 'pass' : 'fail',
    {
      message: !location
        ? 'the 201 response has no Location header (RFC 7644 §3.3)'
        : !location.includes(id)
          ? `Location ${location} does not name the new user ${id}`
          : `Location ${location} differs from meta.location ${String(metaLocation)}`,
      expected: `…/Users/${id}`,
      actual: location ?? null,
      evidence: [exchange],
    },
  );

  await verifyCreated(ctx, state, step, values, expectations);
}

/** The new user read back and held to the mapping and role rules; then the groups the rules give. */
async function verifyCreated(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  values: readonly MappedValue[],
  expectations: GroupExpectations,
): Promise<void> {
  const read = await readUser(ctx, state, step);
  if (read?.resource) {
    verifyAttributes(ctx, read.resource, values, step, read.exchange);
    verifyValues(ctx, read.resource, 'roles', expectations.roles, step, read.exchange);
    verifyValues(ctx, read.resource, 'entitlements', expectations.entitlements, step, read.exchange);
    await caseInsensitiveUserNameFilter(ctx, state, step);
  }
  if (expectations.memberOf.size > 0) {
    await addToGroups(ctx, state, expectations.memberOf.keys(), step);
    await verifyGroups(ctx, state, expectations, step);
  }
}

/**
 * timeout-then-retry: the client gave up on the first create once the server answered, so a
 * correct server refuses the retry with 409; an IdP then finds the user it made by userName.
 * (Whether exactly one holds it is the delivery check's to judge.)
 */
async function recoveredAfterTimeout(
  ctx: ScenarioContext,
  step: StepInfo,
  exchange: Exchange,
  userName: string | undefined,
): Promise<string | undefined> {
  if (step.fault?.key !== 'timeout-then-retry' || exchange.status !== 409 || userName === undefined) return undefined;
  const { ids } = await findByUserName(ctx, userName, step.label);
  return ids?.[0];
}
