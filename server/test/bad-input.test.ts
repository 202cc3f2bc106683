import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup } from './helpers.ts';
import { appRoutes, buildWorld } from './fixtures.ts';

const ctx = await setup();
const world = await buildWorld(ctx);
const routes = await appRoutes();

const badIds = ['not-a-uuid', '00000000-0000-0000-0000-000000000000', "1' or '1'='1", '%00', '-1', 'a'.repeat(400), '%F0%9F%92%A9'];
const huge = 'x'.repeat(200_000);
const badJsonBodies: (string | undefined)[] = [
  JSON.stringify({ name: 'nul\u0000byte', title: 'a\u0000b', external_id: '\u0000', comment: '\u0000', decision: 'approved' }),
  undefined,
  '',
  '{not json',
  'null',
  '[]',
  '"text"',
  '42',
  '{"__proto__": {"admin": true}}',
  JSON.stringify({ client_id: 7, title: [], name: {}, external_id: '', decision: 'maybe', comment: huge, lines: 'x', phases: 'x', current_phase: -3, origins: 'x', number: null, currency: 'usd', issued_on: '2026-02-31', due_on: 'soon', document_version_id: 'nope', token: 12, paid_at: 'yesterday', brand_color: 'red' }),
  JSON.stringify({ name: huge, title: huge, external_id: huge, email: huge }),
  JSON.stringify({ lines: [{ description: 'x', quantity: 1e308, unit_price_minor: 1e308 }], client_id: world.clientA, number: 'N', currency: 'USD', issued_on: '2026-01-01', due_on: '2026-01-01' }),
  JSON.stringify({ phases: Array.from({ length: 500 }, (_, i) => `P${i}`), client_id: world.clientA, name: 'x' }),
  JSON.stringify({ origins: ['javascript:alert(1)', 'https://a.example/path', 'not a url'] }),
];
const badQueries = ['?client_id=nope', '?status=weird', '?limit=-1', '?limit=abc', '?limit=99999999999999999999', `?q=${'%25'.repeat(3000)}`, '?q=%00'];

/** The path with each parameter replaced by the caller's own id, or by `replacement`. */
function fill(path: string, replacement?: string): string {
  const own: Record<string, string> = {
    clients: world.clientA, projects: world.projectA, documents: world.documentA, versions: '2',
    approvals: world.approvalA, invoices: world.invoiceA, 'embed-keys': world.x.embed_key_id, 'api-keys': world.apiKeyIdX,
  };
  const segments = path.split('/');
  return segments.map((s, i) => (s.startsWith(':') ? replacement ?? own[segments[i - 1]] : s)).join('/');
}

async function assertClientError(res: Response, what: string) {
  assert.ok(res.status >= 200 && res.status < 500, `${what}: answered ${res.status}`);
  if (res.status >= 400) {
    assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${what}: JSON error`);
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    assert.equal(typeof body.error?.code, 'string', `${what}: error.code`);
    assert.equal(typeof body.error?.message, 'string', `${what}: error.message`);
  } else {
    await res.arrayBuffer();
  }
}

/** The agency key, or a fresh session: the sweep signs out (DELETE /v1/session) along the way. */
const bearerFor = async (path: string) =>
  path.startsWith('/v1/agency') ? world.x.api_key : ctx.signIn(world.x, 'client-a');

test('bad ids in every path answer 4xx JSON, never 500', async () => {
  for (const { method, path } of routes.filter((r) => r.path.includes('/:'))) {
    for (const id of badIds) {
      const res = await ctx.request(fill(path, id), { method, bearer: await bearerFor(path), json: method === 'GET' ? undefined : {} });
      await assertClientError(res, `${method} ${fill(path, id).slice(0, 80)}`);
      assert.ok(res.status >= 400, `${method} ${path} with id ${id.slice(0, 20)} is refused`);
    }
  }
});

test('malformed bodies on every route that takes one answer 4xx JSON, never 500', async () => {
  // Revoking takes no body and would lock the sweep's own client and keys out; other tests cover it.
  for (const { method, path } of routes.filter((r) => r.method !== 'GET' && !r.path.endsWith('/revoke'))) {
    for (const body of badJsonBodies) {
      const res = await ctx.request(fill(path), {
        method,
        bearer: await bearerFor(path),
        body,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      });
      await assertClientError(res, `${method} ${path} with ${String(body).slice(0, 60)}`);
    }
    const form = new FormData();
    form.set('file', 'not a file');
    form.set('decision', new File(['x'], 'x.txt'));
    await assertClientError(await ctx.request(fill(path), { method, bearer: await bearerFor(path), body: form }), `${method} ${path} with a form`);
  }
});

test('malformed query strings on every GET answer 4xx JSON or a normal answer, never 500', async () => {
  for (const { path } of routes.filter((r) => r.method === 'GET')) {
    for (const query of badQueries) {
      await assertClientError(await ctx.request(fill(path) + query, { bearer: await bearerFor(path) }), `GET ${path}${query.slice(0, 40)}`);
    }
  }
});

test('wrong or missing credentials on every route answer 401 JSON', async () => {
  for (const { method, path } of routes.filter((r) => r.path.startsWith('/v1/') && r.path !== '/v1/session')) {
    for (const authorization of [undefined, 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(40)}`, `Bearer ${world.sessionA}x`]) {
      const res = await ctx.request(fill(path), { method, headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, `${method} ${path} with ${authorization}`);
      await assertClientError(res, `${method} ${path}`);
    }
  }
});

test('a client session is not an agency key, and an agency key is not a session', async () => {
  assert.equal((await ctx.request('/v1/agency/clients', { bearer: world.sessionA })).status, 401);
  assert.equal((await ctx.request('/v1/portal', { bearer: world.x.api_key })).status, 401);
});

test('unknown routes and methods answer 404 JSON', async () => {
  for (const [method, path] of [['GET', '/nope'], ['GET', '/v1'], ['DELETE', '/v1/portal'], ['PUT', '/v1/documents'], ['GET', '/v1/agency/nope']]) {
    const res = await ctx.request(path, { method, bearer: await bearerFor(path) });
    assert.equal(res.status, 404, `${method} ${path}`);
    await assertClientError(res, `${method} ${path}`);
  }
});
