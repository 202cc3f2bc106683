/** Who reads, and how a read is composed: shared by every table family's JSON fragments. */
import type postgres from 'postgres';
import type { AuthedAgency, AuthedClient } from '../env.ts';
import type { Sql, TransactionSql } from './sql.ts';

/** Where a read runs: the pool or an open transaction. */
export type Queryable = Sql | TransactionSql;

/** A query fragment that evaluates to one JSON value; `/v1/portal` composes several into one statement. */
export type JsonFragment = postgres.PendingQuery<postgres.Row[]>;

/** The one client a client-facing read covers. */
export interface Scope {
  agencyId: string;
  clientId: string;
}

/**
 * Who reads. A client reads its own rows only; the agency reads the rows of all its clients (or
 * of one), and its answers carry each row's `client_id`.
 */
export type Reader = ({ side: 'client' } & Scope) | { side: 'agency'; agencyId: string; clientId?: string };

/** A client reading its own rows, named by scope (as /v1/portal composes its parts). */
export const readerForScope = (scope: Scope): Reader => ({ side: 'client', ...scope });
/** The signed-in client of a request reading its own rows. */
export const readerForSignedInClient = (client: AuthedClient): Reader =>
  readerForScope({ agencyId: client.agencyId, clientId: client.id });
/** The agency reading the rows of all its clients, or of one. */
export const readerForAgency = (agency: AuthedAgency, clientId?: string): Reader =>
  ({ side: 'agency', agencyId: agency.id, clientId });

/** Runs a JSON fragment on its own. */
export async function selectJson<T>(sql: Queryable, fragment: JsonFragment): Promise<T> {
  const [row] = await sql<{ value: T }[]>`select ${fragment} as value`;
  return row.value;
}
