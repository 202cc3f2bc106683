import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agencyCaller, brokenJson, expectError, expectStatus } from './agency-helpers.ts';
import { setup } from './helpers.ts';

const ctx = await setup();
const agency = await ctx.agency();
const otherAgency = await ctx.agency({ name: 'Other Agency' });

const agencyApi = agencyCaller(ctx, agency.api_key);
const otherApi = agencyCaller(ctx, otherAgency.api_key);

interface Client {
  id: string;
  external_id: string;
  name: string | null;
  email: string | null;
  revoked_before: string | null;
  created_at: string;
}

const addClient = async (json: Record<string, unknown>) =>
  expectStatus<Client>(await agencyApi('/v1/agency/clients', { method: 'POST', json }), 201);
const clientRow = async (id: string) =>
  (await ctx.sql`select name, email, revoked_before from clients where id = ${id}`)[0];
const now = () => Math.floor(Date.now() / 1000);

async function exchange(token: string) {
  return ctx.request('/v1/session', { method: 'POST', json: { token } });
}

describe('managing clients', () => {
  test("a client added before its first visit is the one its first sign-in opens", async () => {
    const client = await addClient({ external_id: 'crm-1001', name: 'Acme Ltd', email: 'ops@acme.example' });
    assert.deepEqual(
      { ...client, id: typeof client.id, created_at: typeof client.created_at },
      { id: 'string', external_id: 'crm-1001', name: 'Acme Ltd', email: 'ops@acme.example', revoked_before: null, created_at: 'string' },
    );
    const session = await ctx.signIn(agency, 'crm-1001');
    const portal = (await (await ctx.request('/v1/portal', { bearer: session })).json()) as { client: { id: string; name: string } };
    assert.equal(portal.client.id, client.id);
    assert.equal(portal.client.name, 'Acme Ltd');
  });

  test('list and get show the clients of this agency only', async () => {
    const client = await addClient({ external_id: 'listed' });
    await otherApi('/v1/agency/clients', { method: 'POST', json: { external_id: 'not-mine' } });
    const list = (await (await agencyApi('/v1/agency/clients')).json()) as Client[];
    assert.ok(list.some((c) => c.id === client.id));
    assert.ok(list.every((c) => c.external_id !== 'not-mine'));
    const one = await agencyApi(`/v1/agency/clients/${client.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(await one.json(), client);
  });

  test('an external_id already taken answers 409 and changes nothing', async () => {
    const first = await addClient({ external_id: 'taken', name: 'First' });
    const res = await agencyApi('/v1/agency/clients', { method: 'POST', json: { external_id: 'taken', name: 'Second' } });
    assert.equal((await expectError(res, 409)).code, 'conflict');
    assert.equal((await clientRow(first.id)).name, 'First');
    // Another agency has its own namespace of external ids.
    assert.equal((await otherApi('/v1/agency/clients', { method: 'POST', json: { external_id: 'taken' } })).status, 201);
  });

  test('PATCH changes name and email; a field left out stays, null clears', async () => {
    const client = await addClient({ external_id: 'patched', name: 'Old Name', email: 'old@example.com' });
    const renamed = await agencyApi(`/v1/agency/clients/${client.id}`, { method: 'PATCH', json: { name: '  New Name ' } });
    assert.equal(renamed.status, 200);
    assert.deepEqual(
      { ...((await renamed.json()) as Client) },
      { ...client, name: 'New Name', email: 'old@example.com' },
    );
    const cleared = (await (await agencyApi(`/v1/agency/clients/${client.id}`, { method: 'PATCH', json: { email: null } })).json()) as Client;
    assert.equal(cleared.email, null);
    assert.equal(cleared.name, 'New Name');
    const unchanged = (await (await agencyApi(`/v1/agency/clients/${client.id}`, { method: 'PATCH', json: {} })).json()) as Client;
    assert.deepEqual(unchanged, cleared);
  });
});

describe('the audit log records clients the agency adds and changes', () => {
  const clientAudit = (clientId: string) =>
    ctx.sql<{ action: string; data: Record<string, unknown>; client_id: string; actor_type: string; actor_id: string }[]>`
      select action, data, client_id, actor_type, actor_id from audit_log
      where subject_type = 'client' and subject_id = ${clientId} order by id`;

  test('a new client is audited as client.created', async () => {
    const client = await addClient({ external_id: 'audited', name: 'Audited Ltd', email: 'a@audited.example' });
    assert.deepEqual(
      (await clientAudit(client.id)).map((e) => ({ ...e })),
      [{
        action: 'client.created',
        data: { external_id: 'audited', name: 'Audited Ltd', email: 'a@audited.example' },
        client_id: client.id,
        actor_type: 'agency',
        actor_id: agency.agency_id,
      }],
    );
  });

  test('changes are audited as client.updated with from and to; no change, a conflict or a refusal records nothing', async () => {
    const client = await addClient({ external_id: 'changing', name: 'Before', email: 'before@example.com' });
    const patch = (json: unknown) => agencyApi(`/v1/agency/clients/${client.id}`, { method: 'PATCH', json });
    await expectStatus(await patch({ name: 'After' }), 200);
    await expectStatus(await patch({ name: 'After', email: null }), 200);
    await expectStatus(await patch({ name: 'After', email: null }), 200);
    await expectStatus(await patch({}), 200);
    await expectError(await patch({ email: 'nope' }), 400);
    await expectError(await otherApi(`/v1/agency/clients/${client.id}`, { method: 'PATCH', json: { name: 'Hijacked' } }), 404);
    await expectError(await agencyApi('/v1/agency/clients', { method: 'POST', json: { external_id: 'changing' } }), 409);
    assert.deepEqual(
      (await clientAudit(client.id)).map((e) => [e.action, e.data]),
      [
        ['client.created', { external_id: 'changing', name: 'Before', email: 'before@example.com' }],
        ['client.updated', { name: { from: 'Before', to: 'After' } }],
        ['client.updated', { email: { from: 'before@example.com', to: null } }],
      ],
    );
  });
});

describe('revoking a client', () => {
  test('its live session stops working and a token issued before is refused; a later token lets it back', async () => {
    const client = await addClient({ external_id: 'leaving' });
    const session = await ctx.signIn(agency, 'leaving');
    const tokenIssuedBefore = await ctx.token(agency, 'leaving', { iat: now() - 5 });
    assert.equal((await ctx.request('/v1/portal', { bearer: session })).status, 200);

    const res = await agencyApi(`/v1/agency/clients/${client.id}/revoke`, { method: 'POST' });
    assert.equal(res.status, 200);
    const revoked = (await res.json()) as Client;
    assert.ok(revoked.revoked_before && Date.parse(revoked.revoked_before) <= Date.now());

    const afterwards = await ctx.request('/v1/portal', { bearer: session });
    assert.equal((await expectError(afterwards, 401)).code, 'session_expired');
    assert.equal((await expectError(await exchange(tokenIssuedBefore), 401)).code, 'client_revoked');
    const [{ live }] = await ctx.sql`
      select count(*)::int as live from sessions where client_id = ${client.id} and revoked_at is null`;
    assert.equal(live, 0);

    const later = await exchange(await ctx.token(agency, 'leaving', { iat: now() + 2 }));
    assert.equal(later.status, 200, 'a token the agency signs after the revocation is accepted');

    const [entry] = await ctx.sql`
      select actor_type, client_id from audit_log where action = 'client.revoked' and subject_id = ${client.id}`;
    assert.deepEqual({ ...entry }, { actor_type: 'agency', client_id: client.id });
  });
});

describe('tenant isolation', () => {
  test("another agency's key gets 404 for this agency's client on every route, and changes nothing", async () => {
    const client = await addClient({ external_id: 'guarded', name: 'Guarded', email: 'g@example.com' });
    const session = await ctx.signIn(agency, 'guarded');
    for (const [path, init] of [
      [`/v1/agency/clients/${client.id}`, {}],
      [`/v1/agency/clients/${client.id}`, { method: 'PATCH', json: { name: 'Hijacked', email: 'evil@example.com' } }],
      [`/v1/agency/clients/${client.id}/revoke`, { method: 'POST' }],
    ] as const) {
      assert.equal((await expectError(await otherApi(path, init), 404)).code, 'not_found');
    }
    assert.deepEqual({ ...(await clientRow(client.id)) }, { name: 'Guarded', email: 'g@example.com', revoked_before: null });
    assert.equal((await ctx.request('/v1/portal', { bearer: session })).status, 200, 'its session still works');
  });

  test('the management API needs a live API key', async () => {
    assert.equal((await ctx.request('/v1/agency/clients')).status, 401);
    assert.equal((await ctx.request('/v1/agency/clients', { bearer: 'porch_sk_not-a-real-key-at-all' })).status, 401);
    const session = await ctx.signIn(agency, 'a-client');
    assert.equal((await ctx.request('/v1/agency/clients', { bearer: session })).status, 401, 'a client session is not an API key');
  });
});

describe('malformed input answers 4xx JSON, never 500', () => {
  test('ids that are not uuids answer 404', async () => {
    for (const bad of ['nope', '00000000-0000-0000-0000', "x' or 1=1 --"]) {
      const id = encodeURIComponent(bad);
      await expectError(await agencyApi(`/v1/agency/clients/${id}`), 404);
      await expectError(await agencyApi(`/v1/agency/clients/${id}`, { method: 'PATCH', json: { name: 'x' } }), 404);
      await expectError(await agencyApi(`/v1/agency/clients/${id}/revoke`, { method: 'POST' }), 404);
    }
  });

  test('bad client bodies answer 400 and create nothing', async () => {
    const before = (await ctx.sql`select count(*)::int as n from clients`)[0].n;
    for (const json of [
      {},
      { external_id: '' },
      { external_id: '   ' },
      { external_id: 'x'.repeat(201) },
      { external_id: 42 },
      { external_id: ['a'] },
      { external_id: 'ok-1', name: 'n'.repeat(201) },
      { external_id: 'ok-2', name: 7 },
      { external_id: 'ok-3', email: 'not-an-email' },
      { external_id: 'ok-4', email: `${'a'.repeat(320)}@example.com` },
      { external_id: 'lone-\udfff' },
      { external_id: 'ok-5', name: 'Zo\ud800' },
      [],
      'client',
    ]) {
      await expectError(await agencyApi('/v1/agency/clients', { method: 'POST', json }), 400);
    }
    await expectError(await agencyApi('/v1/agency/clients', { method: 'POST', ...brokenJson() }), 400);
    assert.equal((await ctx.sql`select count(*)::int as n from clients`)[0].n, before);
  });

  test('bad PATCH bodies answer 400 and change nothing', async () => {
    const client = await addClient({ external_id: 'patch-target', name: 'Kept', email: 'kept@example.com' });
    for (const json of [{ name: '' }, { name: 5 }, { email: 'nope' }, { name: 'n'.repeat(201) }, { email: ['a@b.c'] }]) {
      await expectError(await agencyApi(`/v1/agency/clients/${client.id}`, { method: 'PATCH', json }), 400);
    }
    await expectError(await agencyApi(`/v1/agency/clients/${client.id}`, { method: 'PATCH', ...brokenJson('{') }), 400);
    assert.deepEqual({ ...(await clientRow(client.id)) }, { name: 'Kept', email: 'kept@example.com', revoked_before: null });
  });
});
