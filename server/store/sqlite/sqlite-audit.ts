import type Database from 'better-sqlite3';
import { auditHash, GENESIS } from '../audit-chain.ts';
import type { AuditEntryInput } from '../records.ts';

const statements = new WeakMap<Database.Database, { last: Database.Statement; insert: Database.Statement }>();

/**
 * Appends entries to the hash-chained audit log (server/store/audit-chain.ts) inside the caller's
 * transaction: the head is read and extended in it, so nothing else can extend it meanwhile
 * (one connection, synchronous). SqliteStore.appendAudit runs it in a transaction of its own;
 * where an audit entry must commit with what it records (results filed: the result rows and
 * their `result.file` entries) it runs inside that transaction.
 */
export function appendAuditInTransaction(db: Database.Database, entries: AuditEntryInput[]): void {
  if (!db.inTransaction) throw new Error('appendAuditInTransaction: not inside a transaction');
  let s = statements.get(db);
  if (!s) {
    s = {
      last: db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare(
        'INSERT INTO audit_log (seq, time, actor_id, action, patient_id, plan_id, outcome, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
    statements.set(db, s);
  }
  const last = s.last.get() as { seq: number; hash: string } | undefined;
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? GENESIS;
  for (const e of entries) {
    seq += 1;
    const hash = auditHash(seq, e, prev);
    s.insert.run(
      seq,
      e.time,
      e.actorId,
      e.action,
      e.patientId,
      e.planId,
      e.outcome,
      JSON.stringify(e.details),
      prev,
      hash,
    );
    prev = hash;
  }
}
