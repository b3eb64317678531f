/**
 * Open connections per user on one transport (/collab or Socket.IO), for
 * MAX_CONNECTIONS_PER_USER. The connection over the limit is the one refused, never an older
 * one: evicting the oldest would let anyone holding a copy of a token (or a tab in a reconnect
 * loop) throw a clinician's working session off the plan, and two tabs over the limit would
 * take turns evicting each other. Dead peers do not hold a slot for long: /collab pings every
 * 30 s and Socket.IO has its own heartbeat.
 */
export class ConnectionCount {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  count(userId: string): number {
    return this.open.get(userId) ?? 0;
  }

  /** Takes a slot for `userId`, or returns null when the user is at the limit; call the release once. */
  acquire(userId: string): (() => void) | null {
    const n = this.count(userId);
    if (n >= this.max) return null;
    this.open.set(userId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(userId) - 1;
      if (left > 0) this.open.set(userId, left);
      else this.open.delete(userId);
    };
  }
}

/**
 * Whose slots a connection takes: the person's own, or (an embed session) a separate set of
 * the same size for the embed links acting as that person. A link handed to a practice system
 * cannot use up the clinician's own connections, nor the clinician's tabs the link's.
 */
export function connectionSlot(principal: { user: { id: string }; embed?: unknown }): string {
  return principal.embed ? `embed:${principal.user.id}` : principal.user.id;
}
