import type { Approval, Invoice, NextAction, PortalResponse } from '../types.ts';
import { approvalsJson } from './approvals.ts';
import { documentsJson } from './documents.ts';
import { type Scope } from './reader.ts';
import { invoicesJson } from './invoices.ts';
import { projectsJson } from './projects.ts';
import type { Sql } from './sql.ts';

/** How many documents the first screen carries; the documents route searches the rest. */
export const PORTAL_DOCUMENT_LIMIT = 100;

/**
 * The first screen in one statement (one round trip): agency branding, the client, and each
 * part's JSON fragment, composed from the same fragments the individual routes answer with.
 */
export async function loadPortal(sql: Sql, scope: Scope): Promise<PortalResponse> {
  const [row] = await sql<{ portal: Omit<PortalResponse, 'next_actions'> }[]>`
    select json_build_object(
      'agency', (select json_build_object('id', a.id, 'name', a.name, 'brand_color', a.brand_color, 'portal_url', a.portal_url)
                 from agencies a where a.id = ${scope.agencyId}),
      'client', (select json_build_object('id', c.id, 'external_id', c.external_id, 'name', c.name, 'email', c.email)
                 from clients c where c.id = ${scope.clientId} and c.agency_id = ${scope.agencyId}),
      'projects', ${projectsJson(sql, scope)},
      'documents', ${documentsJson(sql, scope, { limit: PORTAL_DOCUMENT_LIMIT })},
      'approvals', ${approvalsJson(sql, scope, { status: 'current' })},
      'invoices', ${invoicesJson(sql, scope)}
    ) as portal`;
  const portal = row.portal;
  return { ...portal, next_actions: nextActions(portal.approvals, portal.invoices) };
}

/** What waits for the client, most urgent first: overdue invoices, approvals, open invoices. */
export function nextActions(approvals: Approval[], invoices: Invoice[]): NextAction[] {
  const byDue = (a: { due_on: string | null }, b: { due_on: string | null }) =>
    (a.due_on ?? '9999-12-31').localeCompare(b.due_on ?? '9999-12-31');
  const invoiceAction = (i: Invoice): NextAction => ({
    kind: 'invoice',
    invoice_id: i.id,
    number: i.number,
    status: i.status as 'open' | 'overdue',
    total_minor: i.total_minor,
    currency: i.currency,
    due_on: i.due_on,
  });
  const overdue = invoices.filter((i) => i.status === 'overdue').sort(byDue).map(invoiceAction);
  const open = invoices.filter((i) => i.status === 'open').sort(byDue).map(invoiceAction);
  const pending = approvals
    .filter((a) => a.status === 'pending')
    .sort(byDue)
    .map((a): NextAction => ({ kind: 'approval', approval_id: a.id, title: a.title, due_on: a.due_on }));
  return [...overdue, ...pending, ...open];
}
