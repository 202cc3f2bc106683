/**
 * The first screen's cost on a real Postgres (TEST_DATABASE_URL, default the local server): GET
 * /v1/portal for the seeded demo client, through the whole app (session check included), against
 * two baselines measured in the same run: one `select 1` round trip (the floor of any request),
 * and the same data fetched the obvious way, one query per part.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app } from '../server/app.ts';
import { signEmbedToken } from '../server/auth/embed-token.ts';
import { approvalsJson } from '../server/db/approvals.ts';
import { documentsJson } from '../server/db/documents.ts';
import { invoicesJson } from '../server/db/invoices.ts';
import { projectsJson } from '../server/db/projects.ts';
import { selectJson, type Scope } from '../server/db/reader.ts';
import { connect } from '../server/db/sql.ts';
import { DEMO, seedDemo } from '../server/demo-seed.ts';
import type { PorchEnv } from '../server/env.ts';
import { folderFileStore, migrateDatabase } from '../server/node.ts';

const ROUNDS = 300;
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `porch_bench_${process.pid}`;
const admin = connect(adminUrl, { max: 1 });
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
let statements = 0;
const sql = connect(url.toString(), { max: 1, onQuery: () => statements++ });
const files = await mkdtemp(join(tmpdir(), 'porch-bench-'));

try {
  await migrateDatabase(sql);
  const env: PorchEnv = { sql, files: folderFileStore(files), demo: true };
  await seedDemo(env);
  const [client] = DEMO.clients;
  const token = await signEmbedToken({ iss: DEMO.agencyId, sub: client.externalId }, { id: DEMO.embedKeyId, secret: DEMO.embedSecret });
  const signIn = await app.request('/v1/session', { method: 'POST', body: JSON.stringify({ token }), headers: { 'content-type': 'application/json' } }, env);
  const { session } = (await signIn.json()) as { session: string };
  const [{ id: clientId }] = await sql<{ id: string }[]>`select id from clients where external_id = ${client.externalId}`;
  const scope: Scope = { agencyId: DEMO.agencyId, clientId };

  /** Median and 95th percentile of `ROUNDS` runs, after a warm-up. */
  async function measure(run: () => Promise<unknown>) {
    for (let i = 0; i < 30; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(ROUNDS / 2)], p95: times[Math.floor(ROUNDS * 0.95)] };
  }

  const getPortal = async () => {
    const res = await app.request('/v1/portal', { headers: { authorization: `Bearer ${session}` } }, env);
    if (res.status !== 200) throw new Error(`portal answered ${res.status}`);
    return res.json();
  };
  statements = 0;
  await getPortal();
  const portalStatements = statements;

  const results = {
    'select 1 (one round trip)': await measure(() => sql`select 1`),
    'parts one query each (4 + 1)': await measure(async () => {
      await sql`select token_hash from sessions limit 1`;
      await selectJson(sql, projectsJson(sql, scope));
      await selectJson(sql, documentsJson(sql, scope, { limit: 100 }));
      await selectJson(sql, approvalsJson(sql, scope, { status: 'pending' }));
      await selectJson(sql, invoicesJson(sql, scope));
    }),
    'GET /v1/portal (whole app)': await measure(getPortal),
  };
  const floor = results['select 1 (one round trip)'].median;
  console.log(`\nGET /v1/portal on Postgres, demo client, ${ROUNDS} rounds; SQL statements per request: ${portalStatements}`);
  console.log(`${'what'.padEnd(32)}${'median'.padStart(10)}${'p95'.padStart(10)}${'× select 1'.padStart(12)}`);
  for (const [what, { median, p95 }] of Object.entries(results)) {
    console.log(`${what.padEnd(32)}${`${median.toFixed(2)} ms`.padStart(10)}${`${p95.toFixed(2)} ms`.padStart(10)}${`${(median / floor).toFixed(1)}×`.padStart(12)}`);
  }
} finally {
  await sql.end({ timeout: 5 });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end({ timeout: 5 });
  await rm(files, { recursive: true, force: true });
}
