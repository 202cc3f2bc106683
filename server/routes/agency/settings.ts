import { Hono } from 'hono';
import { z } from 'zod';
import {
  createApiKey,
  createEmbedKey,
  getAgency,
  listAudit,
  listApiKeys,
  listEmbedKeys,
  replaceOrigins,
  revokeApiKey,
  revokeEmbedKey,
  rotateEmbedKey,
  updateAgency,
} from '../../db/agencies.ts';
import type { AppEnv } from '../../env.ts';
import { httpUrl, uuid, wellFormedText } from '../../schemas.ts';
import { validate } from '../../validate.ts';

const MAX_ORIGINS = 50;

/** `scheme://host[:port]`, http or https, nothing after; answered lowercased as browsers send it. */
const origin = z
  .string()
  .trim()
  .max(300)
  .regex(
    /^https?:\/\/([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/i,
    'must be scheme://host[:port] with http or https and no path',
  )
  .refine((value) => URL.canParse(value), 'is not a valid origin')
  .transform((value) => new URL(value).origin);

const originList = z
  .array(origin)
  .max(MAX_ORIGINS * 4)
  .transform((origins) => [...new Set(origins)].sort())
  .pipe(z.array(z.string()).max(MAX_ORIGINS, `at most ${MAX_ORIGINS} distinct origins`));

const agencyPatch = z.object({
  name: wellFormedText.trim().min(1).max(200).optional(),
  brand_color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #2f6f5e')
    .optional(),
  portal_url: httpUrl.nullable().optional(),
});

const keyParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/) });

const auditQuery = z.object({
  client_id: uuid.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The agency's own settings: branding, allowed origins, keys, and its audit log. */
export const agencySettings = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await getAgency(c.env.sql, c.get('agency').id)))
  .patch('/', validate('json', agencyPatch), async (c) =>
    c.json(await updateAgency(c.env.sql, c.get('agency'), c.req.valid('json'))),
  )
  /** Replaces the allowed origins; /v1/session and the client routes check them from then on. */
  .put('/origins', validate('json', z.object({ origins: originList })), async (c) =>
    c.json(await replaceOrigins(c.env.sql, c.get('agency'), c.req.valid('json').origins)),
  )
  .get('/embed-keys', async (c) => c.json(await listEmbedKeys(c.env.sql, c.get('agency').id)))
  .post('/embed-keys', async (c) => c.json(await createEmbedKey(c.env.sql, c.get('agency')), 201))
  .post('/embed-keys/:id/rotate', validate('param', keyParam), async (c) =>
    c.json(await rotateEmbedKey(c.env.sql, c.get('agency'), c.req.valid('param').id), 201),
  )
  .post('/embed-keys/:id/revoke', validate('param', keyParam), async (c) =>
    c.json(await revokeEmbedKey(c.env.sql, c.get('agency'), c.req.valid('param').id)),
  )
  /** The API keys with their labels and whether they are revoked; never a key or its hash. */
  .get('/api-keys', async (c) => c.json(await listApiKeys(c.env.sql, c.get('agency').id)))
  .post('/api-keys', validate('json', z.object({ label: wellFormedText.trim().max(200).optional() })), async (c) =>
    c.json(await createApiKey(c.env.sql, c.get('agency'), c.req.valid('json').label ?? null), 201),
  )
  .post('/api-keys/:id/revoke', validate('param', keyParam), async (c) =>
    c.json(await revokeApiKey(c.env.sql, c.get('agency'), c.req.valid('param').id)),
  )
  /** The audit log, newest first: everything clients saw and decided, and every key change. */
  .get('/audit', validate('query', auditQuery), async (c) => {
    const { client_id, limit } = c.req.valid('query');
    return c.json(await listAudit(c.env.sql, c.get('agency').id, { clientId: client_id, limit }));
  });
