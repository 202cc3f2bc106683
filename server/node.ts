/**
 * The Node entry: builds the environment (Postgres or embedded PGlite, a folder for files) and
 * serves the app, the widget bundle and the demo site. The only server file besides
 * worker.ts that touches a runtime.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Migration } from './db/migrate.ts';
import { migrate } from './db/migrate.ts';
import { connect, type Sql } from './db/sql.ts';
import type { PorchEnv } from './env.ts';
import type { FileStore } from './files.ts';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The numbered SQL files in server/db/migrations, in order. */
export async function loadMigrations(): Promise<Migration[]> {
  const folder = join(projectRoot, 'server/db/migrations');
  const names = (await readdir(folder)).filter((name) => /^\d+_.+\.sql$/.test(name)).sort();
  return Promise.all(
    names.map(async (name) => ({
      version: Number.parseInt(name, 10),
      name: name.replace(/\.sql$/, ''),
      sql: await readFile(join(folder, name), 'utf8'),
    })),
  );
}

/** Files in a folder, named by key. Writes land atomically (temp file, then rename). */
export function folderFileStore(folder: string): FileStore {
  const pathOf = (key: string) => {
    if (!/^[A-Za-z0-9/_.-]+$/.test(key) || key.includes('..')) throw new Error(`bad file key ${key}`);
    return join(folder, key);
  };
  return {
    async put(key, data) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 8)}.tmp`;
      await writeFile(temp, data);
      await rename(temp, path);
    },
    async get(key) {
      const path = pathOf(key);
      try {
        const { size } = await stat(path);
        return { body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, size };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
  };
}

export interface Database {
  sql: Sql;
  /** Whether this is the embedded PGlite (no DATABASE_URL). */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Postgres at `url`, or, with none, the embedded PGlite kept in `dataDir`, served over the
 * wire on a private port so the same postgres.js code talks to both. PGlite has one session,
 * so its pool is one connection.
 */
export async function openDatabase(url: string | undefined, dataDir = join(projectRoot, '.porch/db')): Promise<Database> {
  if (url) {
    const sql = connect(url);
    return { sql, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const sql = connect(`postgres://postgres@${server.getServerConn()}/postgres`, { max: 1, prepare: false });
  return {
    sql,
    embedded: true,
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await db.close();
    },
  };
}

export async function migrateDatabase(sql: Sql): Promise<number[]> {
  return migrate(sql, await loadMigrations());
}
