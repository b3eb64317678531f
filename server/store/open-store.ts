import { dirname, resolve } from 'node:path';
import type { Config } from '../config.ts';
import pino, { type Logger } from 'pino';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** The SQLite file a `sqlite:` URL names (`sqlite:./data/carehub.db`, `sqlite:/abs/file.db`). */
export function sqlitePath(databaseUrl: string): string {
  const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (!path) throw new Error('DATABASE_URL sqlite: needs a file path');
  return path === ':memory:' ? path : resolve(path);
}

/** Where per-deployment files (the generated secret) are kept: beside the database. */
export function dataDirOf(databaseUrl: string): string {
  return databaseUrl.startsWith('sqlite:') ? dirname(sqlitePath(databaseUrl)) : resolve('./data');
}

/**
 * Opens the store DATABASE_URL names and brings its schema up to date. `log` (or one at
 * `config.logLevel`) hears of migrations and of failed idle PostgreSQL connections.
 */
export async function openStore(
  config: Pick<Config, 'databaseUrl' | 'sqliteSynchronous' | 'logLevel'>,
  opts: { log?: Logger } = {},
): Promise<Store> {
  const url = config.databaseUrl;
  let store: Store;
  if (url.startsWith('sqlite:')) {
    store = new SqliteStore(sqlitePath(url), {
      synchronous: config.sqliteSynchronous,
      ...(opts.log ? { log: opts.log.child({ component: 'store' }) } : {}),
    });
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const log = opts.log ?? pino({ level: config.logLevel });
    store = new PostgresStore(url, { log: log.child({ component: 'store' }) });
  } else {
    throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got a value of another scheme)`);
  }
  try {
    await store.migrate();
  } catch (err) {
    // Not left half-open: a pool would keep the process alive after the error is reported.
    await store.close();
    throw err;
  }
  return store;
}
