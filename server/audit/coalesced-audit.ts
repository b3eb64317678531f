import type { AuditLog, AuditRecord } from './audit-log.ts';

/**
 * An audit entry for an access that repeats by itself: a tablet keeping the day's plans fresh
 * fetches each one again every time the visits list is opened or the network comes back
 * (issue 16). The first access of one person to one plan is recorded at once, as any access is;
 * repeats of the same (person, plan, action, details) within the window are the same access and
 * are not recorded again. The details are part of it: an access through another path (an embed
 * session, break-the-glass, flagged in the details) is another access, recorded at once. Refusals are never coalesced (callers record those through AuditLog itself).
 * Kept per node, in memory: after a restart, or on another node, the next access is recorded anew.
 */
export class CoalescedAudit {
  private readonly lastRecorded = new Map<string, number>();

  constructor(
    private readonly audit: AuditLog,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records `entry` unless the same access was recorded less than the window ago; true when recorded. */
  record(entry: AuditRecord & { planId: string }): boolean {
    const key = `${entry.actorId}\u0000${entry.action}\u0000${entry.planId}\u0000${JSON.stringify(entry.details ?? {})}`;
    const now = this.now();
    const last = this.lastRecorded.get(key);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.forgetOld(now);
    this.lastRecorded.set(key, now);
    this.audit.record({
      ...entry,
      details: { ...entry.details, coalescedMinutes: Math.round(this.windowMs / 60_000) },
    });
    return true;
  }

  private forgetOld(now: number): void {
    if (this.lastRecorded.size < 1_000) return;
    for (const [key, at] of this.lastRecorded) if (now - at >= this.windowMs) this.lastRecorded.delete(key);
  }
}
