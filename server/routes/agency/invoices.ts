import { Hono } from 'hono';
import { z } from 'zod';
import { agencyInvoicePdfData, createInvoice, getInvoice, listInvoices, markInvoicePaid } from '../../db/invoices.ts';
import type { AppEnv } from '../../env.ts';
import { invoicePdfResponse } from '../../invoice-pdf.ts';
import { calendarDate, clientIdQuery, httpUrl, idParam, labelText, timestamp, uuid, wellFormedText } from '../../schemas.ts';
import { validate } from '../../validate.ts';

const currencies = new Set(Intl.supportedValuesOf('currency'));
const computed = z.never({ error: 'is computed by the server; leave it out' }).optional();

const line = z.object({
  description: wellFormedText.trim().min(1).max(500),
  quantity: z
    .number()
    .positive()
    .max(999_999_999.999)
    .refine((quantity) => Number(quantity.toFixed(3)) === quantity, 'has more than 3 decimals'),
  unit_price_minor: z.number().int().min(0),
  amount_minor: computed,
});

const newInvoice = z
  .object({
    client_id: uuid,
    number: labelText(64),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code')
      .refine((code) => currencies.has(code), 'is not a known currency'),
    issued_on: calendarDate,
    due_on: calendarDate,
    lines: z.array(line).min(1).max(100),
    tax_rate_bp: z.number().int().min(0).max(10_000).optional(),
    pay_url: httpUrl.nullable().optional(),
    project_id: uuid.nullable().optional(),
    subtotal_minor: computed,
    tax_minor: computed,
    total_minor: computed,
  })
  .refine((invoice) => invoice.due_on >= invoice.issued_on, { path: ['due_on'], message: 'must not be before issued_on' });

/** When it was paid; not before the invoice's issue date, which the data layer checks. */
const paid = z.object({ paid_at: timestamp.optional() });

/** Invoices: issued with server-computed totals, shown to the client, marked paid once. */
export const agencyInvoices = new Hono<AppEnv>()
  .get('/', validate('query', clientIdQuery), async (c) =>
    c.json(await listInvoices(c.env.sql, c.get('agency'), c.req.valid('query').client_id)),
  )
  .post('/', validate('json', newInvoice), async (c) =>
    c.json(await createInvoice(c.env.sql, c.get('agency'), c.req.valid('json')), 201),
  )
  .get('/:id', validate('param', idParam), async (c) =>
    c.json(await getInvoice(c.env.sql, c.get('agency'), c.req.valid('param').id)),
  )
  .get('/:id/pdf', validate('param', idParam), async (c) =>
    invoicePdfResponse(await agencyInvoicePdfData(c.env.sql, c.get('agency'), c.req.valid('param').id)),
  )
  .post('/:id/paid', validate('param', idParam), validate('json', paid), async (c) =>
    c.json(await markInvoicePaid(c.env.sql, c.get('agency'), c.req.valid('param').id, c.req.valid('json').paid_at)),
  );
