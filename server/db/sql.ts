import postgres from 'postgres';

export type Sql = postgres.Sql<{ bigint: number }>;
export type TransactionSql = postgres.TransactionSql<{ bigint: number }>;

export interface ConnectOptions {
  /** Connections in the pool. PGlite over the wire needs exactly one. */
  max?: number;
  /** Hyperdrive and PGlite do not need (or like) named prepared statements. */
  prepare?: boolean;
  /** Called for every statement sent: lets tests and benchmarks count round trips. */
  onQuery?: (query: string) => void;
}

/**
 * One way to open Postgres for every runtime: UTC timestamps, int8 as JS numbers
 * (money in minor units and byte sizes stay far below 2^53), quiet notices.
 */
export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    prepare: options.prepare ?? true,
    fetch_types: false,
    onnotice: () => {},
    debug: options.onQuery ? (_connection: number, query: string) => options.onQuery!(query) : undefined,
    connection: { TimeZone: 'UTC', application_name: 'porch' },
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (value: string) => Number(value),
      },
    },
  }) as unknown as Sql;
}
