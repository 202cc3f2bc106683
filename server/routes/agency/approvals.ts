import { Hono } from 'hono';
import { z } from 'zod';
import { getApproval, listApprovals, requestApproval } from '../../db/approvals.ts';
import { readerForAgency } from '../../db/reader.ts';
import type { AppEnv } from '../../env.ts';
import { idParam, uuid, validate } from '../../validate.ts';
import { approvalStatusQuery } from '../approvals.ts';

const newApprovalRequest = z.object({
  document_version_id: uuid,
  title: z.string().trim().min(1).max(300).optional(),
  message: z.string().trim().max(5000).optional().transform((text) => text || undefined),
  due_on: z.iso.date().refine((date) => !date.startsWith('0000'), 'Invalid ISO date').optional(),
});

export const agencyApprovals = new Hono<AppEnv>()
  /** Approval requests with their decisions, optionally of one client. */
  .get('/', validate('query', approvalStatusQuery.extend({ client_id: uuid.optional() })), async (c) => {
    const { client_id, status } = c.req.valid('query');
    return c.json(await listApprovals(c.env.sql, readerForAgency(c.get('agency'), client_id), status));
  })
  /** Asks the document's client to approve one exact version. */
  .post('/', validate('json', newApprovalRequest), async (c) => {
    return c.json(await requestApproval(c.env.sql, c.get('agency'), c.req.valid('json')), 201);
  })
  .get('/:id', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getApproval(c.env.sql, readerForAgency(c.get('agency')), id));
  });
