import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup } from './helpers.ts';
import { appRoutes, buildWorld, databaseFingerprint, fileForm, type World } from './fixtures.ts';

const ctx = await setup();
const world = await buildWorld(ctx);
const routes = await appRoutes();

/** The id of agency X / client A that a path parameter names, by the segment before it. */
function foreignId(w: World, resource: string): string {
  const ids: Record<string, string> = {
    clients: w.clientA,
    projects: w.projectA,
    documents: w.documentA,
    versions: '2',
    approvals: w.approvalA,
    invoices: w.invoiceA,
    'embed-keys': w.x.embed_key_id,
    'api-keys': w.apiKeyIdX,
  };
  const id = ids[resource];
  assert.ok(id, `no foreign id known for "${resource}": add the new route to the isolation matrix`);
  return id;
}

function fillPath(path: string): string {
  const segments = path.split('/');
  return segments.map((segment, i) => (segment.startsWith(':') ? foreignId(world, segments[i - 1]) : segment)).join('/');
}

/** A body that passes validation, so the request reaches the ownership check. */
function validBody(method: string, path: string): { json?: unknown; body?: FormData } {
  const bodies: Record<string, { json?: unknown; body?: FormData }> = {
    'POST /v1/approvals/:id/decision': { json: { decision: 'approved', comment: 'hijack' } },
    'PATCH /v1/agency/clients/:id': { json: { name: 'Hijacked' } },
    'PATCH /v1/agency/projects/:id': { json: { name: 'Hijacked', current_phase: 2 } },
    'POST /v1/agency/documents/:id/versions': { body: fileForm('evil.txt', 'evil') },
    'POST /v1/agency/invoices/:id/paid': { json: {} },
  };
  return bodies[`${method} ${path}`] ?? (method === 'GET' || method === 'DELETE' ? {} : { json: {} });
}

const withParams = routes.filter((r) => r.path.includes('/:'));

test('every client route, called by another client of the same agency with client A ids, answers 404 and changes nothing', async () => {
  const clientRoutes = withParams.filter((r) => !r.path.startsWith('/v1/agency'));
  assert.ok(clientRoutes.length >= 6, 'the client routes with ids are all in the matrix');
  for (const { method, path } of clientRoutes) {
    const before = await databaseFingerprint(ctx);
    const res = await ctx.request(fillPath(path), { method, bearer: world.sessionB, ...validBody(method, path) });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found', `${method} ${path}`);
    assert.deepEqual(await databaseFingerprint(ctx), before, `${method} ${path} changed nothing`);
  }
});

test('every agency route, called by another agency with agency X ids, answers 404 and changes nothing', async () => {
  const agencyRoutes = withParams.filter((r) => r.path.startsWith('/v1/agency'));
  assert.ok(agencyRoutes.length >= 12, 'the agency routes with ids are all in the matrix');
  for (const { method, path } of agencyRoutes) {
    const before = await databaseFingerprint(ctx);
    const res = await ctx.request(fillPath(path), { method, bearer: world.y.api_key, ...validBody(method, path) });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found', `${method} ${path}`);
    assert.deepEqual(await databaseFingerprint(ctx), before, `${method} ${path} changed nothing`);
  }
});

test('agency X ids in the body or query of another agency answer 404 and change nothing', async () => {
  const attempts: [string, string, unknown?][] = [
    ['POST', '/v1/agency/projects', { client_id: world.clientA, name: 'Stolen', phases: ['One'] }],
    ['POST', '/v1/agency/documents', { client_id: world.clientA, title: 'Planted' }],
    ['POST', '/v1/agency/approvals', { document_version_id: world.versionA }],
    ['POST', '/v1/agency/invoices', { client_id: world.clientA, number: 'Y-1', currency: 'USD', issued_on: '2026-01-01', due_on: '2026-01-02', lines: [{ description: 'x', quantity: 1, unit_price_minor: 1 }] }],
    ['GET', `/v1/agency/projects?client_id=${world.clientA}`],
    ['GET', `/v1/agency/documents?client_id=${world.clientA}`],
    ['GET', `/v1/agency/approvals?client_id=${world.clientA}`],
    ['GET', `/v1/agency/invoices?client_id=${world.clientA}`],
    ['GET', `/v1/agency/audit?client_id=${world.clientA}`],
  ];
  for (const [method, path, json] of attempts) {
    const before = await databaseFingerprint(ctx);
    const res = await ctx.request(path, { method, json, bearer: world.y.api_key });
    const body = (await res.json()) as unknown;
    if (res.status === 200) {
      assert.deepEqual(body, [], `${method} ${path} lists nothing of agency X`);
    } else {
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    assert.deepEqual(await databaseFingerprint(ctx), before, `${method} ${path} changed nothing`);
  }
});

test('the owners still reach the same ids (the matrix is not 404 for everyone)', async () => {
  for (const { method, path } of withParams.filter((r) => r.method === 'GET')) {
    const bearer = path.startsWith('/v1/agency') ? world.x.api_key : world.sessionA;
    const res = await ctx.request(fillPath(path), { bearer });
    assert.equal(res.status, 200, `${method} ${path}`);
  }
});

test('lists of one client never include another client of the same agency', async () => {
  for (const path of ['/v1/documents', '/v1/approvals', '/v1/invoices']) {
    const res = await ctx.request(path, { bearer: world.sessionB });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), [], path);
  }
});
