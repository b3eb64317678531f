import { existsSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { openStore, sqlitePath } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import type { AuditChainRow, AuditEntryInput } from '../store/records.ts';
import { auditHash, GENESIS } from '../store/audit-chain.ts';

/**
 * `carehub audit verify`: walks the audit log in seq order and checks its hash chain
 * (server/store/audit-chain.ts). Seqs run 1, 2, 3, … with no gap; each entry's prev_hash is the
 * previous entry's hash (GENESIS for the first); each hash is recomputed from the stored
 * fields; and the details are stored exactly as written (JSON.stringify of what was recorded).
 * So an entry changed (any field), removed (a gap, or a broken link where seqs were renumbered),
 * inserted (a gap or a broken link after it) or reordered (seqs swapped) is found, and the
 * first broken seq is reported.
 *
 * What a chain alone cannot show: entries cut off the end, or entries appended (or the whole
 * chain rewritten) by someone who recomputes every hash, as the hash has no secret. The intact
 * answer prints the last seq and hash so it can be kept elsewhere and compared next time.
 *
 * Retention: the audit log is kept for at least two years (Danish rules on access logs of
 * health records); in practice it is kept for as long as the database is. Nothing in CareHub
 * deletes or updates an audit entry: the store only ever INSERTs into audit_log, and the
 * database refuses UPDATE and DELETE on it (triggers audit_log_no_update and
 * audit_log_no_delete, migrations/sqlite/001_initial.sql). Any future archiving must copy the
 * entries elsewhere, verified, and must not remove entries younger than two years.
 */

export type AuditVerdict =
  | { ok: true; entries: number; last: { seq: number; hash: string } | null }
  | { ok: false /** Entries checked and intact before the break. */; intact: number; seq: number; problem: string };

const PAGE = 1000;
const CHANGED = 'the entry was changed';

/** What is wrong with `row` as the entry at `expectedSeq` chained to `prevHash`, or null. */
export function checkAuditRow(
  row: AuditChainRow,
  expectedSeq: number,
  prevHash: string,
): { seq: number; problem: string } | null {
  if (row.seq > expectedSeq) {
    const after = expectedSeq === 1 ? 'the first entry' : `the entry after seq ${expectedSeq - 1}`;
    return {
      seq: expectedSeq,
      problem: `seq ${expectedSeq} is missing (${after} is seq ${row.seq}): an entry was removed`,
    };
  }
  if (row.seq !== expectedSeq) {
    return {
      seq: row.seq,
      problem: `seq ${row.seq} found where seq ${expectedSeq} was expected: an entry was inserted`,
    };
  }
  if (row.prevHash !== prevHash) {
    const previous = expectedSeq === 1 ? 'GENESIS' : `the hash of seq ${expectedSeq - 1}`;
    return {
      seq: row.seq,
      problem: `prev_hash does not match ${previous}: an entry before it was removed, inserted, reordered or rewritten`,
    };
  }
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    return { seq: row.seq, problem: `details are not valid JSON: ${CHANGED}` };
  }
  if (JSON.stringify(details) !== row.details) {
    return { seq: row.seq, problem: `details are not stored as they were written: ${CHANGED}` };
  }
  const entry: AuditEntryInput = {
    time: row.time,
    actorId: row.actorId,
    // As stored, whatever it says: the hash covers the stored text (an unknown code is no exception).
    action: row.action as AuditEntryInput['action'],
    patientId: row.patientId,
    planId: row.planId,
    outcome: row.outcome as AuditEntryInput['outcome'],
    details,
  };
  if (auditHash(row.seq, entry, prevHash) !== row.hash) {
    return { seq: row.seq, problem: `the stored hash does not match the entry's fields: ${CHANGED}` };
  }
  return null;
}

/** Checks the whole chain, a page at a time, and stops at the first broken entry. */
export async function verifyAuditLog(store: Pick<Store, 'readAuditChain'>, pageSize = PAGE): Promise<AuditVerdict> {
  let expected = 1;
  let prev = GENESIS;
  let after: number | null = null;
  for (;;) {
    const rows = await store.readAuditChain(after, pageSize);
    for (const row of rows) {
      const broken = checkAuditRow(row, expected, prev);
      if (broken) return { ok: false, intact: expected - 1, ...broken };
      prev = row.hash;
      expected += 1;
    }
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1]!.seq;
  }
  const entries = expected - 1;
  return { ok: true, entries, last: entries > 0 ? { seq: entries, hash: prev } : null };
}

export function describeVerdict(v: AuditVerdict): string {
  if (v.ok) {
    const last = v.last ? `last entry: seq ${v.last.seq}, hash ${v.last.hash}\n` : '';
    return `audit log intact: ${v.entries} entries\n${last}`;
  }
  const before =
    v.intact === 0
      ? 'no entry before it'
      : v.intact === 1
        ? 'the entry before it is intact'
        : `the ${v.intact} entries before it are intact`;
  return `audit log broken at seq ${v.seq}: ${v.problem} (${before})\n`;
}

/** The CLI command: verifies the audit log of the configured database; exit code 1 if broken. */
export async function auditVerifyCommand(args: string[]): Promise<void> {
  if (args.length > 0) throw new Error(`audit verify takes no arguments (got ${args.join(' ')})`);
  const config = loadConfig();
  // Opening a missing SQLite file would create an empty database and call it intact.
  if (config.databaseUrl.startsWith('sqlite:')) {
    const file = sqlitePath(config.databaseUrl);
    if (file !== ':memory:' && !existsSync(file)) throw new Error(`no database at ${file}`);
  }
  const store = await openStore(config);
  try {
    const verdict = await verifyAuditLog(store);
    if (verdict.ok) {
      process.stdout.write(describeVerdict(verdict));
    } else {
      process.stderr.write(describeVerdict(verdict));
      process.exitCode = 1;
    }
  } finally {
    await store.close();
  }
}
