import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addPeriod, nextDue, todayInCopenhagen } from '../../shared/recurrence.ts';

/** Dates of a recurring task's occurrences (shared/recurrence.ts). */
describe('recurrence dates', () => {
  it('adds days, weeks and months as calendar dates', () => {
    expect(addPeriod('2026-12-31', { every: 1, unit: 'day' })).toBe('2027-01-01');
    expect(addPeriod('2026-12-06', { every: 2, unit: 'week' })).toBe('2026-12-20');
    expect(addPeriod('2026-01-31', { every: 1, unit: 'month' })).toBe('2026-02-28');
    expect(addPeriod('2028-01-31', { every: 1, unit: 'month' })).toBe('2028-02-29');
    expect(addPeriod('2026-11-15', { every: 3, unit: 'month' })).toBe('2027-02-15');
    // Across the change to summer time the date stays a date.
    expect(addPeriod('2026-03-28', { every: 1, unit: 'day' })).toBe('2026-03-29');
  });

  it('plans the next occurrence one period on, or on the first day of the series from today when done late', () => {
    const daily = { every: 1, unit: 'day' } as const;
    expect(nextDue('2026-12-06', daily, '2026-12-06')).toBe('2026-12-07');
    expect(nextDue('2026-12-10', daily, '2026-12-06')).toBe('2026-12-11');
    expect(nextDue('2026-12-01', daily, '2026-12-06')).toBe('2026-12-06');
    expect(nextDue('2026-11-30', { every: 1, unit: 'week' }, '2026-12-08')).toBe('2026-12-14');
    expect(nextDue(undefined, daily, '2026-12-06')).toBe('2026-12-07');
  });

  it('reckons today in Copenhagen', () => {
    expect(todayInCopenhagen(new Date('2026-12-06T23:30:00Z'))).toBe('2026-12-07');
    expect(todayInCopenhagen(new Date('2026-07-06T21:59:00Z'))).toBe('2026-07-06');
    expect(todayInCopenhagen(new Date('2026-07-06T22:00:00Z'))).toBe('2026-07-07');
  });

  it('always plans after the done occurrence, never before today, on the series’ rhythm (property)', () => {
    const date = fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const rec = fc.record({
      every: fc.integer({ min: 1, max: 30 }),
      unit: fc.constantFrom('day' as const, 'week' as const),
    });
    fc.assert(
      fc.property(date, date, rec, (due, today, recurrence) => {
        const next = nextDue(due, recurrence, today);
        const days = (Date.parse(next) - Date.parse(due)) / 86_400_000;
        const period = recurrence.unit === 'week' ? 7 * recurrence.every : recurrence.every;
        expect(next > due).toBe(true);
        expect(next >= today).toBe(true);
        expect(days % period).toBe(0);
        // The first such day: one period earlier is the done one, or already past.
        expect(days === period || Date.parse(next) - period * 86_400_000 < Date.parse(today)).toBe(true);
      }),
      { seed: 17, numRuns: 500 },
    );
  });
});
