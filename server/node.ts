/**
 * The Node entry: builds the environment (Postgres or embedded PGlite, a folder for files) and
 * serves the app, the widget bundle and the demo site. The only server file besides
 * worker.ts that touches a runtime.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import { demoBackend } from '../demo/backend.ts';
import { app } from './app.ts';
import { DEMO, ensureDemoOrigins, seedDemo } from './demo-seed.ts';
import type { Migration } from './db/migrate.ts';
import { migrate } from './db/migrate.ts';
import { purgeExpired } from './db/identity.ts';
import { connect, type ConnectOptions, type Sql } from './db/sql.ts';
import { positiveInteger, type PorchEnv } from './env.ts';
import { errorResponse, handleError } from './errors.ts';
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
export async function openDatabase(
  url: string | undefined,
  dataDir = join(projectRoot, '.porch/db'),
  options: Pick<ConnectOptions, 'onQuery'> = {},
): Promise<Database> {
  if (url) {
    const sql = connect(url, options);
    return { sql, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  await mkdir(dataDir, { recursive: true });
  const releaseLock = await lockDataDir(dataDir);
  try {
    const db = await PGlite.create(dataDir);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    const sql = connect(`postgres://postgres@${server.getServerConn()}/postgres`, { ...options, max: 1, prepare: false });
    return {
      sql,
      embedded: true,
      async close() {
        await sql.end({ timeout: 5 });
        await server.stop();
        await db.close();
        await releaseLock();
      },
    };
  } catch (err) {
    await releaseLock();
    throw err;
  }
}

/**
 * PGlite does not lock its folder, and two processes writing one folder corrupt it (say, the
 * CLI while `npm start` runs). A pid file beside the folder keeps the second one out; a file
 * left by a process that has died is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${resolve(dataDir)}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(lockPath, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      return () => unlink(lockPath).catch(() => {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (pid > 0 && isAlive(pid)) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${pid} (is \`npm start\` running?). ` +
            'Stop that process first, or set DATABASE_URL to use a Postgres server.',
        );
      }
      await unlink(lockPath).catch(() => {});
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function migrateDatabase(sql: Sql): Promise<number[]> {
  return migrate(sql, await loadMigrations());
}

/** Where the Node entry and the CLI find their database and files, from the environment. */
export interface NodeConfig {
  port: number;
  /**
   * The interface to listen on: HOST, or in demo mode 127.0.0.1 (its credentials are public),
   * otherwise every interface.
   */
  host: string | undefined;
  databaseUrl: string | undefined;
  /** The embedded database's folder (used only without databaseUrl). */
  dbDir: string;
  filesDir: string;
  demo: boolean;
  /** Largest document upload, in bytes (MAX_UPLOAD_BYTES); the app's default without it. */
  maxUploadBytes: number | undefined;
}

export function readConfig(vars: NodeJS.ProcessEnv = process.env): NodeConfig {
  const dataDir = resolve(vars.PORCH_DATA_DIR || join(projectRoot, '.porch'));
  const databaseUrl = vars.DATABASE_URL || undefined;
  const port = vars.PORT ? Number(vars.PORT) : 8787;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${vars.PORT}".`);
  const maxUploadBytes = positiveInteger(vars.MAX_UPLOAD_BYTES || undefined);
  if (vars.MAX_UPLOAD_BYTES && maxUploadBytes === undefined) {
    throw new Error(`MAX_UPLOAD_BYTES must be a positive whole number of bytes, not "${vars.MAX_UPLOAD_BYTES}".`);
  }
  // The embedded database is a development database, so it shows the demo unless told not to.
  const demo = vars.PORCH_DEMO === '1' || (vars.PORCH_DEMO !== '0' && !databaseUrl);
  return {
    port,
    host: vars.HOST || (demo ? '127.0.0.1' : undefined),
    databaseUrl,
    dbDir: join(dataDir, 'db'),
    filesDir: resolve(vars.PORCH_FILES_DIR || join(dataDir, 'files')),
    demo,
    maxUploadBytes,
  };
}

const demoFileTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file below `folder` named by a URL path, or null (outside the folder, not a file, a type not served). */
async function readServedFile(folder: string, urlPath: string): Promise<{ data: Uint8Array<ArrayBuffer>; type: string } | null> {
  let path: string;
  try {
    path = resolve(folder, `.${decodeURIComponent(urlPath)}`);
  } catch {
    return null;
  }
  const inside = relative(folder, path);
  if (!inside || inside.startsWith('..') || inside.split(sep).some((part) => part.startsWith('.'))) return null;
  const type = demoFileTypes[extname(path).toLowerCase()];
  if (!type) return null;
  try {
    return { data: new Uint8Array(await readFile(path)), type };
  } catch {
    return null;
  }
}

export interface NodeAppOptions {
  demo: boolean;
  /** Where the built widget bundle is (default dist/). */
  distDir?: string;
  /** Where the demo site's pages are (default demo/). */
  demoDir?: string;
}

/**
 * Everything the Node entry serves: the widget bundle, in demo mode the demo site and its
 * backend, and the API for every other path.
 */
export function createNodeApp(env: PorchEnv, options: NodeAppOptions) {
  const distDir = options.distDir ?? join(projectRoot, 'dist');
  const demoDir = options.demoDir ?? join(projectRoot, 'demo');
  const server = new Hono();
  server.onError(handleError);

  // Agencies load the bundle from their own sites, and module scripts are fetched with CORS.
  const bundle = (file: string, type: string) => async (c: Context) => {
    const data = await readFile(join(distDir, file)).then((bytes) => new Uint8Array(bytes), () => null);
    if (!data) {
      return errorResponse(c, 404, 'not_found', `${file} is not built yet: run \`npm run build\`, then reload.`);
    }
    return c.body(data, 200, { 'Content-Type': type, 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache' });
  };
  server.get('/porch.js', etag(), bundle('porch.js', 'text/javascript; charset=utf-8'));
  server.get('/porch.js.map', etag(), bundle('porch.js.map', 'application/json'));

  if (options.demo) {
    server.route('/demo', demoBackend);
    server.get('*', async (c, next) => {
      if (c.req.path.startsWith('/v1/')) return next();
      const file = await readServedFile(demoDir, c.req.path === '/' ? '/index.html' : c.req.path);
      if (!file) return next();
      return c.body(file.data, 200, { 'Content-Type': file.type, 'Cache-Control': 'no-cache' });
    });
  }

  server.all('*', (c) => app.fetch(c.req.raw, env));
  return server;
}

/** The origins a browser sends for pages served on this port. */
export function localOrigins(port: number): string[] {
  const suffix = port === 80 ? '' : `:${port}`;
  return [`http://localhost${suffix}`, `http://127.0.0.1${suffix}`];
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** How often the server deletes redeemed token ids and long-expired sessions. */
export const PURGE_INTERVAL_MS = 3600_000;

/** Purges now and then every `intervalMs`, without keeping the process alive; returns the stop. */
export function schedulePurge(sql: Sql, intervalMs = PURGE_INTERVAL_MS): () => void {
  const purge = () =>
    purgeExpired(sql).catch((err: Error) => console.error(`porch: could not purge expired sessions: ${err.message}`));
  void purge();
  const timer = setInterval(purge, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Opens the database, migrates, seeds the demo in demo mode, and listens. */
export async function startServer(config: NodeConfig, log: (line: string) => void = console.log): Promise<RunningServer> {
  const db = await openDatabase(config.databaseUrl, config.dbDir);
  try {
    await migrateDatabase(db.sql);
    const env: PorchEnv = {
      sql: db.sql,
      files: folderFileStore(config.filesDir),
      demo: config.demo,
      maxUploadBytes: config.maxUploadBytes,
    };
    if (config.demo) {
      await seedDemo(env);
      if (config.port !== 0) await ensureDemoOrigins(env, localOrigins(config.port));
    }
    const server = serve({ fetch: createNodeApp(env, { demo: config.demo }).fetch, port: config.port, hostname: config.host });
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.once('listening', () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    if (config.demo && config.port === 0) await ensureDemoOrigins(env, localOrigins(port));
    const url = `http://localhost:${port}`;
    const stopPurge = schedulePurge(db.sql);

    log(`Porch is listening on ${url}`);
    log(`  database: ${db.embedded ? `embedded PGlite in ${config.dbDir} (set DATABASE_URL for a Postgres server)` : describeUrl(config.databaseUrl!)}`);
    log(`  files:    ${config.filesDir}`);
    log(`  address:  ${config.host ?? 'every interface'}, port ${port}${config.demo ? ' (demo mode: its credentials are public, so keep it on this machine)' : ''}`);
    if (config.demo) {
      log(`  demo site: ${url}/   (demo mode is on: the fixed demo credentials below work)`);
      log(`    agency ${DEMO.agencyId}, embed key ${DEMO.embedKeyId} / secret ${DEMO.embedSecret}, API key ${DEMO.apiKey}`);
      log(`    clients ${DEMO.clients.map((client) => client.externalId).join(', ')}; a token: ${url}/demo/token?client=${DEMO.clients[0].externalId}`);
    }

    return {
      url,
      async close() {
        stopPurge();
        await new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          // Idle keep-alive connections would hold close() open.
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        });
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** A database URL without its credentials, for the log. */
function describeUrl(url: string): string {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname} (DATABASE_URL)`;
  } catch {
    return 'DATABASE_URL';
  }
}

async function main() {
  let running: RunningServer;
  try {
    running = await startServer(readConfig());
  } catch (err) {
    console.error(`porch: could not start: ${(err as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`porch: ${signal}, shutting down`);
    // Open requests get a few seconds to finish; then the process goes anyway.
    setTimeout(() => process.exit(1), 8000).unref();
    running.close().then(
      () => process.exit(0),
      (err) => {
        console.error('porch: error while shutting down', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
