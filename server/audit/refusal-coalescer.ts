/** Keys kept at most; past it, expired ones are forgotten first, then the oldest. */
const MAX_KEYS = 10_000;

/**
 * Unauthenticated refusals (a garbage sign-in callback, a password sign-in where it is off)
 * cost their sender nothing: one audit row each would let anyone grow the audit log without
 * bound. Per key (the action, reason and client address) the first refusal in a window is
 * recorded; the rest of the window is counted, and the count goes with the next one recorded
 * (`coalesced`). Per node, like the rate limits in front of these endpoints.
 */
export class RefusalCoalescer {
  private readonly seen = new Map<string, { until: number; suppressed: number }>();

  constructor(private readonly windowMs = 60_000) {}

  /** Null: leave this refusal out of the audit log. Else: how many were left out before it. */
  admit(key: string, now = Date.now()): number | null {
    const entry = this.seen.get(key);
    if (entry && entry.until > now) {
      entry.suppressed++;
      return null;
    }
    if (!entry && this.seen.size >= MAX_KEYS) {
      for (const [k, e] of this.seen) if (e.until <= now) this.seen.delete(k);
      if (this.seen.size >= MAX_KEYS) this.seen.delete(this.seen.keys().next().value as string);
    }
    this.seen.delete(key);
    this.seen.set(key, { until: now + this.windowMs, suppressed: 0 });
    return entry?.suppressed ?? 0;
  }
}
