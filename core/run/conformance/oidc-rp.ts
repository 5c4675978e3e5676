// The oidc-rp suite: the app as an OpenID Connect relying party. One person signs in normally
// (the precondition of everything else), then one more person per case, each getting an ID token
// with exactly one defect from provspec's IdP (core/federation/tamper.ts). The app must not sign
// any of them in. After the OpenID Foundation's RP tests; every check at the suite's item.
import type { ScenarioContext } from '../context.ts';
import type { RuleId } from '../../checks/rules.ts';
import type { IdTokenTamper } from '../../federation/tamper.ts';
import { Suite } from './suite.ts';
import { adoptAccount, describe, signIn, startSuite } from './sign-in.ts';
import { answerCases } from './oidc-rp-answers.ts';

/**
 * The defects, each a MUST or SHOULD of §2 or §3.1.3.7. Not a foreign signature, nor an unknown
 * kid: in the code flow the ID token comes straight from the token endpoint, and item 6 lets the
 * app validate the issuer by TLS instead of the signature (openid-client does), so refusing
 * either is not required.
 */
const CASES: ReadonlyArray<{ tamper: Exclude<IdTokenTamper, 'rollover-key'>; rule: RuleId }> = [
  { tamper: 'alg-none', rule: 'oidc-rp.alg-none' },
  { tamper: 'hs256', rule: 'oidc-rp.hs256' },
  { tamper: 'wrong-iss', rule: 'oidc-rp.wrong-iss' },
  { tamper: 'wrong-aud', rule: 'oidc-rp.wrong-aud' },
  { tamper: 'extra-aud', rule: 'oidc-rp.extra-aud' },
  { tamper: 'expired', rule: 'oidc-rp.expired' },
  { tamper: 'wrong-nonce', rule: 'oidc-rp.wrong-nonce' },
  { tamper: 'missing-sub', rule: 'oidc-rp.missing-sub' },
];

const WHAT: Record<IdTokenTamper, string> = {
  'alg-none': 'unsigned (alg none)',
  hs256: 'MACed with the client secret (HS256) instead of signed with RS256',
  'wrong-iss': 'naming another issuer',
  'wrong-aud': 'issued to another client',
  'extra-aud': 'issued to another client (azp), with the app as one more audience',
  expired: 'that expired an hour ago',
  'wrong-nonce': 'with a nonce the app did not send',
  'missing-sub': 'that names no subject (no sub)',
  'rollover-key': "signed with the IdP's other published key",
};

export async function oidcRpSuite(ctx: ScenarioContext, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const suite = new Suite(ctx, tagged, tag);
  const start = await startSuite(ctx, suite, 'oidc');
  const oidc = start?.federation.idp.oidc;
  if (!start || !oidc) return;
  const { federation, identity, step, baseline, usable } = start;
  const grant = oidc.lastCodeGrant(baseline.sub);
  if (usable.status === 'pass') {
    suite.check(
      'oidc-rp.pkce',
      'oidc-rp.pkce',
      'the app sends a PKCE code challenge (S256)',
      grant?.codeChallengeMethod === 'S256',
      grant?.codeChallengeMethod
        ? `the app sent a PKCE challenge with method ${grant.codeChallengeMethod}, not S256`
        : 'the app sent no PKCE code challenge: a stolen authorization code could be redeemed by whoever holds it',
      { evidence: baseline.evidence },
    );
  } else suite.blocked('oidc-rp.pkce', 'oidc-rp.pkce', 'the app sends a PKCE code challenge (S256)', usable, 'no sign-in worked');

  for (const [i, { tamper, rule }] of CASES.entries()) {
    const title = `the app refuses an ID token ${WHAT[tamper]}`;
    if (usable.status !== 'pass') {
      suite.blocked(rule, rule, title, usable, 'no ordinary sign-in worked');
      continue;
    }
    if (tamper === 'wrong-nonce' && grant && !grant.nonce) {
      suite.skipped(rule, rule, title, 'the app sends no nonce, so there is none to check (§3.1.3.7 asks only when one was sent)');
      continue;
    }
    if (tamper === 'hs256' && !oidc.confidential) {
      suite.skipped(rule, rule, title, 'the app is a public client: it has no secret an HS256 token could be MACed with');
      continue;
    }
    const attempt = await signIn(ctx, federation, tagged, `${tag}-${i + 1}`, tamper, identity, {
      arrange: (sub) => oidc.tamperNextIdToken(sub, tamper),
    });
    const accepted = attempt.signedInAs !== undefined;
    // Even a refusing app may have made the account first: whatever it made is the run's to remove.
    await adoptAccount(ctx, attempt.userName, step);
    suite.check(rule, rule, title, !accepted, `the app signed the person in as ${attempt.signedInAs} with an ID token ${WHAT[tamper]}`, {
      expected: 'no session',
      actual: `signed in as ${attempt.signedInAs}`,
      evidence: attempt.evidence,
    });
  }

  // Not a defect: the IdP's other published key, which the app must take as it takes the first.
  const rolloverTitle = "the app takes an ID token signed with the IdP's other published key, as after a key rollover";
  if (usable.status !== 'pass') {
    suite.blocked('oidc-rp.key-rollover', 'oidc-rp.key-rollover', rolloverTitle, usable, 'no ordinary sign-in worked');
  } else {
    const attempt = await signIn(ctx, federation, tagged, `${tag}-rollover`, 'rollover-key', identity, {
      arrange: (sub) => oidc.tamperNextIdToken(sub, 'rollover-key'),
    });
    await adoptAccount(ctx, attempt.userName, step);
    suite.check(
      'oidc-rp.key-rollover',
      'oidc-rp.key-rollover',
      rolloverTitle,
      attempt.signedInAs !== undefined,
      `no session with an ID token ${WHAT['rollover-key']} (${describe(attempt.outcome)}): sign-in stops at the IdP's next key rollover`,
      { expected: 'a session', actual: describe(attempt.outcome), evidence: attempt.evidence },
    );
  }

  await answerCases({ ctx, suite, federation, identity, step, usable }, tagged, tag);
}
