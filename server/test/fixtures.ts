/**
 * A small world built through the agency API: agency X with clients A (with a project, a
 * document in two versions, a pending approval and an invoice) and B, and agency Y.
 */
import assert from 'node:assert/strict';
import type { CreatedAgency } from '../db/agencies.ts';
import type { TestContext } from './helpers.ts';

export interface World {
  x: CreatedAgency;
  y: CreatedAgency;
  clientA: string;
  clientB: string;
  projectA: string;
  documentA: string;
  versionA: string;
  approvalA: string;
  invoiceA: string;
  apiKeyIdX: string;
  sessionA: string;
  sessionB: string;
}

export async function agencyCall<T>(ctx: TestContext, key: string, method: string, path: string, json?: unknown): Promise<T> {
  const res = await ctx.request(`/v1/agency${path}`, { method, json, bearer: key });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

export function fileForm(name = 'file.txt', text = 'hello', note = 'a note'): FormData {
  const form = new FormData();
  form.set('file', new File([text], name, { type: 'text/plain' }));
  form.set('note', note);
  return form;
}

export async function buildWorld(ctx: TestContext): Promise<World> {
  const x = await ctx.agency({ name: 'Agency X' });
  const y = await ctx.agency({ name: 'Agency Y' });
  const call = <T>(method: string, path: string, json?: unknown) => agencyCall<T>(ctx, x.api_key, method, path, json);
  const clientA = (await call<{ id: string }>('POST', '/clients', { external_id: 'client-a', name: 'Client A' })).id;
  const clientB = (await call<{ id: string }>('POST', '/clients', { external_id: 'client-b', name: 'Client B' })).id;
  const projectA = (await call<{ id: string }>('POST', '/projects', { client_id: clientA, name: 'Site', phases: ['One', 'Two'], current_phase: 1 })).id;
  const documentA = (await call<{ id: string }>('POST', '/documents', { client_id: clientA, title: 'Contract' })).id;
  for (const version of [1, 2]) {
    const res = await ctx.request(`/v1/agency/documents/${documentA}/versions`, { method: 'POST', body: fileForm(`contract-v${version}.txt`), bearer: x.api_key });
    assert.equal(res.status, 201);
  }
  const detail = await call<{ versions: { id: string; version: number }[] }>('GET', `/documents/${documentA}`);
  const versionA = detail.versions.find((v) => v.version === 2)!.id;
  const approvalA = (await call<{ id: string }>('POST', '/approvals', { document_version_id: versionA })).id;
  const invoiceA = (
    await call<{ id: string }>('POST', '/invoices', {
      client_id: clientA, number: 'A-1', currency: 'USD', issued_on: '2026-01-01', due_on: '2026-02-01',
      lines: [{ description: 'Work', quantity: 2, unit_price_minor: 5000 }],
    })
  ).id;
  const apiKeyIdX = (await call<{ id: string }>('POST', '/api-keys', {})).id;
  const sessionA = await ctx.signIn(x, 'client-a');
  const sessionB = await ctx.signIn(x, 'client-b');
  return { x, y, clientA, clientB, projectA, documentA, versionA, approvalA, invoiceA, apiKeyIdX, sessionA, sessionB };
}

/** A fingerprint of every table: equal before and after means the request changed nothing. */
export async function databaseFingerprint(ctx: TestContext): Promise<Record<string, string>> {
  const tables = await ctx.sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const prints: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await ctx.sql.unsafe(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as print from "${name}" t`);
    prints[name] = row.print as string;
  }
  return prints;
}

/** Every route of the app with its method, once. */
export async function appRoutes(): Promise<{ method: string; path: string }[]> {
  const { app } = await import('../app.ts');
  const seen = new Set<string>();
  return app.routes
    .filter((r) => r.method !== 'ALL')
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`))
    .map(({ method, path }) => ({ method, path }));
}
