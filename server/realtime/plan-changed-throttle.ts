/** A plan's watchers hear `plan:changed` at most once in this long. */
export const PLAN_CHANGED_INTERVAL_MS = 1000;

/**
 * `plan:changed` tells views without a live copy of the plan (the citizen's, the patient list)
 * to read it again. While colleagues type, a plan changes many times a second; one re-read a
 * second is enough, so each plan is told at most once a second, a second after the first
 * change since it was last told (that telling covers every change in between).
 */
export class PlanChangedThrottle {
  private readonly pending = new Set<string>();

  constructor(private readonly tell: (planId: string) => void) {}

  changed(planId: string): void {
    if (this.pending.has(planId)) return;
    this.pending.add(planId);
    // Never keeps the process alive: a telling lost at exit has nobody left to hear it.
    setTimeout(() => {
      this.pending.delete(planId);
      this.tell(planId);
    }, PLAN_CHANGED_INTERVAL_MS).unref();
  }
}
