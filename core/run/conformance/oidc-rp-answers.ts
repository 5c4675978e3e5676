// The oidc-rp suite's cases on the way back: the authorization response (code, state, iss) as
// someone between the IdP and the app could change it, or deliver it to another browser. Each
// starts from an ordinary sign-in whose answer is intercepted in the person's own browser; the
// app must not sign anyone in from the changed or misdelivered answer. The ID token cases are in
// oidc-rp.ts.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo } from '../lifecycle/state.ts';
import type { RunFederation } from '../federation.ts';
import type { IdentityValue } from '../../spec/types.ts';
import type { CheckResult } from '../result.ts';
import type { Exchange } from '../../scim/exchange.ts';
import type { RuleId } from '../../checks/rules.ts';
import { UserAgent, UserAgentError, type Hop } from '../../federation/user-agent.ts';
import { deliverAnswer, type IdpAnswer, type LoginOutcome } from '../../federation/login.ts';
import { exchangesOf, sessionOf, type FederatedPerson } from '../lifecycle/login.ts';
import { adoptAccount, describe, signIn, type Attempt } from './sign-in.ts';
import type { Suite } from './suite.ts';

/** An issuer that is not the app's IdP, as another IdP's answer would name it (RFC 9207 §2). */
const OTHER_ISSUER = 'https://other-idp.invalid';

interface Case {
  ctx: ScenarioContext;
  suite: Suite;
  federation: RunFederation;
  identity: Record<string, IdentityValue>;
  step: StepInfo;
  usable: CheckResult;
}

/** What one attempt came to: who the app signed in (if anyone), why not, and the exchanges. */
interface Delivery {
  signedInAs?: string;
  outcome: LoginOutcome;
  evidence: Exchange[];
}

export async function answerCases(c: Case, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  await stateCase(c, tagged, `${tag}-state`);
  await mixUpCase(c, tagged, `${tag}-mix-up`);
  await codeInjectionCase(c, tagged, `${tag}-injection`);
}

/**
 * The state the app sent must come back: an answer with another state, or none, is refused
 * (RFC 6749 §10.12). An app that sends no state relies on PKCE for this (RFC 9700 §2.1): skipped.
 */
async function stateCase(c: Case, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const rule: RuleId = 'oidc-rp.state';
  const title = 'the app refuses an authorization response whose state is not the one it sent';
  if (c.usable.status !== 'pass') return void c.suite.blocked(rule, rule, title, c.usable, 'no ordinary sign-in worked');
  const variants = [
    { label: 'forged', what: 'another state', change: (p: URLSearchParams) => p.set('state', 'not-the-state-the-app-sent') },
    { label: 'missing', what: 'no state', change: (p: URLSearchParams) => p.delete('state') },
  ];
  for (const variant of variants) {
    let sentState = true;
    const attempt = await signIn(c.ctx, c.federation, tagged, `${tag}-${variant.label}`, `state-${variant.label}`, c.identity, {
      interceptAnswer: (answer) => {
        sentState = answer.params.has('state');
        return sentState ? changed(answer, variant.change) : undefined;
      },
    });
    await adoptAccount(c.ctx, attempt.userName, c.step);
    if (!sentState) {
      return void c.suite.skipped(rule, rule, title, 'the app sends no state: PKCE protects its redirect URI instead (RFC 9700 §2.1)');
    }
    if (attempt.signedInAs !== undefined) return void failed(c, rule, title, attempt, `an authorization response with ${variant.what}`);
  }
  c.suite.check(rule, rule, title, true, '');
}

/** An answer naming another issuer in `iss` is refused (RFC 9207 §2.4), where the IdP sends one. */
async function mixUpCase(c: Case, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const rule: RuleId = 'oidc-rp.mix-up';
  const title = "the app refuses an authorization response whose iss is another IdP's";
  if (c.usable.status !== 'pass') return void c.suite.blocked(rule, rule, title, c.usable, 'no ordinary sign-in worked');
  let sentIss = true;
  const attempt = await signIn(c.ctx, c.federation, tagged, tag, 'mix-up', c.identity, {
    interceptAnswer: (answer) => {
      sentIss = answer.params.has('iss');
      return sentIss ? changed(answer, (p) => p.set('iss', OTHER_ISSUER)) : undefined;
    },
  });
  await adoptAccount(c.ctx, attempt.userName, c.step);
  if (!sentIss) return void c.suite.skipped(rule, rule, title, 'the IdP sent no iss in its authorization response');
  if (attempt.signedInAs !== undefined) return void failed(c, rule, title, attempt, `an authorization response from ${OTHER_ISSUER}`);
  c.suite.check(rule, rule, title, true, '');
}

/**
 * Authorization code injection (RFC 9700 §4.5): the person's answer, kept from their browser,
 * delivered in an attacker's browser that started a sign-in of its own: as it came, and with the
 * attacker's own state put in. The app must not sign the attacker in as the person (PKCE, or the
 * nonce, binds a code to the browser that asked for it).
 */
async function codeInjectionCase(c: Case, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const rule: RuleId = 'oidc-rp.code-injection';
  const title = "the app signs no one in with an authorization code from another browser's sign-in";
  if (c.usable.status !== 'pass') return void c.suite.blocked(rule, rule, title, c.usable, 'no ordinary sign-in worked');
  const variants = [
    { label: 'as-sent', what: "another browser's authorization response, as the IdP sent it", ownState: false },
    { label: 'own-state', what: "another browser's authorization code, with the attacker's own state", ownState: true },
  ];
  for (const variant of variants) {
    let answer: IdpAnswer | undefined;
    const victim = await signIn(c.ctx, c.federation, tagged, `${tag}-${variant.label}`, `injection-${variant.label}`, c.identity, {
      interceptAnswer: (held) => void (answer = held),
    });
    if (!answer) {
      await adoptAccount(c.ctx, victim.userName, c.step);
      return void c.suite.check(
        rule,
        rule,
        title,
        false,
        `the sign-in whose answer was to be injected never got one (${describe(victim.outcome)})`,
        {
          evidence: victim.evidence,
        },
      );
    }
    const attempt = await deliverElsewhere(c, `injection-${variant.label}-attacker`, answer, variant.ownState);
    await adoptAccount(c.ctx, victim.userName, c.step);
    if (attempt === 'no-state') continue;
    if (attempt.signedInAs !== undefined) {
      return void c.suite.check(
        rule,
        rule,
        title,
        false,
        `the app signed the attacker's browser in as ${attempt.signedInAs} with ${variant.what}`,
        {
          expected: 'no session',
          actual: `signed in as ${attempt.signedInAs}`,
          evidence: [...victim.evidence, ...attempt.evidence],
        },
      );
    }
  }
  c.suite.check(rule, rule, title, true, '');
}

/**
 * An attacker's browser: starts a sign-in at the app (so it has a login in progress, and a state
 * of its own), then delivers `answer` there, with its own state put in when `ownState` (or
 * 'no-state' when either sign-in carries none: then there is nothing to swap).
 */
async function deliverElsewhere(c: Case, label: string, answer: IdpAnswer, ownState: boolean): Promise<Delivery | 'no-state'> {
  const { ctx, federation, step } = c;
  const agent = new UserAgent({ allowedOrigins: federation.allowedOrigins, timeoutMs: ctx.run.requestTimeoutMs, signal: ctx.signal });
  const person: FederatedPerson = { agent, sub: `${ctx.run.runId}.${ctx.name}.${label}`, signedInBefore: false, removed: false };
  try {
    let started: Hop[];
    try {
      started = await agent.navigate(federation.start);
    } catch (error) {
      if (!(error instanceof UserAgentError)) throw error;
      started = error.hops;
    }
    let delivered = answer;
    if (ownState) {
      const state = stateSentFrom(agent, started, federation.idp.issuer);
      if (state === undefined || !answer.params.has('state')) return 'no-state';
      delivered = changed(answer, (p) => p.set('state', state));
    }
    const outcome = await deliverAnswer(agent, delivered, federation.idp);
    const evidence = exchangesOf(ctx, [...started, ...outcome.hops], step);
    const session = outcome.kind === 'landed' ? await sessionOf(ctx, federation, person, step) : undefined;
    return {
      outcome,
      ...(session?.userName ? { signedInAs: session.userName } : {}),
      evidence: [...evidence, ...(session ? [session.exchange] : [])],
    };
  } finally {
    await agent.close();
  }
}

/** The state in the app's authorization request: the redirect that took the browser to the IdP. */
function stateSentFrom(agent: UserAgent, hops: Hop[], issuer: string): string | undefined {
  const idpOrigin = new URL(issuer).origin;
  for (const hop of hops) {
    const location = agent.locationOf(hop);
    if (location === undefined) continue;
    const url = new URL(location, hop.url);
    if (url.origin === idpOrigin && url.searchParams.has('state')) return url.searchParams.get('state') ?? undefined;
  }
  return undefined;
}

function changed(answer: IdpAnswer, change: (params: URLSearchParams) => void): IdpAnswer {
  const params = new URLSearchParams(answer.params);
  change(params);
  return { ...answer, params };
}

function failed(c: Case, rule: RuleId, title: string, attempt: Attempt, what: string): void {
  c.suite.check(rule, rule, title, false, `the app signed the person in as ${attempt.signedInAs} with ${what}`, {
    expected: 'no session',
    actual: `signed in as ${attempt.signedInAs}`,
    evidence: attempt.evidence,
  });
}
