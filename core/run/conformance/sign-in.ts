// What the federation suites share: people who each sign in once, with their own copy of the
// identity and their own browser, after the IdP was told to spoil what it sends them; and the
// account an app made for any of them, which the run removes like its own.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo } from '../lifecycle/state.ts';
import type { IdentityValue } from '../../spec/types.ts';
import { UserAgent } from '../../federation/user-agent.ts';
import { login, type IdpAnswer, type LoginOutcome } from '../../federation/login.ts';
import { mappedValues, scenarioIdentity } from '../identity.ts';
import { adoptAccount, claimsOf, exchangesOf, federationOf, sessionOf, type FederatedPerson } from '../lifecycle/login.ts';
import type { CheckResult } from '../result.ts';
import type { Suite } from './suite.ts';

export { adoptAccount };
import type { RunFederation } from '../federation.ts';

export interface Attempt {
  sub: string;
  outcome: LoginOutcome;
  signedInAs?: string;
  userName?: string;
  evidence: ReturnType<typeof exchangesOf>;
}

/** What is done to one sign-in: at the IdP before it, and to the IdP's answer on its way. */
export interface Spoiling {
  /** What to arrange at the IdP once the person's account is there (a tampered token). */
  arrange?: (sub: string) => void;
  /** What the browser's side does to the IdP's answer (login's interceptAnswer). */
  interceptAnswer?: (answer: IdpAnswer) => IdpAnswer | undefined;
}

/** One person (their own copy of the identity, their own browser) signs in, spoilt as asked. */
export async function signIn(
  ctx: ScenarioContext,
  federation: RunFederation,
  tagged: ReadonlySet<string>,
  tag: string,
  label: string,
  identity: Record<string, IdentityValue>,
  spoiling: Spoiling = {},
): Promise<Attempt> {
  const copy = scenarioIdentity(identity, tagged, tag);
  const sub = `${ctx.run.runId}.${ctx.name}.${label}`;
  const person: FederatedPerson = {
    agent: new UserAgent({ allowedOrigins: federation.allowedOrigins, timeoutMs: ctx.run.requestTimeoutMs, signal: ctx.signal }),
    sub,
    signedInBefore: false,
    removed: false,
  };
  const step: StepInfo = { index: 0, kind: 'oidc-rp', label: `oidc-rp.${label}`, pointer: ctx.planned.pointer, range: ctx.planned.range };
  try {
    federation.idp.setAccount({ sub, claims: claimsOf(ctx, copy, federation) });
    spoiling.arrange?.(sub);
    const outcome = await login(person.agent, federation.start, federation.idp, sub, {
      ...(spoiling.interceptAnswer ? { interceptAnswer: spoiling.interceptAnswer } : {}),
    });
    const evidence = exchangesOf(ctx, outcome.hops, step);
    const session = outcome.kind === 'landed' ? await sessionOf(ctx, federation, person, step) : undefined;
    const userName = mappedValues(ctx.run.spec, ctx.scope({ identity: copy })).find((v) => v.path === 'userName')?.value;
    return {
      sub,
      outcome,
      ...(session?.userName ? { signedInAs: session.userName } : {}),
      ...(typeof userName === 'string' ? { userName } : {}),
      evidence: [...evidence, ...(session ? [session.exchange] : [])],
    };
  } finally {
    await person.agent.close();
  }
}

export function describe(outcome: LoginOutcome): string {
  if (outcome.kind === 'landed') return 'it landed, but the session answer names nobody';
  if (outcome.kind === 'refused') return `refused: ${outcome.error}${outcome.description ? ` (${outcome.description})` : ''}`;
  if (outcome.kind === 'held') return "the IdP's answer was kept from the app";
  return outcome.message;
}

/** What a suite starts from: the run's IdP, its first identity, and whether an ordinary sign-in works. */
export interface SuiteStart {
  federation: RunFederation;
  identity: Record<string, IdentityValue>;
  step: StepInfo;
  baseline: Attempt;
  /** The baseline check: every case is blocked by it when it did not pass. */
  usable: CheckResult;
}

/**
 * The opening both federation suites share: the run's IdP (an error when it is not the protocol the
 * suite tests), the spec's first identity, and one ordinary sign-in, the precondition of every
 * case (without it a refusal would prove nothing).
 */
export async function startSuite(ctx: ScenarioContext, suite: Suite, protocol: 'oidc' | 'saml'): Promise<SuiteStart | undefined> {
  const label = ctx.planned.conformance ?? 'federation';
  const step: StepInfo = { index: 0, kind: label, label, pointer: ctx.planned.pointer, range: ctx.planned.range };
  const federation = await federationOf(ctx, step);
  if (!federation) return undefined;
  if (federation.idp.protocol !== protocol) {
    ctx.verdict('run.completes', label, 'the suite applies', ctx.planned.range, 'error', {
      message: `the ${label} suite needs federation.protocol ${protocol}`,
    });
    return undefined;
  }
  const [name, identity] = Object.entries(ctx.run.spec.identities)[0] ?? [];
  if (!name || !identity) return undefined;
  const baseline = await signIn(ctx, federation, suite.tagged, suite.tag, 'baseline', identity);
  await adoptAccount(ctx, baseline.userName, step);
  const usable = suite.check(
    'federation.login',
    `${label}.baseline`,
    'an ordinary sign-in ends in a session',
    baseline.signedInAs !== undefined,
    `an ordinary sign-in as ${name} did not end in a session (${describe(baseline.outcome)}), so no refusal below would mean anything`,
    { evidence: baseline.evidence },
  );
  return { federation, identity, step, baseline, usable };
}
