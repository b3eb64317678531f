import type { Logger } from 'pino';
import type { NotificationContent, NotifiedResult } from '../../shared/notifications.ts';
import { EncounterEvent, type IncomingResult } from '../../shared/results.ts';
import type { StoredResult } from '../store/result-store.ts';
import type { CareTeamNotification, CareTeamNotifier } from './care-team-notifier.ts';

export interface ResultNotificationsDeps {
  notifier: Pick<CareTeamNotifier, 'notify' | 'resolveAcknowledged'>;
  log: Logger;
  /** RESULT_NOTIFY_COALESCE_MS; 0 tells every filing at once. */
  coalesceMs: number;
}

/** A result as notifications name it: its test, value and unit. */
export function notifiedResult(r: IncomingResult): NotifiedResult {
  return {
    code: r.code.code,
    display: r.code.display,
    ...(r.value !== undefined ? { value: r.value } : {}),
    ...(r.unit ? { unit: r.unit } : {}),
  };
}

/**
 * Tells a plan's care team about results filed into it, after they are in the plan and without
 * holding up the next filing: notifications are not on the path of a live plan. Told one after
 * another, in filing order. Critical results and hospital notifications are told at once;
 * ordinary results are gathered per plan (see gather).
 */
export class ResultNotifications {
  private told: Promise<void> = Promise.resolve();
  /** Per plan: ordinary results filed since its care team was last told. */
  private readonly windows = new Map<string, { pending: StoredResult[]; timer: NodeJS.Timeout }>();

  constructor(private readonly deps: ResultNotificationsDeps) {}

  /** New (not replayed) results of one patient filed into one plan; `encounter`: hospital notifications. */
  filed(planId: string, results: StoredResult[], encounter: boolean): void {
    if (results.length === 0) return;
    if (encounter) this.enqueue(() => this.tellEncounters(planId, results));
    else if (results.some((r) => r.critical)) this.enqueue(() => this.tellResults(planId, results));
    else this.enqueue(() => this.gather(planId, results));
  }

  /**
   * These results were acknowledged: the notifications asking about them are resolved for
   * everyone, after any notification about them still on its way (told in order).
   */
  acknowledged(resultIds: string[]): Promise<void> {
    const step = this.told.then(async () => {
      await this.deps.notifier.resolveAcknowledged(resultIds);
    });
    this.told = step.catch((err: unknown) => this.deps.log.error({ err }, 'resolving notifications failed'));
    return this.told;
  }

  /** Resolves when every notification queued so far is stored and sent (those waiting in a window are sent now). */
  async settled(): Promise<void> {
    await this.told;
    for (const planId of [...this.windows.keys()]) this.closeWindow(planId, false);
    await this.told;
  }

  stop(): void {
    for (const w of this.windows.values()) clearTimeout(w.timer);
  }

  private enqueue(step: () => Promise<void>): void {
    this.told = this.told
      .then(step)
      .catch((err: unknown) => this.deps.log.error({ err }, 'notifying the care team failed'));
  }

  /**
   * Ordinary (not critical) results of one plan: the first is told at once, those filed in the
   * next RESULT_NOTIFY_COALESCE_MS are told together when it ends, and so on while results keep
   * coming. A lab feed filing a plan's panel result by result, or results at 100 a second, then
   * costs the care team one notification (one transaction, one event per member's sockets) a
   * second per plan instead of one per result.
   */
  private async gather(planId: string, results: StoredResult[]): Promise<void> {
    if (this.deps.coalesceMs === 0) return this.tellResults(planId, results);
    const window = this.windows.get(planId);
    if (window) {
      window.pending.push(...results);
      return;
    }
    this.openWindow(planId);
    await this.tellResults(planId, results);
  }

  private openWindow(planId: string): void {
    const timer = setTimeout(() => this.closeWindow(planId), this.deps.coalesceMs);
    timer.unref();
    this.windows.set(planId, { pending: [], timer });
  }

  /** Tells the results gathered in the plan's window, if any, and opens the next window for them. */
  private closeWindow(planId: string, reopen = true): void {
    const window = this.windows.get(planId);
    if (!window) return;
    clearTimeout(window.timer);
    this.windows.delete(planId);
    if (window.pending.length === 0) return;
    if (reopen) this.openWindow(planId);
    this.enqueue(() => this.tellResults(planId, window.pending));
  }

  private async tellResults(planId: string, results: StoredResult[]): Promise<void> {
    const critical = results.filter((r) => r.critical);
    const content: NotificationContent =
      critical.length > 0
        ? { kind: 'result-critical', params: { results: critical.map((r) => notifiedResult(r.result)) } }
        : ordinaryResults(results.map((r) => r.result));
    await this.tell(results[0]!.patientId, {
      planId,
      severity: critical.length > 0 ? 'critical' : 'info',
      resultIds: [...new Set(results.map((r) => r.resultId))],
      ...(critical.length > 0 ? { awaitsAcknowledgement: critical.map((r) => r.resultId) } : {}),
      ...content,
    });
  }

  /** Home care and the GP must know at once that a citizen was admitted or is coming home. */
  private async tellEncounters(planId: string, results: StoredResult[]): Promise<void> {
    for (const { patientId, result, resultId } of results) {
      const event = EncounterEvent.safeParse(result.code.code);
      // Hospital notifications come from POST /encounters, coded by their event; anything else
      // is still told, as a result by its name.
      const content: NotificationContent = event.success
        ? { kind: 'encounter', params: { event: event.data, place: result.text ?? '' } }
        : ordinaryResults([result]);
      await this.tell(patientId, { planId, severity: 'warning', resultIds: [resultId], ...content }, [
        'municipality',
        'general_practice',
      ]);
    }
  }

  private async tell(
    patientId: string,
    n: CareTeamNotification,
    sectors?: ('municipality' | 'general_practice')[],
  ): Promise<void> {
    await this.deps.notifier.notify(patientId, n, sectors ? { sectors } : {});
  }
}

/** Ordinary results: how many, and their tests, each named once (a window often repeats one: a feed's P-Kalium). */
function ordinaryResults(results: IncomingResult[]): NotificationContent {
  const distinct = [...new Set(results.map((r) => r.code.display))];
  return {
    kind: 'result',
    params: { count: results.length, tests: distinct.slice(0, 4), moreTests: distinct.length > 4 },
  };
}
