import { ApiError } from '../errors.ts';
import { isWellFormedText } from '../schemas.ts';
import { base64url, base64urlDecode, hmacKey } from './crypto.ts';

/** Claims of an embed token, as DESIGN.md "Identity" defines them. */
export interface EmbedClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti?: string;
  nbf?: number;
  email?: string;
  name?: string;
}

export interface EmbedKey {
  id: string;
  agencyId: string;
  secret: string;
  revoked: boolean;
}

export const MAX_TOKEN_LIFETIME_SECONDS = 3600;
export const CLOCK_SKEW_SECONDS = 60;

/** A refused embed token: 401 `invalid_token` with what is wrong with it. */
export const refuse = (message: string) => new ApiError(401, 'invalid_token', message);
const decoder = new TextDecoder();

function decodeJson(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(decoder.decode(base64urlDecode(part)));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // falls through to the refusal below
  }
  throw refuse('The token is not a well-formed JWT.');
}

/** Splits a compact JWT and reads its header, without trusting anything yet. */
export function readTokenHeader(token: string): { kid: string } {
  const parts = token.split('.');
  if (parts.length !== 3) throw refuse('The token is not a well-formed JWT.');
  const header = decodeJson(parts[0]);
  if (header.alg !== 'HS256') throw refuse('Only HS256 tokens are accepted.');
  if (typeof header.kid !== 'string' || !header.kid) throw refuse('The token header names no key (kid).');
  if (header.crit !== undefined) throw refuse('The token asks for extensions Porch does not support.');
  return { kid: header.kid };
}

/** A short text claim: a string, well-formed (see isWellFormedText), at most `max` long. */
const isShortText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max && isWellFormedText(value);

/**
 * Verifies an HS256 embed token against the key its header names, then every claim.
 * The signature check is Web Crypto's, which compares in constant time. It comes before
 * anything is said about the key, so only a holder of the secret learns that it was revoked.
 */
export async function verifyEmbedToken(token: string, key: EmbedKey | null, now = Date.now()): Promise<EmbedClaims> {
  const { kid } = readTokenHeader(token);
  if (!key || key.id !== kid) throw refuse('The token is signed with an unknown key.');

  const [header, payload, signature] = token.split('.');
  let signatureBytes: Uint8Array<ArrayBuffer>;
  try {
    signatureBytes = base64urlDecode(signature);
  } catch {
    throw refuse('The token signature is not valid.');
  }
  const signed = new TextEncoder().encode(`${header}.${payload}`);
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(key.secret, 'verify'), signatureBytes, signed);
  if (!valid) throw refuse('The token signature is not valid.');
  if (key.revoked) throw refuse('The token is signed with a revoked key.');

  const claims = decodeJson(payload);
  const seconds = Math.floor(now / 1000);
  if (typeof claims.iss !== 'string' || claims.iss !== key.agencyId) {
    throw refuse('The token issuer does not own the key it is signed with.');
  }
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes('porch')) throw refuse('The token audience must be "porch".');
  if (typeof claims.sub !== 'string' || !claims.sub) throw refuse('The token subject (the client id) is missing.');
  if (!isShortText(claims.sub, 200)) {
    throw refuse('The token subject (the client id) must be at most 200 characters of well-formed text.');
  }
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
    throw refuse('The token must carry exp and iat.');
  }
  if (claims.exp <= claims.iat) throw refuse('The token expires (exp) before it is issued (iat).');
  if (claims.exp <= seconds - CLOCK_SKEW_SECONDS) throw refuse('The token has expired.');
  if (claims.iat > seconds + CLOCK_SKEW_SECONDS) throw refuse('The token was issued in the future.');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > seconds + CLOCK_SKEW_SECONDS)) {
    throw refuse('The token is not valid yet (nbf).');
  }
  if (claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECONDS) {
    throw refuse('The token lives longer than one hour.');
  }
  if (claims.jti !== undefined && (!isShortText(claims.jti, 200) || !claims.jti)) {
    throw refuse('The token id (jti) must be a non-empty string of at most 200 characters.');
  }
  for (const field of ['email', 'name'] as const) {
    if (claims[field] !== undefined && !isShortText(claims[field], 320)) {
      throw refuse(`The token claim ${field} must be at most 320 characters of well-formed text.`);
    }
  }
  return claims as unknown as EmbedClaims;
}

/** Signs an embed token: for the CLI, the demo site's backend and tests. */
export async function signEmbedToken(
  claims: Omit<EmbedClaims, 'aud' | 'iat' | 'exp'> & Partial<Pick<EmbedClaims, 'aud' | 'iat' | 'exp'>>,
  key: { id: string; secret: string },
): Promise<string> {
  const iat = claims.iat ?? Math.floor(Date.now() / 1000);
  const body = { aud: 'porch', iat, exp: iat + 600, ...claims };
  const encode = (value: object) => base64url(new TextEncoder().encode(JSON.stringify(value)));
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT', kid: key.id })}.${encode(body)}`;
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(key.secret, 'sign'), new TextEncoder().encode(unsigned));
  return `${unsigned}.${base64url(new Uint8Array(signature))}`;
}
