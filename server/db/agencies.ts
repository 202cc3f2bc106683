import { randomSecret, sha256Hex } from '../auth/crypto.ts';
import type { AuthedAgency } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { recordAudit, type AuditEntry } from './audit.ts';
import type { Sql, TransactionSql } from './sql.ts';

export interface NewAgency {
  id?: string;
  name: string;
  brandColor?: string;
  portalUrl?: string | null;
  origins?: string[];
  isDemo?: boolean;
  /** Fixed credentials, for the demo agency only; otherwise fresh random ones. */
  embedKeyId?: string;
  embedSecret?: string;
  apiKey?: string;
}

export interface CreatedAgency {
  agency_id: string;
  embed_key_id: string;
  embed_secret: string;
  /** The API key's id, to revoke it by (POST /v1/agency/api-keys/:id/revoke). */
  api_key_id: string;
  api_key: string;
}

/** Creates an agency with its allowed origins, one embed key and one API key (shown once). */
export async function createAgency(sql: Sql, a: NewAgency): Promise<CreatedAgency> {
  const agencyId = a.id ?? `ag_${randomSecret('', 9).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  return sql.begin(async (tx) => {
    await tx`
      insert into agencies (id, name, brand_color, portal_url, is_demo)
      values (${agencyId}, ${a.name}, ${a.brandColor ?? '#2f6f5e'}, ${a.portalUrl ?? null}, ${a.isDemo ?? false})`;
    await insertOrigins(tx, agencyId, [...new Set(a.origins ?? [])]);
    const embedKey = await insertEmbedKey(tx, agencyId, { id: a.embedKeyId, secret: a.embedSecret });
    const apiKey = await insertApiKey(tx, agencyId, { key: a.apiKey, label: 'created with the agency' });
    return {
      agency_id: agencyId,
      embed_key_id: embedKey.id,
      embed_secret: embedKey.secret,
      api_key_id: apiKey.id,
      api_key: apiKey.api_key,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Settings: branding and allowed origins

/** The agency as its management API shows it. */
export interface AgencySettings {
  id: string;
  name: string;
  brand_color: string;
  portal_url: string | null;
  origins: string[];
}

export interface AgencyPatch {
  name?: string;
  brand_color?: string;
  portal_url?: string | null;
}

export async function getAgency(sql: Sql | TransactionSql, agencyId: string): Promise<AgencySettings> {
  const [agency] = await sql<AgencySettings[]>`
    select a.id, a.name, a.brand_color, a.portal_url,
           coalesce((select json_agg(o.origin order by o.origin collate "C") from agency_origins o where o.agency_id = a.id),
                    '[]'::json) as origins
    from agencies a
    where a.id = ${agencyId}`;
  if (!agency) throw notFound('Agency');
  return agency;
}

/** Changes the agency's name or branding; the change is audited with what it set. */
export async function updateAgency(sql: Sql, agency: AuthedAgency, patch: AgencyPatch): Promise<AgencySettings> {
  const columns = (['name', 'brand_color', 'portal_url'] as const).filter((column) => patch[column] !== undefined);
  return sql.begin(async (tx) => {
    if (columns.length > 0) {
      await tx`update agencies set ${tx(patch, columns)} where id = ${agency.id}`;
      await recordAgencyChange(tx, agency, 'agency.updated', 'agency', agency.id, patch as Record<string, unknown>);
    }
    return getAgency(tx, agency.id);
  });
}

/**
 * Replaces the origins the agency's pages may call from; `origins` come normalized and distinct.
 * The agency row is locked first, so two replaces at once apply one after the other and the
 * last one wins, instead of both sets surviving (or one failing on the other's rows).
 */
export async function replaceOrigins(sql: Sql, agency: AuthedAgency, origins: string[]): Promise<AgencySettings> {
  return sql.begin(async (tx) => {
    await lockAgency(tx, agency.id);
    await tx`delete from agency_origins where agency_id = ${agency.id}`;
    await insertOrigins(tx, agency.id, origins);
    await recordAgencyChange(tx, agency, 'agency.origins_replaced', 'agency', agency.id, { origins });
    return getAgency(tx, agency.id);
  });
}

/**
 * Adds origins to the agency's allowed origins, keeping the others: for the demo agency, whose
 * server adds the local origins of the port it listens on. Locked as replaceOrigins is.
 */
export async function addOrigins(sql: Sql, agencyId: string, origins: string[]): Promise<string[]> {
  if (origins.length === 0) return [];
  return sql.begin(async (tx) => {
    await lockAgency(tx, agencyId);
    const added = await tx<{ origin: string }[]>`
      insert into agency_origins ${tx(
        [...new Set(origins)].map((origin) => ({ agency_id: agencyId, origin })),
        'agency_id',
        'origin',
      )}
      on conflict do nothing
      returning origin`;
    if (added.length > 0) {
      await recordSystemChange(tx, agencyId, 'agency.origins_added', 'agency', agencyId, { origins: added.map((r) => r.origin) });
    }
    return added.map((r) => r.origin);
  });
}

/** Serializes changes to one agency's settings; an agency that does not exist is a 404. */
async function lockAgency(tx: TransactionSql, agencyId: string): Promise<void> {
  const [agency] = await tx`select id from agencies where id = ${agencyId} for update`;
  if (!agency) throw notFound('Agency');
}

async function insertOrigins(tx: TransactionSql, agencyId: string, origins: string[]): Promise<void> {
  if (origins.length === 0) return;
  await tx`insert into agency_origins ${tx(
    origins.map((origin) => ({ agency_id: agencyId, origin })),
    'agency_id',
    'origin',
  )}`;
}

// ---------------------------------------------------------------------------------------------
// Embed keys: the HMAC secrets agencies sign embed tokens with. Several may be live (rotation).

export interface EmbedKeySummary {
  id: string;
  created_at: Date;
  revoked_at: Date | null;
}

export interface CreatedEmbedKey {
  id: string;
  secret: string;
  created_at: Date;
}

async function insertEmbedKey(
  tx: TransactionSql,
  agencyId: string,
  fixed: { id?: string; secret?: string } = {},
): Promise<CreatedEmbedKey> {
  const [key] = await tx<CreatedEmbedKey[]>`
    insert into embed_keys (id, agency_id, secret)
    values (${fixed.id ?? randomSecret('ek_', 9)}, ${agencyId}, ${fixed.secret ?? randomSecret('', 32)})
    returning id, secret, created_at`;
  return key;
}

/** The agency's embed keys, newest first, without their secrets. */
export async function listEmbedKeys(sql: Sql, agencyId: string): Promise<EmbedKeySummary[]> {
  return sql<EmbedKeySummary[]>`
    select id, created_at, revoked_at
    from embed_keys
    where agency_id = ${agencyId}
    order by created_at desc, id`;
}

/** A new live embed key; its secret is in the answer and nowhere else the agency can read it. */
export async function createEmbedKey(sql: Sql, agency: AuthedAgency): Promise<CreatedEmbedKey> {
  return sql.begin(async (tx) => {
    const key = await insertEmbedKey(tx, agency.id);
    await recordAgencyChange(tx, agency, 'embed_key.created', 'embed_key', key.id);
    return key;
  });
}

/**
 * A successor for a live key. The old key keeps working, so the agency can deploy the new
 * secret and then revoke the old one without a moment when tokens fail.
 */
export async function rotateEmbedKey(sql: Sql, agency: AuthedAgency, keyId: string): Promise<CreatedEmbedKey> {
  return sql.begin(async (tx) => {
    const [old] = await tx<{ revoked: boolean }[]>`
      select revoked_at is not null as revoked from embed_keys
      where id = ${keyId} and agency_id = ${agency.id}
      for update`;
    if (!old) throw notFound('Embed key');
    if (old.revoked) throw new ApiError(409, 'key_revoked', 'A revoked key cannot be rotated; create a new key instead.');
    const key = await insertEmbedKey(tx, agency.id);
    await recordAgencyChange(tx, agency, 'embed_key.rotated', 'embed_key', key.id, { replaces: keyId });
    return key;
  });
}

/**
 * Revokes a key: tokens signed with it are refused from now on, and the sessions they opened
 * end at once (a leaked secret must not leave hours of sessions behind). Revoking twice
 * changes nothing.
 */
export async function revokeEmbedKey(sql: Sql, agency: AuthedAgency, keyId: string): Promise<EmbedKeySummary> {
  return sql.begin(async (tx) => {
    const [revoked] = await tx<EmbedKeySummary[]>`
      update embed_keys set revoked_at = now()
      where id = ${keyId} and agency_id = ${agency.id} and revoked_at is null
      returning id, created_at, revoked_at`;
    if (revoked) {
      const sessions = await tx`
        update sessions set revoked_at = now()
        where embed_key_id = ${keyId} and agency_id = ${agency.id} and revoked_at is null`;
      await recordAgencyChange(tx, agency, 'embed_key.revoked', 'embed_key', keyId, { sessions_revoked: sessions.count });
      return revoked;
    }
    const [already] = await tx<EmbedKeySummary[]>`
      select id, created_at, revoked_at from embed_keys where id = ${keyId} and agency_id = ${agency.id}`;
    if (!already) throw notFound('Embed key');
    return already;
  });
}

// ---------------------------------------------------------------------------------------------
// API keys: the bearer of the management API, stored as a SHA-256 hash and shown once.

export interface CreatedApiKey {
  id: string;
  api_key: string;
  created_at: Date;
}

async function insertApiKey(
  tx: TransactionSql,
  agencyId: string,
  options: { key?: string; label?: string | null } = {},
): Promise<CreatedApiKey> {
  const apiKey = options.key ?? randomSecret('porch_sk_', 32);
  const [row] = await tx<{ id: string; created_at: Date }[]>`
    insert into api_keys (id, agency_id, key_hash, label)
    values (${randomSecret('ak_', 9)}, ${agencyId}, ${await sha256Hex(apiKey)}, ${options.label ?? null})
    returning id, created_at`;
  return { id: row.id, api_key: apiKey, created_at: row.created_at };
}

export async function createApiKey(sql: Sql, agency: AuthedAgency, label: string | null): Promise<CreatedApiKey> {
  return sql.begin(async (tx) => {
    const key = await insertApiKey(tx, agency.id, { label });
    await recordAgencyChange(tx, agency, 'api_key.created', 'api_key', key.id, { label });
    return key;
  });
}

/**
 * A new API key made by an operator (the CLI's `porch create-api-key`), for an agency that has
 * lost or revoked all of its keys. Null when the agency does not exist.
 */
export async function createApiKeyAsOperator(sql: Sql, agencyId: string, label: string | null): Promise<CreatedApiKey | null> {
  return sql.begin(async (tx) => {
    const [agency] = await tx`select id from agencies where id = ${agencyId} for share`;
    if (!agency) return null;
    const key = await insertApiKey(tx, agencyId, { label });
    await recordSystemChange(tx, agencyId, 'api_key.created', 'api_key', key.id, { label });
    return key;
  });
}

export interface ApiKeySummary {
  id: string;
  label: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

/** The agency's API keys, newest first, without their hashes. */
export async function listApiKeys(sql: Sql, agencyId: string): Promise<ApiKeySummary[]> {
  return sql<ApiKeySummary[]>`
    select id, label, created_at, revoked_at
    from api_keys
    where agency_id = ${agencyId}
    order by created_at desc, id`;
}

/** Revokes an API key (it may be the one making the call). Revoking twice changes nothing. */
export async function revokeApiKey(
  sql: Sql,
  agency: AuthedAgency,
  keyId: string,
): Promise<{ id: string; revoked_at: Date }> {
  return sql.begin(async (tx) => {
    const [key] = await tx<{ id: string; revoked_at: Date; newly: boolean }[]>`
      update api_keys set revoked_at = coalesce(revoked_at, now())
      where id = ${keyId} and agency_id = ${agency.id}
      returning id, revoked_at, revoked_at = now() as newly`;
    if (!key) throw notFound('API key');
    if (key.newly) await recordAgencyChange(tx, agency, 'api_key.revoked', 'api_key', keyId);
    return { id: key.id, revoked_at: key.revoked_at };
  });
}

// ---------------------------------------------------------------------------------------------
// The demo agency's fixed credentials

export interface DemoCredentials {
  agencyId: string;
  embedKeyId: string;
  embedSecret: string;
  apiKey: string;
}

/**
 * Makes the demo agency's fixed credentials work again if someone revoked or changed them (a
 * demo server is reachable by whoever can reach it): its embed key live with the fixed secret,
 * its API key live. Touches only an agency marked as demo; answers what it repaired.
 */
export async function restoreDemoCredentials(sql: Sql, demo: DemoCredentials): Promise<string[]> {
  return sql.begin(async (tx) => {
    const [agency] = await tx`select id from agencies where id = ${demo.agencyId} and is_demo for update`;
    if (!agency) return [];
    const repaired: string[] = [];
    const embedKey = await tx`
      insert into embed_keys (id, agency_id, secret)
      values (${demo.embedKeyId}, ${demo.agencyId}, ${demo.embedSecret})
      on conflict (id) do update set secret = excluded.secret, revoked_at = null
        where embed_keys.agency_id = excluded.agency_id
          and (embed_keys.secret <> excluded.secret or embed_keys.revoked_at is not null)
      returning id`;
    if (embedKey.length > 0) {
      await recordSystemChange(tx, demo.agencyId, 'embed_key.restored', 'embed_key', demo.embedKeyId);
      repaired.push('embed key');
    }
    const apiKey = await tx<{ id: string }[]>`
      insert into api_keys (id, agency_id, key_hash, label)
      values (${randomSecret('ak_', 9)}, ${demo.agencyId}, ${await sha256Hex(demo.apiKey)}, 'created with the agency')
      on conflict (key_hash) do update set revoked_at = null
        where api_keys.agency_id = excluded.agency_id and api_keys.revoked_at is not null
      returning id`;
    if (apiKey.length > 0) {
      await recordSystemChange(tx, demo.agencyId, 'api_key.restored', 'api_key', apiKey[0].id);
      repaired.push('API key');
    }
    return repaired;
  });
}

// ---------------------------------------------------------------------------------------------
// The audit log, as the agency reads it

export interface AuditRecord extends Omit<AuditEntry, 'agency_id' | 'data'> {
  id: number;
  data: Record<string, unknown>;
  created_at: Date;
}

/** The agency's audit log (or one client's part of it), newest first. */
export async function listAudit(
  sql: Sql,
  agencyId: string,
  options: { clientId?: string; limit: number },
): Promise<AuditRecord[]> {
  return sql<AuditRecord[]>`
    select id, client_id, actor_type, actor_id, action, subject_type, subject_id, data, created_at
    from audit_log
    where agency_id = ${agencyId}
      ${options.clientId !== undefined ? sql`and client_id = ${options.clientId}` : sql``}
    order by created_at desc, id desc
    limit ${options.limit}`;
}

/** Audits a change Porch itself made to an agency (the CLI, the demo seed). */
function recordSystemChange(
  tx: TransactionSql,
  agencyId: string,
  action: string,
  subjectType: string,
  subjectId: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  return recordAudit(tx, {
    agency_id: agencyId,
    client_id: null,
    actor_type: 'system',
    actor_id: 'porch',
    action,
    subject_type: subjectType,
    subject_id: subjectId,
    data,
  });
}

/** Audits a change the agency made to its own settings or keys. */
function recordAgencyChange(
  tx: TransactionSql,
  agency: AuthedAgency,
  action: string,
  subjectType: string,
  subjectId: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  return recordAudit(tx, {
    agency_id: agency.id,
    client_id: null,
    actor_type: 'agency',
    actor_id: agency.id,
    action,
    subject_type: subjectType,
    subject_id: subjectId,
    data,
  });
}
