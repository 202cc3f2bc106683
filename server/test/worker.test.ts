/**
 * Boots server/worker.ts in workerd (wrangler's unstable_dev, reading wrangler.toml) against this
 * file's test database through the Hyperdrive binding, and drives it over real HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Unstable_DevWorker } from 'wrangler';
import { signEmbedToken } from '../auth/embed-token.ts';
import { DEMO, seedDemo } from '../demo-seed.ts';
import { ORIGIN, setup } from './helpers.ts';

const ctx = await setup();
const skip = ctx.databaseUrl
  ? false
  : 'the Worker reaches Postgres over TCP through Hyperdrive, and the embedded PGlite test database has no URL it could use';

// A worker that failed to start answers nothing: fail within a minute rather than hang.
describe('the Workers entry in workerd', { skip, timeout: 90_000 }, () => {
  let worker: Unstable_DevWorker;
  let assetsDir: string;
  let stateDir: string;

  before(async () => {
    // Offline and quiet: no calls to Cloudflare, no telemetry.
    process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
    process.env.WRANGLER_SEND_METRICS = 'false';
    // Hyperdrive insists on a password in the URL; the test server trusts any.
    const hyperdriveUrl = new URL(ctx.databaseUrl!);
    if (!hyperdriveUrl.password) hyperdriveUrl.password = 'porch';
    process.env.CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE = hyperdriveUrl.toString();
    // A stand-in bundle, so the test does not depend on `npm run build` having run.
    assetsDir = await mkdtemp(join(tmpdir(), 'porch-assets-'));
    stateDir = await mkdtemp(join(tmpdir(), 'porch-wrangler-'));
    await writeFile(join(assetsDir, 'porch.js'), 'export const porch = "test bundle";\n');
    const { unstable_dev } = await import('wrangler');
    worker = await unstable_dev('server/worker.ts', {
      config: 'wrangler.toml',
      assets: assetsDir,
      ip: '127.0.0.1',
      persistTo: stateDir,
      // Not a positive whole number: the Worker must fall back to the default, not to -1 bytes.
      vars: { MAX_UPLOAD_BYTES: '-1' },
      logLevel: 'error',
      experimental: { disableExperimentalWarning: true, testMode: true },
    });
  }, { timeout: 60_000 });

  after(async () => {
    await worker?.stop();
    await rm(assetsDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  test('answers /health', async () => {
    const res = await worker.fetch('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  test('a client signs in through the worker and sees the portal from Postgres', async () => {
    const agency = await ctx.agency();
    const token = await ctx.token(agency, 'worker-client', { name: 'Wendy Worker', email: 'wendy@client.example' });
    const signIn = await worker.fetch('/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ token }),
    });
    assert.equal(signIn.status, 200, await signIn.clone().text());
    const { session } = (await signIn.json()) as { session: string };

    const portal = await worker.fetch('/v1/portal', { headers: { authorization: `Bearer ${session}`, origin: ORIGIN } });
    assert.equal(portal.status, 200, await portal.clone().text());
    const body = (await portal.json()) as { client: { external_id: string; name: string } };
    assert.equal(body.client.external_id, 'worker-client');
    assert.equal(body.client.name, 'Wendy Worker');

    // Each request's client is ended after the response; the next request still works.
    const again = await worker.fetch('/v1/portal', { headers: { authorization: `Bearer ${session}` } });
    assert.equal(again.status, 200);
  });

  test('refuses a session from an origin the agency did not allow', async () => {
    const agency = await ctx.agency();
    const token = await ctx.token(agency, 'worker-client-2');
    const res = await worker.fetch('/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://elsewhere.example' },
      body: JSON.stringify({ token }),
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'origin_not_allowed');
  });

  test('serves the widget bundle from the assets, loadable from any site', async () => {
    const res = await worker.fetch('/porch.js', { headers: { origin: 'https://any-agency.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.match(await res.text(), /test bundle/);
  });

  test('keeps the demo credentials and the demo token endpoint off (DEMO = "0")', async () => {
    // The demo agency is in the database, so only the Worker's demo check can refuse it.
    await seedDemo(ctx.env);
    const [seeded] = await ctx.sql`select is_demo from agencies where id = ${DEMO.agencyId}`;
    assert.equal(seeded?.is_demo, true);
    const agencyApi = await worker.fetch('/v1/agency', { headers: { authorization: `Bearer ${DEMO.apiKey}` } });
    assert.equal(agencyApi.status, 401);
    const token = await signEmbedToken({ iss: DEMO.agencyId, sub: DEMO.clients[0].externalId }, { id: DEMO.embedKeyId, secret: DEMO.embedSecret });
    const signIn = await worker.fetch('/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    assert.equal(signIn.status, 401);
    const demoToken = await worker.fetch('/demo/token?client=demo-client-1');
    assert.equal(demoToken.status, 404);
    assert.equal(((await demoToken.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  test('ignores a MAX_UPLOAD_BYTES that is not a positive whole number', async () => {
    const agency = await ctx.agency();
    const call = (path: string, init: RequestInit = {}) =>
      worker.fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${agency.api_key}` } } as never);
    const json = { 'content-type': 'application/json' };
    const client = (await (await call('/v1/agency/clients', { method: 'POST', headers: json, body: JSON.stringify({ external_id: 'upload-client' }) })).json()) as { id: string };
    const doc = (await (await call('/v1/agency/documents', { method: 'POST', headers: json, body: JSON.stringify({ client_id: client.id, title: 'Brief' }) })).json()) as { id: string };
    const form = new FormData();
    form.set('file', new File(['a small brief'], 'brief.txt', { type: 'text/plain' }));
    // Encoded here: wrangler's fetch brings its own FormData class, and would send this one empty.
    const encoded = new Response(form);
    const upload = await call(`/v1/agency/documents/${doc.id}/versions`, {
      method: 'POST',
      headers: { 'content-type': encoded.headers.get('content-type')! },
      body: await encoded.arrayBuffer(),
    });
    assert.equal(upload.status, 201, await upload.clone().text());
  });

  test('answers malformed input with a JSON 4xx, not a 500', async () => {
    const res = await worker.fetch('/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token": ',
    });
    assert.equal(res.status, 400);
    assert.ok(((await res.json()) as { error: { code: string } }).error.code);
  });
});
