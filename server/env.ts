import type { Sql } from './db/sql.ts';
import type { FileStore } from './files.ts';

/** What a runtime entry (server/node.ts, server/worker.ts) hands to the app on every request. */
export interface PorchEnv {
  sql: Sql;
  files: FileStore;
  /** Demo mode accepts the fixed development credentials of the seeded demo agency. */
  demo: boolean;
  /** Largest document upload accepted, in bytes (default 50 MB). */
  maxUploadBytes?: number;
}

export interface AuthedClient {
  id: string;
  agencyId: string;
  externalId: string;
  name: string | null;
  email: string | null;
}

export interface AuthedAgency {
  id: string;
  name: string;
}

export type AppEnv = {
  Bindings: PorchEnv;
  Variables: { client: AuthedClient; agency: AuthedAgency };
};

/**
 * A setting that must be a positive whole number (MAX_UPLOAD_BYTES), read from the environment
 * of either runtime: anything else (unset, empty, "-1", "1e3", "50MB") is left out, so the
 * default applies.
 */
export function positiveInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}
