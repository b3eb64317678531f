/**
 * A token bucket: `rate` tokens a second, at most `burst` saved up. Used for request and
 * message rates (results per API key, awareness updates per connection). Time is passed in
 * so callers and tests share one clock.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now = performance.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now = performance.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0: one is). */
  waitMs(now = performance.now()): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  /** Full again: nothing taken in the last burst/rate seconds (an idle bucket may be forgotten). */
  isFull(now = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }
}
