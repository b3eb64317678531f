import type { Store } from './store.ts';
import type { NewPlanUpdate } from './records.ts';
import type { FiledRows } from './result-store.ts';

export type Committed = (err: Error | null, seq: number) => void;

interface Pending {
  update: NewPlanUpdate;
  done: Committed;
}

interface Riding {
  rows: FiledRows;
  done: (err: Error | null) => void;
}

/**
 * Group commit: every update appended during one event-loop turn is written in one store
 * transaction at the end of the turn (setImmediate), then each caller is told its seq, in
 * order. One transaction is in flight at a time, so seqs follow arrival order.
 * This is what makes persist-before-fan-out cheap: a burst of N updates costs one commit.
 * Rows of filed results can ride along (`attach`): stored in the same transaction as the plan
 * updates appended in the same turn, so a filed batch costs one commit and is stored whole.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private riding: Riding[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly observe: (batchSize: number, seconds: number) => void = () => {},
  ) {}

  append(update: NewPlanUpdate, done: Committed): void {
    this.queue.push({ update, done });
    this.schedule();
  }

  /**
   * Rows written in the next group commit's transaction, with every plan update appended in
   * the same event-loop turn (before or after this call): resolves once that transaction has
   * committed, rejects (as do those updates) if it failed.
   */
  attach(rows: FiledRows): Promise<void> {
    return new Promise((resolve, reject) => {
      this.riding.push({ rows, done: (err) => (err ? reject(err) : resolve()) });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length + this.riding.length;
  }

  private schedule(): void {
    if (!this.scheduled && !this.inFlight) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Resolves when everything appended so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.pending > 0 || this.inFlight || this.scheduled) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    const riding = this.riding;
    this.queue = [];
    this.riding = [];
    if (batch.length > 0 || riding.length > 0) {
      const started = performance.now();
      let release!: () => void;
      this.inFlight = new Promise((r) => (release = r));
      const filed: FiledRows | undefined =
        riding.length === 0
          ? undefined
          : {
              versions: riding.flatMap((r) => r.rows.versions),
              held: riding.flatMap((r) => r.rows.held),
              audit: riding.flatMap((r) => r.rows.audit),
            };
      try {
        const seqs = await this.store.appendUpdates(
          batch.map((p) => p.update),
          filed,
        );
        this.observe(batch.length, (performance.now() - started) / 1000);
        for (const r of riding) r.done(null);
        for (let i = 0; i < batch.length; i++) (batch[i] as Pending).done(null, seqs[i] as number);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const r of riding) r.done(error);
        for (const p of batch) p.done(error, 0);
      } finally {
        this.inFlight = null;
        release();
      }
    }
    if (this.pending > 0) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
