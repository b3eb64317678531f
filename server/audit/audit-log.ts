import type { Logger } from 'pino';
import type { AuditEntryInput, Store } from '../store/store.ts';

export type AuditRecord = Omit<AuditEntryInput, 'time' | 'patientId' | 'planId'> & {
  patientId?: string | null;
  planId?: string | null;
};

/**
 * The audit trail's writer. Entries recorded during one event-loop turn are appended in one
 * transaction (the chain is computed inside it). Details never hold note text, tokens or
 * CPR numbers: callers pass ids and reasons only.
 */
export class AuditLog {
  private queue: AuditEntryInput[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  record(entry: AuditRecord): void {
    this.queue.push({ time: new Date().toISOString(), patientId: null, planId: null, ...entry });
    if (this.queue.length === 1 && !this.flushing) setImmediate(() => void this.flush());
  }

  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.store.appendAudit(batch).catch((err: unknown) => {
      this.log.error({ err, entries: batch.length }, 'writing the audit log failed');
      this.queue.unshift(...batch);
    });
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    if (this.queue.length > 0) setImmediate(() => void this.flush());
  }
}
