// Classic just-in-time provisioning bugs of a relying party, each reproducible on demand so that
// the runner's federation checks can prove they are able to fail. Kept apart from the SCIM
// misbehaviours: those are flags of the SCIM endpoint, these of the app that signs users in.
export const FEDERATION_MISBEHAVIOURS = [
  'jit-no-update',
  'jit-single-group-dropped',
  'jit-links-by-email',
  'jit-session-survives-removal',
  'jit-links-unverified-email',
  'jit-accepts-wrong-audience',
  'jit-accepts-alg-none',
  'jit-accepts-wrong-issuer',
  'jit-accepts-expired',
  'jit-skips-nonce',
  'jit-accepts-hs256',
  'jit-accepts-extra-audience',
  'jit-accepts-missing-sub',
  'jit-pins-first-key',
  'jit-ignores-state',
  'jit-tx-by-state',
  'jit-ignores-iss-parameter',
  'jit-no-pkce',
  'jit-race-duplicates',
  'jit-backchannel-behind-login',
] as const;

export type FederationMisbehaviour = (typeof FEDERATION_MISBEHAVIOURS)[number];

export const FEDERATION_MISBEHAVIOUR_DESCRIPTIONS: Record<FederationMisbehaviour, string> = {
  'jit-no-update': 'later logins never update the user: only the first login sets its attributes and groups',
  'jit-single-group-dropped': 'a groups claim with one element (or a lone string) is read as no groups',
  'jit-links-by-email': 'accounts are keyed by email, not (iss, sub): an email changed at the IdP gives a second account',
  'jit-session-survives-removal': 'back-channel logout tokens are answered 200 and ignored, and a session never re-checks its user',
  'jit-links-unverified-email': 'an existing user is linked by email even when the IdP does not say email_verified',
  'jit-accepts-wrong-audience': "an ID token whose aud lacks the app's client_id signs the person in from its unverified claims",
  'jit-accepts-alg-none': 'an unsigned ID token (alg none) signs the person in from its unverified claims',
  'jit-accepts-wrong-issuer': "an ID token whose iss is not the IdP's signs the person in from its unverified claims",
  'jit-accepts-expired': 'an ID token whose exp has passed signs the person in from its unverified claims',
  'jit-skips-nonce': 'the app sends a nonce but signs the person in whatever other nonce the ID token carries',
  'jit-accepts-hs256': 'an ID token MACed with the client secret (HS256) signs the person in, though the app registered RS256',
  'jit-accepts-extra-audience': 'an ID token issued to another client (azp) signs the person in as long as the app is one of its audiences',
  'jit-accepts-missing-sub': 'an ID token without a sub signs the person in, keyed by the subject "undefined"',
  'jit-pins-first-key': "ID tokens are verified with the first key of the IdP's JWKS, whatever their kid: a rollover breaks sign-in",
  'jit-ignores-state': "the authorization response's state is not compared with the one sent: another, or none, is taken",
  'jit-tx-by-state':
    "the login in progress is looked up by the state in the callback, not by the browser's cookie: a response finishes in any browser",
  'jit-ignores-iss-parameter':
    "the authorization response's iss parameter (RFC 9207) is not compared with the IdP: an answer naming another IdP is taken",
  'jit-no-pkce': 'the authorization request carries no PKCE code_challenge (nor the token request a code_verifier)',
  'jit-race-duplicates': 'a first sign-in looks the account up, waits on I/O, then creates it: a second sign-in in that gap fails',
  'jit-backchannel-behind-login':
    'the back-channel logout endpoint sits behind the login wall: a logout token gets a 302 to /app/login and ends nothing',
};

export function isFederationMisbehaviour(name: string): name is FederationMisbehaviour {
  return (FEDERATION_MISBEHAVIOURS as readonly string[]).includes(name);
}

export function parseFederationMisbehaviours(text: string): FederationMisbehaviour[] {
  const out: FederationMisbehaviour[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isFederationMisbehaviour(part)) {
      throw new Error(`Unknown federation misbehaviour "${part}". Known: ${FEDERATION_MISBEHAVIOURS.join(', ')}.`);
    }
    out.push(part);
  }
  return out;
}
