import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup } from './helpers.ts';

const ctx = await setup();
const agency = await ctx.agency();
await ctx.signIn(agency, 'audited-client');

const entries = async () => (await ctx.sql<{ n: number }[]>`select count(*)::int as n from audit_log`)[0].n;

test('signing in leaves an audit entry', async () => {
  const [entry] = await ctx.sql`select action, actor_type, actor_id from audit_log order by id desc limit 1`;
  assert.deepEqual({ ...entry }, { action: 'client.first_sign_in', actor_type: 'client', actor_id: 'audited-client' });
});

test('the audit log refuses UPDATE', async () => {
  const before = await entries();
  await assert.rejects(ctx.sql`update audit_log set action = 'forged'`, /append-only/);
  assert.equal((await ctx.sql`select 1 from audit_log where action = 'forged'`).length, 0);
  assert.equal(await entries(), before);
});

test('the audit log refuses DELETE', async () => {
  const before = await entries();
  assert.ok(before > 0);
  await assert.rejects(ctx.sql`delete from audit_log`, /append-only/);
  assert.equal(await entries(), before);
});

test('the audit log refuses TRUNCATE', async () => {
  const before = await entries();
  await assert.rejects(ctx.sql`truncate audit_log`, /append-only/);
  assert.equal(await entries(), before);
});

test('the audit log still takes new entries', async () => {
  const before = await entries();
  await ctx.signIn(agency, 'audited-client');
  assert.equal(await entries(), before + 1);
});
