// Which scope releases which claim, generated from the claims the accounts carry: a standard
// claim in the scope OpenID Connect Core 1.0 §5.4 puts it in, any other claim (groups,
// department, …) in a scope of its own name. An RP asks for the scopes discovery lists and
// gets every claim; nobody keeps a claim-to-scope table in step with the accounts by hand.

/** OpenID Connect Core 1.0 §5.4. */
const STANDARD_SCOPE: Record<string, string> = {
  name: 'profile',
  family_name: 'profile',
  given_name: 'profile',
  middle_name: 'profile',
  nickname: 'profile',
  preferred_username: 'profile',
  profile: 'profile',
  picture: 'profile',
  website: 'profile',
  gender: 'profile',
  birthdate: 'profile',
  zoneinfo: 'profile',
  locale: 'profile',
  updated_at: 'profile',
  email: 'email',
  email_verified: 'email',
  address: 'address',
  phone_number: 'phone',
  phone_number_verified: 'phone',
};

/** Claims the provider sets itself or the ID token needs as it is: never an account's. */
const RESERVED = new Set(['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'auth_time', 'acr', 'amr', 'azp', 'sid', 'at_hash']);

/** RFC 6749 §3.3: a scope token is one or more of these characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Scope name → the claims it releases, for oidc-provider's `claims` setting (openid → sub). */
export function scopesForClaims(claims: readonly string[]): Record<string, string[]> {
  const scopes: Record<string, string[]> = { openid: ['sub'] };
  for (const claim of new Set(claims)) {
    if (claim === 'sub') continue;
    if (RESERVED.has(claim)) throw new Error(`the claim "${claim}" is set by the IdP itself; an account cannot carry it`);
    if (!SCOPE_TOKEN.test(claim)) throw new Error(`the claim name "${claim}" cannot be a scope name (RFC 6749 §3.3 scope characters only)`);
    const scope = STANDARD_SCOPE[claim] ?? claim;
    if (scope === 'openid' || scope === 'offline_access') throw new Error(`the claim name "${claim}" is a reserved scope name`);
    (scopes[scope] ??= []).push(claim);
  }
  return scopes;
}
