import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PortalResponse } from '../types.ts';
import { agencyCall as fixtureCall, fileForm } from './fixtures.ts';
import { setup } from './helpers.ts';

let statements = 0;
const ctx = await setup({ onQuery: () => statements++ });
const agency = await ctx.agency({ name: 'Northwind Studio', brandColor: '#123456' });
const key = agency.api_key;

const agencyCall = <T>(path: string, json?: unknown, method = json === undefined ? 'GET' : 'POST') =>
  fixtureCall<T>(ctx, key, method, path, json);

async function upload(documentId: string, name: string, text: string, note: string) {
  const res = await ctx.request(`/v1/agency/documents/${documentId}/versions`, { method: 'POST', body: fileForm(name, text, note), bearer: key });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { id: string; version: number };
}

const today = new Date().toISOString().slice(0, 10);
const daysFromToday = (days: number) => new Date(Date.now() + days * 86400_000).toISOString().slice(0, 10);

const client = await agencyCall<{ id: string }>('/clients', { external_id: 'acme', name: 'Acme Co', email: 'ops@acme.example' });
const other = await agencyCall<{ id: string }>('/clients', { external_id: 'globex', name: 'Globex' });
await agencyCall('/projects', { client_id: client.id, name: 'Website redesign', phases: ['Discovery', 'Design Review', 'Build', 'Launch'], current_phase: 2 });
await agencyCall('/projects', { client_id: other.id, name: 'Globex secret project', phases: ['Only'], current_phase: 1 });
const brief = await agencyCall<{ id: string }>('/documents', { client_id: client.id, title: 'Creative brief' });
await upload(brief.id, 'brief.txt', 'first', 'First draft');
const mockups = await agencyCall<{ id: string }>('/documents', { client_id: client.id, title: 'Homepage mockups' });
await upload(mockups.id, 'mockups-v1.txt', 'v1', 'Initial');
const v2 = await upload(mockups.id, 'mockups-v2.txt', 'v2', 'After feedback');
const approval = await agencyCall<{ id: string }>('/approvals', { document_version_id: v2.id, title: 'Approve the homepage', due_on: daysFromToday(3) });
const hidden = await agencyCall<{ id: string }>('/documents', { client_id: other.id, title: 'Globex only' });
await upload(hidden.id, 'secret.txt', 'secret', 'x');
const line = [{ description: 'Design sprint', quantity: 1, unit_price_minor: 250000 }];
const paid = await agencyCall<{ id: string }>('/invoices', { client_id: client.id, number: 'INV-1', currency: 'USD', issued_on: daysFromToday(-60), due_on: daysFromToday(-30), lines: line });
await agencyCall(`/invoices/${paid.id}/paid`, {});
const overdue = await agencyCall<{ id: string }>('/invoices', { client_id: client.id, number: 'INV-2', currency: 'USD', issued_on: daysFromToday(-40), due_on: daysFromToday(-10), lines: line });
const open = await agencyCall<{ id: string }>('/invoices', { client_id: client.id, number: 'INV-3', currency: 'EUR', issued_on: today, due_on: daysFromToday(14), lines: line, pay_url: 'https://pay.example/inv-3' });
await agencyCall('/invoices', { client_id: other.id, number: 'INV-G', currency: 'USD', issued_on: today, due_on: today, lines: line });

const bearer = await ctx.signIn(agency, 'acme');

test('the first screen carries branding, status, documents, approvals and invoices of this client only', async () => {
  const res = await ctx.request('/v1/portal', { bearer });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const portal = (await res.json()) as PortalResponse;
  assert.deepEqual(portal.agency, { id: agency.agency_id, name: 'Northwind Studio', brand_color: '#123456', portal_url: null });
  assert.equal(portal.client.name, 'Acme Co');
  assert.equal(portal.projects.length, 1);
  const [project] = portal.projects;
  assert.equal(project.current_phase, 2);
  assert.equal(project.phases.length, 4);
  assert.equal(project.phases[project.current_phase! - 1].name, 'Design Review');
  assert.deepEqual(portal.documents.map((d) => d.title), ['Homepage mockups', 'Creative brief']);
  assert.equal(portal.documents[0].latest.version, 2);
  assert.equal(portal.documents[0].latest.note, 'After feedback');
  assert.equal(portal.documents[0].version_count, 2);
  assert.deepEqual(portal.approvals.map((a) => a.id), [approval.id]);
  assert.equal(portal.approvals[0].version.version, 2);
  assert.deepEqual(portal.invoices.map((i) => [i.number, i.status]).sort(), [['INV-1', 'paid'], ['INV-2', 'overdue'], ['INV-3', 'open']]);
  const json = JSON.stringify(portal);
  assert.ok(!json.includes('Globex'), 'nothing of the other client leaks');
});

test('next actions put the overdue invoice first, then the approval, then the open invoice', async () => {
  const portal = (await (await ctx.request('/v1/portal', { bearer })).json()) as PortalResponse;
  assert.deepEqual(
    portal.next_actions.map((a) => (a.kind === 'approval' ? `approval:${a.approval_id}` : `invoice:${a.invoice_id}:${a.status}`)),
    [`invoice:${overdue.id}:overdue`, `approval:${approval.id}`, `invoice:${open.id}:open`],
  );
});

test('the first screen takes at most 3 SQL round trips (session check included)', async () => {
  statements = 0;
  const res = await ctx.request('/v1/portal', { bearer });
  assert.equal(res.status, 200);
  assert.ok(statements <= 3, `${statements} statements`);
  assert.equal(statements, 2, 'one to check the session, one for the whole screen');
});

test('a client with nothing yet gets empty lists, not errors', async () => {
  const fresh = await ctx.signIn(agency, 'brand-new');
  const portal = (await (await ctx.request('/v1/portal', { bearer: fresh })).json()) as PortalResponse;
  assert.deepEqual([portal.projects, portal.documents, portal.approvals, portal.invoices, portal.next_actions], [[], [], [], [], []]);
});

test('a decided approval leaves the next actions but stays on the first screen as the record of who decided', async () => {
  const res = await ctx.request(`/v1/approvals/${approval.id}/decision`, { method: 'POST', json: { decision: 'approved' }, bearer });
  assert.equal(res.status, 200);
  const portal = (await (await ctx.request('/v1/portal', { bearer })).json()) as PortalResponse;
  assert.ok(portal.next_actions.every((a) => a.kind === 'invoice'));
  assert.deepEqual(portal.approvals.map((a) => [a.id, a.status, a.decision?.actor_name]), [[approval.id, 'approved', 'Acme Co']]);
});

test('a decision older than 30 days leaves the first screen, and stays in the approvals list', async () => {
  await ctx.sql`update approval_decisions set decided_at = now() - interval '31 days' where approval_request_id = ${approval.id}`;
  const portal = (await (await ctx.request('/v1/portal', { bearer })).json()) as PortalResponse;
  assert.deepEqual(portal.approvals, []);
  const all = (await (await ctx.request('/v1/approvals', { bearer })).json()) as { id: string }[];
  assert.deepEqual(all.map((a) => a.id), [approval.id]);
});
