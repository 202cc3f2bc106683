import { Hono } from 'hono';
import { z } from 'zod';
import { createClient, getClient, listClients, revokeClient, updateClient } from '../../db/clients.ts';
import type { AppEnv } from '../../env.ts';
import { idParam, wellFormedText } from '../../schemas.ts';
import { validate } from '../../validate.ts';

const name = wellFormedText.trim().min(1).max(200);
const email = wellFormedText.trim().max(320).pipe(z.email());

const newClient = z.object({
  // Kept exactly as sent: it must equal the `sub` of the client's embed tokens.
  external_id: wellFormedText.min(1).max(200).regex(/\S/, 'must not be blank'),
  name: name.nullable().optional(),
  email: email.nullable().optional(),
});

const clientPatch = z.object({ name: name.nullable().optional(), email: email.nullable().optional() });

/** The agency's clients. A client signs in with a token whose `sub` is its external_id. */
export const agencyClients = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listClients(c.env.sql, c.get('agency').id)))
  /** Audited as `client.created`. */
  .post('/', validate('json', newClient), async (c) =>
    c.json(await createClient(c.env.sql, c.get('agency'), c.req.valid('json')), 201),
  )
  .get('/:id', validate('param', idParam), async (c) =>
    c.json(await getClient(c.env.sql, c.get('agency').id, c.req.valid('param').id)),
  )
  /** Audited as `client.updated` with what changed. */
  .patch('/:id', validate('param', idParam), validate('json', clientPatch), async (c) =>
    c.json(await updateClient(c.env.sql, c.get('agency'), c.req.valid('param').id, c.req.valid('json'))),
  )
  /** Ends the client's sessions and refuses tokens issued before now. */
  .post('/:id/revoke', validate('param', idParam), async (c) =>
    c.json(await revokeClient(c.env.sql, c.get('agency'), c.req.valid('param').id)),
  );
