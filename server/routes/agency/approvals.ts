import { Hono } from 'hono';
import { z } from 'zod';
import { getApproval, listApprovals, requestApproval, withdrawApproval } from '../../db/approvals.ts';
import { readerForAgency } from '../../db/reader.ts';
import type { AppEnv } from '../../env.ts';
import { approvalStatusQuery, calendarDate, clientIdQuery, idParam, labelText, optionalText, uuid } from '../../schemas.ts';
import { validate } from '../../validate.ts';

const newApprovalRequest = z.object({
  document_version_id: uuid,
  title: labelText(300).optional(),
  message: optionalText(5000),
  due_on: calendarDate.optional(),
});

export const agencyApprovals = new Hono<AppEnv>()
  /** Approval requests with their decisions, optionally of one client. */
  .get('/', validate('query', approvalStatusQuery.extend(clientIdQuery.shape)), async (c) => {
    const { client_id, status } = c.req.valid('query');
    return c.json(await listApprovals(c.env.sql, readerForAgency(c.get('agency'), client_id), status));
  })
  /** Asks the document's client to approve one exact version; one pending request per version. */
  .post('/', validate('json', newApprovalRequest), async (c) => {
    return c.json(await requestApproval(c.env.sql, c.get('agency'), c.req.valid('json')), 201);
  })
  .get('/:id', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getApproval(c.env.sql, readerForAgency(c.get('agency')), id));
  })
  /** Takes back a pending request; 409 once it is decided or withdrawn. */
  .post('/:id/withdraw', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await withdrawApproval(c.env.sql, c.get('agency'), id));
  });
