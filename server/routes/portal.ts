import { Hono } from 'hono';
import { loadPortal } from '../db/portal.ts';
import type { AppEnv } from '../env.ts';

export const portal = new Hono<AppEnv>()
  /** Everything the first screen needs, in one answer. */
  .get('/', async (c) => {
    const client = c.get('client');
    c.header('Cache-Control', 'no-store');
    return c.json(await loadPortal(c.env.sql, { agencyId: client.agencyId, clientId: client.id }));
  });
