import { Hono } from 'hono';
import { getClientInvoice, listClientInvoices, openInvoicePdf } from '../db/invoices.ts';
import type { AppEnv } from '../env.ts';
import { invoicePdfResponse } from '../invoice-pdf.ts';
import { idParam } from '../schemas.ts';
import { validate } from '../validate.ts';

/** The client's invoices: every one, one with its lines, and its PDF. */
export const invoices = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listClientInvoices(c.env.sql, c.get('client'))))
  .get('/:id', validate('param', idParam), async (c) =>
    c.json(await getClientInvoice(c.env.sql, c.get('client'), c.req.valid('param').id)),
  )
  /** The first open is recorded as `invoice.viewed`. */
  .get('/:id/pdf', validate('param', idParam), async (c) =>
    invoicePdfResponse(await openInvoicePdf(c.env.sql, c.get('client'), c.req.valid('param').id)),
  );
