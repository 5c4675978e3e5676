// What the federation suites share: people who each sign in once, with their own copy of the
// identity and their own browser, after the IdP was told to spoil what it sends them; and the
// account an app made for any of them, which the run removes like its own.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo } from '../lifecycle/state.ts';
import type { IdentityValue } from '../../spec/types.ts';
import { UserAgent } from '../../federation/user-agent.ts';
import { login, type LoginOutcome } from '../../federation/login.ts';
import { mappedValues, scenarioIdentity } from '../identity.ts';
import { claimsOf, exchangesOf, sessionOf, type FederatedPerson } from '../lifecycle/login.ts';
export { adoptAccount } from '../lifecycle/login.ts';
import type { RunFederation } from '../federation.ts';

export interface Attempt {
  sub: string;
  outcome: LoginOutcome;
  signedInAs?: string;
  userName?: string;
  evidence: ReturnType<typeof exchangesOf>;
}

/** One person (their own copy of the identity, their own browser) signs in, after `arrange` (the next ID token tampered with). */
export async function signIn(
  ctx: ScenarioContext,
  federation: RunFederation,
  tagged: ReadonlySet<string>,
  tag: string,
  label: string,
  identity: Record<string, IdentityValue>,
  /** What to arrange at the IdP once the person's account is there (a tampered token). */
  arrange?: (sub: string) => void,
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
    arrange?.(sub);
    const outcome = await login(person.agent, federation.start, federation.idp, sub);
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
  return outcome.message;
}
