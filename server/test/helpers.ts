/**
 * Test harness: each test file gets its own fresh database on the real Postgres server
 * (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres), or on the embedded
 * PGlite when PORCH_TEST_EMBEDDED=1, migrated, with files in a temporary folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { app } from '../app.ts';
import { signEmbedToken, type EmbedClaims } from '../auth/embed-token.ts';
import { createAgency, type CreatedAgency, type NewAgency } from '../db/agencies.ts';
import { connect, type Sql } from '../db/sql.ts';
import type { PorchEnv } from '../env.ts';
import { folderFileStore, migrateDatabase, openDatabase } from '../node.ts';

export const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const embedded = process.env.PORCH_TEST_EMBEDDED === '1';
export const ORIGIN = 'https://agency.example';

export interface TestContext {
  sql: Sql;
  env: PorchEnv;
  /** The database URL, for tests that boot a runtime against it (unset when embedded). */
  databaseUrl?: string;
  request(path: string, init?: RequestInit & { json?: unknown; bearer?: string }): Promise<Response>;
  agency(overrides?: Partial<NewAgency>): Promise<CreatedAgency>;
  token(agency: CreatedAgency, sub: string, claims?: Partial<EmbedClaims>): Promise<string>;
  /** Signs in as client `sub` of `agency` and returns the session bearer. */
  signIn(agency: CreatedAgency, sub: string, claims?: Partial<EmbedClaims>): Promise<string>;
}

let counter = 0;

/** Opens a fresh database for the calling test file; it is dropped when the file's tests end. */
export async function setup(options: { demo?: boolean; onQuery?: (query: string) => void } = {}): Promise<TestContext> {
  const filesDir = await mkdtemp(join(tmpdir(), 'porch-files-'));
  let sql: Sql;
  let databaseUrl: string | undefined;
  let teardown: () => Promise<void>;
  if (embedded) {
    const dataDir = await mkdtemp(join(tmpdir(), 'porch-pglite-'));
    const db = await openDatabase(undefined, dataDir, { onQuery: options.onQuery });
    sql = db.sql;
    teardown = async () => {
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    };
  } else {
    const name = `porch_test_${process.pid}_${Date.now()}_${counter++}`;
    const admin = connect(adminUrl, { max: 1 });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    sql = connect(databaseUrl, { onQuery: options.onQuery });
    teardown = async () => {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    };
  }
  await migrateDatabase(sql);
  after(async () => {
    await teardown();
    await rm(filesDir, { recursive: true, force: true });
  });

  const env: PorchEnv = { sql, files: folderFileStore(filesDir), demo: options.demo ?? false };
  const ctx: TestContext = {
    sql,
    env,
    databaseUrl,
    async request(path, init = {}) {
      const { json, bearer, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (bearer) headers.set('authorization', `Bearer ${bearer}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return app.request(path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body }, env);
    },
    agency: (overrides = {}) => createAgency(sql, { name: 'Test Agency', origins: [ORIGIN], ...overrides }),
    token: (agency, sub, claims = {}) =>
      signEmbedToken({ iss: agency.agency_id, sub, ...claims }, { id: agency.embed_key_id, secret: agency.embed_secret }),
    async signIn(agency, sub, claims = {}) {
      const res = await ctx.request('/v1/session', {
        method: 'POST',
        json: { token: await ctx.token(agency, sub, claims) },
      });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { session: string }).session;
    },
  };
  return ctx;
}
