import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sha256Hex } from '../auth/crypto.ts';
import { signEmbedToken } from '../auth/embed-token.ts';
import { agencyCaller, brokenJson, expectError, expectStatus } from './agency-helpers.ts';
import { ORIGIN, setup } from './helpers.ts';

const ctx = await setup();
const agency = await ctx.agency({ name: 'Northwind Studio' });
const otherAgency = await ctx.agency({ name: 'Other Agency', origins: ['https://other.example'] });

const asAgency = (apiKey: string) => agencyCaller(ctx, apiKey);
const agencyApi = asAgency(agency.api_key);
const otherApi = asAgency(otherAgency.api_key);

interface EmbedKey {
  id: string;
  secret?: string;
  created_at: string;
  revoked_at?: string | null;
}

/** Exchanges a token signed with `key` for a session, from `origin` (none: a server-side call). */
async function exchange(key: { id: string; secret: string }, origin: string | null = ORIGIN, sub = 'client-1') {
  const token = await signEmbedToken({ iss: agency.agency_id, sub }, key);
  return ctx.request('/v1/session', { method: 'POST', json: { token }, headers: origin ? { origin } : {} });
}

const auditActions = async (subjectId: string) =>
  (await ctx.sql<{ action: string; actor_type: string }[]>`
    select action, actor_type from audit_log where subject_id = ${subjectId} order by id`).map((r) => `${r.actor_type}:${r.action}`);

describe('agency settings', () => {
  test('GET shows the agency with its origins; it needs the API key', async () => {
    assert.deepEqual(await expectStatus(await agencyApi('/v1/agency'), 200), {
      id: agency.agency_id,
      name: 'Northwind Studio',
      brand_color: '#2f6f5e',
      portal_url: null,
      origins: [ORIGIN],
    });
    assert.equal((await ctx.request('/v1/agency')).status, 401);
    assert.equal((await ctx.request('/v1/agency', { bearer: 'porch_sk_wrong-wrong-wrong-wrong' })).status, 401);
  });

  test('PATCH changes the branding the portal shows, and is audited', async () => {
    const updated = await expectStatus<{ brand_color: string; portal_url: string | null; name: string }>(
      await agencyApi('/v1/agency', {
        method: 'PATCH',
        json: { brand_color: '#AA3355', portal_url: 'https://northwind.example/portal' },
      }),
      200,
    );
    assert.equal(updated.brand_color, '#AA3355');
    assert.equal(updated.portal_url, 'https://northwind.example/portal');
    assert.equal(updated.name, 'Northwind Studio', 'what was left out stays');

    const session = await ctx.signIn(agency, 'branding-client');
    const portal = (await (await ctx.request('/v1/portal', { bearer: session })).json()) as { agency: { brand_color: string } };
    assert.equal(portal.agency.brand_color, '#AA3355');

    const cleared = await expectStatus<{ portal_url: string | null }>(
      await agencyApi('/v1/agency', { method: 'PATCH', json: { portal_url: null } }),
      200,
    );
    assert.equal(cleared.portal_url, null);
    assert.deepEqual(await auditActions(agency.agency_id), ['agency:agency.updated', 'agency:agency.updated']);
  });
});

describe('allowed origins', () => {
  test('PUT normalizes, deduplicates and replaces them, and /v1/session follows at once', async () => {
    const oldSession = await (await exchange({ id: agency.embed_key_id, secret: agency.embed_secret }, ORIGIN)).json();
    const updated = await expectStatus<{ origins: string[] }>(
      await agencyApi('/v1/agency/origins', {
        method: 'PUT',
        json: { origins: [' https://Shop.Example.com ', 'https://shop.example.com', 'http://localhost:8787', 'https://www.example.org:443'] },
      }),
      200,
    );
    assert.deepEqual(updated.origins, ['http://localhost:8787', 'https://shop.example.com', 'https://www.example.org']);

    const key = { id: agency.embed_key_id, secret: agency.embed_secret };
    assert.equal((await exchange(key, 'https://shop.example.com')).status, 200);
    assert.equal((await exchange(key, 'http://localhost:8787')).status, 200);
    assert.equal((await expectError(await exchange(key, ORIGIN), 403)).code, 'origin_not_allowed');
    // A session opened from the removed origin is refused there too.
    const fromOldOrigin = await ctx.request('/v1/portal', { bearer: (oldSession as { session: string }).session, headers: { origin: ORIGIN } });
    assert.equal(fromOldOrigin.status, 403);

    const [entry] = await ctx.sql`
      select actor_type, data from audit_log where action = 'agency.origins_replaced' order by id desc limit 1`;
    assert.equal(entry.actor_type, 'agency');
    assert.deepEqual(entry.data.origins, updated.origins);
  });

  test('two replaces at once: one of the two sets wins whole, and neither fails', async () => {
    const sets = [['https://one.example'], ['https://two.example', 'https://three.example']];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        sets.map((origins) => agencyApi('/v1/agency/origins', { method: 'PUT', json: { origins } })),
      );
      assert.deepEqual(results.map((r) => r.status), [200, 200], `round ${round}`);
      const { origins } = await expectStatus<{ origins: string[] }>(await agencyApi('/v1/agency'), 200);
      assert.ok(
        sets.some((set) => JSON.stringify([...set].sort()) === JSON.stringify(origins)),
        `round ${round}: ${origins.join(', ')} is one of the sets, not a mix`,
      );
    }
    const same = await Promise.all(
      [1, 2, 3].map(() => agencyApi('/v1/agency/origins', { method: 'PUT', json: { origins: [ORIGIN] } })),
    );
    assert.deepEqual(same.map((r) => r.status), [200, 200, 200], 'the same set three times at once');
    assert.deepEqual((await expectStatus<{ origins: string[] }>(await agencyApi('/v1/agency'), 200)).origins, [ORIGIN]);
  });

  test('an empty list refuses every browser origin; server-side exchanges still work', async () => {
    await expectStatus(await agencyApi('/v1/agency/origins', { method: 'PUT', json: { origins: [] } }), 200);
    const key = { id: agency.embed_key_id, secret: agency.embed_secret };
    assert.equal((await exchange(key, 'https://shop.example.com')).status, 403);
    assert.equal((await exchange(key, null)).status, 200);
    await expectStatus(await agencyApi('/v1/agency/origins', { method: 'PUT', json: { origins: [ORIGIN] } }), 200);
  });

  test('anything but scheme://host[:port] over http(s) is refused, and the list is kept', async () => {
    for (const origins of [
      ['https://shop.example.com/portal'],
      ['https://shop.example.com/'],
      ['https://shop.example.com?x=1'],
      ['https://shop.example.com#top'],
      ['ftp://shop.example.com'],
      ['shop.example.com'],
      ['https://'],
      ['https://*.example.com'],
      ['https://user@shop.example.com'],
      ['https://shop.example.com:99999'],
      ['javascript:alert(1)'],
      [42],
      'https://shop.example.com',
      Array.from({ length: 51 }, (_, i) => `https://site${i}.example`),
    ]) {
      const res = await agencyApi('/v1/agency/origins', { method: 'PUT', json: { origins } });
      assert.equal((await expectError(res, 400)).code, 'invalid_request', JSON.stringify(origins).slice(0, 80));
    }
    assert.equal((await agencyApi('/v1/agency/origins', { method: 'PUT', json: {} })).status, 400);
    const fifty = Array.from({ length: 50 }, (_, i) => `https://site${i}.example`);
    const many = await expectStatus<{ origins: string[] }>(
      await agencyApi('/v1/agency/origins', { method: 'PUT', json: { origins: [...fifty, ...fifty] } }),
      200,
    );
    assert.equal(many.origins.length, 50, 'fifty distinct origins, each sent twice, are fine');
    const restored = await expectStatus<{ origins: string[] }>(
      await agencyApi('/v1/agency/origins', { method: 'PUT', json: { origins: [ORIGIN] } }),
      200,
    );
    assert.deepEqual(restored.origins, [ORIGIN]);
  });
});

describe('embed keys', () => {
  test('the list never shows a secret', async () => {
    const res = await agencyApi('/v1/agency/embed-keys');
    const text = await res.clone().text();
    const keys = await expectStatus<EmbedKey[]>(res, 200);
    assert.ok(keys.some((k) => k.id === agency.embed_key_id));
    assert.ok(keys.every((k) => Object.keys(k).sort().join() === 'created_at,id,revoked_at'));
    assert.ok(!text.includes(agency.embed_secret));
  });

  test('a new key signs tokens at once; its secret is shown only in the answer to its creation', async () => {
    const key = await expectStatus<Required<EmbedKey>>(await agencyApi('/v1/agency/embed-keys', { method: 'POST' }), 201);
    assert.match(key.id, /^ek_[A-Za-z0-9_-]+$/);
    assert.ok(key.secret.length >= 32);
    assert.equal((await exchange(key)).status, 200);
    assert.deepEqual(await auditActions(key.id), ['agency:embed_key.created']);
  });

  test('rotation: old and new keys both work until the old one is revoked', async () => {
    const old = await expectStatus<Required<EmbedKey>>(await agencyApi('/v1/agency/embed-keys', { method: 'POST' }), 201);
    const successor = await expectStatus<Required<EmbedKey>>(
      await agencyApi(`/v1/agency/embed-keys/${old.id}/rotate`, { method: 'POST' }),
      201,
    );
    assert.notEqual(successor.id, old.id);
    assert.notEqual(successor.secret, old.secret);
    assert.equal((await exchange(old)).status, 200, 'the old key stays live after rotation');
    assert.equal((await exchange(successor)).status, 200);

    const revoked = await expectStatus<EmbedKey>(await agencyApi(`/v1/agency/embed-keys/${old.id}/revoke`, { method: 'POST' }), 200);
    assert.ok(revoked.revoked_at);
    assert.match((await expectError(await exchange(old), 401)).message, /revoked/);
    assert.equal((await exchange(successor)).status, 200, 'the new key still works');

    const again = await expectStatus<EmbedKey>(await agencyApi(`/v1/agency/embed-keys/${old.id}/revoke`, { method: 'POST' }), 200);
    assert.equal(again.revoked_at, revoked.revoked_at, 'revoking twice changes nothing');
    await expectError(await agencyApi(`/v1/agency/embed-keys/${old.id}/rotate`, { method: 'POST' }), 409);

    const listed = await expectStatus<EmbedKey[]>(await agencyApi('/v1/agency/embed-keys'), 200);
    assert.equal(listed.find((k) => k.id === old.id)?.revoked_at, revoked.revoked_at);
    assert.deepEqual(await auditActions(old.id), ['agency:embed_key.created', 'agency:embed_key.revoked']);
    const [rotation] = await ctx.sql`select data from audit_log where action = 'embed_key.rotated' and subject_id = ${successor.id}`;
    assert.deepEqual(rotation.data, { replaces: old.id });
  });

  test("another agency cannot rotate, revoke or list this agency's keys", async () => {
    const key = { id: agency.embed_key_id, secret: agency.embed_secret };
    for (const action of ['rotate', 'revoke']) {
      const res = await otherApi(`/v1/agency/embed-keys/${agency.embed_key_id}/${action}`, { method: 'POST' });
      assert.equal((await expectError(res, 404)).code, 'not_found', action);
    }
    assert.equal((await exchange(key)).status, 200, 'the key still works');
    const [{ n }] = await ctx.sql`select count(*)::int as n from embed_keys where agency_id = ${agency.agency_id} and revoked_at is not null`;
    const otherKeys = await expectStatus<EmbedKey[]>(await otherApi('/v1/agency/embed-keys'), 200);
    assert.deepEqual(otherKeys.map((k) => k.id), [otherAgency.embed_key_id]);
    assert.equal(n, 1, 'only the key revoked in the rotation test');
  });
});

describe('API keys', () => {
  test('the list shows every key with its label and state, never a key or its hash; the first key can be revoked by its id', async () => {
    const fresh = await ctx.agency({ name: 'Fresh Agency' });
    const freshApi = asAgency(fresh.api_key);
    const second = await expectStatus<{ id: string; api_key: string }>(
      await freshApi('/v1/agency/api-keys', { method: 'POST', json: { label: 'deploys' } }),
      201,
    );
    const res = await freshApi('/v1/agency/api-keys');
    const text = await res.clone().text();
    const keys = await expectStatus<{ id: string; label: string | null; created_at: string; revoked_at: string | null }[]>(res, 200);
    assert.deepEqual(keys.map((k) => [k.id, k.label, k.revoked_at]), [
      [second.id, 'deploys', null],
      [fresh.api_key_id, 'created with the agency', null],
    ]);
    assert.ok(keys.every((k) => Object.keys(k).sort().join() === 'created_at,id,label,revoked_at'));
    for (const secret of [fresh.api_key, second.api_key, await sha256Hex(fresh.api_key), await sha256Hex(second.api_key)]) {
      assert.ok(!text.includes(secret), 'no key and no hash in the list');
    }

    // The key made with the agency, known only by the id createAgency answers, can be revoked.
    const revoked = await expectStatus<{ id: string; revoked_at: string }>(
      await asAgency(second.api_key)(`/v1/agency/api-keys/${fresh.api_key_id}/revoke`, { method: 'POST' }),
      200,
    );
    assert.equal(revoked.id, fresh.api_key_id);
    assert.equal((await freshApi('/v1/agency')).status, 401);
    const after = await expectStatus<{ id: string; revoked_at: string | null }[]>(await asAgency(second.api_key)('/v1/agency/api-keys'), 200);
    assert.equal(after.find((k) => k.id === fresh.api_key_id)?.revoked_at, revoked.revoked_at);

    // Another agency sees only its own keys.
    const others = await expectStatus<{ id: string }[]>(await otherApi('/v1/agency/api-keys'), 200);
    assert.ok(others.length >= 1);
    assert.ok(others.every((k) => k.id !== second.id && k.id !== fresh.api_key_id));
    assert.equal((await ctx.request('/v1/agency/api-keys')).status, 401);
  });

  test('a new key works at once, is stored only as its SHA-256, and stops working when revoked', async () => {
    const created = await expectStatus<{ id: string; api_key: string }>(
      await agencyApi('/v1/agency/api-keys', { method: 'POST', json: { label: 'CI deploys' } }),
      201,
    );
    assert.match(created.api_key, /^porch_sk_/);
    const newApi = asAgency(created.api_key);
    assert.equal((await newApi('/v1/agency')).status, 200);
    const [stored] = await ctx.sql`select key_hash, label from api_keys where id = ${created.id}`;
    assert.equal(stored.key_hash, await sha256Hex(created.api_key));
    assert.equal(stored.label, 'CI deploys');
    const [{ plain }] = await ctx.sql`
      select count(*)::int as plain from api_keys where key_hash = ${created.api_key} or label = ${created.api_key}`;
    assert.equal(plain, 0);

    await expectStatus(await agencyApi(`/v1/agency/api-keys/${created.id}/revoke`, { method: 'POST' }), 200);
    assert.equal((await newApi('/v1/agency')).status, 401);
    assert.equal((await agencyApi('/v1/agency')).status, 200, 'the other key still works');
    assert.deepEqual(await auditActions(created.id), ['agency:api_key.created', 'agency:api_key.revoked']);
  });

  test('a key can revoke itself', async () => {
    const created = await expectStatus<{ id: string; api_key: string }>(
      await agencyApi('/v1/agency/api-keys', { method: 'POST' }),
      201,
    );
    const self = asAgency(created.api_key);
    assert.equal((await self(`/v1/agency/api-keys/${created.id}/revoke`, { method: 'POST' })).status, 200);
    assert.equal((await self('/v1/agency')).status, 401);
  });

  test("another agency cannot revoke this agency's key", async () => {
    const created = await expectStatus<{ id: string; api_key: string }>(await agencyApi('/v1/agency/api-keys', { method: 'POST' }), 201);
    await expectError(await otherApi(`/v1/agency/api-keys/${created.id}/revoke`, { method: 'POST' }), 404);
    assert.equal((await asAgency(created.api_key)('/v1/agency')).status, 200);
  });
});

describe('audit log', () => {
  test('newest first, filtered by client, limited; another agency sees none of it', async () => {
    const session = await ctx.signIn(agency, 'audited-client');
    const [{ id: clientId }] = await ctx.sql`select id from clients where external_id = 'audited-client' and agency_id = ${agency.agency_id}`;
    await ctx.request('/v1/session', { method: 'DELETE', bearer: session });
    await agencyApi(`/v1/agency/clients/${clientId}/revoke`, { method: 'POST' });

    const all = await expectStatus<{ id: number; created_at: string; action: string }[]>(await agencyApi('/v1/agency/audit'), 200);
    assert.ok(all.length >= 5);
    // By time: entries of transactions that overlapped (the concurrent origin replaces above)
    // carry their transaction's start time, so ids alone are not in time order.
    for (let i = 1; i < all.length; i++) {
      assert.ok(Date.parse(all[i - 1].created_at) >= Date.parse(all[i].created_at), `newest first at ${i}`);
    }
    assert.ok(all[0].id > all[all.length - 1].id);
    const two = await expectStatus<unknown[]>(await agencyApi('/v1/agency/audit?limit=2'), 200);
    assert.deepEqual(two, all.slice(0, 2));

    const forClient = await expectStatus<{ client_id: string; action: string }[]>(
      await agencyApi(`/v1/agency/audit?client_id=${clientId}`),
      200,
    );
    assert.deepEqual(forClient.map((e) => e.action), ['client.revoked', 'client.first_sign_in']);
    assert.ok(forClient.every((e) => e.client_id === clientId));

    const otherSees = await expectStatus<{ action: string }[]>(await otherApi(`/v1/agency/audit?client_id=${clientId}`), 200);
    assert.deepEqual(otherSees, []);
    const otherAll = await expectStatus<{ subject_id: string }[]>(await otherApi('/v1/agency/audit?limit=500'), 200);
    assert.ok(otherAll.every((e) => e.subject_id !== agency.agency_id && e.subject_id !== clientId));
  });
});

describe('malformed input answers 4xx JSON, never 500', () => {
  test('bad key ids in paths answer 404', async () => {
    for (const bad of ['a', 'k'.repeat(65), encodeURIComponent('bad key!'), encodeURIComponent("x' or 1=1")]) {
      await expectError(await agencyApi(`/v1/agency/embed-keys/${bad}/rotate`, { method: 'POST' }), 404);
      await expectError(await agencyApi(`/v1/agency/embed-keys/${bad}/revoke`, { method: 'POST' }), 404);
      await expectError(await agencyApi(`/v1/agency/api-keys/${bad}/revoke`, { method: 'POST' }), 404);
    }
    await expectError(await agencyApi('/v1/agency/embed-keys/ek_does_not_exist/revoke', { method: 'POST' }), 404);
  });

  test('bad settings bodies answer 400 and change nothing', async () => {
    const before = await expectStatus(await agencyApi('/v1/agency'), 200);
    for (const json of [
      { name: '' },
      { name: 'n'.repeat(201) },
      { name: 5 },
      { brand_color: 'red' },
      { brand_color: '#12345' },
      { brand_color: '#1234567' },
      { portal_url: 'ftp://northwind.example' },
      { portal_url: 'javascript:alert(1)' },
      { portal_url: 'https://' },
      { portal_url: `https://northwind.example/${'p'.repeat(2000)}` },
      { portal_url: 7 },
    ]) {
      await expectError(await agencyApi('/v1/agency', { method: 'PATCH', json }), 400);
    }
    await expectError(await agencyApi('/v1/agency', { method: 'PATCH', ...brokenJson() }), 400);
    await expectError(await agencyApi('/v1/agency/origins', { method: 'PUT', ...brokenJson('[') }), 400);
    await expectError(await agencyApi('/v1/agency/api-keys', { method: 'POST', ...brokenJson() }), 400);
    await expectError(await agencyApi('/v1/agency/api-keys', { method: 'POST', json: { label: 'l'.repeat(201) } }), 400);
    await expectError(await agencyApi('/v1/agency/api-keys', { method: 'POST', json: { label: 3 } }), 400);
    await expectError(await agencyApi('/v1/agency/api-keys', { method: 'POST', json: { label: 'deploy\ud800' } }), 400);
    await expectError(await agencyApi('/v1/agency', { method: 'PATCH', json: { name: 'Northwind\udc00' } }), 400);
    assert.deepEqual(await expectStatus(await agencyApi('/v1/agency'), 200), before);
  });

  test('bad audit queries answer 400', async () => {
    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'limit=1.5', 'client_id=nope', 'limit=1&limit=2']) {
      await expectError(await agencyApi(`/v1/agency/audit?${query}`), 400);
    }
  });
});
