import { auditHash, GENESIS } from '../audit-chain.ts';
import type { AuditChainRow, AuditEntry, AuditEntryInput, AuditQuery } from '../records.ts';
import type pg from 'pg';
import type { Row } from '../rows.ts';
import { LOCK_AUDIT_CHAIN, LOCK_NAMESPACE, type Db } from './postgres-db.ts';
import { toAuditChainRow, toAuditEntry } from '../rows.ts';

/**
 * The audit log of the PostgreSQL store: one hash chain (server/store/audit-chain.ts) that several
 * nodes append to.
 *
 * Each entry's hash covers the previous entry's hash, so two nodes must never both extend the
 * same head (a fork: two entries claiming one seq, or one prev_hash). Appending therefore
 * takes a transaction-scoped advisory lock first, and only then, in a later statement, reads
 * the head: under READ COMMITTED each statement has its own snapshot, so a head read in the
 * statement that waited for the lock could be older than the entries the previous holder
 * committed. The lock is released by COMMIT or ROLLBACK, so a node that dies mid-append
 * blocks nobody. The seq primary key is the second line of defence: a fork would fail to
 * commit rather than be stored.
 */
export const BEGIN_LOCK_READ_HEAD = [
  'BEGIN',
  `SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${LOCK_AUDIT_CHAIN})`,
  // A statement of its own after the lock: its snapshot is taken once the lock is held.
  'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
].join('; ');

export async function appendAudit(db: Db, entries: AuditEntryInput[]): Promise<void> {
  if (entries.length === 0) return;
  // Three round trips: BEGIN + lock + head; the INSERT of every entry; COMMIT.
  await db.transaction((c, begun) => insertAuditEntries(c, begun, entries), BEGIN_LOCK_READ_HEAD);
}

/**
 * Inside a transaction begun with BEGIN_LOCK_READ_HEAD (its rows are `begun`): appends the
 * entries after that head. Also used to store audit entries with what they record, in one
 * transaction (results filed).
 */
export async function insertAuditEntries(c: pg.PoolClient, begun: Row[], entries: AuditEntryInput[]): Promise<void> {
  const head = begun[0];
  let seq = head ? Number(head.seq) : 0;
  let prev = head ? (head.hash as string) : GENESIS;
  const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
  for (const e of entries) {
    seq += 1;
    const hash = auditHash(seq, e, prev);
    // details as the exact text that was hashed (JSON.stringify), so verify reads it back unchanged.
    const row = [
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
    ];
    row.forEach((v, i) => {
      cols[i]!.push(v);
    });
    prev = hash;
  }
  await c.query(
    `INSERT INTO audit_log (seq, time, actor_id, action, patient_id, plan_id, outcome, details, prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
    cols,
  );
}

export async function listAudit(db: Db, q: AuditQuery): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown): string => `$${params.push(v)}`;
  if (q.patientId) {
    const id = p(q.patientId);
    where.push(`(patient_id = ${id} OR plan_id IN (SELECT id FROM plans WHERE patient_id = ${id}))`);
  }
  if (q.from) where.push(`time >= ${p(q.from)}`);
  if (q.to) where.push(`time <= ${p(q.to)}`);
  if (q.notActor) where.push(`actor_id IS NOT NULL AND actor_id <> ${p(q.notActor)}`);
  if (q.beforeSeq !== undefined) where.push(`seq < ${p(q.beforeSeq)}`);
  const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${p(q.limit)}`;
  return (await db.rows(sql, params)).map(toAuditEntry);
}

/** Stored rows as they are, nothing parsed, for `carehub audit verify`. */
export async function readAuditChain(db: Db, afterSeq: number | null, limit: number): Promise<AuditChainRow[]> {
  const rows =
    afterSeq === null
      ? await db.rows('SELECT * FROM audit_log ORDER BY seq LIMIT $1', [limit])
      : await db.rows('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
  return rows.map(toAuditChainRow);
}
