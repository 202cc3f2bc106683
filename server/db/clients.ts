import type { AuthedAgency } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { recordAudit } from './audit.ts';
import type { Sql, TransactionSql } from './sql.ts';

/** A client as the agency sees it. */
export interface ClientRecord {
  id: string;
  external_id: string;
  name: string | null;
  email: string | null;
  revoked_before: Date | null;
  created_at: Date;
}

export interface NewClient {
  external_id: string;
  name?: string | null;
  email?: string | null;
}

/** Fields a PATCH may change; a field left out stays as it is, null clears it. */
export interface ClientPatch {
  name?: string | null;
  email?: string | null;
}

export async function listClients(sql: Sql, agencyId: string): Promise<ClientRecord[]> {
  return sql<ClientRecord[]>`
    select id, external_id, name, email, revoked_before, created_at
    from clients
    where agency_id = ${agencyId}
    order by created_at desc, id`;
}

export async function getClient(sql: Sql, agencyId: string, clientId: string): Promise<ClientRecord> {
  const [client] = await sql<ClientRecord[]>`
    select id, external_id, name, email, revoked_before, created_at
    from clients
    where id = ${clientId} and agency_id = ${agencyId}`;
  if (!client) throw notFound('Client');
  return client;
}

/** Adds a client before it ever signs in, so the agency can fill its portal first; audited as `client.created`. */
export async function createClient(sql: Sql, agency: AuthedAgency, input: NewClient): Promise<ClientRecord> {
  return sql.begin(async (tx) => {
    const [client] = await tx<ClientRecord[]>`
      insert into clients (agency_id, external_id, name, email)
      values (${agency.id}, ${input.external_id}, ${input.name ?? null}, ${input.email ?? null})
      on conflict (agency_id, external_id) do nothing
      returning id, external_id, name, email, revoked_before, created_at`;
    if (!client) throw new ApiError(409, 'conflict', `A client with external_id "${input.external_id}" already exists.`);
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: client.id,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'client.created',
      subject_type: 'client',
      subject_id: client.id,
      data: { external_id: client.external_id, name: client.name, email: client.email },
    });
    return client;
  });
}

/**
 * Changes a client's name or email; audited as `client.updated` with what changed (`{from, to}`).
 * A PATCH that changes nothing records nothing.
 */
export async function updateClient(sql: Sql, agency: AuthedAgency, clientId: string, patch: ClientPatch): Promise<ClientRecord> {
  return sql.begin(async (tx) => {
    const [current] = await tx<ClientRecord[]>`
      select id, external_id, name, email, revoked_before, created_at
      from clients
      where id = ${clientId} and agency_id = ${agency.id}
      for no key update`;
    if (!current) throw notFound('Client');
    const columns = (['name', 'email'] as const).filter(
      (column) => patch[column] !== undefined && patch[column] !== current[column],
    );
    if (columns.length === 0) return current;
    const [client] = await tx<ClientRecord[]>`
      update clients set ${tx(patch, columns)}, updated_at = now()
      where id = ${clientId} and agency_id = ${agency.id}
      returning id, external_id, name, email, revoked_before, created_at`;
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: clientId,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'client.updated',
      subject_type: 'client',
      subject_id: clientId,
      data: Object.fromEntries(columns.map((column) => [column, { from: current[column], to: client[column] }])),
    });
    return client;
  });
}

/**
 * Cuts a client off: every session it holds stops working, and /v1/session refuses any token
 * issued before now. A token issued later lets the client back in.
 */
export async function revokeClient(sql: Sql, agency: AuthedAgency, clientId: string): Promise<ClientRecord> {
  return sql.begin(async (tx) => {
    const [client] = await tx<ClientRecord[]>`
      update clients set revoked_before = now(), updated_at = now()
      where id = ${clientId} and agency_id = ${agency.id}
      returning id, external_id, name, email, revoked_before, created_at`;
    if (!client) throw notFound('Client');
    const sessions = await tx`
      update sessions set revoked_at = now()
      where client_id = ${clientId} and agency_id = ${agency.id} and revoked_at is null
      returning token_hash`;
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: clientId,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'client.revoked',
      subject_type: 'client',
      subject_id: clientId,
      data: { sessions_revoked: sessions.length },
    });
    return client;
  });
}

/**
 * Checks, inside a write's transaction, that a client (and a project, when given) belongs to
 * the agency, and the project to that client: a foreign id answers 404 like a missing one.
 */
export async function assertClientOwned(
  tx: TransactionSql,
  agencyId: string,
  clientId: string,
  projectId: string | null = null,
): Promise<void> {
  const [owned] = await tx<{ client: boolean; project: boolean }[]>`
    select exists (select 1 from clients c where c.id = ${clientId} and c.agency_id = ${agencyId}) as client,
           (${projectId}::uuid is null or exists (
              select 1 from projects p
              where p.id = ${projectId}::uuid and p.agency_id = ${agencyId} and p.client_id = ${clientId})) as project`;
  if (!owned.client) throw notFound('Client');
  if (!owned.project) throw notFound('Project');
}
