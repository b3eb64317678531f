import type { IncomingResult } from '../../shared/results.ts';

/** One submission of a lab, imaging or hospital system: its results, and whether they are hospital notifications. */
export interface Submission {
  system: string;
  incoming: IncomingResult[];
  encounter: boolean;
}

export interface QueuedSubmission<Outcome> extends Submission {
  resolve(outcome: Outcome): void;
  reject(err: unknown): void;
}

/**
 * Submissions waiting to be filed, handed on in batches: all that arrived while the previous
 * batch was being filed, so that the cost of durable commits is shared under load. A submission
 * repeating an identifier of an earlier one in the batch waits for the next batch, so that it
 * sees the first as filed (a replay or an amendment).
 */
export class SubmissionQueue<Outcome> {
  private waiting: QueuedSubmission<Outcome>[] = [];
  private draining = false;

  /** `fileBatch` resolves or rejects each submission of the batch; if it throws, all not yet answered are rejected. */
  constructor(private readonly fileBatch: (batch: QueuedSubmission<Outcome>[]) => Promise<void>) {}

  add(submission: Submission): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...submission, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch: QueuedSubmission<Outcome>[] = [];
      const later: QueuedSubmission<Outcome>[] = [];
      const taken = new Set<string>();
      for (const s of this.waiting) {
        const keys = s.incoming.map((r) => `${s.system}|${r.identifier}`);
        if (keys.some((k) => taken.has(k))) later.push(s);
        else {
          for (const k of keys) taken.add(k);
          batch.push(s);
        }
      }
      this.waiting = later;
      try {
        await this.fileBatch(batch);
      } catch (err) {
        for (const s of batch) s.reject(err);
      }
    }
    this.draining = false;
  }
}
