import type { Store } from './store.ts';
import type { NewPlanUpdate } from './records.ts';

export type Committed = (err: Error | null, seq: number) => void;

interface Pending {
  update: NewPlanUpdate;
  done: Committed;
}

/**
 * Group commit: every update appended during one event-loop turn is written in one store
 * transaction at the end of the turn (setImmediate), then each caller is told its seq, in
 * order. One transaction is in flight at a time, so seqs follow arrival order.
 * This is what makes persist-before-fan-out cheap: a burst of N updates costs one commit.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly observe: (batchSize: number, seconds: number) => void = () => {},
  ) {}

  append(update: NewPlanUpdate, done: Committed): void {
    this.queue.push({ update, done });
    if (!this.scheduled && !this.inFlight) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when everything appended so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight || this.scheduled) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) {
      const started = performance.now();
      let release!: () => void;
      this.inFlight = new Promise((r) => (release = r));
      try {
        const seqs = await this.store.appendUpdates(batch.map((p) => p.update));
        this.observe(batch.length, (performance.now() - started) / 1000);
        for (let i = 0; i < batch.length; i++) (batch[i] as Pending).done(null, seqs[i] as number);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const p of batch) p.done(error, 0);
      } finally {
        this.inFlight = null;
        release();
      }
    }
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
