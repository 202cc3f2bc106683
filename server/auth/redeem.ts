import { createSession, findEmbedKey } from '../db/identity.ts';
import type { PorchEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import type { SessionResponse } from '../types.ts';
import { randomSecret, sha256Hex } from './crypto.ts';
import { readTokenHeader, refuse, verifyEmbedToken } from './embed-token.ts';

/** How long a session lasts; the widget asks the agency's backend for a new token after. */
export const SESSION_SECONDS = 8 * 3600;

/**
 * Exchanges an embed token the agency signed for a session: the key its header names (the demo
 * agency's only in demo mode), the signature and claims, the page's origin, then the token is
 * burned and the session stored. `origin` is the request's Origin header (none from a server).
 */
export async function redeemEmbedToken(env: PorchEnv, token: string, origin: string | null): Promise<SessionResponse> {
  const { kid } = readTokenHeader(token);
  const key = await findEmbedKey(env.sql, kid, origin);
  // Outside demo mode the demo agency's key does not exist, as far as any caller can tell.
  if (!key || (key.is_demo && !env.demo)) throw refuse('The token is signed with an unknown key.');
  const claims = await verifyEmbedToken(token, { id: key.id, agencyId: key.agency_id, secret: key.secret, revoked: key.revoked });
  if (!key.origin_allowed) throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not allowed for this agency.`);

  const session = randomSecret('ps_');
  const expiresAt = new Date(Date.now() + SESSION_SECONDS * 1000);
  const result = await createSession(env.sql, {
    agencyId: claims.iss,
    embedKeyId: key.id,
    externalId: claims.sub,
    name: claims.name,
    email: claims.email,
    jti: claims.jti,
    issuedAt: new Date(claims.iat * 1000),
    tokenExpiresAt: new Date(claims.exp * 1000),
    sessionHash: await sha256Hex(session),
    sessionExpiresAt: expiresAt,
  });
  if (!result.ok && result.reason === 'replayed') throw new ApiError(401, 'invalid_token', 'The token has already been used.');
  if (!result.ok) throw new ApiError(401, 'client_revoked', 'Access for this client was revoked by the agency.');
  return { session, expires_at: expiresAt.toISOString() };
}
