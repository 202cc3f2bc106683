import { Hono } from 'hono';
import { z } from 'zod';
import { bearerToken } from '../auth/bearer.ts';
import { randomSecret, sha256Hex } from '../auth/crypto.ts';
import { readTokenHeader, verifyEmbedToken } from '../auth/embed-token.ts';
import { createSession, findEmbedKey, revokeSession } from '../db/identity.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import type { SessionResponse } from '../types.ts';
import { validate } from '../validate.ts';

/** How long a session lasts; the widget asks the agency's backend for a new token after. */
export const SESSION_SECONDS = 8 * 3600;

export const session = new Hono<AppEnv>()
  /** Exchanges an embed token the agency signed for a session bearer. */
  .post('/', validate('json', z.object({ token: z.string().min(1).max(8192) })), async (c) => {
    const { token } = c.req.valid('json');
    const origin = c.req.header('origin') ?? null;
    const { kid } = readTokenHeader(token);
    const key = await findEmbedKey(c.env.sql, kid, origin);
    const claims = await verifyEmbedToken(
      token,
      key && (!key.is_demo || c.env.demo)
        ? { id: key.id, agencyId: key.agency_id, secret: key.secret, revoked: key.revoked }
        : null,
    );
    if (!key!.origin_allowed) {
      throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not allowed for this agency.`);
    }
    const sessionToken = randomSecret('ps_');
    const expiresAt = new Date(Date.now() + SESSION_SECONDS * 1000);
    const result = await createSession(c.env.sql, {
      agencyId: claims.iss,
      externalId: claims.sub,
      name: claims.name,
      email: claims.email,
      jti: claims.jti,
      issuedAt: new Date(claims.iat * 1000),
      tokenExpiresAt: new Date(claims.exp * 1000),
      sessionHash: await sha256Hex(sessionToken),
      sessionExpiresAt: expiresAt,
    });
    if (!result.ok && result.reason === 'replayed') throw new ApiError(401, 'invalid_token', 'The token has already been used.');
    if (!result.ok) throw new ApiError(401, 'client_revoked', 'Access for this client was revoked by the agency.');
    return c.json({ session: sessionToken, expires_at: expiresAt.toISOString() } satisfies SessionResponse);
  })
  /** Signs out: the session stops working at once. */
  .delete('/', async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError(401, 'unauthorized', 'Send the session as "Authorization: Bearer <session>".');
    await revokeSession(c.env.sql, await sha256Hex(token));
    return c.body(null, 204);
  });
