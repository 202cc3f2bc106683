import { CLOCK_SKEW_SECONDS } from '../auth/embed-token.ts';
import type { AuthedAgency, AuthedClient } from '../env.ts';
import { recordAudit } from './audit.ts';
import type { Sql } from './sql.ts';

export interface EmbedKeyRow {
  id: string;
  agency_id: string;
  secret: string;
  revoked: boolean;
  is_demo: boolean;
  origin_allowed: boolean;
}

/** The key a token names, with whether the request's origin is allowed for its agency. */
export async function findEmbedKey(sql: Sql, kid: string, origin: string | null): Promise<EmbedKeyRow | null> {
  const [row] = await sql<EmbedKeyRow[]>`
    select k.id, k.agency_id, k.secret, k.revoked_at is not null as revoked, a.is_demo,
           (${origin}::text is null or exists (
              select 1 from agency_origins o where o.agency_id = k.agency_id and o.origin = ${origin}::text
           )) as origin_allowed
    from embed_keys k join agencies a on a.id = k.agency_id
    where k.id = ${kid}`;
  return row ?? null;
}

/**
 * The key an agency's tokens are signed with by Porch's own tools (the CLI's `porch token`):
 * its newest live key. The API's key routes never return a secret.
 */
export async function newestLiveEmbedKey(sql: Sql, agencyId: string): Promise<{ id: string; secret: string } | null> {
  const [key] = await sql<{ id: string; secret: string }[]>`
    select id, secret from embed_keys
    where agency_id = ${agencyId} and revoked_at is null
    order by created_at desc, id desc
    limit 1`;
  return key ?? null;
}

export interface NewSession {
  agencyId: string;
  /** The embed key that signed the token: revoking it ends the session. */
  embedKeyId: string;
  externalId: string;
  name?: string;
  email?: string;
  jti?: string;
  tokenExpiresAt: Date;
  issuedAt: Date;
  sessionHash: string;
  sessionExpiresAt: Date;
}

export type CreateSessionResult = { ok: true; clientId: string } | { ok: false; reason: 'replayed' | 'revoked' };

/**
 * Redeems a verified token: burns its jti, creates the client on first sight (or refreshes
 * name and email), refuses a client revoked after the token was issued, and stores the session.
 */
export async function createSession(sql: Sql, s: NewSession): Promise<CreateSessionResult> {
  return sql.begin(async (tx) => {
    if (s.jti !== undefined) {
      const burned = await tx`
        insert into used_token_ids (agency_id, jti, expires_at)
        values (${s.agencyId}, ${s.jti}, ${s.tokenExpiresAt})
        on conflict do nothing
        returning jti`;
      if (burned.length === 0) return { ok: false, reason: 'replayed' } as const;
    }
    const [client] = await tx<{ id: string; revoked_before: Date | null; created: boolean }[]>`
      insert into clients (agency_id, external_id, name, email)
      values (${s.agencyId}, ${s.externalId}, ${s.name ?? null}, ${s.email ?? null})
      on conflict (agency_id, external_id) do update set
        name = coalesce(excluded.name, clients.name),
        email = coalesce(excluded.email, clients.email),
        updated_at = case when excluded.name is distinct from clients.name
                            or excluded.email is distinct from clients.email
                          then now() else clients.updated_at end
      returning id, revoked_before, (xmax = 0) as created`;
    if (client.revoked_before && s.issuedAt <= client.revoked_before) {
      // Roll back: the refused token must not create or change anything.
      throw new RevokedClient();
    }
    await tx`
      insert into sessions (token_hash, agency_id, client_id, embed_key_id, expires_at)
      values (${s.sessionHash}, ${s.agencyId}, ${client.id}, ${s.embedKeyId}, ${s.sessionExpiresAt})`;
    await recordAudit(tx, {
      agency_id: s.agencyId,
      client_id: client.id,
      actor_type: 'client',
      actor_id: s.externalId,
      action: client.created ? 'client.first_sign_in' : 'client.signed_in',
      subject_type: 'client',
      subject_id: client.id,
    });
    return { ok: true, clientId: client.id } as const;
  }).catch((err) => {
    if (err instanceof RevokedClient) return { ok: false, reason: 'revoked' } as const;
    throw err;
  });
}

class RevokedClient extends Error {}

export interface SessionLookup {
  client: AuthedClient | null;
  originAllowed: boolean;
}

/**
 * The client behind a session bearer, if the session is live, the client not revoked since, the
 * embed key that opened it not revoked, and (for the demo agency) demo mode still on.
 */
export async function findSessionClient(
  sql: Sql,
  tokenHash: string,
  origin: string | null,
  demo: boolean,
): Promise<SessionLookup> {
  const [row] = await sql<(AuthedClient & { origin_allowed: boolean })[]>`
    select c.id, c.agency_id as "agencyId", c.external_id as "externalId", c.name, c.email,
           (${origin}::text is null or exists (
              select 1 from agency_origins o where o.agency_id = s.agency_id and o.origin = ${origin}::text
           )) as origin_allowed
    from sessions s
    join clients c on c.id = s.client_id and c.agency_id = s.agency_id
    join agencies a on a.id = s.agency_id
    where s.token_hash = ${tokenHash}
      and s.revoked_at is null
      and s.expires_at > now()
      and (c.revoked_before is null or s.created_at > c.revoked_before)
      and (s.embed_key_id is null or exists (
             select 1 from embed_keys k
             where k.id = s.embed_key_id and k.agency_id = s.agency_id and k.revoked_at is null))
      and (${demo} or not a.is_demo)`;
  if (!row) return { client: null, originAllowed: true };
  const { origin_allowed, ...client } = row;
  return { client, originAllowed: origin_allowed };
}

export async function revokeSession(sql: Sql, tokenHash: string): Promise<void> {
  await sql`update sessions set revoked_at = now() where token_hash = ${tokenHash} and revoked_at is null`;
}

/** How long a session is kept after it expired (for support questions), before the purge. */
const EXPIRED_SESSION_RETENTION_SECONDS = 24 * 3600;

/**
 * Deletes what no longer protects or serves anyone: redeemed token ids whose tokens would be
 * refused as expired anyway (past `exp` and the clock skew allowed on it), and sessions that
 * expired more than a day ago.
 */
export async function purgeExpired(sql: Sql): Promise<{ usedTokenIds: number; sessions: number }> {
  const tokens = await sql`
    delete from used_token_ids where expires_at < now() - make_interval(secs => ${CLOCK_SKEW_SECONDS})`;
  const sessions = await sql`
    delete from sessions where expires_at < now() - make_interval(secs => ${EXPIRED_SESSION_RETENTION_SECONDS})`;
  return { usedTokenIds: tokens.count, sessions: sessions.count };
}

/** The agency behind an API key. Demo agencies only count in demo mode. */
export async function findAgencyByApiKey(sql: Sql, keyHash: string, demo: boolean): Promise<AuthedAgency | null> {
  const [row] = await sql<AuthedAgency[]>`
    select a.id, a.name
    from api_keys k join agencies a on a.id = k.agency_id
    where k.key_hash = ${keyHash} and k.revoked_at is null and (${demo} or not a.is_demo)`;
  return row ?? null;
}
