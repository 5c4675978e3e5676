// ID tokens as a hostile or broken IdP would issue them, for testing that an app refuses them
// (OpenID Connect Core 1.0 §3.1.3.7): the token the IdP made, with one thing wrong and every
// other part intact, so a refusal can only be for that one thing.
import type { KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';

export const ID_TOKEN_TAMPERS = ['alg-none', 'wrong-iss', 'wrong-aud', 'expired', 'wrong-nonce'] as const;
export type IdTokenTamper = (typeof ID_TOKEN_TAMPERS)[number];

/** The token with one defect; `key` and the token's own header (alg, kid) sign what is re-signed. */
export async function tamperIdToken(token: string, tamper: IdTokenTamper, key: KeyObject): Promise<string> {
  const header = decodeProtectedHeader(token);
  const payload: JWTPayload = { ...decodeJwt(token) };
  const now = Math.floor(Date.now() / 1000);
  switch (tamper) {
    case 'alg-none':
      return `${base64url({ alg: 'none', typ: header.typ ?? 'JWT' })}.${base64url(payload)}.`;
    case 'wrong-iss':
      payload.iss = `${payload.iss ?? ''}/not-this-issuer`;
      break;
    case 'wrong-aud':
      payload.aud = 'another-client';
      delete payload['azp'];
      break;
    case 'expired':
      payload.iat = now - 7200;
      payload.exp = now - 3600;
      break;
    case 'wrong-nonce':
      payload['nonce'] = 'not-the-nonce-the-app-sent';
      break;
  }
  return sign(payload, header, key);
}

function sign(payload: JWTPayload, header: ReturnType<typeof decodeProtectedHeader>, key: KeyObject): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ ...header, alg: header.alg ?? 'RS256' }).sign(key);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
