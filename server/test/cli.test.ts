/**
 * The `porch` command, run as a child process the way an operator runs it, against this file's
 * test database (DATABASE_URL); its output is then used through the API.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { main } from '../cli.ts';
import { connect } from '../db/sql.ts';
import { projectRoot } from '../node.ts';
import { adminUrl, setup } from './helpers.ts';

const ctx = await setup();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `porch …` (bin/porch.mjs) with DATABASE_URL set to `databaseUrl`. */
function porch(args: string[], vars: Record<string, string | undefined> = { DATABASE_URL: ctx.databaseUrl }): Promise<Run> {
  const env = { ...process.env, DATABASE_URL: undefined, PORCH_DATA_DIR: undefined, ...vars };
  return new Promise((resolve) => {
    execFile(process.execPath, [join(projectRoot, 'bin/porch.mjs'), ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const countAgencies = async () => (await ctx.sql<{ n: number }[]>`select count(*)::int as n from agencies`)[0].n;

describe('porch against a Postgres server', { skip: ctx.databaseUrl ? false : 'PORCH_TEST_EMBEDDED: there is no database URL to hand the child process' }, () => {
  test('--help lists every command and exits 0', async () => {
    const run = await porch(['--help']);
    assert.equal(run.code, 0);
    for (const command of ['migrate', 'seed --demo', 'create-agency', 'create-api-key', 'token']) assert.match(run.stdout, new RegExp(command));
  });

  test('migrate applies the migrations once; running it again changes nothing', async () => {
    const name = `porch_cli_${process.pid}_${Date.now()}`;
    const admin = connect(adminUrl, { max: 1 });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const fresh = connect(url.toString(), { max: 1 });
    try {
      const first = await porch(['migrate'], { DATABASE_URL: url.toString() });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /Applied migrations 1\b/);
      const second = await porch(['migrate'], { DATABASE_URL: url.toString() });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /up to date/);
      const files = (await readdir(join(projectRoot, 'server/db/migrations'))).filter((f) => f.endsWith('.sql'));
      const [{ n }] = await fresh<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
      assert.equal(n, files.length);
      const [{ exists }] = await fresh<{ exists: boolean }[]>`select to_regclass('public.agencies') is not null as exists`;
      assert.equal(exists, true);
    } finally {
      await fresh.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    }
  });

  test('create-agency --json prints the credentials and the API key id, and the API key works', async () => {
    const run = await porch(['create-agency', '--name', 'Fjord & Pine', '--origin', 'https://WWW.fjordpine.example/', '--origin', 'http://localhost:3000', '--id', 'fjord-pine', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const created = JSON.parse(run.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(created).sort(), ['agency_id', 'api_key', 'api_key_id', 'embed_key_id', 'embed_secret']);
    assert.equal(created.agency_id, 'fjord-pine');
    for (const value of Object.values(created)) assert.ok(typeof value === 'string' && value.length >= 3);

    const res = await ctx.request('/v1/agency', { bearer: created.api_key });
    assert.equal(res.status, 200);
    const agency = (await res.json()) as { name: string; origins: string[] };
    assert.equal(agency.name, 'Fjord & Pine');
    assert.deepEqual([...agency.origins].sort(), ['http://localhost:3000', 'https://www.fjordpine.example']);

    // The id is the one the API knows the key by: it can be revoked with it.
    const revoke = await ctx.request(`/v1/agency/api-keys/${created.api_key_id}/revoke`, { method: 'POST', bearer: created.api_key });
    assert.equal(revoke.status, 200, await revoke.clone().text());
    assert.equal((await ctx.request('/v1/agency', { bearer: created.api_key })).status, 401);
  });

  test('create-api-key gives a locked-out agency a working key again', async () => {
    const agency = await ctx.agency({ id: 'locked-out', name: 'Locked Out' });
    await ctx.request(`/v1/agency/api-keys/${agency.api_key_id}/revoke`, { method: 'POST', bearer: agency.api_key });
    assert.equal((await ctx.request('/v1/agency', { bearer: agency.api_key })).status, 401, 'no live key left');

    const run = await porch(['create-api-key', '--agency', 'locked-out', '--label', 'after the leak', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const created = JSON.parse(run.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(created).sort(), ['agency_id', 'api_key', 'api_key_id']);
    assert.equal(created.agency_id, 'locked-out');
    const res = await ctx.request('/v1/agency/api-keys', { bearer: created.api_key });
    assert.equal(res.status, 200);
    const keys = (await res.json()) as { id: string; label: string | null; revoked_at: string | null }[];
    assert.deepEqual(keys.map((k) => [k.id, k.label, k.revoked_at === null]), [
      [created.api_key_id, 'after the leak', true],
      [agency.api_key_id, 'created with the agency', false],
    ]);
    const [entry] = await ctx.sql`select actor_type, action from audit_log where subject_id = ${created.api_key_id}`;
    assert.deepEqual({ ...entry }, { actor_type: 'system', action: 'api_key.created' });

    const readable = await porch(['create-api-key', '--agency', 'locked-out']);
    assert.equal(readable.code, 0, readable.stderr);
    assert.match(readable.stdout, /API key: +porch_sk_/);
    assert.match(readable.stdout, /API key id: +ak_/);
  });

  test('create-agency without --json prints a readable summary with a generated id', async () => {
    const run = await porch(['create-agency', '--name', 'Summary Studio', '--origin', 'https://summary.example']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Created agency "Summary Studio" \(ag_[a-z0-9]+\)/);
    assert.match(run.stdout, /API key: +porch_sk_/);
  });

  test('token mints a JWT that POST /v1/session accepts, once', async () => {
    const agency = await ctx.agency({ id: 'token-agency' });
    const run = await porch(['token', '--agency', 'token-agency', '--client', 'cli-client', '--email', 'ana@client.example', '--name', 'Ana Lima', '--ttl', '300']);
    assert.equal(run.code, 0, run.stderr);
    const jwt = run.stdout.trim();
    assert.match(jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'prints only the token');
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.exp as number - (claims.iat as number), 300);
    assert.equal(JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid, agency.embed_key_id);

    const signIn = await ctx.request('/v1/session', { method: 'POST', json: { token: jwt } });
    assert.equal(signIn.status, 200);
    const { session } = (await signIn.json()) as { session: string };
    const portal = (await (await ctx.request('/v1/portal', { bearer: session })).json()) as { client: Record<string, string> };
    assert.equal(portal.client.external_id, 'cli-client');
    assert.equal(portal.client.name, 'Ana Lima');
    assert.equal(portal.client.email, 'ana@client.example');

    const replay = await ctx.request('/v1/session', { method: 'POST', json: { token: jwt } });
    assert.equal(replay.status, 401, 'each token carries a jti and is redeemed once');
  });

  test('token signs with the newest live embed key after a rotation and revocation', async () => {
    const agency = await ctx.agency({ id: 'rotating-agency' });
    const rotated = await ctx.request(`/v1/agency/embed-keys/${agency.embed_key_id}/rotate`, { method: 'POST', bearer: agency.api_key });
    assert.equal(rotated.status, 201);
    const successor = (await rotated.json()) as { id: string };
    const revoked = await ctx.request(`/v1/agency/embed-keys/${agency.embed_key_id}/revoke`, { method: 'POST', bearer: agency.api_key });
    assert.ok(revoked.ok);

    const run = await porch(['token', '--agency', 'rotating-agency', '--client', 'c-1']);
    assert.equal(run.code, 0, run.stderr);
    const jwt = run.stdout.trim();
    assert.equal(JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid, successor.id);
    assert.equal((await ctx.request('/v1/session', { method: 'POST', json: { token: jwt } })).status, 200);
  });

  test('bad arguments exit non-zero with a message and create nothing', async () => {
    const before = await countAgencies();
    // As child processes: the exit status and stderr an operator sees.
    const unknown = await porch(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^porch: unknown command "frobnicate"\.\nRun `porch --help` for usage\./);
    const badOrigin = await porch(['create-agency', '--name', 'Bad', '--origin', 'https://a.example/portal']);
    assert.equal(badOrigin.code, 2);
    assert.match(badOrigin.stderr, /scheme and host only/);

    // The rest of the argument checks in-process (the same main()), sparing a process each.
    const cases: [string[], RegExp][] = [
      [[], /Usage: porch/],
      [['create-agency', '--origin', 'https://a.example'], /--name/],
      [['create-agency', '--name', 'No Origin'], /--origin/],
      [['create-agency', '--name', 'Bad', '--origin', 'not a url'], /not a URL/],
      [['create-agency', '--name', 'Bad', '--origin', 'ftp://a.example'], /scheme and host only/],
      [['create-agency', '--name', 'Bad', '--origin', 'https://a.example', '--id', 'UPPER case'], /--id must be/],
      [['create-agency', '--name', 'x'.repeat(201), '--origin', 'https://a.example'], /--name/],
      [['create-agency', '--name', 'Bad', '--origin', 'https://a.example', '--colour', 'red'], /Unknown option '--colour'/],
      [['create-agency', '--name'], /--name/],
      [['create-api-key'], /--agency/],
      [['create-api-key', '--agency', 'token-agency', '--label', 'l'.repeat(201)], /--label/],
      [['create-api-key', '--agency', 'token-agency', '--lable', 'x'], /Unknown option '--lable'/],
      [['token', '--client', 'c'], /--agency/],
      [['token', '--agency', 'token-agency'], /--client/],
      [['token', '--agency', 'token-agency', '--client', 'c', '--ttl', '7200'], /--ttl/],
      [['token', '--agency', 'token-agency', '--client', 'c', '--ttl', 'soon'], /--ttl/],
      [['token', '--agency', 'token-agency', '--client', 'c', '--email', `${'a'.repeat(320)}@x.example`], /--email/],
      [['seed'], /--demo/],
      [['migrate', 'now'], /Unexpected argument 'now'|positional/i],
    ];
    for (const [args, message] of cases) {
      let out = '';
      let err = '';
      const code = await main(args, { out: (text) => (out += text), err: (text) => (err += text) });
      assert.notEqual(code, 0, `porch ${args.join(' ')} should fail`);
      assert.match(err + out, message, `porch ${args.join(' ')}`);
      assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
    }
    assert.equal(await countAgencies(), before);
  });

  test('failures the database reports are clear too', async () => {
    await ctx.agency({ id: 'taken-agency' });
    const duplicate = await porch(['create-agency', '--name', 'Again', '--origin', 'https://a.example', '--id', 'taken-agency']);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /agency with id "taken-agency" already exists/);

    const noAgency = await porch(['create-api-key', '--agency', 'no-such-agency']);
    assert.equal(noAgency.code, 1);
    assert.match(noAgency.stderr, /agency "no-such-agency" does not exist/);
    assert.equal(noAgency.stdout, '', 'no key printed');

    const unknown = await porch(['token', '--agency', 'no-such-agency', '--client', 'c']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /"no-such-agency" does not exist or has no live embed key/);
    assert.equal(unknown.stdout, '', 'no token printed');

    const unreachable = await porch(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^porch: /);
  });
});

describe('porch on the embedded database', () => {
  const dataDir = mkdtemp(join(tmpdir(), 'porch-cli-data-'));
  after(async () => rm(await dataDir, { recursive: true, force: true }));

  test('without DATABASE_URL it keeps its data in PORCH_DATA_DIR', { timeout: 120_000 }, async () => {
    const vars = { PORCH_DATA_DIR: await dataDir };
    const migrate = await porch(['migrate'], vars);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, /Applied migrations 1\b/);
    const created = await porch(['create-agency', '--name', 'Local Studio', '--origin', 'http://localhost:8080', '--id', 'local-studio', '--json'], vars);
    assert.equal(created.code, 0, created.stderr);
    const token = await porch(['token', '--agency', 'local-studio', '--client', 'c-1'], vars);
    assert.equal(token.code, 0, token.stderr);
    assert.equal(JSON.parse(Buffer.from(token.stdout.split('.')[0], 'base64url').toString()).kid, JSON.parse(created.stdout).embed_key_id);
    assert.deepEqual(await readdir(await dataDir), ['db'], 'the lock is released when the command ends');
  });
});
