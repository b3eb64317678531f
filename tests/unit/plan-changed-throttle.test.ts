import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PLAN_CHANGED_INTERVAL_MS, PlanChangedThrottle } from '../../server/realtime/plan-changed-throttle.ts';

// Time is the fake clock's: the throttle's contract is about time, and no test waits for it.
describe('PlanChangedThrottle: plan:changed at most once a second per plan', () => {
  let told: string[];
  let throttle: PlanChangedThrottle;
  beforeEach(() => {
    vi.useFakeTimers();
    told = [];
    throttle = new PlanChangedThrottle((planId) => told.push(planId));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells once, a second after the first change, however many changes come in that second', () => {
    throttle.changed('plan-a');
    for (let i = 0; i < 50; i++) {
      vi.advanceTimersByTime(PLAN_CHANGED_INTERVAL_MS / 100);
      throttle.changed('plan-a');
    }
    expect(told).toEqual([]);
    vi.advanceTimersByTime(PLAN_CHANGED_INTERVAL_MS / 2);
    expect(told).toEqual(['plan-a']);
    vi.advanceTimersByTime(10 * PLAN_CHANGED_INTERVAL_MS);
    expect(told).toEqual(['plan-a']);
  });

  it('tells again for a change after the last telling, and never without a change', () => {
    throttle.changed('plan-a');
    vi.advanceTimersByTime(PLAN_CHANGED_INTERVAL_MS);
    throttle.changed('plan-a');
    vi.advanceTimersByTime(PLAN_CHANGED_INTERVAL_MS - 1);
    expect(told).toEqual(['plan-a']);
    vi.advanceTimersByTime(1);
    expect(told).toEqual(['plan-a', 'plan-a']);
  });

  it('keeps plans apart: a busy plan does not hold back another', () => {
    throttle.changed('plan-a');
    vi.advanceTimersByTime(PLAN_CHANGED_INTERVAL_MS / 2);
    throttle.changed('plan-b');
    throttle.changed('plan-a');
    vi.advanceTimersByTime(PLAN_CHANGED_INTERVAL_MS / 2);
    expect(told).toEqual(['plan-a']);
    vi.advanceTimersByTime(PLAN_CHANGED_INTERVAL_MS / 2);
    expect(told).toEqual(['plan-a', 'plan-b']);
  });
});
