/**
 * The demo agency: its seed, its token backend, what its client sees, that its credentials work
 * only in demo mode, the Node entry's routing, and `npm start`'s embedded default end to end.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEMO, ensureDemoOrigins, seedDemo } from '../demo-seed.ts';
import { positiveInteger } from '../env.ts';
import { createNodeApp, localOrigins, projectRoot, readConfig, startServer } from '../node.ts';
import type { Approval, Invoice, PortalResponse } from '../types.ts';
import { setup } from './helpers.ts';

const ctx = await setup();
const demoEnv = { ...ctx.env, demo: true };
const demoApp = createNodeApp(demoEnv, { demo: true });
const plainApp = createNodeApp(ctx.env, { demo: false });
const LOCAL = 'http://localhost:8787';

const countRows = async () => {
  const [row] = await ctx.sql<Record<string, number>[]>`
    select (select count(*)::int from agencies) as agencies,
           (select count(*)::int from clients) as clients,
           (select count(*)::int from projects) as projects,
           (select count(*)::int from documents) as documents,
           (select count(*)::int from document_versions) as versions,
           (select count(*)::int from approval_requests) as approvals,
           (select count(*)::int from invoices) as invoices,
           (select count(*)::int from agency_origins) as origins`;
  return row;
};

/** Signs in as a demo client the way the widget on the demo site does: token-url, then /v1/session. */
async function signInAsDemoClient(client: string, app = demoApp, origin = LOCAL): Promise<string> {
  const tokenRes = await app.request(`/demo/token?client=${client}`);
  assert.equal(tokenRes.status, 200);
  const { token } = (await tokenRes.json()) as { token: string };
  const res = await app.request('/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ token }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { session: string }).session;
}

const get = async <T>(path: string, session: string): Promise<T> => {
  const res = await demoApp.request(path, { headers: { authorization: `Bearer ${session}`, origin: LOCAL } });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return (await res.json()) as T;
};

describe('the demo seed', () => {
  test('seeding twice leaves one copy of everything', async () => {
    const first = await seedDemo(ctx.env, { origins: localOrigins(8787) });
    assert.deepEqual(first, { createdAgency: true, seededClients: ['demo-client-1', 'demo-client-2'] });
    const afterFirst = await countRows();
    assert.equal(afterFirst.agencies, 1);
    assert.equal(afterFirst.clients, 2);

    const second = await seedDemo(ctx.env, { origins: localOrigins(8787) });
    assert.deepEqual(second, { createdAgency: false, seededClients: [] });
    assert.deepEqual(await countRows(), afterFirst);
  });

  test('ensureDemoOrigins adds a new port once and keeps the others', async () => {
    await ensureDemoOrigins(ctx.env, localOrigins(3000));
    await ensureDemoOrigins(ctx.env, localOrigins(3000));
    const origins = (await ctx.sql<{ origin: string }[]>`select origin from agency_origins where agency_id = ${DEMO.agencyId} order by origin`).map((r) => r.origin);
    assert.deepEqual(origins, ['http://127.0.0.1:3000', 'http://127.0.0.1:8787', 'http://localhost:3000', 'http://localhost:8787']);
  });

  test('two servers adding their origins at once both keep theirs', async () => {
    await Promise.all([ensureDemoOrigins(ctx.env, localOrigins(4001)), ensureDemoOrigins(ctx.env, localOrigins(4002))]);
    const origins = (await ctx.sql<{ origin: string }[]>`select origin from agency_origins where agency_id = ${DEMO.agencyId}`).map((r) => r.origin);
    for (const origin of [...localOrigins(4001), ...localOrigins(4002), ...localOrigins(8787)]) assert.ok(origins.includes(origin), origin);
  });

  test('the seed makes revoked or changed demo credentials work again', async () => {
    const demoApi = (path: string, method = 'GET') =>
      demoApp.request(path, { method, headers: { authorization: `Bearer ${DEMO.apiKey}` } });
    const session = await signInAsDemoClient('demo-client-1');
    // Someone on the network revokes the embed key, then the API key, with the public API key.
    assert.equal((await demoApi(`/v1/agency/embed-keys/${DEMO.embedKeyId}/revoke`, 'POST')).status, 200);
    const keys = (await (await demoApi('/v1/agency/api-keys')).json()) as { id: string; revoked_at: string | null }[];
    for (const key of keys.filter((k) => !k.revoked_at)) {
      assert.equal((await demoApi(`/v1/agency/api-keys/${key.id}/revoke`, 'POST')).status, 200);
    }
    assert.equal((await demoApi('/v1/agency')).status, 401);
    const tokenRes = await demoApp.request('/demo/token?client=demo-client-1');
    const { token } = (await tokenRes.json()) as { token: string };
    const refused = await demoApp.request('/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    assert.equal(refused.status, 401);

    const second = await seedDemo(ctx.env);
    assert.deepEqual(second, { createdAgency: false, seededClients: [] });
    assert.equal((await demoApi('/v1/agency')).status, 200, 'the demo API key works again');
    await signInAsDemoClient('demo-client-1');
    const old = await demoApp.request('/v1/portal', { headers: { authorization: `Bearer ${session}`, origin: LOCAL } });
    assert.equal(old.status, 401, 'a session the revocation ended stays ended');

    // A changed secret is put back too; another agency's keys are never touched.
    const other = await ctx.agency({ name: 'Real Agency' });
    await ctx.sql`update embed_keys set secret = 'changed' where id = ${DEMO.embedKeyId}`;
    await seedDemo(ctx.env);
    await signInAsDemoClient('demo-client-1');
    const [otherKey] = await ctx.sql`select secret, revoked_at from embed_keys where id = ${other.embed_key_id}`;
    assert.deepEqual({ ...otherKey }, { secret: other.embed_secret, revoked_at: null });
    const restored = await ctx.sql`select action from audit_log where agency_id = ${DEMO.agencyId} and actor_type = 'system' and action like '%.restored' order by id`;
    assert.deepEqual(restored.map((r) => r.action), ['embed_key.restored', 'api_key.restored', 'embed_key.restored']);
  });

  test('the first client sees phase 2 of 4, versioned documents, one pending approval and paid, open and overdue invoices', async () => {
    const session = await signInAsDemoClient('demo-client-1');
    const portal = await get<PortalResponse>('/v1/portal', session);

    assert.equal(portal.agency.id, DEMO.agencyId);
    assert.equal(portal.client.name, 'Maya Okafor');
    assert.equal(portal.projects.length, 1);
    const [project] = portal.projects;
    assert.equal(project.current_phase, 2);
    assert.deepEqual(project.phases.map((p) => p.name), ['Discovery', 'Design Review', 'Build', 'Launch']);

    assert.ok(portal.documents.length >= 3);
    for (const doc of portal.documents) {
      assert.ok(doc.version_count >= 2, `${doc.title} has several versions`);
      assert.equal(doc.latest.version, doc.version_count);
      assert.ok(doc.latest.note, `${doc.title} has a note on its latest version`);
    }
    const design = portal.documents.find((d) => d.title === 'Homepage design');
    assert.ok(design);
    assert.equal(design.latest.viewed, false, 'the newest design is new to the client');

    const pendingApprovals = portal.approvals.filter((a) => a.status === 'pending');
    assert.equal(pendingApprovals.length, 1);
    const [pending] = pendingApprovals;
    const recentlyDecided = portal.approvals.filter((a) => a.status !== 'pending');
    assert.equal(recentlyDecided.length, 1, 'the earlier decision shows who decided and when');
    assert.equal(recentlyDecided[0].decision?.actor_name, 'Maya Okafor');
    assert.equal(pending.document.id, design.id);
    assert.equal(pending.version.id, design.latest.id, 'the approval is on the latest version');
    assert.equal(portal.next_actions.filter((a) => a.kind === 'approval').length, 1);

    assert.deepEqual(new Set(portal.invoices.map((i) => i.status)), new Set(['paid', 'open', 'overdue']));
    for (const invoice of portal.invoices) {
      assert.equal(invoice.currency, 'USD');
      assert.ok(invoice.lines.length >= 1 && invoice.total_minor > 0);
    }
    const open = portal.invoices.find((i) => i.status === 'open')!;
    assert.match(open.pay_url ?? '', /^https:\/\//);
    assert.ok(portal.invoices.find((i) => i.status === 'paid')!.paid_at);

    // History: one decision the client made earlier, in their own name.
    const decided = await get<Approval[]>('/v1/approvals?status=decided', session);
    assert.equal(decided.length, 1);
    assert.equal(decided[0].decision?.decision, 'approved');
    assert.equal(decided[0].decision?.actor_name, 'Maya Okafor');

    // The documents are real files.
    const download = await demoApp.request(`/v1/documents/${design.id}/versions/${design.latest.version}/download`, {
      headers: { authorization: `Bearer ${session}`, origin: LOCAL },
    });
    assert.equal(download.status, 200);
    assert.equal(new TextDecoder().decode((await download.arrayBuffer()).slice(0, 5)), '%PDF-');
  });

  test('the second client has a brand project at phase 3 of 3 invoiced in euros', async () => {
    const session = await signInAsDemoClient('demo-client-2');
    const portal = await get<PortalResponse>('/v1/portal', session);
    assert.equal(portal.client.external_id, 'demo-client-2');
    assert.equal(portal.projects[0].current_phase, 3);
    assert.equal(portal.projects[0].phases.length, 3);
    assert.ok(portal.documents.length >= 2 && portal.documents.every((d) => d.version_count >= 2));
    assert.ok(portal.invoices.length >= 2 && portal.invoices.every((i: Invoice) => i.currency === 'EUR' && i.tax_minor > 0));
    assert.ok(!portal.documents.some((d) => d.title === 'Homepage design'), "the first client's documents stay theirs");
  });

  test('the demo credentials are refused when demo mode is off', async () => {
    const apiKey = await plainApp.request('/v1/agency', { headers: { authorization: `Bearer ${DEMO.apiKey}` } });
    assert.equal(apiKey.status, 401);
    assert.equal(((await apiKey.json()) as { error: { code: string } }).error.code, 'unauthorized');

    const { token } = (await (await demoApp.request('/demo/token?client=demo-client-1')).json()) as { token: string };
    const signIn = await plainApp.request('/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: LOCAL },
      body: JSON.stringify({ token }),
    });
    assert.equal(signIn.status, 401);
    assert.equal(((await signIn.json()) as { error: { code: string } }).error.code, 'invalid_token');

    assert.equal((await plainApp.request('/demo/token?client=demo-client-1')).status, 404, 'no demo backend');
  });
});

describe('the demo backend (/demo/token)', () => {
  test('mints a short token for a demo client, never cached', async () => {
    const res = await demoApp.request('/demo/token?client=demo-client-2');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const { token } = (await res.json()) as { token: string };
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    assert.equal(header.kid, DEMO.embedKeyId);
    assert.equal(payload.iss, DEMO.agencyId);
    assert.equal(payload.sub, 'demo-client-2');
    assert.equal(payload.name, 'Lukas Brandt');
    assert.ok(payload.email && payload.jti);
    assert.equal(payload.exp - payload.iat, 600);
  });

  test('refuses any other client with a JSON 400', async () => {
    for (const query of ['?client=someone-else', '', '?client=', `?client=${'x'.repeat(5000)}`]) {
      const res = await demoApp.request(`/demo/token${query}`);
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'invalid_request');
      assert.match(body.error.message, /demo-client-1/);
    }
  });
});

describe('the Node app', () => {
  test('serves the widget bundle with CORS, or says clearly that it is not built', async () => {
    const distDir = await mkdtemp(join(tmpdir(), 'porch-dist-'));
    after(() => rm(distDir, { recursive: true, force: true }));
    const app = createNodeApp(ctx.env, { demo: false, distDir });
    const missing = await app.request('/porch.js');
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: { message: string } }).error.message, /npm run build/);

    await writeFile(join(distDir, 'porch.js'), 'export const built = true;\n');
    const res = await app.request('/porch.js', { headers: { origin: 'https://some-agency.example' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(await res.text(), 'export const built = true;\n');
  });

  test('serves the demo site in demo mode only, and nothing outside it', async () => {
    const demoDir = await mkdtemp(join(tmpdir(), 'porch-demo-site-'));
    after(() => rm(demoDir, { recursive: true, force: true }));
    await writeFile(join(demoDir, 'index.html'), '<h1>Northwind</h1>');
    await writeFile(join(demoDir, 'site.css'), 'body{}');
    await writeFile(join(demoDir, 'backend.ts'), 'secret');
    await writeFile(join(demoDir, '.env'), 'secret');
    await mkdir(join(demoDir, 'img'));
    await writeFile(join(demoDir, 'img', 'logo.svg'), '<svg/>');
    const app = createNodeApp(demoEnv, { demo: true, demoDir });

    const home = await app.request('/');
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(await home.text(), '<h1>Northwind</h1>');
    assert.match((await app.request('/site.css')).headers.get('content-type') ?? '', /text\/css/);
    assert.equal((await app.request('/img/logo.svg')).status, 200);
    for (const path of ['/backend.ts', '/.env', '/%2e%2e/package.json', '/..%2fpackage.json', '/nope.html']) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
    }

    const plain = createNodeApp(ctx.env, { demo: false, demoDir });
    assert.equal((await plain.request('/')).status, 404);
    assert.equal((await plain.request('/health')).status, 200);
  });
});

describe('the Node server settings', () => {
  test('MAX_UPLOAD_BYTES takes a positive whole number of bytes only', () => {
    for (const [value, parsed] of [['1048576', 1048576], [' 10 ', 10], ['-1', undefined], ['0', undefined], ['1e3', undefined], ['50MB', undefined], ['1.5', undefined], ['', undefined], [undefined, undefined], ['99999999999999999999', undefined]] as const) {
      assert.equal(positiveInteger(value), parsed, String(value));
    }
    assert.equal(readConfig({ MAX_UPLOAD_BYTES: '2048' }).maxUploadBytes, 2048);
    assert.equal(readConfig({}).maxUploadBytes, undefined);
    assert.throws(() => readConfig({ MAX_UPLOAD_BYTES: '-1' }), /MAX_UPLOAD_BYTES must be a positive whole number of bytes, not "-1"/);
    assert.throws(() => readConfig({ MAX_UPLOAD_BYTES: '50MB' }), /MAX_UPLOAD_BYTES/);
  });

  test('demo mode listens on 127.0.0.1 unless HOST says otherwise', () => {
    assert.equal(readConfig({}).host, '127.0.0.1', 'the embedded default is demo mode');
    assert.equal(readConfig({ PORCH_DEMO: '1', DATABASE_URL: 'postgres://x/y' }).host, '127.0.0.1');
    assert.equal(readConfig({ DATABASE_URL: 'postgres://x/y' }).host, undefined, 'every interface outside demo mode');
    assert.equal(readConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0');
    assert.equal(readConfig({ HOST: '::1', DATABASE_URL: 'postgres://x/y' }).host, '::1');
  });

  const lanAddress = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

  test('a demo server cannot be reached from the network; one outside demo mode can', { skip: !ctx.databaseUrl || !lanAddress ? 'needs a Postgres URL and a non-loopback IPv4 address' : false }, async () => {
    const reachable = async (port: number) =>
      fetch(`http://${lanAddress}:${port}/health`).then((res) => res.status === 200, () => false);
    const quiet = () => {};
    const demoServer = await startServer(readConfig({ DATABASE_URL: ctx.databaseUrl, PORCH_DEMO: '1', PORT: '0' }), quiet);
    try {
      const port = Number(new URL(demoServer.url).port);
      assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
      assert.equal(await reachable(port), false, `the demo server answered on ${lanAddress}`);
    } finally {
      await demoServer.close();
    }
    const plain = await startServer(readConfig({ DATABASE_URL: ctx.databaseUrl, PORCH_DEMO: '0', PORT: '0' }), quiet);
    try {
      assert.equal(await reachable(Number(new URL(plain.url).port)), true);
    } finally {
      await plain.close();
    }
  });

  test('the Node server applies MAX_UPLOAD_BYTES and purges expired token ids when it starts', { skip: ctx.databaseUrl ? false : 'needs a Postgres URL' }, async () => {
    const filesDir = await mkdtemp(join(tmpdir(), 'porch-upload-limit-'));
    after(() => rm(filesDir, { recursive: true, force: true }));
    const agency = await ctx.agency({ name: 'Upload Limits' });
    await ctx.sql`insert into used_token_ids (agency_id, jti, expires_at) values (${agency.agency_id}, 'long-gone', now() - interval '2 days')`;
    const server = await startServer(
      readConfig({ DATABASE_URL: ctx.databaseUrl, PORCH_DEMO: '0', PORT: '0', HOST: '127.0.0.1', MAX_UPLOAD_BYTES: '10', PORCH_FILES_DIR: filesDir }),
      () => {},
    );
    try {
      const call = (path: string, init: RequestInit = {}) =>
        fetch(`${server.url}${path}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${agency.api_key}` } });
      const json = { 'content-type': 'application/json' };
      const client = (await (await call('/v1/agency/clients', { method: 'POST', headers: json, body: JSON.stringify({ external_id: 'c' }) })).json()) as { id: string };
      const doc = (await (await call('/v1/agency/documents', { method: 'POST', headers: json, body: JSON.stringify({ client_id: client.id, title: 'T' }) })).json()) as { id: string };
      const upload = (bytes: number) => {
        const form = new FormData();
        form.set('file', new File(['x'.repeat(bytes)], 'f.txt', { type: 'text/plain' }));
        return call(`/v1/agency/documents/${doc.id}/versions`, { method: 'POST', body: form });
      };
      assert.equal((await upload(10)).status, 201);
      const tooBig = await upload(11);
      assert.equal(tooBig.status, 413);
      assert.equal(((await tooBig.json()) as { error: { code: string } }).error.code, 'payload_too_large');

      const gone = async () => (await ctx.sql`select 1 from used_token_ids where jti = 'long-gone'`).length === 0;
      for (let i = 0; i < 50 && !(await gone()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(await gone(), 'the purge ran at start');
    } finally {
      await server.close();
    }
  });
});

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startNode(port: number, dataDir: string): Started {
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), PORCH_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.PORCH_DEMO;
  delete env.PORCH_FILES_DIR;
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'server/node.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForHealth(base: string, started: Started, timeoutMs: number): Promise<number> {
  const begin = Date.now();
  while (Date.now() - begin < timeoutMs) {
    if (started.child.exitCode !== null) throw new Error(`the server exited:\n${started.output()}`);
    try {
      if ((await fetch(`${base}/health`)).status === 200) return Date.now() - begin;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no /health within ${timeoutMs} ms:\n${started.output()}`);
}

describe('npm start: the embedded default', () => {
  test('serves the API and the demo on PGlite, seeds once, restarts fast, shuts down cleanly', { timeout: 180_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'porch-e2e-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let running: Started | undefined;
    after(async () => {
      running?.child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    });

    running = startNode(port, dataDir);
    await waitForHealth(base, running, 120_000);
    assert.match(running.output(), new RegExp(`listening on http://localhost:${port}`));
    assert.match(running.output(), /porch-demo-api-key/, 'prints the demo credentials');

    // The widget's path on the demo page: its token-url, then a session, then the portal,
    // from the page's own origin (which the server allowed for its port).
    const { token } = (await (await fetch(`${base}/demo/token?client=demo-client-1`)).json()) as { token: string };
    const signIn = await fetch(`${base}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ token }),
    });
    assert.equal(signIn.status, 200, await signIn.clone().text());
    const { session } = (await signIn.json()) as { session: string };
    const portalRes = await fetch(`${base}/v1/portal`, { headers: { authorization: `Bearer ${session}`, origin: `http://localhost:${port}` } });
    assert.equal(portalRes.status, 200);
    const portal = (await portalRes.json()) as PortalResponse;
    assert.equal(portal.projects[0].current_phase, 2);
    assert.equal(portal.approvals.filter((a) => a.status === 'pending').length, 1);

    // Only one process may open the embedded database.
    const cli = spawn(process.execPath, [join(projectRoot, 'bin/porch.mjs'), 'migrate'], {
      env: { ...process.env, DATABASE_URL: '', PORCH_DATA_DIR: dataDir },
    });
    let cliErr = '';
    cli.stderr.on('data', (chunk) => (cliErr += chunk));
    assert.equal(await new Promise((resolve) => cli.on('exit', resolve)), 1);
    assert.match(cliErr, /in use by process \d+/);

    running.child.kill('SIGTERM');
    assert.equal(await running.exited, 0, running.output());

    // Second start: the database exists and the demo is seeded, so it is quick and adds nothing.
    running = startNode(port, dataDir);
    const restartMs = await waitForHealth(base, running, 60_000);
    assert.ok(restartMs < 15_000, `restart took ${restartMs} ms`);
    const clients = await fetch(`${base}/v1/agency/clients`, { headers: { authorization: `Bearer ${DEMO.apiKey}` } });
    assert.equal(clients.status, 200);
    assert.equal(((await clients.json()) as unknown[]).length, 2);
    running.child.kill('SIGINT');
    assert.equal(await running.exited, 0, running.output());
    running = undefined;
  });
});
