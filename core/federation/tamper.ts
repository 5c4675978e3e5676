// ID tokens as a hostile or broken IdP would issue them, for testing that an app refuses them
// (OpenID Connect Core 1.0 §2 and §3.1.3.7): the token the IdP made, with one thing wrong and
// every other part intact, so a refusal can only be for that one thing. One is not a defect:
// `rollover-key` is the token signed with the IdP's other published key, as after a key
// rollover, which an app must take.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';

export const ID_TOKEN_TAMPERS = [
  'alg-none',
  'wrong-iss',
  'wrong-aud',
  'extra-aud',
  'expired',
  'wrong-nonce',
  'missing-sub',
  'hs256',
  'rollover-key',
] as const;
export type IdTokenTamper = (typeof ID_TOKEN_TAMPERS)[number];

/** The keys a tampered token may be signed with. */
export interface TamperKeys {
  /** The key the IdP signs with (the token's own kid). */
  signing: KeyObject;
  /** The IdP's other published key: in its JWKS from the start, signing nothing but `rollover-key` tokens. */
  rollover: { key: KeyObject; kid: string };
  /** The client's secret: the HS256 key `hs256` MACs with (OpenID Connect Core §10.1); absent for a public client. */
  clientSecret?: string;
}

/** The audience `wrong-aud` and `extra-aud` name: a client that is not the app. */
export const OTHER_CLIENT = 'another-client';

/** The token with one defect; the token's own header (alg, kid) signs what is re-signed, unless the defect is the key. */
export async function tamperIdToken(token: string, tamper: IdTokenTamper, keys: TamperKeys): Promise<string> {
  const header = decodeProtectedHeader(token);
  const payload: JWTPayload = { ...decodeJwt(token) };
  const now = Math.floor(Date.now() / 1000);
  switch (tamper) {
    case 'alg-none':
      return `${base64url({ alg: 'none', typ: header.typ ?? 'JWT' })}.${base64url(payload)}.`;
    case 'hs256': {
      if (keys.clientSecret === undefined) throw new Error('an HS256 ID token needs a client secret: the client is public');
      const { kid: _none, ...rest } = header;
      return new SignJWT(payload).setProtectedHeader({ ...rest, alg: 'HS256' }).sign(createSecretKey(Buffer.from(keys.clientSecret)));
    }
    case 'rollover-key':
      return new SignJWT(payload).setProtectedHeader({ ...header, alg: 'RS256', kid: keys.rollover.kid }).sign(keys.rollover.key);
    case 'wrong-iss':
      payload.iss = `${payload.iss ?? ''}/not-this-issuer`;
      break;
    case 'wrong-aud':
      payload.aud = OTHER_CLIENT;
      delete payload['azp'];
      break;
    case 'extra-aud': {
      // Issued to another client (azp), with the app as one more audience: §3.1.3.7 item 3 refuses
      // audiences the app does not trust, items 4 and 5 check who the token was issued to.
      const audiences = Array.isArray(payload.aud) ? payload.aud : payload.aud === undefined ? [] : [payload.aud];
      payload.aud = [...audiences, OTHER_CLIENT];
      payload['azp'] = OTHER_CLIENT;
      break;
    }
    case 'expired':
      payload.iat = now - 7200;
      payload.exp = now - 3600;
      break;
    case 'wrong-nonce':
      payload['nonce'] = 'not-the-nonce-the-app-sent';
      break;
    case 'missing-sub':
      delete payload.sub;
      break;
  }
  return new SignJWT(payload).setProtectedHeader({ ...header, alg: header.alg ?? 'RS256' }).sign(keys.signing);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
