import { createHash } from 'node:crypto';
import type { AuditEntryInput } from './records.ts';

/**
 * The audit log's hash chain: each entry's hash covers its own fields and the previous
 * entry's hash, so changing, removing, inserting or reordering an entry breaks every hash
 * after it. The first entry chains to GENESIS. Both stores write by this rule and
 * `carehub audit verify` (server/audit/verify.ts) checks by it: it sits below both.
 */
export const GENESIS = '0'.repeat(64);

export function auditHash(seq: number, entry: AuditEntryInput, prevHash: string): string {
  const canonical = JSON.stringify([
    seq,
    entry.time,
    entry.actorId,
    entry.action,
    entry.patientId,
    entry.planId,
    entry.outcome,
    entry.details,
    prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
