import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import * as schema from './schema/index.js';
import { WorkerPool } from './worker-pool.js';

export type Db = NodePgDatabase<typeof schema>;
/** A transaction handle; repositories accept either, so a command can compose them in one transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export type Database = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Raw queries outside drizzle (migrations, benchmarks, checks). */
  /** `priority`: a short single-row read that goes ahead of queued statements on PGlite's one connection. */
  query: (
    text: string,
    values?: unknown[],
    opts?: { priority?: boolean },
  ) => Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  close: () => Promise<void>;
  /** PGlite only: the data directory as a gzipped tarball. */
  dump?: () => Promise<Uint8Array>;
};

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

// numeric → number: amounts and scores in this schema are small decimals, and JSON carries numbers.
pg.types.setTypeParser(1700, (v) => Number(v));
// int8 → number: counts and sequence numbers stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Every parameterised statement runs as a named prepared statement (named by a hash of its text), so PostgreSQL
 * parses it once per connection and may reuse its plan: planning was ~0.4 ms of a ~1 ms scoped list query.
 * PostgreSQL keeps choosing custom plans where a generic one would be worse (LIKE-prefix scopes).
 */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
const statementName = (text: string) => `s${crypto.createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
function nameStatements(client: pg.PoolClient) {
  const original = client.query.bind(client) as (config: unknown, values?: unknown, cb?: unknown) => unknown;
  (client as unknown as { query: unknown }).query = (config: unknown, values?: unknown, cb?: unknown) => {
    if (typeof config === 'string') {
      // pool.query(text, values): the raw queries of hot paths
      if (Array.isArray(values) && values.length > 0 && PREPARABLE.test(config))
        return original({ text: config, name: statementName(config) }, values, cb);
    } else if (config && typeof config === 'object' && !(config as { name?: string }).name) {
      const text = (config as { text?: string }).text;
      const vals = Array.isArray(values) ? values : (config as { values?: unknown[] }).values;
      if (text && Array.isArray(vals) && vals.length > 0 && PREPARABLE.test(text))
        return original({ ...config, name: statementName(text) }, values, cb);
    }
    return original(config, values, cb);
  };
}

export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  sharedBuffers?: string;
  restoreFrom?: Uint8Array;
}): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on('error', () => {}); // idle client errors surface on the next query instead of crashing the process
    pool.on('connect', nameStatements);
    await pool.query('select 1');
    const db = drizzle(pool, { schema });
    return {
      db,
      kind: 'postgres',
      query: async (text, values) => {
        const r = await pool.query(text, values);
        return { rows: r.rows, rowCount: r.rowCount };
      },
      close: () => pool.end(),
    };
  }
  const dir = path.join(opts.dataDir, 'pgdata');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const pool = new WorkerPool(dir, opts.sharedBuffers, opts.restoreFrom);
  await pool.ready;
  const db = drizzle(pool as unknown as pg.Pool, { schema });
  return {
    db,
    kind: 'pglite',
    query: async (text, values, opts) => {
      const r = await pool.query(text, values, opts);
      return { rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount };
    },
    close: () => pool.end(),
    dump: () => pool.dump(),
  };
}

export async function runMigrations(database: Database) {
  await migrate(database.db, { migrationsFolder });
}
