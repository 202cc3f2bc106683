import type { AuthedAgency, AuthedClient } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Invoice } from '../types.ts';
import { byClient, recordAudit } from './audit.ts';
import { assertClientOwned } from './clients.ts';
import {
  readerForAgency,
  readerForScope,
  readerForSignedInClient,
  selectJson,
  type JsonFragment,
  type Queryable,
  type Reader,
  type Scope,
} from './reader.ts';
import type { Sql } from './sql.ts';

/** An invoice as the agency sees it: the client's shape plus whose it is and its tax rate. */
export interface AgencyInvoice extends Invoice {
  client_id: string;
  tax_rate_bp: number;
  created_at: string;
}

/** An `Invoice` of `i` (invoices) with its lines; `status` is derived, dates are YYYY-MM-DD. */
function invoiceObject(sql: Queryable, side: Reader['side']): JsonFragment {
  return sql`
    json_build_object(
      'id', i.id, 'number', i.number, 'currency', i.currency,
      'issued_on', to_char(i.issued_on, 'YYYY-MM-DD'), 'due_on', to_char(i.due_on, 'YYYY-MM-DD'),
      'status', case when i.paid_at is not null then 'paid'
                     when i.due_on < current_date then 'overdue'
                     else 'open' end,
      'subtotal_minor', i.subtotal_minor, 'tax_minor', i.tax_minor, 'total_minor', i.total_minor,
      'pay_url', i.pay_url, 'paid_at', i.paid_at, 'project_id', i.project_id,
      'lines', coalesce((
        select json_agg(json_build_object(
                 'position', l.position, 'description', l.description, 'quantity', l.quantity,
                 'unit_price_minor', l.unit_price_minor, 'amount_minor', l.amount_minor) order by l.position)
        from invoice_lines l where l.invoice_id = i.id), '[]'::json)
      ${side === 'agency' ? sql`, 'client_id', i.client_id, 'tax_rate_bp', i.tax_rate_bp, 'created_at', i.created_at` : sql``})`;
}

/** Rows of `i` the reader may see. */
function visibleInvoices(sql: Queryable, reader: Reader): JsonFragment {
  return sql`
    i.agency_id = ${reader.agencyId}
    ${reader.clientId !== undefined ? sql`and i.client_id = ${reader.clientId}` : sql``}`;
}

/** JSON array of the reader's invoices with their lines, newest first. */
function invoiceListJson(sql: Queryable, reader: Reader, options: { id?: string } = {}): JsonFragment {
  return sql`(
    select coalesce(json_agg(${invoiceObject(sql, reader.side)} order by i.issued_on desc, i.created_at desc, i.id),
                    '[]'::json)
    from invoices i
    where ${visibleInvoices(sql, reader)}
      ${options.id !== undefined ? sql`and i.id = ${options.id}` : sql``})`;
}

/** JSON array of `Invoice` for one client, newest first. */
export const invoicesJson = (sql: Queryable, scope: Scope): JsonFragment => invoiceListJson(sql, readerForScope(scope));

async function findInvoice<T extends Invoice>(sql: Queryable, reader: Reader, invoiceId: string): Promise<T> {
  const [invoice] = await selectJson<T[]>(sql, invoiceListJson(sql, reader, { id: invoiceId }));
  if (!invoice) throw notFound('Invoice');
  return invoice;
}

export function listClientInvoices(sql: Sql, client: AuthedClient): Promise<Invoice[]> {
  return selectJson(sql, invoiceListJson(sql, readerForSignedInClient(client)));
}

export function getClientInvoice(sql: Sql, client: AuthedClient, invoiceId: string): Promise<Invoice> {
  return findInvoice(sql, readerForSignedInClient(client), invoiceId);
}

export function listInvoices(sql: Sql, agency: AuthedAgency, clientId?: string): Promise<AgencyInvoice[]> {
  return selectJson(sql, invoiceListJson(sql, readerForAgency(agency, clientId)));
}

export function getInvoice(sql: Queryable, agency: AuthedAgency, invoiceId: string): Promise<AgencyInvoice> {
  return findInvoice(sql, readerForAgency(agency), invoiceId);
}

// ---------------------------------------------------------------------------------------------
// Issuing and paying

export interface NewInvoiceLine {
  description: string;
  /** Up to three decimals. */
  quantity: number;
  unit_price_minor: number;
}

export interface NewInvoice {
  client_id: string;
  number: string;
  currency: string;
  issued_on: string;
  due_on: string;
  lines: NewInvoiceLine[];
  tax_rate_bp?: number;
  pay_url?: string | null;
  project_id?: string | null;
}

export interface InvoiceTotals {
  amounts_minor: number[];
  subtotal_minor: number;
  tax_minor: number;
  total_minor: number;
}

/** n / d rounded half up, for n ≥ 0: what Postgres's round() does to a positive numeric. */
const divideRounded = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);

/**
 * The server's arithmetic, in exact integers: each line's amount is quantity × unit price
 * rounded to a minor unit, tax is the subtotal × rate rounded, the total their sum.
 */
export function invoiceTotals(lines: NewInvoiceLine[], taxRateBp: number): InvoiceTotals {
  const amounts = lines.map((line) =>
    divideRounded(BigInt(Math.round(line.quantity * 1000)) * BigInt(line.unit_price_minor), 1000n),
  );
  const subtotal = amounts.reduce((sum, amount) => sum + amount, 0n);
  const tax = divideRounded(subtotal * BigInt(taxRateBp), 10000n);
  const total = subtotal + tax;
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ApiError(400, 'invalid_request', 'lines: the invoice total is too large.');
  }
  return {
    amounts_minor: amounts.map(Number),
    subtotal_minor: Number(subtotal),
    tax_minor: Number(tax),
    total_minor: Number(total),
  };
}

/** Issues an invoice with totals the server computes; its number is unique within the agency. */
export async function createInvoice(sql: Sql, agency: AuthedAgency, input: NewInvoice): Promise<AgencyInvoice> {
  const taxRateBp = input.tax_rate_bp ?? 0;
  const totals = invoiceTotals(input.lines, taxRateBp);
  return sql.begin(async (tx) => {
    await assertClientOwned(tx, agency.id, input.client_id, input.project_id ?? null);
    const [created] = await tx<{ id: string }[]>`
      insert into invoices (agency_id, client_id, project_id, number, currency, issued_on, due_on, tax_rate_bp,
                            subtotal_minor, tax_minor, total_minor, pay_url)
      values (${agency.id}, ${input.client_id}, ${input.project_id ?? null}, ${input.number}, ${input.currency},
              ${input.issued_on}, ${input.due_on}, ${taxRateBp},
              ${totals.subtotal_minor}, ${totals.tax_minor}, ${totals.total_minor}, ${input.pay_url ?? null})
      on conflict (agency_id, number) do nothing
      returning id`;
    if (!created) throw new ApiError(409, 'conflict', `An invoice numbered "${input.number}" already exists.`);
    await tx`insert into invoice_lines ${tx(
      input.lines.map((line, index) => ({
        invoice_id: created.id,
        position: index + 1,
        description: line.description,
        quantity: line.quantity,
        unit_price_minor: line.unit_price_minor,
        amount_minor: totals.amounts_minor[index],
      })),
      'invoice_id',
      'position',
      'description',
      'quantity',
      'unit_price_minor',
      'amount_minor',
    )}`;
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: input.client_id,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'invoice.issued',
      subject_type: 'invoice',
      subject_id: created.id,
      data: { number: input.number, currency: input.currency, total_minor: totals.total_minor, due_on: input.due_on },
    });
    return getInvoice(tx, agency, created.id);
  });
}

/**
 * Marks an invoice paid (now, or when `paidAt` says); an invoice is paid once. A payment dated
 * before the invoice was issued is refused: the day `paidAt` names in its own offset counts.
 */
export async function markInvoicePaid(
  sql: Sql,
  agency: AuthedAgency,
  invoiceId: string,
  paidAt?: string,
): Promise<AgencyInvoice> {
  return sql.begin(async (tx) => {
    const [invoice] = await tx<{ client_id: string; number: string; issued_on: string; paid: boolean }[]>`
      select client_id, number, to_char(issued_on, 'YYYY-MM-DD') as issued_on, paid_at is not null as paid
      from invoices
      where id = ${invoiceId} and agency_id = ${agency.id}
      for no key update`;
    if (!invoice) throw notFound('Invoice');
    if (invoice.paid) throw new ApiError(409, 'already_paid', 'The invoice is already marked paid.');
    // An ISO timestamp starts with the calendar day it names in its own offset.
    if (paidAt !== undefined && paidAt.slice(0, 10) < invoice.issued_on) {
      throw new ApiError(400, 'invalid_request', `paid_at: must not be before the invoice was issued (${invoice.issued_on}).`);
    }
    const [paid] = await tx<{ paid_at: Date }[]>`
      update invoices set paid_at = coalesce(${paidAt ?? null}::timestamptz, now())
      where id = ${invoiceId} and agency_id = ${agency.id}
      returning paid_at`;
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: invoice.client_id,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'invoice.paid',
      subject_type: 'invoice',
      subject_id: invoiceId,
      data: { number: invoice.number, paid_at: paid.paid_at },
    });
    return getInvoice(tx, agency, invoiceId);
  });
}

// ---------------------------------------------------------------------------------------------
// What the PDF shows

export interface InvoicePdfData {
  invoice: AgencyInvoice;
  agency: { name: string; brand_color: string };
  client: { external_id: string; name: string | null; email: string | null };
}

/** The invoice with its agency and client. */
async function findInvoicePdfData(sql: Queryable, reader: Reader, invoiceId: string): Promise<InvoicePdfData> {
  const [data] = await sql<InvoicePdfData[]>`
    select ${invoiceObject(sql, 'agency')} as invoice,
           json_build_object('name', a.name, 'brand_color', a.brand_color) as agency,
           json_build_object('external_id', c.external_id, 'name', c.name, 'email', c.email) as client
    from invoices i
      join agencies a on a.id = i.agency_id
      join clients c on c.id = i.client_id and c.agency_id = i.agency_id
    where i.id = ${invoiceId} and ${visibleInvoices(sql, reader)}`;
  if (!data) throw notFound('Invoice');
  return data;
}

export function agencyInvoicePdfData(sql: Sql, agency: AuthedAgency, invoiceId: string): Promise<InvoicePdfData> {
  return findInvoicePdfData(sql, readerForAgency(agency), invoiceId);
}

/**
 * A client opens an invoice's PDF. The first time is recorded in invoice_views and audited as
 * `invoice.viewed` (invoice payment speed counts from it); the view's primary key makes two
 * first opens at once record one.
 */
export async function openInvoicePdf(sql: Sql, client: AuthedClient, invoiceId: string): Promise<InvoicePdfData> {
  return sql.begin(async (tx) => {
    const data = await findInvoicePdfData(tx, readerForSignedInClient(client), invoiceId);
    const firstView = await tx`
      insert into invoice_views (client_id, invoice_id)
      values (${client.id}, ${invoiceId})
      on conflict do nothing
      returning invoice_id`;
    if (firstView.length > 0) {
      await recordAudit(tx, {
        ...byClient(client),
        action: 'invoice.viewed',
        subject_type: 'invoice',
        subject_id: invoiceId,
        data: { number: data.invoice.number },
      });
    }
    return data;
  });
}
