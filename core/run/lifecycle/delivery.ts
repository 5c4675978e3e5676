// Delivery faults: a step's writes reaching the server the way IdPs' timeouts, retries and
// parallel workers make them reach it. The step runs as ever, its writes delivered through the
// fault; afterwards each delivery is judged on what a correct server must show: one user for a
// repeated create, and the state one delivery leaves for a repeated write.
import type { OutgoingRequest, ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import type { Exchange } from '../../scim/exchange.ts';
import type { Range } from '../../diagnostic.ts';
import type { DeliveryFaultKey } from '../../spec/types.ts';
import { getKey } from '../../scim/resource.ts';
import { diffResources } from '../audit-diff.ts';
import { idOf } from '../protocol.ts';
import { findByUserName } from './verify.ts';

export interface DeliveryFault {
  key: DeliveryFaultKey;
  /** How many times a retried write is sent again. */
  times: number;
  range: Range;
}

/** One write of the step, and what the fault made of it. */
interface Delivery {
  request: OutgoingRequest;
  /** The answer the step went on with. */
  answered: Exchange;
  /** The other deliveries: the repeats, the parallel twin, or the one the client gave up on. */
  others: Exchange[];
  /** retry: the resource read after the first delivery and after the repeats. */
  before?: Exchange;
  after?: Exchange;
}

/** Runs a step with its writes delivered through the step's fault, then judges each delivery. */
export async function withDeliveryFault(ctx: ScenarioContext, state: UserState, step: StepInfo, run: () => Promise<void>): Promise<void> {
  const fault = step.fault;
  if (!fault) return run();
  const deliveries: Delivery[] = [];
  ctx.deliver = (request, once) => deliver(ctx, step, fault, request, once, deliveries);
  try {
    await run();
  } finally {
    ctx.deliver = undefined;
  }
  if (deliveries.length === 0) {
    ctx.verdict('delivery.repeat', `${step.label}.${fault.key}`, `the ${fault.key} of this step's writes`, fault.range, 'skipped', {
      message: `step ${step.index + 1} ("${step.kind}") sent no write to the target, so there was nothing to ${fault.key}`,
    });
    return;
  }
  for (const delivery of deliveries) await judge(ctx, state, step, fault, delivery);
}

async function deliver(
  ctx: ScenarioContext,
  step: StepInfo,
  fault: DeliveryFault,
  request: OutgoingRequest,
  once: (request: OutgoingRequest, options?: { cutOffAnswer?: boolean }) => Promise<Exchange>,
  deliveries: Delivery[],
): Promise<Exchange> {
  switch (fault.key) {
    case 'retry': {
      const answered = await once(request);
      // A refused write is the step's own finding; an IdP would not call it applied and retry.
      if (!succeeded(answered)) {
        deliveries.push({ request, answered, others: [] });
        return answered;
      }
      const url = resourceUrl(request, answered);
      const before = url ? await ctx.send({ method: 'GET', url }, step.label) : undefined;
      const others: Exchange[] = [];
      for (let i = 0; i < fault.times; i++) others.push(await once(request));
      const after = url ? await ctx.send({ method: 'GET', url }, step.label) : undefined;
      deliveries.push({ request, answered, others, ...(before ? { before } : {}), ...(after ? { after } : {}) });
      return answered;
    }
    case 'duplicate': {
      const twins = await Promise.all([once(request), once(request)]);
      // The step goes on with the delivery that worked, as the IdP worker that got it would.
      const answered = twins.find((t) => succeeded(t) && (!isCreate(request) || idOf(t))) ?? twins[0]!;
      deliveries.push({ request, answered, others: twins.filter((t) => t !== answered) });
      return answered;
    }
    case 'timeout-then-retry': {
      const cutOff = await once(request, { cutOffAnswer: true });
      const answered = await once(request);
      deliveries.push({ request, answered, others: [cutOff] });
      return answered;
    }
  }
}

async function judge(ctx: ScenarioContext, state: UserState, step: StepInfo, fault: DeliveryFault, delivery: Delivery): Promise<void> {
  const { request } = delivery;
  const what = `${request.method.toUpperCase()} ${request.url.replace(/\?.*$/, '')}`;
  const id = `${step.label}.${fault.key}`;
  const evidence = [delivery.answered, ...delivery.others];
  if (isCreate(request)) return judgeCreate(ctx, state, step, fault, delivery, id);
  // The repeats' answers (the parallel twin's, the retry's): success, or 404 for a repeated DELETE.
  const repeats = fault.key === 'timeout-then-retry' ? [] : delivery.others;
  const refused = repeats.filter((r) => !succeeded(r) && !(request.method.toUpperCase() === 'DELETE' && r.status === 404));
  if (repeats.length)
    ctx.verdict(
      'delivery.repeat.answer',
      `${id}.answer`,
      `the repeated ${what} answers success`,
      fault.range,
      refused.length ? 'fail' : 'pass',
      {
        message: refused.length
          ? `the repeated ${what} answered ${refused.map(statusText).join(', ')}: an IdP would record the change as failed, ` +
            'though the first delivery applied it'
          : '',
        expected: request.method.toUpperCase() === 'DELETE' ? '204 or 404' : '2xx',
        actual: repeats.map(statusText),
        evidence,
      },
    );
  if (fault.key === 'retry') judgeState(ctx, state, delivery, `${id}.state`, `the repeated ${what}`, fault.range);
}

/** retry: the resource read after the repeats is the one read after the first delivery. */
function judgeState(ctx: ScenarioContext, state: UserState, delivery: Delivery, id: string, what: string, range: Range): void {
  const { before, after } = delivery;
  if (!before || !after) return;
  const changes = stateChanges(before, after, delivery.request, state.id);
  ctx.verdict('delivery.repeat', id, `${what} leaves the state one delivery left`, range, changes.length ? 'fail' : 'pass', {
    message: changes.length ? `after ${what}, ${changes.join('; ')}: a retry an IdP sends after a timeout changed the data again` : '',
    expected: 'no change',
    actual: changes.length ? changes : 'no change',
    evidence: [delivery.answered, ...delivery.others, before, after],
  });
}

/** A repeated create: exactly one user may hold the userName, and the repeat names it or is refused with 409. */
async function judgeCreate(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  fault: DeliveryFault,
  delivery: Delivery,
  id: string,
): Promise<void> {
  const userName = getKey(delivery.request.body, 'userName');
  const title = 'one user holds the userName after the repeated create';
  if (typeof userName !== 'string') return;
  if (!state.id && state.createFailure) {
    ctx.blocked('delivery.repeat', `${id}.one-user`, title, fault.range, state.createFailure, 'the create itself failed');
    return;
  }
  const { ids, exchange, filter } = await findByUserName(ctx, userName, step.label);
  const evidence = [delivery.answered, ...delivery.others, exchange];
  if (!ids) {
    ctx.verdict('delivery.repeat', `${id}.one-user`, title, fault.range, 'error', {
      message: `the filter ${filter} failed (${exchange.error ?? exchange.status}), so the users holding the userName could not be counted`,
      evidence,
    });
    return;
  }
  if (state.id && !ids.includes(state.id)) {
    // A filter that misses the user the create made cannot count users: that is the filter's defect, found elsewhere.
    ctx.verdict('delivery.repeat', `${id}.one-user`, title, fault.range, 'skipped', {
      message: `the filter ${filter} does not find the user the create made (${state.id}), so the users holding it cannot be counted`,
      evidence,
    });
    return;
  }
  // A second user is this run's to remove, whichever delivery made it.
  for (const extra of ids) if (extra !== state.id) ctx.run.ledger.created('User', extra, userName, ctx.name, ctx.audit(step.label));
  const how = describeCreates(delivery, fault.key);
  const one = ids.length === 1 && (state.id === undefined || ids[0] === state.id);
  const check = ctx.check('delivery.repeat', `${id}.one-user`, title, fault.range, one ? 'pass' : 'fail', {
    message: one
      ? ''
      : ids.length === 0
        ? `after ${how}, the filter ${filter} finds no user: the user the server said it created is not findable`
        : `after ${how}, ${ids.length} users hold userName ${userName} (${ids.join(', ')}): the repeated create made a second user`,
    expected: '1 user',
    actual: `${ids.length} user(s)`,
    focus: [userName],
    evidence,
  });
  if (fault.key === 'timeout-then-retry') return; // the retry's answer is the step's own create check
  if (one && delivery.before && delivery.after) judgeState(ctx, state, delivery, `${id}.state`, 'the repeated create', fault.range);
  const repeats = delivery.others;
  // Refused with 409, or answered with the same user (an idempotent create): both leave one user.
  const wrong = repeats.filter((r) => r.status !== 409 && !(succeeded(r) && idOf(r) === state.id));
  if (!wrong.length)
    ctx.verdict('delivery.repeat.answer', `${id}.answer`, 'the repeated create answers 409 or names the same user', fault.range, 'pass');
  else if (check.status !== 'pass')
    ctx.blocked(
      'delivery.repeat.answer',
      `${id}.answer`,
      'the repeated create answers 409 or names the same user',
      fault.range,
      check,
      `the repeated create answered ${wrong.map(statusText).join(', ')}`,
    );
  else
    ctx.verdict('delivery.repeat.answer', `${id}.answer`, 'the repeated create answers 409 or names the same user', fault.range, 'fail', {
      message: `the repeated create answered ${wrong.map(statusText).join(', ')}, neither 409 (uniqueness) nor the user it made`,
      expected: '409, or 2xx with the same id',
      actual: wrong.map(statusText),
      evidence,
    });
}

function describeCreates(delivery: Delivery, key: DeliveryFaultKey): string {
  if (key === 'duplicate')
    return `two parallel creates (answered ${[delivery.answered, ...delivery.others].map(statusText).join(' and ')})`;
  if (key === 'timeout-then-retry') return `a create the client gave up on and its retry (answered ${statusText(delivery.answered)})`;
  const answers = [delivery.answered, ...delivery.others].map(statusText).join(', ');
  return `the create and ${delivery.others.length} repeat(s) (answered ${answers})`;
}

/** What the repeats changed: the user's attributes (meta aside), or this user's membership of a group. */
function stateChanges(before: Exchange, after: Exchange, request: OutgoingRequest, userId: string | undefined): string[] {
  if (before.status !== after.status) return [`the resource answered ${statusText(before)}, then ${statusText(after)}`];
  if (before.status !== 200) return [];
  if (/\/Groups\//i.test(request.url)) {
    // Other scenarios change a shared group's members meanwhile: only this user's membership counts.
    const member = (e: Exchange) => {
      const members = getKey(e.json, 'members');
      return Array.isArray(members) && members.some((m) => getKey(m, 'value') === userId);
    };
    return member(before) === member(after) ? [] : [`the user ${member(after) ? 'is a member again' : 'is no longer a member'}`];
  }
  return diffResources(before.json as Record<string, unknown>, after.json as Record<string, unknown>).map(
    (c) => `${c.attribute} went from ${JSON.stringify(c.before)} to ${JSON.stringify(c.after)}`,
  );
}

function isCreate(request: OutgoingRequest): boolean {
  return request.method.toUpperCase() === 'POST' && /\/Users\/?(?:\?.*)?$/i.test(request.url);
}

function succeeded(exchange: Exchange): boolean {
  return exchange.status !== undefined && exchange.status >= 200 && exchange.status < 300;
}

function statusText(exchange: Exchange): string {
  return exchange.status === undefined ? (exchange.error ?? 'no answer') : String(exchange.status);
}

/** Where the written resource can be read: the created user, or the URL the write went to. */
function resourceUrl(request: OutgoingRequest, answered: Exchange): string | undefined {
  if (isCreate(request)) {
    const id = idOf(answered);
    return id ? `/Users/${encodeURIComponent(id)}` : undefined;
  }
  return request.url.replace(/\?.*$/, '');
}
