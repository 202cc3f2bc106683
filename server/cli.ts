/**
 * `porch`: the command line for operators. Every command uses DATABASE_URL, or without it the
 * embedded database in .porch/ (PORCH_DATA_DIR), as the Node entry does.
 */
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pathToFileURL } from 'node:url';
import { randomSecret } from './auth/crypto.ts';
import { MAX_TOKEN_LIFETIME_SECONDS, signEmbedToken } from './auth/embed-token.ts';
import { createAgency, createApiKeyAsOperator } from './db/agencies.ts';
import { newestLiveEmbedKey } from './db/identity.ts';
import { DEMO, seedDemo } from './demo-seed.ts';
import { folderFileStore, migrateDatabase, openDatabase, readConfig, type Database } from './node.ts';

const HELP = `porch: run and manage a Porch server

Usage: porch <command> [options]

Commands:
  migrate                      apply the database migrations not yet applied
  seed --demo                  create the demo agency and its content (running it again changes nothing)
  create-agency --name NAME --origin URL [--origin URL...] [--id ID] [--json]
                               create an agency with an embed key and an API key (shown once)
  create-api-key --agency ID [--label LABEL] [--json]
                               a new API key for an agency (shown once), for one that lost or revoked its keys
  token --agency ID --client ID [--email EMAIL] [--name NAME] [--ttl SECONDS]
                               mint an embed token with the agency's newest embed key; prints only the token
  help                         show this help

Environment:
  DATABASE_URL     Postgres to use; without it, the embedded database in PORCH_DATA_DIR (default .porch/)
  PORCH_DATA_DIR   folder of the embedded database (db/) and of document files (files/)
  PORCH_FILES_DIR  folder of document files, if not PORCH_DATA_DIR/files

Stop \`npm start\` before running a command against the embedded database: only one process can open it.
`;

/** A mistake in how the command was called: printed with a hint, exit status 2. */
class UsageError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs one command; resolves to the process exit status. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(HELP);
        return command === undefined ? 2 : 0;
      case 'migrate':
        parse(rest, {});
        return await withDatabase(async (db) => {
          const applied = await migrateDatabase(db.sql);
          io.out(applied.length ? `Applied migrations ${applied.join(', ')}.` : 'The database is up to date.');
          return 0;
        });
      case 'seed':
        return await seed(rest, io);
      case 'create-agency':
        return await createAgencyCommand(rest, io);
      case 'create-api-key':
        return await createApiKeyCommand(rest, io);
      case 'token':
        return await token(rest, io);
      default:
        throw new UsageError(`unknown command "${command}".`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`porch: ${err.message}\nRun \`porch --help\` for usage.`);
      return 2;
    }
    const code = (err as { code?: string }).code;
    if (code === '42P01') {
      io.err('porch: the database has no Porch tables yet. Run `porch migrate` first.');
    } else {
      io.err(`porch: ${(err as Error).message}`);
    }
    return 1;
  }
}

async function seed(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { demo: { type: 'boolean' } });
  if (!values.demo) throw new UsageError('seed needs --demo (the demo agency is the only seed).');
  const config = readConfig();
  return withDatabase(async (db) => {
    await migrateDatabase(db.sql);
    const result = await seedDemo({ sql: db.sql, files: folderFileStore(config.filesDir), demo: true });
    io.out(
      result.createdAgency || result.seededClients.length
        ? `Seeded the demo agency ${DEMO.agencyId}${result.seededClients.length ? ` (clients ${result.seededClients.join(', ')})` : ''}.`
        : `The demo agency ${DEMO.agencyId} is already seeded.`,
    );
    io.out(`Its credentials work only in demo mode (PORCH_DEMO=1, or the embedded database): API key ${DEMO.apiKey}.`);
    return 0;
  });
}

async function createAgencyCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    name: { type: 'string' },
    origin: { type: 'string', multiple: true },
    id: { type: 'string' },
    json: { type: 'boolean' },
  });
  const name = values.name?.trim();
  if (!name || name.length > 200) throw new UsageError('create-agency needs --name NAME (1 to 200 characters).');
  if (!values.origin?.length) throw new UsageError('create-agency needs at least one --origin URL (the website that embeds the portal).');
  const origins = values.origin.map(toOrigin);
  if (values.id !== undefined && !/^[a-z0-9][a-z0-9_-]{2,62}$/.test(values.id)) {
    throw new UsageError('--id must be 3 to 63 characters: lowercase letters, digits, "-" and "_", starting with a letter or digit.');
  }
  return withDatabase(async (db) => {
    let created;
    try {
      created = await createAgency(db.sql, { id: values.id, name, origins });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new Error(`an agency with id "${values.id}" already exists.`);
      throw err;
    }
    if (values.json) {
      io.out(JSON.stringify(created, null, 2));
    } else {
      io.out(
        [
          `Created agency "${name}" (${created.agency_id}).`,
          `  allowed origins: ${origins.join(', ')}`,
          `  embed key id:    ${created.embed_key_id}`,
          `  embed secret:    ${created.embed_secret}`,
          `  API key:         ${created.api_key}`,
          `  API key id:      ${created.api_key_id}   (to revoke it: POST /v1/agency/api-keys/${created.api_key_id}/revoke)`,
          'Keep the secret and the API key on your server: they are shown only now.',
        ].join('\n'),
      );
    }
    return 0;
  });
}

async function createApiKeyCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    agency: { type: 'string' },
    label: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.agency) throw new UsageError('create-api-key needs --agency ID.');
  const label = values.label?.trim() || null;
  if (label !== null && label.length > 200) throw new UsageError('--label must be at most 200 characters.');
  return withDatabase(async (db) => {
    const key = await createApiKeyAsOperator(db.sql, values.agency!, label);
    if (!key) throw new Error(`agency "${values.agency}" does not exist.`);
    if (values.json) {
      io.out(JSON.stringify({ agency_id: values.agency, api_key_id: key.id, api_key: key.api_key }, null, 2));
    } else {
      io.out(
        [
          `Created an API key for agency ${values.agency}.`,
          `  API key:    ${key.api_key}`,
          `  API key id: ${key.id}`,
          'Keep the API key on your server: it is shown only now. Revoke the keys you no longer trust',
          'with it: GET /v1/agency/api-keys lists them, POST /v1/agency/api-keys/:id/revoke revokes one.',
        ].join('\n'),
      );
    }
    return 0;
  });
}

async function token(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    agency: { type: 'string' },
    client: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    ttl: { type: 'string' },
  });
  if (!values.agency) throw new UsageError('token needs --agency ID.');
  if (!values.client || values.client.length > 200) throw new UsageError("token needs --client ID (the agency's own id for the client, up to 200 characters).");
  const ttl = values.ttl === undefined ? 600 : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}.`);
  }
  for (const field of ['email', 'name'] as const) {
    if ((values[field]?.length ?? 0) > 320) throw new UsageError(`--${field} must be at most 320 characters.`);
  }
  return withDatabase(async (db) => {
    const key = await newestLiveEmbedKey(db.sql, values.agency!);
    if (!key) throw new Error(`agency "${values.agency}" does not exist or has no live embed key.`);
    const iat = Math.floor(Date.now() / 1000);
    const jwt = await signEmbedToken(
      {
        iss: values.agency!,
        sub: values.client!,
        ...(values.email !== undefined && { email: values.email }),
        ...(values.name !== undefined && { name: values.name }),
        jti: randomSecret('cli_', 12),
        iat,
        exp: iat + ttl,
      },
      key,
    );
    io.out(jwt);
    return 0;
  });
}

function parse<Options extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `https://Example.com/` → `https://example.com`; anything with a path or another scheme is refused. */
function toOrigin(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`--origin "${input}" is not a URL; write it as https://www.example.com.`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw new UsageError(`--origin "${input}" must be a scheme and host only, like https://www.example.com.`);
  }
  return url.origin;
}

async function withDatabase(run: (db: Database) => Promise<number>): Promise<number> {
  const config = readConfig();
  const db = await openDatabase(config.databaseUrl, config.dbDir);
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
