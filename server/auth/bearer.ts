import { createMiddleware } from 'hono/factory';
import { findAgencyByApiKey, findSessionClient } from '../db/identity.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { sha256Hex } from './crypto.ts';

export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S{16,512})\s*$/i);
  return match ? match[1] : null;
}

/** Client routes: a live session bearer, used from one of its agency's allowed origins. */
export function clientSession() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError(401, 'unauthorized', 'Send the session as "Authorization: Bearer <session>".');
    const origin = c.req.header('origin') ?? null;
    const { client, originAllowed } = await findSessionClient(c.env.sql, await sha256Hex(token), origin, c.env.demo);
    if (!client) throw new ApiError(401, 'session_expired', 'The session has expired or was revoked. Sign in again.');
    if (!originAllowed) throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not allowed for this agency.`);
    c.set('client', client);
    await next();
  });
}

/** Agency routes: a live API key; every query after this is scoped to its agency. */
export function agencyApiKey() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError(401, 'unauthorized', 'Send the API key as "Authorization: Bearer <key>".');
    const agency = await findAgencyByApiKey(c.env.sql, await sha256Hex(token), c.env.demo);
    if (!agency) throw new ApiError(401, 'unauthorized', 'The API key is not valid or was revoked.');
    c.set('agency', agency);
    await next();
  });
}
