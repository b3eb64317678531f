/**
 * The care calendar (issue 16): "today", due, overdue and the visits list follow the calendar
 * date in Denmark (Europe/Copenhagen), whatever time zone the server or the tablet is set to,
 * across midnight and the daylight-saving changes. Dates are `YYYY-MM-DD` strings; a date is
 * never turned into an instant except through the rules below.
 */
export const CARE_TIME_ZONE = 'Europe/Copenhagen';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Statuses of a task that is still to be done. */
const OPEN_STATUSES: readonly string[] = ['planned', 'in-progress'];

const dayParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: CARE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in Denmark at `at` (now by default), as `YYYY-MM-DD`. */
export function careDate(at: Date = new Date()): string {
  const parts = Object.fromEntries(dayParts.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** `date` plus `days` calendar days (negative for earlier). Calendar arithmetic: no clock, no zone. */
export function addDays(date: string, days: number): string {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return d.toISOString().slice(0, 10);
}

/** Due before `today` and still open (planned or in progress). */
export function isOverdue(due: string, status: string, today: string): boolean {
  return due !== '' && due < today && OPEN_STATUSES.includes(status);
}

/** Belongs on `day`'s home visit: due that day (any status, so ticked-off ones stay), or overdue and open. */
export function isOnVisit(due: string, status: string, day: string): boolean {
  return due === day || isOverdue(due, status, day);
}

/** The Danish calendar date `days` days from now: the seed's demo dates, tomorrow's visits. */
export function careDateFromNow(days: number, at: Date = new Date()): string {
  return addDays(careDate(at), days);
}
