/**
 * Integration tests talk to the real Porch server that web-test-runner.config.mjs starts (the Node
 * entry on a fresh embedded database, seeded with the demo agency). The page's origin is allowed
 * for the demo agency, and `/__porch/token?client=<id>` plays the agency's backend, minting embed
 * tokens for any client of it.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import type { Approval } from '../../server/types.ts';

export interface LiveEnv {
  /** The Porch API's origin. */
  api: string;
}

let env: Promise<LiveEnv> | undefined;

export function liveEnv(): Promise<LiveEnv> {
  env ??= fetch('/__porch/env.json').then((r) => r.json());
  return env;
}

export const tokenUrl = (client: string) => `/__porch/token?client=${encodeURIComponent(client)}`;

/** A form field for the agency API: text, or a (text) file. */
type FormField = string | { name: string; type: string; text: string };

/**
 * Calls the agency API as the demo agency. From the test runner's Node side, as an agency's backend
 * would: the agency routes answer no CORS, so a browser cannot call them.
 */
export async function agencyApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  let form: Record<string, FormField> | undefined;
  if (body instanceof FormData) {
    form = {};
    for (const [name, value] of body) {
      form[name] = typeof value === 'string' ? value : { name: value.name, type: value.type, text: await value.text() };
    }
  }
  const { status, text } = await executeServerCommand<{ status: number; text: string }, unknown>('porch-agency-api', {
    method,
    path,
    ...(form ? { form } : { body }),
  });
  if (status >= 400) throw new Error(`${method} ${path} answered ${status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Signs in as a client through the real API, as a second device would. */
export async function clientSession(externalId: string): Promise<string> {
  const { api } = await liveEnv();
  const { token } = await (await fetch(tokenUrl(externalId))).json();
  const response = await fetch(`${api}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) throw new Error(`POST /v1/session answered ${response.status}: ${await response.text()}`);
  return (await response.json()).session;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export interface LiveClient {
  externalId: string;
  documentId: string;
  approvalId: string;
  overdueInvoiceId: string;
}

/**
 * A new client of the demo agency, filled through the agency API the way an agency would: a
 * project at phase 2 of 4, a style guide in two versions, the second waiting for approval, and an
 * open, an overdue and a paid invoice. Each test gets its own, so tests that decide or download
 * do not change what another test sees.
 */
export async function newClient(options: { empty?: boolean } = {}): Promise<LiveClient> {
  const externalId = `wtr-${crypto.randomUUID().slice(0, 12)}`;
  const client = await agencyApi<{ id: string }>('POST', '/v1/agency/clients', {
    external_id: externalId,
    name: 'Ada Lovelace',
    email: `${externalId}@client.example`,
  });
  if (options.empty) return { externalId, documentId: '', approvalId: '', overdueInvoiceId: '' };
  const project = await agencyApi<{ id: string }>('POST', '/v1/agency/projects', {
    client_id: client.id,
    name: 'Shop launch',
    phases: ['Brief', 'Design', 'Build', 'Launch'],
    current_phase: 2,
  });
  const doc = await agencyApi<{ id: string }>('POST', '/v1/agency/documents', { client_id: client.id, project_id: project.id, title: 'Style guide' });
  const versions: { id: string }[] = [];
  for (const [text, note] of [['first draft', 'First draft'], ['second draft', 'Colours agreed']]) {
    const form = new FormData();
    form.set('file', new File([text], 'style-guide.txt', { type: 'text/plain' }));
    form.set('note', note);
    versions.push(await agencyApi('POST', `/v1/agency/documents/${doc.id}/versions`, form));
  }
  const approval = await agencyApi<Approval>('POST', '/v1/agency/approvals', {
    document_version_id: versions[1].id,
    title: 'Approve the style guide',
    due_on: day(7),
  });
  const invoice = (number: string, issued: number, due: number) =>
    agencyApi<{ id: string }>('POST', '/v1/agency/invoices', {
      client_id: client.id,
      project_id: project.id,
      number: `${externalId}-${number}`,
      currency: 'EUR',
      issued_on: day(issued),
      due_on: day(due),
      lines: [{ description: 'Design work', quantity: 2, unit_price_minor: 60000 }],
      tax_rate_bp: 2000,
      pay_url: `https://pay.example/${number}`,
    });
  const paid = await invoice('1', -60, -30);
  await agencyApi('POST', `/v1/agency/invoices/${paid.id}/paid`, {});
  const overdue = await invoice('2', -40, -10);
  await invoice('3', -1, 29);
  return { externalId, documentId: doc.id, approvalId: approval.id, overdueInvoiceId: overdue.id };
}
