import { dirname, resolve } from 'node:path';
import type { Config } from '../config.ts';
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

export async function openStore(config: Pick<Config, 'databaseUrl' | 'sqliteSynchronous'>): Promise<Store> {
  const url = config.databaseUrl;
  let store: Store;
  if (url.startsWith('sqlite:')) {
    store = new SqliteStore(sqlitePath(url), { synchronous: config.sqliteSynchronous });
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    throw new Error('the PostgreSQL store arrives with the several-nodes work; use a sqlite: DATABASE_URL for now');
  } else {
    throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got a value of another scheme)`);
  }
  await store.migrate();
  return store;
}
