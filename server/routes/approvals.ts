import { Hono } from 'hono';
import { z } from 'zod';
import { decideApproval, getApproval, listApprovals } from '../db/approvals.ts';
import { readerForSignedInClient } from '../db/reader.ts';
import type { AppEnv } from '../env.ts';
import { approvalStatusQuery, idParam, wellFormedText } from '../schemas.ts';
import { validate } from '../validate.ts';

const decisionBody = z.object({
  decision: z.enum(['approved', 'changes_requested']),
  comment: wellFormedText.trim().max(5000).optional(),
});

export const approvals = new Hono<AppEnv>()
  /** Approval requests, pending first. */
  .get('/', validate('query', approvalStatusQuery), async (c) => {
    const { status } = c.req.valid('query');
    return c.json(await listApprovals(c.env.sql, readerForSignedInClient(c.get('client')), status));
  })
  .get('/:id', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getApproval(c.env.sql, readerForSignedInClient(c.get('client')), id));
  })
  /** Approve or request changes, once: the exact version the request is bound to is recorded. */
  .post('/:id/decision', validate('param', idParam), validate('json', decisionBody), async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await decideApproval(c.env.sql, c.get('client'), id, c.req.valid('json')));
  });
