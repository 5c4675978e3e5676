// The saml-sp suite: the app as a SAML 2.0 service provider. One person signs in normally (the
// precondition of everything else), then one more person per case, each getting a Response with
// exactly one defect from provspec's IdP (core/federation/saml-idp.ts). The app must not sign any
// of them in (SAML 2.0 Profiles §4.1.4.3 and §4.1.4.5). Every check at the suite's item.
import type { ScenarioContext } from '../context.ts';
import type { RuleId } from '../../checks/rules.ts';
import type { SamlTamper } from '../../federation/saml-idp.ts';
import { Suite } from './suite.ts';
import { adoptAccount, describe, signIn, startSuite, type SuiteStart } from './sign-in.ts';
import type { CheckResult } from '../result.ts';
import { mappedValues, scenarioIdentity } from '../identity.ts';
import { findByUserName } from '../lifecycle/verify.ts';
import type { IdentityValue } from '../../spec/types.ts';

const CASES: ReadonlyArray<{ tamper: SamlTamper; rule: RuleId; what: string }> = [
  { tamper: 'unsigned', rule: 'saml-sp.unsigned', what: 'with no signature on the Response or the Assertion' },
  { tamper: 'other-key', rule: 'saml-sp.other-key', what: 'signed with a key that is not the IdP’s' },
  { tamper: 'modified', rule: 'saml-sp.modified', what: 'whose NameID was changed after it was signed' },
  { tamper: 'wrong-audience', rule: 'saml-sp.wrong-audience', what: 'addressed to another service provider (Audience)' },
  { tamper: 'wrong-recipient', rule: 'saml-sp.wrong-recipient', what: 'meant for another ACS URL (Destination, Recipient)' },
  { tamper: 'expired', rule: 'saml-sp.expired', what: 'that expired an hour ago (NotOnOrAfter)' },
  { tamper: 'unknown-in-response-to', rule: 'saml-sp.unknown-in-response-to', what: 'to an AuthnRequest the app never sent' },
  { tamper: 'replayed', rule: 'saml-sp.replayed', what: 'it already took once (the same assertion, sent again)' },
  { tamper: 'wrapped', rule: 'saml-sp.wrapped', what: 'wrapping a forged, unsigned assertion around the signed one' },
  {
    tamper: 'comment-in-name-id',
    rule: 'saml-sp.comment-in-name-id',
    what: "whose signed NameID has an XML comment in it, before a suffix that makes it another person's",
  },
];

/** The userName the `wrapped` forgery would get: the mapping of the identity with every value `evil.`-prefixed, as the IdP forges it. */
function forgedUserName(ctx: ScenarioContext, identity: Record<string, IdentityValue>): string | undefined {
  const evil = (v: IdentityValue): IdentityValue =>
    typeof v === 'string' ? `evil.${v}` : Array.isArray(v) ? v.map((x) => `evil.${x}`) : v;
  const forged = Object.fromEntries(Object.entries(identity).map(([k, v]) => [k, evil(v)]));
  const userName = mappedValues(ctx.run.spec, ctx.scope({ identity: forged })).find((v) => v.path === 'userName')?.value;
  return typeof userName === 'string' ? userName : undefined;
}

export async function samlSpSuite(ctx: ScenarioContext, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const suite = new Suite(ctx, tagged, tag);
  const start = await startSuite(ctx, suite, 'saml');
  const saml = start?.federation.idp.saml;
  if (!start || !saml) return;
  const { federation, identity, step, usable } = start;
  const results = new Map<SamlTamper, CheckResult>();
  for (const [i, { tamper, rule, what }] of CASES.entries()) {
    const title = `the app refuses a Response ${what}`;
    if (usable.status !== 'pass') {
      suite.blocked(rule, rule, title, usable, 'no ordinary sign-in worked');
      continue;
    }
    const caseTag = `${tag}-${i + 1}`;
    // A replay needs a Response to replay: the person signs in once as usual (in a browser of their own).
    if (tamper === 'replayed') await adoptAccount(ctx, (await signIn(ctx, federation, tagged, caseTag, tamper, identity)).userName, step);
    // Comment injection needs a victim: a person whose NameID is the attacker's cut short at its last dot.
    let victim: string | undefined;
    let victimAccounts: string[] | undefined;
    if (tamper === 'comment-in-name-id') {
      const signedIn = await signIn(ctx, federation, tagged, `${caseTag}-victim`, 'comment', identity);
      await adoptAccount(ctx, signedIn.userName, step);
      victim = signedIn.signedInAs;
      if (victim !== undefined) victimAccounts = (await findByUserName(ctx, victim, step.label)).ids;
      if (victim === undefined) {
        // Not a verdict: the baseline passed, so the case could not be set up rather than failed.
        ctx.check(rule, rule, title, ctx.planned.range, 'error', {
          message: `the victim's sign-in did not end in a session (${describe(signedIn.outcome)}): there was no one to impersonate`,
          evidence: signedIn.evidence,
        });
        continue;
      }
    }
    const attempt = await signIn(
      ctx,
      federation,
      tagged,
      caseTag,
      tamper === 'comment-in-name-id' ? 'comment.attacker' : tamper,
      identity,
      {
        arrange: (sub) => saml.tamperNextResponse(sub, tamper),
      },
    );
    // Wrapped: what is wrong is signing in as the forgery; the signed assertion's own person is its right.
    const forged = tamper === 'wrapped' ? forgedUserName(ctx, scenarioIdentity(identity, tagged, caseTag)) : undefined;
    if (forged) await adoptAccount(ctx, forged, step);
    // Wrapped and comment injection: what is wrong is signing in as someone else (the forgery, the
    // victim); signing in as the signed assertion's own person is its right.
    const impersonated = tamper === 'wrapped' ? forged : victim;
    let accepted =
      attempt.signedInAs !== undefined &&
      (impersonated === undefined ? !['wrapped', 'comment-in-name-id'].includes(tamper) : sameName(attempt.signedInAs, impersonated));
    // An app that updates the account at each sign-in renames the victim's account to the
    // attacker's values: the account the attacker reached is then the victim's, whatever it is named.
    if (!accepted && attempt.signedInAs !== undefined && victimAccounts?.length) {
      const reached = (await findByUserName(ctx, attempt.signedInAs, step.label)).ids ?? [];
      accepted = reached.some((id) => victimAccounts.includes(id));
    }
    // Even a refusing app may have made the account first: whatever it made is the run's to remove.
    await adoptAccount(ctx, attempt.userName, step);
    const message =
      tamper === 'comment-in-name-id'
        ? `the app signed the attacker in to the account of ${victim} (now named ${attempt.signedInAs}) with a Response ${what}`
        : `the app signed the person in as ${attempt.signedInAs} with a Response ${what}`;
    results.set(
      tamper,
      suite.check(rule, rule, title, !accepted, message, {
        expected: 'no session',
        actual: accepted ? `signed in as ${attempt.signedInAs}` : describe(attempt.outcome),
        evidence: attempt.evidence,
      }),
    );
  }
  await declaredCases(ctx, start, tagged, tag, results);
}

/**
 * What an SP may take or refuse as it chooses, declared in the spec (federation.sp): a Response
 * that answers no request, as an IdP-initiated sign-in sends it (SAML profiles §4.1.5), and one
 * signed with SHA-1 (XML Signature 1.1 discourages it; many SPs still take it). Each is checked
 * at the line that declares it, refused or taken as declared; not declared, not checked.
 */
const DECLARED: ReadonlyArray<{
  field: 'unsolicited' | 'sha1';
  tamper: SamlTamper;
  rule: RuleId;
  what: string;
  /** The check whose failure already explains taking it: one defect, one failure. */
  refusalNeeds?: SamlTamper;
}> = [
  {
    field: 'unsolicited',
    tamper: 'unsolicited',
    rule: 'saml-sp.unsolicited',
    what: 'an unsolicited Response (no InResponseTo)',
    refusalNeeds: 'unknown-in-response-to',
  },
  { field: 'sha1', tamper: 'sha1', rule: 'saml-sp.sha1', what: 'a Response signed with RSA-SHA1 over SHA-1 digests' },
];

async function declaredCases(
  ctx: ScenarioContext,
  start: SuiteStart,
  tagged: ReadonlySet<string>,
  tag: string,
  results: ReadonlyMap<SamlTamper, CheckResult>,
): Promise<void> {
  for (const { field, tamper, rule, what, refusalNeeds } of DECLARED) {
    const declared = ctx.run.spec.federation?.sp?.[field];
    const title = `the app ${declared === 'accepted' ? 'takes' : 'refuses'} ${what}, as the spec declares`;
    if (!declared) {
      ctx.check(rule, rule, title, ctx.planned.range, 'skipped', {
        message: `the spec does not say whether the app takes ${what} (federation.sp.${field})`,
      });
      continue;
    }
    const range = ctx.range(`/federation/sp/${field}`);
    if (start.usable.status !== 'pass') {
      ctx.blocked(rule, rule, title, range, start.usable, 'no ordinary sign-in worked');
      continue;
    }
    const needed = refusalNeeds === undefined ? undefined : results.get(refusalNeeds);
    if (declared === 'refused' && needed && needed.status !== 'pass') {
      ctx.blocked(rule, rule, title, range, needed, `the app already failed ${needed.id}, which takes this with it`);
      continue;
    }
    const saml = start.federation.idp.saml!;
    const attempt = await signIn(ctx, start.federation, tagged, `${tag}-${field}`, field, start.identity, {
      arrange: (sub) => saml.tamperNextResponse(sub, tamper),
    });
    await adoptAccount(ctx, attempt.userName, start.step);
    const signedIn = attempt.signedInAs !== undefined;
    const ok = declared === 'accepted' ? signedIn : !signedIn;
    ctx.check(rule, rule, title, range, ok ? 'pass' : 'fail', {
      message: ok
        ? ''
        : declared === 'accepted'
          ? `the spec says the app takes ${what}, but one did not sign the person in (${describe(attempt.outcome)})`
          : `the spec says the app refuses ${what}, but one signed the person in as ${attempt.signedInAs}`,
      expected: declared === 'accepted' ? 'a session' : 'no session',
      actual: signedIn ? `signed in as ${attempt.signedInAs}` : describe(attempt.outcome),
      evidence: attempt.evidence,
    });
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
