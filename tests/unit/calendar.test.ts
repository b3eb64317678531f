import { afterEach, describe, expect, it } from 'vitest';
import { addDays, careDate, careDateFromNow, isIsoDate, isOnVisit, isOverdue } from '../../shared/calendar.ts';

/**
 * The care calendar (issue 16): "today" is the date in Denmark, whatever zone the process runs
 * in. Every case runs with the process in UTC and in zones either side of Denmark (TZ set).
 * Instants are written in UTC: Copenhagen is UTC+1 in winter, UTC+2 in summer; summer time
 * began 2026-03-29 at 02:00 (01:00Z) and ends 2026-10-25 at 03:00 (01:00Z).
 */
const ZONES = ['UTC', 'America/Los_Angeles', 'Pacific/Auckland', 'Asia/Kolkata'];
const originalTz = process.env.TZ;

afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

const CASES: { what: string; at: string; date: string }[] = [
  // Winter (UTC+1)
  { what: '23:30 on 5 December', at: '2026-12-05T22:30:00Z', date: '2026-12-05' },
  { what: '00:30 on 6 December', at: '2026-12-05T23:30:00Z', date: '2026-12-06' },
  // Summer (UTC+2)
  { what: '23:30 on 14 July', at: '2026-07-14T21:30:00Z', date: '2026-07-14' },
  { what: '00:30 on 15 July', at: '2026-07-14T22:30:00Z', date: '2026-07-15' },
  // Summer time begins on 29 March (the night is an hour shorter)
  { what: '23:30 on 28 March, the eve of the change', at: '2026-03-28T22:30:00Z', date: '2026-03-28' },
  { what: '00:30 on 29 March, before the change', at: '2026-03-28T23:30:00Z', date: '2026-03-29' },
  { what: '01:59 on 29 March, a minute before the change', at: '2026-03-29T00:59:00Z', date: '2026-03-29' },
  { what: '03:00 on 29 March, just after the change', at: '2026-03-29T01:00:00Z', date: '2026-03-29' },
  { what: '23:30 on 29 March, the first summer evening', at: '2026-03-29T21:30:00Z', date: '2026-03-29' },
  { what: '00:30 on 30 March', at: '2026-03-29T22:30:00Z', date: '2026-03-30' },
  // Summer time ends on 25 October (the night is an hour longer; 02:30 happens twice)
  { what: '23:30 on 24 October', at: '2026-10-24T21:30:00Z', date: '2026-10-24' },
  { what: '00:30 on 25 October', at: '2026-10-24T22:30:00Z', date: '2026-10-25' },
  { what: '02:30 on 25 October, the first time', at: '2026-10-25T00:30:00Z', date: '2026-10-25' },
  { what: '02:30 on 25 October, the second time', at: '2026-10-25T01:30:00Z', date: '2026-10-25' },
  { what: '23:30 on 25 October, the first winter evening', at: '2026-10-25T22:30:00Z', date: '2026-10-25' },
  { what: '00:30 on 26 October', at: '2026-10-25T23:30:00Z', date: '2026-10-26' },
  // New Year's Eve and New Year in Denmark
  { what: '23:30 on 31 December', at: '2026-12-31T22:30:00Z', date: '2026-12-31' },
  { what: '00:30 on 1 January', at: '2026-12-31T23:30:00Z', date: '2027-01-01' },
];

describe.each(ZONES)('the care calendar with the process in %s', (zone) => {
  it('the process really runs in that zone', () => {
    process.env.TZ = zone;
    // 2026-07-14T12:00Z as the process's local hour: proves TZ took effect (UTC: 12).
    const localHour = new Date('2026-07-14T12:00:00Z').getHours();
    const expected = { UTC: 12, 'America/Los_Angeles': 5, 'Pacific/Auckland': 0, 'Asia/Kolkata': 17 }[zone];
    expect(localHour).toBe(expected);
  });

  it.each(CASES)('today at $what is $date', ({ at, date }) => {
    process.env.TZ = zone;
    expect(careDate(new Date(at))).toBe(date);
  });

  it('tomorrow and yesterday from just after midnight, across both changes', () => {
    process.env.TZ = zone;
    const afterMidnight = new Date('2026-03-28T23:30:00Z'); // 00:30 on the day summer time begins
    expect(careDateFromNow(0, afterMidnight)).toBe('2026-03-29');
    expect(careDateFromNow(1, afterMidnight)).toBe('2026-03-30');
    expect(careDateFromNow(-1, afterMidnight)).toBe('2026-03-28');
    const lateEvening = new Date('2026-10-25T22:30:00Z'); // 23:30 on the day summer time ends
    expect(careDateFromNow(0, lateEvening)).toBe('2026-10-25');
    expect(careDateFromNow(1, lateEvening)).toBe('2026-10-26');
  });

  it('due and overdue at 23:30 and at 00:30', () => {
    process.env.TZ = zone;
    const evening = careDate(new Date('2026-12-05T22:30:00Z'));
    const night = careDate(new Date('2026-12-05T23:30:00Z'));
    // A task due 5 December is today's at 23:30 and overdue at 00:30 (if still open).
    expect(isOnVisit('2026-12-05', 'planned', evening)).toBe(true);
    expect(isOverdue('2026-12-05', 'planned', evening)).toBe(false);
    expect(isOverdue('2026-12-05', 'planned', night)).toBe(true);
    expect(isOnVisit('2026-12-05', 'in-progress', night)).toBe(true);
    // Done or cancelled is never overdue, and leaves the next day's visit.
    expect(isOverdue('2026-12-05', 'done', night)).toBe(false);
    expect(isOnVisit('2026-12-05', 'done', night)).toBe(false);
    expect(isOnVisit('2026-12-05', 'cancelled', night)).toBe(false);
    // A task due 6 December is tomorrow's at 23:30 and today's at 00:30.
    expect(isOnVisit('2026-12-06', 'planned', evening)).toBe(false);
    expect(isOnVisit('2026-12-06', 'planned', night)).toBe(true);
    // A task without a due date is never overdue.
    expect(isOverdue('', 'planned', night)).toBe(false);
  });
});

describe('calendar arithmetic', () => {
  it('addDays across months, years, leap days and the DST days', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2026-12-06', -400)).toBe('2025-11-01');
    expect(() => addDays('6/12/2026', 1)).toThrow();
  });

  it('isIsoDate: real calendar dates only', () => {
    for (const ok of ['2026-12-06', '2028-02-29']) expect(isIsoDate(ok)).toBe(true);
    for (const bad of ['2027-02-29', '2026-13-01', '2026-12-32', '2026-1-6', '', '2026-12-06T00:00'])
      expect(isIsoDate(bad)).toBe(false);
  });
});
