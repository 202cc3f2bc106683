import { Hono } from 'hono';
import { z } from 'zod';
import { bearerToken } from '../auth/bearer.ts';
import { sha256Hex } from '../auth/crypto.ts';
import { redeemEmbedToken } from '../auth/redeem.ts';
import { revokeSession } from '../db/identity.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { validate } from '../validate.ts';

export const session = new Hono<AppEnv>()
  /** Exchanges an embed token the agency signed for a session bearer. */
  .post('/', validate('json', z.object({ token: z.string().min(1).max(8192) })), async (c) =>
    c.json(await redeemEmbedToken(c.env, c.req.valid('json').token, c.req.header('origin') ?? null)),
  )
  /** Signs out: the session stops working at once. */
  .delete('/', async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError(401, 'unauthorized', 'Send the session as "Authorization: Bearer <session>".');
    await revokeSession(c.env.sql, await sha256Hex(token));
    return c.body(null, 204);
  });
