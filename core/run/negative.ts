// Negative cases: requests a correct server must refuse, and how it must refuse them (status,
// SCIM Error body, scimType). If the server accepts one and creates a user, that user is
// recorded for cleanup like any other.
import type { ScenarioContext } from './context.ts';
import type { NegativeCase } from '../spec/types.ts';
import { RAW_METHODS } from '../spec/types.ts';
import { joinPointer } from '../document/index.ts';
import { interpolate, interpolateDeep } from '../expressions/evaluate.ts';
import { resolveAttributePath, extensionSchemas, STANDARD_SCHEMAS, CORE_USER_URN } from '../scim-schema/index.ts';
import { buildUser, removePath, setPath } from '../scim/resource.ts';
import { mappedValues, scenarioIdentity } from './identity.ts';
import { expectScimError, expectScimMediaType, idOf, statusCheck } from './protocol.ts';
import { CredentialSource, resolveAuth } from '../scim/auth.ts';
import type { PlannedRequest } from '../scim/dialects/index.ts';

export async function runNegative(
  ctx: ScenarioContext,
  negative: NegativeCase,
  tagged: ReadonlySet<string>,
  tag: string,
  requestTimeoutMs: number,
): Promise<void> {
  const base = ctx.planned.pointer;
  let request: PlannedRequest & { rawBody?: string; credentials?: false | CredentialSource };
  if (negative.create !== undefined) {
    const identity = scenarioIdentity(ctx.run.spec.identities[negative.create] ?? {}, tagged, tag);
    const scope = ctx.scope({ identity });
    const user = buildUser(mappedValues(ctx.run.spec, scope));
    const schemas = [...STANDARD_SCHEMAS, ...extensionSchemas(ctx.run.spec.extensions as never, 'User')];
    for (const path of negative.without ?? []) {
      const resolved = resolveAttributePath(path, schemas, CORE_USER_URN);
      if (resolved.ok) removePath(user, resolved);
    }
    for (const [path, value] of Object.entries(negative.set ?? {})) {
      const resolved = resolveAttributePath(path, schemas, CORE_USER_URN);
      if (resolved.ok) setPath(user, resolved, interpolateDeep(value, scope));
    }
    request = ctx.dialect.createUser(user);
  } else {
    const method = RAW_METHODS.find((m) => negative[m] !== undefined) ?? 'get';
    const scope = ctx.scope();
    request = { method: method.toUpperCase() as PlannedRequest['method'], url: String(interpolate(negative[method]!, scope)) };
    if (typeof negative.body === 'string') request.rawBody = negative.body;
    else if (negative.body !== undefined) request.body = interpolateDeep(negative.body, scope);
  }
  if (negative.auth !== undefined) {
    if (negative.auth === 'none') request.credentials = false;
    else {
      const auth = resolveAuth(negative.auth, (text) => String(interpolate(text, ctx.scope())), ctx.run.secrets);
      request.credentials = new CredentialSource(auth, ctx.run.secrets, requestTimeoutMs, (url) => ctx.run.client.isAllowed(url));
    }
  }
  const exchange = await ctx.send(request, 'request');
  const created =
    request.method === 'POST' && exchange.status !== undefined && exchange.status >= 200 && exchange.status < 300
      ? idOf(exchange)
      : undefined;
  if (created) ctx.run.ledger.created(/\/Groups/.test(request.url) ? 'Group' : 'User', created, created, ctx.name);

  const statuses = Array.isArray(negative.expect.status) ? negative.expect.status : [negative.expect.status];
  const expectRange = ctx.range(joinPointer(joinPointer(base, 'expect'), 'status'));
  const refused = statusCheck(
    ctx,
    exchange,
    statuses,
    'negative.status',
    'status',
    `the server answers ${statuses.join(' or ')}`,
    expectRange,
  );
  const scimTypeRange = ctx.range(joinPointer(joinPointer(base, 'expect'), 'scimType'));
  if (exchange.status !== undefined && exchange.status >= 400) {
    expectScimMediaType(ctx, exchange, 'media-type', ctx.range(joinPointer(base, 'expect')));
    expectScimError(
      ctx,
      exchange,
      'scim-error',
      ctx.range(joinPointer(base, 'expect')),
      negative.expect.scimType !== undefined
        ? { value: negative.expect.scimType, rule: 'negative.scim-type', range: scimTypeRange }
        : undefined,
    );
  } else if (refused.status !== 'pass' && negative.expect.scimType !== undefined) {
    ctx.blocked(
      'negative.scim-type',
      'scim-error.scim-type',
      `SCIM error with scimType ${negative.expect.scimType}`,
      scimTypeRange,
      refused,
      `no error came back (status ${exchange.status ?? exchange.error})`,
    );
  }
}
