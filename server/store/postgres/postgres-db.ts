import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Row } from '../rows.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'postgres');

/**
 * Advisory-lock keys, in the two-int form: (CAREHUB, what). Advisory locks are scoped to the
 * database, so two deployments (or two test databases) on one server never share them.
 * 0x43617265 is "Care" in ASCII.
 */
export const LOCK_NAMESPACE = 0x43617265;
export const LOCK_MIGRATIONS = 1;
export const LOCK_AUDIT_CHAIN = 2;

/** DATABASE_URL as the PostgreSQL store accepts it (checked before a connection is tried). */
const PostgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
  .refine((u) => URL.canParse(u), 'DATABASE_URL is not a valid URL');

export interface PostgresOptions {
  log?: Logger;
}

/** Connections in one node's pool. */
const POOL_SIZE = 10;
/** How long a query waits for a new connection before it fails. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The pool and the two things every part of the store needs from it: a query and a transaction. */
export class Db {
  readonly pool: pg.Pool;
  private ended = false;

  constructor(url: string, opts: PostgresOptions) {
    const parsed = PostgresUrl.safeParse(url);
    // The message names the rule, never the URL: it may carry a password.
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
    this.pool = new pg.Pool({
      connectionString: parsed.data,
      max: POOL_SIZE,
      application_name: 'carehub',
      // An unreachable server fails a query (and /readyz) within seconds instead of hanging it;
      // keep-alive finds connections a network cut left half-open.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    // An idle connection that fails (the server restarted, a network cut) emits 'error' on the
    // pool; unhandled, that would end the process. The pool drops the connection and opens a
    // new one for the next query, so logging is all there is to do.
    this.pool.on('error', (err: Error & { code?: string }) => {
      opts.log?.warn(
        { err: { message: err.message, code: err.code } },
        'an idle PostgreSQL connection failed; the pool replaces it',
      );
    });
  }

  async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  async one(sql: string, params: unknown[] = []): Promise<Row | undefined> {
    return (await this.rows(sql, params))[0];
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(sql, params)).rowCount ?? 0;
  }

  /**
   * Runs `fn` in BEGIN … COMMIT on one connection; rolls back and rethrows on failure.
   * `begin` may carry more statements after BEGIN (no parameters), sent in the same round
   * trip; `fn` receives the rows of the last one.
   */
  async transaction<T>(fn: (c: pg.PoolClient, begun: Row[]) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const results = (await c.query(begin)) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(results) ? results[results.length - 1] : results;
      const result = await fn(c, (last?.rows ?? []) as Row[]);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await c.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection itself failed: do not give it back to the pool.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    } finally {
      c.release(broken);
    }
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }

  /**
   * Runs the numbered files of migrations/postgres/ not yet recorded in schema_migrations, in
   * order, all in one transaction. Several nodes may start at once against a new database:
   * the transaction-scoped advisory lock lets one migrate while the others wait, and those
   * then find every version recorded and do nothing. (Without it, two nodes would both create
   * the tables and one would fail on a duplicate.) The lock goes with the transaction, also
   * when a node dies halfway.
   */
  async migrate(log?: Logger): Promise<void> {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d+_.+\.sql$/.test(f))
      .sort();
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCK_MIGRATIONS]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)',
      );
      const applied = new Set(
        (await c.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => r.version as number),
      );
      for (const file of files) {
        const version = Number(file.split('_')[0]);
        if (applied.has(version)) continue;
        // A file holds several statements: sent without parameters, as one simple query.
        await c.query(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
        await c.query('INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)', [
          version,
          file,
          new Date().toISOString(),
        ]);
        log?.info({ migration: file }, 'applied a PostgreSQL migration');
      }
    });
  }
}

/** Uint8Array (or Buffer) to the Buffer pg sends as bytea, without copying. */
export function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
