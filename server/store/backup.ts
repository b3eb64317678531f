import Database from 'better-sqlite3';
import { existsSync, linkSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { sqlitePath } from './open-store.ts';

/**
 * `carehub backup FILE`: an online backup of the SQLite store while the hub keeps serving.
 *
 * SQLite's backup API (better-sqlite3 `db.backup`) copies the database page by page through
 * its own read-only connection. In WAL mode a reader never blocks the hub's writer, and the
 * copy is taken inside one read transaction: every page after the first (empty) step is
 * copied in a single step, so the backup is one consistent snapshot — a commit is either
 * wholly in it or not at all. (Copied in many small steps, a write by the hub between two
 * steps would restart the copy, and under a steady stream of edits it might never finish.)
 *
 * The copy is written to a temporary file beside FILE, switched to rollback-journal mode (so
 * the backup is one self-contained file, with no -wal beside it), checked with
 * `PRAGMA quick_check`, and only then given its name with link(2), which refuses an existing
 * FILE atomically: an existing file is never overwritten, and FILE never names a half-written
 * copy. A hub restored from it switches it back to WAL when it opens it.
 */
export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
  plans: number;
  updates: number;
  auditEntries: number;
  ms: number;
}

export class BackupRefused extends Error {}

export async function backupDatabase(databaseUrl: string, target: string): Promise<BackupResult> {
  if (!databaseUrl.startsWith('sqlite:')) {
    throw new BackupRefused(
      'backup copies the SQLite store only (DATABASE_URL sqlite:…); back up a PostgreSQL store with pg_dump or your database service’s backups',
    );
  }
  const source = sqlitePath(databaseUrl);
  if (source === ':memory:') throw new BackupRefused('an in-memory database (sqlite::memory:) cannot be backed up');
  if (!existsSync(source)) throw new BackupRefused(`no database at ${source}`);
  const file = resolve(target);
  if (file === source) throw new BackupRefused('the backup file must not be the database itself');
  if (existsSync(file))
    throw new BackupRefused(`${file} already exists; backup never overwrites a file (choose a new name)`);
  if (!existsSync(dirname(file))) throw new BackupRefused(`the directory ${dirname(file)} does not exist`);

  const started = performance.now();
  const partial = `${file}.partial-${process.pid}-${Date.now()}`;
  // Its own connection, read-only: the backup never writes to the hub's database.
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 10_000 });
  let pages = 0;
  try {
    // The first step (0 pages) sizes the copy; the next copies every page in one step.
    const progress = await db.backup(partial, { progress: () => 0x7fffffff });
    pages = progress.totalPages;
  } catch (err) {
    rmQuietly(partial);
    throw err;
  } finally {
    db.close();
  }

  let counts: { plans: number; updates: number; auditEntries: number };
  try {
    const copy = new Database(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
      const count = (table: string) => copy.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
      counts = { plans: count('plans'), updates: count('plan_updates'), auditEntries: count('audit_log') };
    } finally {
      copy.close();
    }
    // Fails with EEXIST if FILE appeared meanwhile: still no overwrite.
    linkSync(partial, file);
  } catch (err) {
    rmQuietly(partial);
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new BackupRefused(`${file} already exists; backup never overwrites a file (choose a new name)`);
    throw err;
  }
  rmQuietly(partial);
  return { file, bytes: statSync(file).size, pages, ...counts, ms: Math.round(performance.now() - started) };
}

function rmQuietly(path: string): void {
  for (const p of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) {
    try {
      unlinkSync(p);
    } catch {
      // not there
    }
  }
}

/** The CLI command. Exit 0 with a summary; a refusal or failure exits 1 with a message (bin/carehub.js). */
export async function backupCommand(args: string[]): Promise<void> {
  if (args.length !== 1 || !args[0] || args[0].startsWith('-'))
    throw new BackupRefused('usage: carehub backup FILE (FILE must not exist)');
  const config = loadConfig();
  const r = await backupDatabase(config.databaseUrl, args[0]);
  process.stdout.write(
    `backup written to ${r.file}: ${(r.bytes / 1024 / 1024).toFixed(1)} MB, ${r.pages} pages, ${r.plans} plans, ${r.updates} plan updates, ${r.auditEntries} audit entries, in ${r.ms} ms\n` +
      'restore: stop the hub, copy the backup over the database file, remove its -wal and -shm files, start the hub (README.md, Backup and restore)\n',
  );
  // The generated token secret lives beside the database, not in it: sessions and embed links
  // signed with it outlive a restore only if it is kept too.
  const secretFile = join(dirname(sqlitePath(config.databaseUrl)), 'carehub.secret');
  if (!config.carehubSecret && existsSync(secretFile))
    process.stdout.write(
      `note: the token secret ${secretFile} is not in the backup; keep a copy of it (it does not change)\n`,
    );
}
