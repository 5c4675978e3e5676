// Federation steps: the person signs in through the app at provspec's IdP (login), signs out
// (logout), or changes at the IdP (idp: remove | update). After a sign-in the app's own answer
// says who is signed in (the landing page is no proof), and the account the sign-in made or
// updated is read back over SCIM and held to the same mapping and role rules as a provision.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import type { CheckResult } from '../result.ts';
import type { IdentityValue, IdpChange } from '../../spec/types.ts';
import type { Exchange } from '../../scim/exchange.ts';
import { parsePointer } from '../../document/index.ts';
import { interpolateDeep } from '../../expressions/evaluate.ts';
import { getKey } from '../../scim/resource.ts';
import { groupExpectations, mappedValues } from '../identity.ts';
import { findByUserName, readUser, verifyAttributes, verifyGroups, verifyValues } from './verify.ts';
import { identityClaims, type RunFederation } from '../federation.ts';
import { UserAgent, type Hop } from '../../federation/user-agent.ts';
import { login as signIn, type LoginOutcome } from '../../federation/login.ts';

/** What a scenario's person has at the app: their browser, their sub at the IdP, their account. */
export interface FederatedPerson {
  agent: UserAgent;
  sub: string;
  /** The account the first sign-in reached (or provision made), for the same-account check. */
  account?: string;
  /** Whether any sign-in of this scenario has reached an account yet (later ones may skip attribute checks). */
  signedInBefore: boolean;
  /** The last sign-in that failed: what depends on a session is blocked by it. */
  loginFailure?: CheckResult;
  /** Removed at the IdP (`idp: remove`): no longer published as an account, so a sign-in is refused there. */
  removed: boolean;
  /** The back-channel logout the app did not take: a session that then goes on is its consequence, not a second finding. */
  backchannelFailure?: CheckResult;
}

export async function login(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  body: { expect?: 'session' | 'refused'; parallel?: number } | undefined,
) {
  const federation = await federationOf(ctx, step);
  if (!federation) return;
  const person = personOf(ctx, state, federation);
  publishAccount(ctx, state, federation, person);
  const values = mappedValues(ctx.run.spec, ctx.scope({ identity: state.identity }));
  const userName = values.find((v) => v.path === 'userName')?.value;
  const expected = typeof userName === 'string' ? userName : undefined;
  // `parallel`: more browsers of the same person sign in at the same moment; the worst outcome counts.
  const extra = Array.from(
    { length: Math.max(0, (body?.parallel ?? 1) - 1) },
    () => new UserAgent({ allowedOrigins: federation.allowedOrigins, timeoutMs: ctx.run.requestTimeoutMs, signal: ctx.signal }),
  );
  const attempt = async (agent: UserAgent) => {
    const outcome = await signIn(agent, federation.start, federation.idp, person.sub);
    const evidence = exchangesOf(ctx, outcome.hops, step);
    const session = outcome.kind === 'landed' ? await sessionOf(ctx, federation, { ...person, agent }, step) : undefined;
    return { outcome, session, signedInAs: session?.userName, evidence: [...evidence, ...(session ? [session.exchange] : [])] };
  };
  const attempts = await Promise.all([person.agent, ...extra].map(attempt)).finally(() => Promise.all(extra.map((a) => a.close())));
  const failedAttempts = attempts.filter(
    (a) => a.signedInAs === undefined || (expected !== undefined && !sameUserName(a.signedInAs, expected)),
  );
  // What decides: for a refusal, any browser that got in; for a sign-in, any that did not.
  const decisive =
    body?.expect === 'refused' ? (attempts.find((a) => a.signedInAs !== undefined) ?? attempts[0]!) : (failedAttempts[0] ?? attempts[0]!);
  const { outcome, session, signedInAs, evidence: allEvidence } = decisive;
  const of =
    attempts.length > 1 && failedAttempts.length ? `${failedAttempts.length} of ${attempts.length} parallel sign-ins failed; one: ` : '';

  if (body?.expect === 'refused') {
    const refused = signedInAs === undefined;
    ctx.verdict('federation.refused', `${step.label}.refused`, 'the app refuses this sign-in', step.range, refused ? 'pass' : 'fail', {
      message: refused ? '' : `the app signed the person in as ${signedInAs} although the spec expects the sign-in refused`,
      expected: 'no session',
      actual: refused ? describe(outcome) : `signed in as ${signedInAs}`,
      evidence: allEvidence,
    });
    // Even a refusing app may have made the account first: whatever it made is the run's to remove.
    await adoptAccount(ctx, expected, step);
    return;
  }

  const ok = signedInAs !== undefined && (expected === undefined || sameUserName(signedInAs, expected));
  const check = ctx.check(
    'federation.login',
    `${step.label}.session`,
    'the sign-in ends in a session for this person',
    step.range,
    ok ? 'pass' : 'fail',
    {
      message: ok
        ? ''
        : of +
          (signedInAs !== undefined
            ? `the app's session answer names ${signedInAs}, not ${expected}`
            : outcome.kind !== 'landed'
              ? `the sign-in did not reach the app: ${describe(outcome)}`
              : `the sign-in landed at the app, but ${federation.session.url} shows no session ` +
                `(${session?.exchange.status ?? 'no answer'})`),
      expected: expected ? `signed in as ${expected}` : 'signed in',
      actual: signedInAs ? `signed in as ${signedInAs}` : describe(outcome),
      evidence: allEvidence,
    },
  );
  if (!ok) {
    person.loginFailure = check;
    await adoptAccount(ctx, expected, step);
    return;
  }
  person.loginFailure = undefined;
  if (expected === undefined) return;
  await readAccount(ctx, state, step, federation, person, expected);
}

/** The account behind the session: exactly one with the mapped userName, the same as before, as the mapping and role rules say. */
async function readAccount(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  federation: RunFederation,
  person: FederatedPerson,
  userName: string,
): Promise<void> {
  const found = await findByUserName(ctx, userName, step.label);
  if (!found.ids) {
    ctx.verdict('federation.account', `${step.label}.account`, 'the account can be found by its userName', step.range, 'error', {
      message: `the filter ${found.filter} did not answer a list (${found.exchange.error ?? `status ${found.exchange.status}`})`,
      evidence: [found.exchange],
    });
    return;
  }
  const ids = found.ids;
  for (const id of ids) if (!ctx.run.ledger.owns('User', id)) ctx.run.ledger.created('User', id, userName, ctx.name);
  const one = ids.length === 1;
  ctx.verdict(
    'federation.account',
    `${step.label}.account`,
    `exactly one account has userName ${userName}`,
    step.range,
    one ? 'pass' : 'fail',
    {
      message: one
        ? ''
        : ids.length === 0
          ? `after the sign-in, no account has userName ${userName}: the app did not provision the person`
          : `after the sign-in, ${ids.length} accounts have userName ${userName}: the app provisioned the person twice`,
      expected: '1 account',
      actual: `${ids.length} account(s)`,
      evidence: [found.exchange],
    },
  );
  if (!one) return;
  const id = ids[0]!;
  const before = person.account ?? state.id;
  if (before !== undefined) {
    const same = before === id;
    ctx.verdict(
      'federation.same-account',
      `${step.label}.same-account`,
      'the sign-in reaches the same account as before',
      step.range,
      same ? 'pass' : 'fail',
      {
        message: same
          ? ''
          : `this sign-in of the same person (same iss and sub) reached account ${id}, not ${before}, the account it had before: ` +
            'the app keyed the account on something other than iss and sub (an email, a name) and provisioned the person again',
        expected: before,
        actual: id,
        evidence: [found.exchange],
      },
    );
  }
  const first = !person.signedInBefore;
  person.account = id;
  person.signedInBefore = true;
  state.id = id;
  state.userName = userName;
  state.exists = true;
  // A later sign-in is held to changed values only where the app says it updates on sign-in.
  if (!first && !federation.updatesOnLogin) return;
  const values = mappedValues(ctx.run.spec, ctx.scope({ identity: state.identity }));
  const expectations = groupExpectations(ctx.run.spec.roles, state.identity);
  const read = await readUser(ctx, state, step);
  if (read?.resource) {
    verifyAttributes(ctx, read.resource, values, step, read.exchange);
    verifyValues(ctx, read.resource, 'roles', expectations.roles, step, read.exchange);
    verifyValues(ctx, read.resource, 'entitlements', expectations.entitlements, step, read.exchange);
  }
  await verifyGroups(ctx, state, expectations, step);
}

export async function logout(ctx: ScenarioContext, state: UserState, step: StepInfo): Promise<void> {
  const federation = await federationOf(ctx, step);
  if (!federation?.logout) return;
  const person = personOf(ctx, state, federation);
  const hops = await navigate(person.agent, federation.logout);
  const evidence = exchangesOf(ctx, hops, step);
  await expectSession(ctx, state, step, 'ended', evidence);
}

export async function changeAtIdp(ctx: ScenarioContext, state: UserState, step: StepInfo, change: IdpChange): Promise<void> {
  const federation = await federationOf(ctx, step);
  if (!federation) return;
  const person = personOf(ctx, state, federation);
  if (change === 'remove') {
    person.removed = true;
    const deliveries = await federation.idp.removeAccount(person.sub);
    if (!federation.backchannel) return;
    if (deliveries.length === 0) return;
    // One check for all of them: a token per IdP session the person had, one defect however many.
    const taken = (d: (typeof deliveries)[number]) => d.status === 200 || d.status === 204; // §2.8: OPs should also take a 204
    const refused = deliveries.filter((d) => !taken(d));
    const unanswered = refused.filter((d) => d.status === undefined);
    const check = ctx.check(
      'federation.backchannel',
      `${step.label}.backchannel`,
      'the app takes the back-channel logout token',
      step.range,
      refused.length === 0 ? 'pass' : unanswered.length === refused.length ? 'error' : 'fail',
      {
        message: refused.length
          ? `the app answered ${refused.length} of ${deliveries.length} logout token(s) ` +
            `${refused.map((d) => d.status ?? `with no answer (${d.error ?? 'unknown'})`).join(', ')}, not 200 OK`
          : '',
        expected: 200,
        actual: refused[0]?.status ?? refused[0]?.error ?? 200,
      },
    );
    if (check.status === 'fail' || check.status === 'error') person.backchannelFailure = check;
    return;
  }
  for (const [attribute, value] of Object.entries(change.update))
    state.identity[attribute] = state.scoped(attribute, value as IdentityValue);
  publishAccount(ctx, state, federation, person);
}

/** `expect: { session: active | ended }`: what the app's session answer shows for this person's browser. */
export async function expectSession(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  wanted: 'active' | 'ended',
  before: Exchange[] = [],
): Promise<void> {
  const federation = await federationOf(ctx, step);
  if (!federation) return;
  const person = personOf(ctx, state, federation);
  const title = wanted === 'active' ? "the person's session is active" : "the person's session has ended";
  if (wanted === 'active' && person.loginFailure) {
    ctx.blocked('federation.session', `${step.label}.session`, title, step.range, person.loginFailure, 'the sign-in before it failed');
    return;
  }
  const session = await sessionOf(ctx, federation, person, step);
  const active = session.userName !== undefined;
  const ok = active === (wanted === 'active');
  if (!ok && wanted === 'ended' && person.backchannelFailure) {
    ctx.blocked(
      'federation.session',
      `${step.label}.session`,
      title,
      step.range,
      person.backchannelFailure,
      'the session goes on, but the app never took the logout token that would have ended it',
      [...before, session.exchange],
    );
    return;
  }
  ctx.verdict('federation.session', `${step.label}.session`, title, step.range, ok ? 'pass' : 'fail', {
    message: ok
      ? ''
      : wanted === 'ended'
        ? `${federation.session.url} still shows the person signed in as ${session.userName}` +
          (federation.backchannel ? ' after the IdP sent the app a back-channel logout token' : '')
        : `${federation.session.url} shows no session (${session.exchange.status ?? session.exchange.error ?? 'no answer'})`,
    expected: wanted,
    actual: active ? `active (${session.userName})` : 'ended',
    evidence: [...before, session.exchange],
  });
}

/** The run's IdP, started by the first step that needs it; an IdP that cannot start is an error at the step. */
export async function federationOf(ctx: ScenarioContext, step: StepInfo): Promise<RunFederation | undefined> {
  const pending = ctx.run.federation?.();
  if (!pending) {
    ctx.verdict('run.completes', `${step.label}.federation`, 'the federation section is usable', step.range, 'error', {
      message: 'this spec has no federation section',
    });
    return undefined;
  }
  try {
    return await pending;
  } catch (error) {
    ctx.verdict('run.completes', `${step.label}.federation`, "provspec's identity provider starts", step.range, 'error', {
      message: `provspec's identity provider could not start: ${error instanceof Error ? error.message : String(error)}`,
    });
    return undefined;
  }
}

function personOf(ctx: ScenarioContext, state: UserState, federation: RunFederation): FederatedPerson {
  if (state.person) return state.person;
  const claims = ctx.run.spec.federation?.claims ?? {};
  const sub = claims['sub'] === undefined ? undefined : interpolateDeep(claims['sub'], ctx.scope({ identity: state.identity }));
  state.person = {
    agent: new UserAgent({ allowedOrigins: federation.allowedOrigins, timeoutMs: ctx.run.requestTimeoutMs, signal: ctx.signal }),
    // Stable for the scenario, unique to the run: the IdP's subject identifier for this person.
    sub: typeof sub === 'string' && sub !== '' ? sub : `${ctx.run.runId}.${ctx.name}`,
    signedInBefore: false,
    removed: false,
  };
  return state.person;
}

/** The person's account at the IdP, with the claims the spec derives from the identity as it is now. */
function publishAccount(ctx: ScenarioContext, state: UserState, federation: RunFederation, person: FederatedPerson): void {
  if (person.removed) return;
  federation.idp.setAccount({ sub: person.sub, claims: claimsOf(ctx, state.identity, federation) });
}

/** The claims the spec derives from an identity: its `claims`, and the role rules' groups as the target names them. */
export function claimsOf(ctx: ScenarioContext, identity: UserState['identity'], federation: RunFederation): Record<string, unknown> {
  return identityClaims(
    ctx.run.spec,
    ctx.scope({ identity }),
    identity,
    federation.groupsClaim,
    (name) => ctx.run.groups.get(name)?.displayName,
  );
}

/**
 * Whatever account the app made for a sign-in that failed (or was meant to be refused) is the
 * run's to remove, as its own creates are: found by the userName the mapping gives.
 */
export async function adoptAccount(ctx: ScenarioContext, userName: string | undefined, step: StepInfo): Promise<void> {
  if (!userName) return;
  const { ids } = await findByUserName(ctx, userName, step.label);
  for (const id of ids ?? []) if (!ctx.run.ledger.owns('User', id)) ctx.run.ledger.created('User', id, userName, ctx.name);
}

/** Who the app's session answer names, from this person's browser. */
export async function sessionOf(
  ctx: ScenarioContext,
  federation: RunFederation,
  person: FederatedPerson,
  step: StepInfo,
): Promise<{ userName?: string; exchange: Exchange }> {
  const hops = await navigate(person.agent, federation.session.url, false);
  const [exchange] = exchangesOf(ctx, hops.slice(-1), step);
  const hop = hops.at(-1);
  if (!exchange) return { exchange: failedExchange(federation.session.url) };
  if (hop?.status !== 200 || exchange.json === undefined) return { exchange };
  const named = parsePointer(federation.session.userName).reduce<unknown>((value, token) => getKey(value, token), exchange.json);
  return { ...(typeof named === 'string' && named !== '' ? { userName: named } : {}), exchange };
}

/** GET with the person's cookies; redirects followed unless `follow` is false (a session answer is never a redirect). */
async function navigate(agent: UserAgent, url: string, follow = true): Promise<Hop[]> {
  try {
    return follow ? await agent.navigate(url) : [await agent.request('GET', url)];
  } catch (error) {
    return [failedHop(url, error)];
  }
}

function failedHop(url: string, error: unknown): Hop & { error: string } {
  return {
    method: 'GET',
    url,
    status: 0,
    requestHeaders: {},
    responseHeaders: {},
    ms: 0,
    started: new Date().toISOString(),
    error: error instanceof Error ? error.message : String(error),
  };
}

function failedExchange(url: string): Exchange {
  return { id: 'federation', method: 'GET', url, requestHeaders: {}, ms: 0, error: 'no answer' };
}

let hopCounter = 0;

/** The user agent's hops as exchanges: the evidence of checks, and the trace's record of the sign-in. */
export function exchangesOf(ctx: ScenarioContext, hops: readonly Hop[], step: StepInfo): Exchange[] {
  const secrets = ctx.run.secrets;
  return hops.map((hop) => {
    const error = (hop as { error?: string }).error;
    let json: unknown;
    if (hop.body !== undefined && /json/i.test(hop.responseHeaders['content-type'] ?? '')) {
      try {
        json = JSON.parse(hop.body);
      } catch {
        json = undefined;
      }
    }
    const exchange: Exchange = {
      // The X-Request-Id the user agent sent (the app's and the IdP's logs name it); a hop never sent has none.
      id: hop.requestHeaders['x-request-id'] ?? `federation-${++hopCounter}`,
      method: hop.method,
      url: secrets.redact(hop.url),
      requestHeaders: hop.requestHeaders,
      ...(hop.status ? { status: hop.status, responseHeaders: hop.responseHeaders } : {}),
      ...(hop.body !== undefined ? { responseBody: secrets.redact(hop.body) } : {}),
      ...(json !== undefined ? { json } : {}),
      ms: hop.ms,
      ...(error !== undefined || !hop.status ? { error: error ?? 'no answer' } : {}),
    };
    ctx.run.recordExchange?.(exchange, { scenario: ctx.name, step: step.label });
    return exchange;
  });
}

function describe(outcome: LoginOutcome): string {
  switch (outcome.kind) {
    case 'landed':
      return `landed at ${outcome.hops.at(-1)?.url ?? 'the app'}`;
    case 'refused':
      return `refused (${outcome.error}${outcome.description ? `: ${outcome.description}` : ''})`;
    case 'held':
      return "the IdP's answer was kept from the app";
    default:
      return outcome.message;
  }
}

/** userName is caseExact false (RFC 7643 §4.1.1): the app may store it in another case. */
function sameUserName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
