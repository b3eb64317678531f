import type Database from 'better-sqlite3';

/** Distinct statements kept compiled (the store's SQL is fixed text: a few hundred at most). */
const MAX_STATEMENTS = 512;

/**
 * Makes `db.prepare` return the statement it compiled before for the same SQL text.
 * better-sqlite3 compiles on every `prepare()`, and the store's methods prepare where they
 * run: a /collab connection's access lookups spent a twentieth of its time compiling SQL.
 * A statement's result mode (pluck, raw, expand) is reset on each reuse, so every caller
 * gets a fresh statement's behaviour. The store never iterates a statement (`iterate()` keeps
 * it busy until done), which a shared statement would not allow.
 */
export function cacheStatements(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = compile(sql);
      if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value as string);
      cache.set(sql, stmt);
    } else if (stmt.reader) {
      stmt.pluck(false);
      stmt.expand(false);
      stmt.raw(false);
    }
    return stmt;
  }) as Database.Database['prepare'];
}
