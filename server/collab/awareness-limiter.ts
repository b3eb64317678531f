import { TokenBucket } from '../limits/token-bucket.ts';

/**
 * The awareness rate of one connection (cursors, selections, presence): `rate` updates a
 * second with bursts of twice that. Excess updates are dropped, never applied or broadcast;
 * each awareness update carries a client's whole state, so only the latest dropped one is
 * kept and delivered once the rate allows, and peers end with the final cursor. A client that
 * goes on far above the rate (sustained at more than twice it, so about 5 s of drops are
 * used up) is reported as abusive, and its socket is closed with 1008.
 */
export class AwarenessLimiter {
  private readonly allowed: TokenBucket;
  private readonly strikes: TokenBucket;
  private pending: Uint8Array | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    rate: number,
    private readonly deliver: (update: Uint8Array) => void,
    private readonly onDropped: () => void,
    private readonly onAbuse: () => void,
  ) {
    this.allowed = new TokenBucket(rate, Math.max(1, Math.ceil(2 * rate)));
    this.strikes = new TokenBucket(rate, Math.max(1, Math.ceil(5 * rate)));
  }

  /** An awareness update from the client. */
  offer(update: Uint8Array): void {
    if (this.stopped) return;
    if (this.allowed.take()) {
      this.pending = null;
      this.deliver(update);
      return;
    }
    this.drop();
    this.pending = update;
    this.deliverLatestLater();
  }

  /** The latest dropped update goes out once a token is there (waiting again, uncounted, if the timer came early). */
  private deliverLatestLater(): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const latest = this.pending;
        if (!latest || this.stopped) return;
        if (!this.allowed.take()) {
          this.deliverLatestLater();
          return;
        }
        this.pending = null;
        this.deliver(latest);
      },
      Math.max(1, this.allowed.waitMs()),
    );
    this.timer.unref();
  }

  /** A query for everyone's awareness (answered with all states): counted against the same rate. */
  allowQuery(): boolean {
    if (this.stopped) return false;
    if (this.allowed.take()) return true;
    this.drop();
    return false;
  }

  stop(): void {
    this.stopped = true;
    this.pending = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private drop(): void {
    this.onDropped();
    if (!this.strikes.take()) {
      this.stop();
      this.onAbuse();
    }
  }
}
