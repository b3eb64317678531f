import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { CareTeamNotifier } from './care-team-notifier.ts';
import { notifiedResult } from './result-notifications.ts';

export interface CriticalEscalationDeps {
  store: Store;
  notifier: Pick<CareTeamNotifier, 'notify'>;
  log: Logger;
  /** CRITICAL_ESCALATE_SECONDS: how long a critical result may wait for an acknowledgement. */
  escalateSeconds: number;
}

/**
 * A critical result (HH, LL, AA) that nobody has acknowledged in time is told to the care team
 * again, as critical, once per version: a sweep looks for them a few times per escalation
 * period. It follows the newest version: an amended critical value is escalated with its own
 * values if nobody acknowledges it (an acknowledgement is of one version), and a result
 * amended to a value that is not critical is not escalated.
 */
export class CriticalEscalation {
  private sweep: NodeJS.Timeout | null = null;

  constructor(private readonly deps: CriticalEscalationDeps) {}

  /** Escalates every critical result that is due; the number found due. */
  async escalateDue(): Promise<number> {
    const { store, notifier, escalateSeconds } = this.deps;
    const before = new Date(Date.now() - escalateSeconds * 1000).toISOString();
    const due = await store.results.listCriticalToEscalate(before);
    for (const r of due) {
      // The event is the once: a second node sweeping at the same moment finds it taken.
      if (
        !(await store.results.addResultEvent({
          resultId: r.resultId,
          version: r.version,
          kind: 'escalated',
          userId: null,
          time: new Date().toISOString(),
        }))
      )
        continue;
      for (const planId of r.plans)
        await notifier.notify(r.patientId, {
          planId,
          severity: 'critical',
          resultIds: [r.resultId],
          awaitsAcknowledgement: [r.resultId],
          kind: 'result-escalated',
          params: notifiedResult(r.result),
        });
    }
    return due.length;
  }

  start(): void {
    const everyMs = Math.min(60_000, Math.max(50, (this.deps.escalateSeconds * 1000) / 4));
    this.sweep = setInterval(() => {
      this.escalateDue().catch((err: unknown) => this.deps.log.error({ err }, 'escalating critical results failed'));
    }, everyMs);
    this.sweep.unref();
  }

  stop(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
  }
}
