import type { AuthedClient } from '../env.ts';
import type { Sql, TransactionSql } from './sql.ts';

export interface AuditEntry {
  agency_id: string;
  client_id: string | null;
  actor_type: 'client' | 'agency' | 'system';
  actor_id: string;
  action: string;
  subject_type: string;
  subject_id: string;
  data?: Record<string, unknown>;
}

/** Appends to the audit log. Call it inside the transaction that makes the change it records. */
export async function recordAudit(sql: Sql | TransactionSql, entry: AuditEntry): Promise<void> {
  await sql`
    insert into audit_log (agency_id, client_id, actor_type, actor_id, action, subject_type, subject_id, data)
    values (${entry.agency_id}, ${entry.client_id}, ${entry.actor_type}, ${entry.actor_id}, ${entry.action},
            ${entry.subject_type}, ${entry.subject_id}, ${sql.json((entry.data ?? {}) as never)})`;
}

/** The actor fields of an entry for something the signed-in client did. */
export function byClient(client: AuthedClient): Pick<AuditEntry, 'agency_id' | 'client_id' | 'actor_type' | 'actor_id'> {
  return { agency_id: client.agencyId, client_id: client.id, actor_type: 'client', actor_id: client.externalId };
}
