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
    const agencyApi = await worker.fetch('/v1/agency', { headers: { authorization: 'Bearer porch-demo-api-key' } });
    assert.equal(agencyApi.status, 401);
    const demoToken = await worker.fetch('/demo/token?client=demo-client-1');
    assert.equal(demoToken.status, 404);
    assert.equal(((await demoToken.json()) as { error: { code: string } }).error.code, 'not_found');
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
