import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { base64url, sha256Hex } from '../auth/crypto.ts';
import { BODY_LIMITS } from '../app.ts';
import { purgeExpired } from '../db/identity.ts';
import { ORIGIN, setup } from './helpers.ts';

const ctx = await setup();
const agency = await ctx.agency();
const otherAgency = await ctx.agency({ name: 'Other Agency', origins: ['https://other.example'] });
const now = () => Math.floor(Date.now() / 1000);
const encoder = new TextEncoder();

/** Signs with jose, so header and claims can be anything a hostile caller might send. */
function joseToken(
  claims: Record<string, unknown>,
  { kid = agency.embed_key_id, secret = agency.embed_secret, alg = 'HS256' } = {},
) {
  return new SignJWT({ aud: 'porch', iss: agency.agency_id, sub: 'client-1', iat: now(), exp: now() + 600, ...claims })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .sign(encoder.encode(secret));
}

async function exchange(token: string, origin: string | null = ORIGIN) {
  const res = await ctx.request('/v1/session', {
    method: 'POST',
    json: { token },
    headers: origin ? { origin } : {},
  });
  const body = (await res.json()) as { session?: string; expires_at?: string; error?: { code: string; message: string } };
  return { status: res.status, body };
}

async function assertRefused(token: string, code = 'invalid_token', origin: string | null = ORIGIN) {
  const { status, body } = await exchange(token, origin);
  assert.equal(body.session, undefined, 'no session is issued');
  assert.equal(body.error?.code, code, body.error?.message);
  assert.ok(status === 401 || status === 403, `status ${status}`);
  return body.error!.message;
}

const sessionCount = async () => (await ctx.sql<{ n: number }[]>`select count(*)::int as n from sessions`)[0].n;

describe('embed token accepted', () => {
  test('a token minted with jose gives a session that opens the client routes', async () => {
    const { status, body } = await exchange(await joseToken({ sub: 'jose-client', name: 'Jo Sé', email: 'jo@example.com' }));
    assert.equal(status, 200);
    assert.match(body.session!, /^ps_[A-Za-z0-9_-]{40,}$/);
    const expires = Date.parse(body.expires_at!);
    assert.ok(expires > Date.now() + 3600_000 && expires < Date.now() + 24 * 3600_000, 'session lives hours, not days');
    const res = await ctx.request('/v1/portal', { bearer: body.session });
    assert.equal(res.status, 200);
  });

  test('a client seen for the first time is created from the claims, and updated on the next visit', async () => {
    await ctx.signIn(agency, 'new-client', { name: 'Ada Lovelace', email: 'ada@example.com' });
    const [client] = await ctx.sql`select name, email from clients where agency_id = ${agency.agency_id} and external_id = 'new-client'`;
    assert.deepEqual({ ...client }, { name: 'Ada Lovelace', email: 'ada@example.com' });
    await ctx.signIn(agency, 'new-client', { email: 'ada@newmail.example' });
    const rows = await ctx.sql`select name, email from clients where agency_id = ${agency.agency_id} and external_id = 'new-client'`;
    assert.equal(rows.length, 1);
    assert.deepEqual({ ...rows[0] }, { name: 'Ada Lovelace', email: 'ada@newmail.example' });
  });

  test('a request without an Origin header (a server, curl) is accepted', async () => {
    const { status } = await exchange(await joseToken({}), null);
    assert.equal(status, 200);
  });

  test('a token from a second live key of the same agency is accepted (rotation)', async () => {
    await ctx.sql`insert into embed_keys (id, agency_id, secret) values ('second-key', ${agency.agency_id}, 'second-secret')`;
    const { status } = await exchange(await joseToken({}, { kid: 'second-key', secret: 'second-secret' }));
    assert.equal(status, 200);
  });

  test('the same agency client id in two agencies is two different clients', async () => {
    const a = await ctx.signIn(agency, 'shared-id');
    const b = await ctx.signIn(otherAgency, 'shared-id', {});
    const [pa, pb] = await Promise.all(
      [a, b].map(async (bearer) => (await (await ctx.request('/v1/portal', { bearer })).json()) as { client: { id: string } }),
    );
    assert.notEqual(pa.client.id, pb.client.id);
  });
});

describe('embed token refused', () => {
  test('an altered payload (signature no longer matches)', async () => {
    const [header, , signature] = (await joseToken({ sub: 'client-1' })).split('.');
    const forged = base64url(encoder.encode(JSON.stringify({ aud: 'porch', iss: agency.agency_id, sub: 'someone-else', iat: now(), exp: now() + 600 })));
    assert.match(await assertRefused(`${header}.${forged}.${signature}`), /signature/);
  });

  test('a signature made with the wrong secret', async () => {
    assert.match(await assertRefused(await joseToken({}, { secret: 'not-the-secret' })), /signature/);
  });

  test('a truncated signature', async () => {
    const token = await joseToken({});
    assert.match(await assertRefused(token.slice(0, -4)), /signature/);
  });

  test('an unknown kid', async () => {
    assert.match(await assertRefused(await joseToken({}, { kid: 'no-such-key' })), /unknown key/);
  });

  test('a revoked kid', async () => {
    await ctx.sql`insert into embed_keys (id, agency_id, secret, revoked_at) values ('revoked-key', ${agency.agency_id}, 's3cret', now())`;
    assert.match(await assertRefused(await joseToken({}, { kid: 'revoked-key', secret: 's3cret' })), /revoked/);
  });

  test('a revoked kid with a wrong signature says only that the signature is not valid', async () => {
    await ctx.sql`insert into embed_keys (id, agency_id, secret, revoked_at) values ('revoked-key-2', ${agency.agency_id}, 's3cret', now())`;
    const message = await assertRefused(await joseToken({}, { kid: 'revoked-key-2', secret: 'a-guess' }));
    assert.match(message, /signature is not valid/);
    assert.doesNotMatch(message, /revoked/, 'without the secret, nobody learns that the key was revoked');
  });

  test('alg none', async () => {
    const header = base64url(encoder.encode(JSON.stringify({ alg: 'none', kid: agency.embed_key_id })));
    const payload = base64url(encoder.encode(JSON.stringify({ aud: 'porch', iss: agency.agency_id, sub: 'x', iat: now(), exp: now() + 60 })));
    assert.match(await assertRefused(`${header}.${payload}.`), /HS256/);
  });

  test('alg HS512, even with the right secret', async () => {
    assert.match(await assertRefused(await joseToken({}, { alg: 'HS512' })), /HS256/);
  });

  test('a kid that belongs to another agency than iss', async () => {
    const token = await joseToken({ iss: agency.agency_id }, { kid: otherAgency.embed_key_id, secret: otherAgency.embed_secret });
    assert.match(await assertRefused(token), /issuer/);
  });

  test('a wrong audience', async () => {
    assert.match(await assertRefused(await joseToken({ aud: 'someone-else' })), /audience/);
  });

  test('an expired token', async () => {
    assert.match(await assertRefused(await joseToken({ iat: now() - 1200, exp: now() - 600 })), /expired/);
  });

  test('iat in the future beyond 60 s of skew', async () => {
    assert.match(await assertRefused(await joseToken({ iat: now() + 120, exp: now() + 600 })), /future/);
  });

  test('iat within 60 s of skew is accepted', async () => {
    assert.equal((await exchange(await joseToken({ iat: now() + 30, exp: now() + 600 }))).status, 200);
  });

  test('a token not valid yet (nbf in the future)', async () => {
    assert.match(await assertRefused(await joseToken({ nbf: now() + 300 })), /not valid yet/);
  });

  test('a lifetime over one hour', async () => {
    assert.match(await assertRefused(await joseToken({ iat: now(), exp: now() + 3601 })), /one hour/);
  });

  test('an exp that is not after iat', async () => {
    for (const [iat, exp] of [[now(), now()], [now() + 50, now() + 1], [now() - 10, now() - 20]]) {
      assert.match(await assertRefused(await joseToken({ iat, exp })), /exp|expired/);
    }
    assert.match(await assertRefused(await joseToken({ iat: now(), exp: now() })), /before it is issued/);
  });

  test('missing exp and iat', async () => {
    assert.match(await assertRefused(await joseToken({ exp: undefined, iat: undefined })), /exp and iat/);
  });

  test('a jti seen before', async () => {
    const token = await joseToken({ jti: 'once-only' });
    assert.equal((await exchange(token)).status, 200);
    assert.match(await assertRefused(token), /already been used/);
  });

  test('a replayed jti does not create a second session', async () => {
    const token = await joseToken({ jti: 'twice-at-once' });
    const before = await sessionCount();
    const results = await Promise.all([exchange(token), exchange(token)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
    assert.equal(await sessionCount(), before + 1);
  });

  test('an empty jti, which would let one token id burn for every token', async () => {
    assert.match(await assertRefused(await joseToken({ sub: 'empty-jti', jti: '' })), /jti/);
    const rows = await ctx.sql`select 1 from used_token_ids where jti = ''`;
    assert.equal(rows.length, 0);
  });

  test('a sub, name or email with an unpaired UTF-16 surrogate', async () => {
    // Stored as UTF-8 these would all become U+FFFD: two different ids, one client.
    for (const claims of [{ sub: 'lone\ud800' }, { sub: 'lone\udfff' }, { sub: 'ok', name: 'Ada\ud83d' }, { sub: 'ok', email: '\ude00@x.example' }]) {
      assert.match(await assertRefused(await joseToken(claims)), /well-formed/, JSON.stringify(claims));
    }
    const rows = await ctx.sql`select 1 from clients where external_id like 'lone%'`;
    assert.equal(rows.length, 0);
    // A surrogate pair (an emoji) is fine.
    assert.equal((await exchange(await joseToken({ sub: 'emoji-\u{1F600}', name: 'Zoë \u{1F600}' }))).status, 200);
  });

  test('an Origin not among the agency allowed origins', async () => {
    const message = await assertRefused(await joseToken({}), 'origin_not_allowed', 'https://evil.example');
    assert.match(message, /evil\.example/);
  });

  test('an allowed origin of another agency is not allowed for this one', async () => {
    await assertRefused(await joseToken({}), 'origin_not_allowed', 'https://other.example');
  });

  test('a client the agency revoked', async () => {
    await ctx.signIn(agency, 'revoked-client');
    await ctx.sql`update clients set revoked_before = now() + interval '1 second' where external_id = 'revoked-client'`;
    await assertRefused(await joseToken({ sub: 'revoked-client' }), 'client_revoked');
  });

  test('a malformed token', async () => {
    for (const token of ['abc', 'a.b', 'a.b.c', '!!!.###.$$$', `${base64url(encoder.encode('[1]'))}.e30.`]) {
      await assertRefused(token);
    }
  });

  test('the demo credentials outside demo mode', async () => {
    const demo = await ctx.agency({ id: 'demo-agency-test', isDemo: true, embedKeyId: 'demo-key-test', embedSecret: 'porch-demo-secret' });
    await assertRefused(await ctx.token(demo, 'demo-client-1'), 'invalid_token');
  });

  test('a refused token creates no client and no session', async () => {
    const before = await sessionCount();
    await assertRefused(await joseToken({ sub: 'never-created', aud: 'nope' }));
    const rows = await ctx.sql`select 1 from clients where external_id = 'never-created'`;
    assert.equal(rows.length, 0);
    assert.equal(await sessionCount(), before);
  });

  test('a body without a token is a 400', async () => {
    for (const json of [{}, { token: '' }, { token: 42 }, []]) {
      const res = await ctx.request('/v1/session', { method: 'POST', json });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_request');
    }
    const res = await ctx.request('/v1/session', { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
  });
});

describe('sessions', () => {
  test('a client route without a bearer is 401', async () => {
    const res = await ctx.request('/v1/portal');
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
  });

  test('an unknown bearer is 401 session_expired', async () => {
    const res = await ctx.request('/v1/portal', { bearer: 'ps_this-is-not-a-real-session-token' });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'session_expired');
  });

  test('signing out revokes the session at once', async () => {
    const bearer = await ctx.signIn(agency, 'leaving-client');
    assert.equal((await ctx.request('/v1/portal', { bearer })).status, 200);
    assert.equal((await ctx.request('/v1/session', { method: 'DELETE', bearer })).status, 204);
    assert.equal((await ctx.request('/v1/portal', { bearer })).status, 401);
  });

  test('an expired session is refused', async () => {
    const bearer = await ctx.signIn(agency, 'expiring-client');
    await ctx.sql`update sessions set expires_at = now() - interval '1 second'
                  where client_id = (select id from clients where external_id = 'expiring-client')`;
    assert.equal((await ctx.request('/v1/portal', { bearer })).status, 401);
  });

  test('revoking a client ends the sessions it already had', async () => {
    const bearer = await ctx.signIn(agency, 'cut-off-client');
    await ctx.sql`update clients set revoked_before = now() where external_id = 'cut-off-client'`;
    assert.equal((await ctx.request('/v1/portal', { bearer })).status, 401);
  });

  test('a session used from an origin the agency does not allow is 403', async () => {
    const bearer = await ctx.signIn(agency, 'origin-client');
    const res = await ctx.request('/v1/portal', { bearer, headers: { origin: 'https://evil.example' } });
    assert.equal(res.status, 403);
    assert.equal((await ctx.request('/v1/portal', { bearer, headers: { origin: ORIGIN } })).status, 200);
  });

  test('revoking the embed key ends the sessions its tokens opened, not the others', async () => {
    const createKey = async () => {
      const res = await ctx.request('/v1/agency/embed-keys', { method: 'POST', bearer: agency.api_key });
      assert.equal(res.status, 201);
      return (await res.json()) as { id: string; secret: string };
    };
    const leaked = await createKey();
    const kept = await createKey();
    const fromLeaked = (await exchange(await joseToken({ sub: 'key-client' }, { kid: leaked.id, secret: leaked.secret }))).body.session!;
    const fromKept = (await exchange(await joseToken({ sub: 'key-client' }, { kid: kept.id, secret: kept.secret }))).body.session!;
    assert.equal((await ctx.request('/v1/portal', { bearer: fromLeaked })).status, 200);

    const revoke = await ctx.request(`/v1/agency/embed-keys/${leaked.id}/revoke`, { method: 'POST', bearer: agency.api_key });
    assert.equal(revoke.status, 200);
    const refused = await ctx.request('/v1/portal', { bearer: fromLeaked });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'session_expired');
    assert.equal((await ctx.request('/v1/portal', { bearer: fromKept })).status, 200, 'a session from another key lives on');
    const [entry] = await ctx.sql`select data from audit_log where action = 'embed_key.revoked' and subject_id = ${leaked.id}`;
    assert.deepEqual(entry.data, { sessions_revoked: 1 });
  });

  test('a session whose key was revoked without ending it (a race) is refused all the same', async () => {
    const bearer = await ctx.signIn(agency, 'race-client');
    await ctx.sql`insert into embed_keys (id, agency_id, secret) values ('racing-key', ${agency.agency_id}, 'racing-secret')`;
    const racing = (await exchange(await joseToken({ sub: 'race-client' }, { kid: 'racing-key', secret: 'racing-secret' }))).body.session!;
    // As if the revocation committed between the token's check and the session's insert.
    await ctx.sql`update embed_keys set revoked_at = now() where id = 'racing-key'`;
    assert.equal((await ctx.request('/v1/portal', { bearer: racing })).status, 401);
    assert.equal((await ctx.request('/v1/portal', { bearer })).status, 200);
  });

  test('a session opened in demo mode stops working when demo mode is off', async () => {
    const demo = await ctx.agency({ id: 'demo-session-agency', isDemo: true, embedKeyId: 'demo-session-key', embedSecret: 'porch-demo-secret' });
    try {
      ctx.env.demo = true;
      const bearer = await ctx.signIn(demo, 'demo-client-1');
      assert.equal((await ctx.request('/v1/portal', { bearer })).status, 200);
      ctx.env.demo = false;
      const res = await ctx.request('/v1/portal', { bearer });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'session_expired');
      ctx.env.demo = true;
      assert.equal((await ctx.request('/v1/portal', { bearer })).status, 200, 'only demo mode decided');
    } finally {
      ctx.env.demo = false;
    }
    // A real agency's session is not affected by demo mode.
    assert.equal((await ctx.request('/v1/portal', { bearer: await ctx.signIn(agency, 'not-demo') })).status, 200);
  });

  test('sessions are stored hashed', async () => {
    const bearer = await ctx.signIn(agency, 'hashed-client');
    const rows = await ctx.sql`select 1 from sessions where token_hash = ${bearer}`;
    assert.equal(rows.length, 0);
  });
});

describe('request bodies are limited', () => {
  const tooLarge = async (res: Response) => {
    assert.equal(res.status, 413);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'payload_too_large');
    assert.match(body.error.message, /KiB/);
  };

  /** A body of `total` bytes, streamed without Content-Length; counts the bytes read from it. */
  function endlessBody(total: number) {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return { stream, sent: () => sent };
  }

  test('POST /v1/session refuses a body over 16 KiB, before reading the rest of it', async () => {
    const padded = JSON.stringify({ token: await joseToken({}), padding: 'x'.repeat(BODY_LIMITS.session) });
    await tooLarge(await ctx.request('/v1/session', { method: 'POST', body: padded, headers: { 'content-type': 'application/json' } }));

    const body = endlessBody(200 * 1024 * 1024);
    const res = await ctx.request('/v1/session', {
      method: 'POST',
      body: body.stream,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    await tooLarge(res);
    assert.ok(body.sent() < 1024 * 1024, `read ${body.sent()} bytes of a 200 MB body`);
    // A real token in an ordinary body still works.
    assert.equal((await exchange(await joseToken({}))).status, 200);
  });

  test('the client routes refuse a body over 64 KiB', async () => {
    const bearer = await ctx.signIn(agency, 'big-body-client');
    const res = await ctx.request('/v1/approvals/00000000-0000-4000-8000-000000000000/decision', {
      method: 'POST',
      bearer,
      json: { decision: 'approved', comment: 'c'.repeat(BODY_LIMITS.client) },
    });
    await tooLarge(res);
  });

  test('the agency routes refuse a body over 512 KiB, but not a document upload', async () => {
    const origins = Array.from({ length: 200 }, (_, i) => `https://site-${i}.example`);
    const huge = { origins, padding: 'p'.repeat(BODY_LIMITS.agency) };
    await tooLarge(await ctx.request('/v1/agency/origins', { method: 'PUT', bearer: agency.api_key, json: huge }));
    assert.deepEqual(
      ((await (await ctx.request('/v1/agency', { bearer: agency.api_key })).json()) as { origins: string[] }).origins,
      [ORIGIN],
      'nothing changed',
    );

    const client = (await (
      await ctx.request('/v1/agency/clients', { method: 'POST', bearer: agency.api_key, json: { external_id: 'upload-client' } })
    ).json()) as { id: string };
    const doc = (await (
      await ctx.request('/v1/agency/documents', { method: 'POST', bearer: agency.api_key, json: { client_id: client.id, title: 'Big' } })
    ).json()) as { id: string };
    const form = new FormData();
    form.set('file', new File([new Uint8Array(BODY_LIMITS.agency + 1024)], 'big.bin', { type: 'application/octet-stream' }));
    const upload = await ctx.request(`/v1/agency/documents/${doc.id}/versions`, { method: 'POST', bearer: agency.api_key, body: form });
    assert.equal(upload.status, 201, await upload.clone().text());
  });
});

describe('CORS', () => {
  const preflight = (path: string, method = 'POST') =>
    ctx.request(path, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' },
    });

  test('the client routes answer browsers from any page', async () => {
    for (const [path, method] of [['/v1/session', 'POST'], ['/v1/portal', 'GET'], ['/v1/documents', 'GET'], ['/v1/approvals/x/decision', 'POST'], ['/v1/invoices', 'GET']]) {
      const res = await preflight(path, method);
      assert.equal(res.status, 204, path);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN, path);
    }
    const refused = await ctx.request('/v1/portal', { headers: { origin: ORIGIN } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), ORIGIN, 'the widget can read why it was refused');
  });

  test('the agency routes answer no browser', async () => {
    for (const path of ['/v1/agency', '/v1/agency/clients', '/v1/agency/api-keys']) {
      const res = await preflight(path);
      assert.equal(res.headers.get('access-control-allow-origin'), null, path);
      assert.notEqual(res.status, 204, path);
    }
    const res = await ctx.request('/v1/agency', { bearer: agency.api_key, headers: { origin: ORIGIN } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});

describe('purgeExpired', () => {
  test('deletes token ids past their expiry and sessions expired over a day ago, and nothing else', async () => {
    const client = await ctx.signIn(agency, 'purge-client');
    const [{ id: clientId }] = await ctx.sql`select id from clients where external_id = 'purge-client' and agency_id = ${agency.agency_id}`;
    await ctx.sql`
      insert into used_token_ids (agency_id, jti, expires_at) values
        (${agency.agency_id}, 'purge-old', now() - interval '1 hour'),
        (${agency.agency_id}, 'purge-in-skew', now() - interval '30 seconds'),
        (${agency.agency_id}, 'purge-live', now() + interval '10 minutes')`;
    const hashes = { old: await sha256Hex('purge-old'), recent: await sha256Hex('purge-recent') };
    await ctx.sql`
      insert into sessions (token_hash, agency_id, client_id, expires_at, created_at) values
        (${hashes.old}, ${agency.agency_id}, ${clientId}, now() - interval '25 hours', now() - interval '33 hours'),
        (${hashes.recent}, ${agency.agency_id}, ${clientId}, now() - interval '23 hours', now() - interval '31 hours')`;

    const purged = await purgeExpired(ctx.sql);
    assert.ok(purged.usedTokenIds >= 1 && purged.sessions >= 1, JSON.stringify(purged));
    const jtis = (await ctx.sql<{ jti: string }[]>`select jti from used_token_ids where jti like 'purge-%' order by jti`).map((r) => r.jti);
    // A token 30 s past exp is still accepted (clock skew), so its id must still block a replay.
    assert.deepEqual(jtis, ['purge-in-skew', 'purge-live']);
    const sessions = await ctx.sql`select token_hash from sessions where token_hash in ${ctx.sql([hashes.old, hashes.recent])}`;
    assert.deepEqual(sessions.map((r) => r.token_hash), [hashes.recent]);
    assert.equal((await ctx.request('/v1/portal', { bearer: client })).status, 200, 'live sessions stay');
    assert.deepEqual(await purgeExpired(ctx.sql), { usedTokenIds: 0, sessions: 0 }, 'a second purge finds nothing');
  });
});
