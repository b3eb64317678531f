import type { AuditLog } from '../audit/audit-log.ts';
import type { RefusedChange } from './plan-guard.ts';

/**
 * The audit trail of refused changes, bounded per connection. A client can send thousands of
 * refused updates a second; each once wrote an audit row. Now the first refusal of each code
 * on a connection is recorded at once (where and why, as before), and the ones after it in the
 * same window are counted and recorded as one row (`details.count`) when the window ends or
 * the connection closes. A connection whose refused updates pass MAX_REFUSED_UPDATES in one
 * window is to be closed (1008, "too many refused changes").
 */

/** The window refusals are counted in. */
export const REFUSAL_WINDOW_MS = 60_000;
/** Refused updates one connection may send in a window; the next closes it. */
export const MAX_REFUSED_UPDATES = 300;

export const TOO_MANY_REFUSALS = 'too many refused changes';

interface Tally {
  planId: string;
  userId: string;
  updates: number;
  /** Per refusal code: how many refusals followed the first (not recorded yet). */
  repeated: Map<string, number>;
  timer: NodeJS.Timeout;
}

export class RefusalAudit {
  private readonly tallies = new Map<string, Tally>();

  constructor(
    private readonly audit: AuditLog,
    private readonly windowMs = REFUSAL_WINDOW_MS,
    private readonly maxUpdates = MAX_REFUSED_UPDATES,
  ) {}

  /**
   * One refused update of a connection (its refusals): recorded or counted. Returns false when
   * the connection passed the bound and must be closed.
   */
  refused(planId: string, conn: { id: string; userId: string }, refusals: RefusedChange[]): boolean {
    let tally = this.tallies.get(conn.id);
    if (!tally) {
      const timer = setTimeout(() => this.flush(conn.id), this.windowMs);
      timer.unref();
      tally = { planId, userId: conn.userId, updates: 0, repeated: new Map(), timer };
      this.tallies.set(conn.id, tally);
    }
    tally.updates++;
    for (const r of refusals) {
      const code = r.refusal.code;
      const seen = tally.repeated.get(code);
      if (seen !== undefined) {
        tally.repeated.set(code, seen + 1);
        continue;
      }
      tally.repeated.set(code, 0);
      // The refused content is never recorded: only where and why.
      this.audit.record({
        actorId: conn.userId,
        action: 'plan.update',
        planId,
        outcome: 'refused',
        details: { section: r.section, key: r.key, code, params: r.refusal.params },
      });
    }
    return tally.updates <= this.maxUpdates;
  }

  /** The connection closed: what it was refused since the last row is recorded now. */
  closed(connId: string): void {
    this.flush(connId);
  }

  /** Shutdown: every count is recorded. */
  flushAll(): void {
    for (const id of [...this.tallies.keys()]) this.flush(id);
  }

  private flush(connId: string): void {
    const tally = this.tallies.get(connId);
    if (!tally) return;
    clearTimeout(tally.timer);
    this.tallies.delete(connId);
    for (const [code, count] of tally.repeated) {
      if (count === 0) continue;
      this.audit.record({
        actorId: tally.userId,
        action: 'plan.update',
        planId: tally.planId,
        outcome: 'refused',
        details: { code, count, windowSeconds: Math.round(this.windowMs / 1000) },
      });
    }
  }
}
