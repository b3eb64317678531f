/**
 * Guessing passwords is rate-limited per account and per address: after too many failed
 * sign-ins within the window, further attempts are refused (429) until the window passes.
 * In memory: one node's view (enough for one node; several nodes share nothing here).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perAccount: number,
    private readonly perAddress: number,
    private readonly windowMs: number,
  ) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length > 0) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until another attempt is allowed, or 0. */
  blockedFor(username: string, address: string, now = Date.now()): number {
    const account = this.recent(`u:${username.toLowerCase()}`, now);
    const addr = this.recent(`a:${address}`, now);
    const over = (list: number[], max: number) => (list.length >= max ? (list[list.length - max] as number) + this.windowMs - now : 0);
    return Math.ceil(Math.max(over(account, this.perAccount), over(addr, this.perAddress)) / 1000);
  }

  fail(username: string, address: string, now = Date.now()): void {
    for (const key of [`u:${username.toLowerCase()}`, `a:${address}`]) this.failures.set(key, [...this.recent(key, now), now]);
    if (this.failures.size > 100_000) this.failures.clear();
  }

  succeed(username: string): void {
    this.failures.delete(`u:${username.toLowerCase()}`);
  }
}
