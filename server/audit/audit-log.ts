import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { AuditEntryInput } from '../store/records.ts';

export type AuditRecord = Omit<AuditEntryInput, 'time' | 'patientId' | 'planId'> & {
  patientId?: string | null;
  planId?: string | null;
};

/**
 * How long an entry may wait for others to share its commit. Every commit is fsync'd
 * (synchronous=FULL): written one turn at a time, a burst of connections (a ward's tablets
 * after a network blip, 650 joins/s) spent half the server's time in audit commits.
 */
const FLUSH_WINDOW_MS = 10;
/** A batch this large is written at once, without waiting for the window; no commit holds more. */
const MAX_BATCH = 500;

/**
 * The audit trail's writer. Entries recorded within FLUSH_WINDOW_MS of each other are
 * appended in one transaction (the chain is computed inside it). Details never hold note
 * text, tokens or CPR numbers: callers pass ids and reasons only.
 */
export class AuditLog {
  private queue: AuditEntryInput[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly windowMs = FLUSH_WINDOW_MS,
  ) {}

  record(entry: AuditRecord): void {
    this.queue.push({ time: new Date().toISOString(), patientId: null, planId: null, ...entry });
    if (this.queue.length >= MAX_BATCH && !this.flushing) void this.flush();
    else this.schedule();
  }

  /** Writes everything waiting, MAX_BATCH per commit; resolves once it is stored (or a commit failed: retried later). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let failed = false;
      this.flushing = this.store.appendAudit(batch).catch((err: unknown) => {
        this.log.error({ err, entries: batch.length }, 'writing the audit log failed');
        this.queue.unshift(...batch);
        failed = true;
      });
      try {
        await this.flushing;
      } finally {
        this.flushing = null;
      }
      if (failed) break;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.windowMs);
  }
}
