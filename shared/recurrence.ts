import type { Recurrence } from './plan.ts';

/**
 * Dates of a recurring task's occurrences. Dates are calendar dates (YYYY-MM-DD) as the plan
 * holds them; "today" is the caller's (the server's is Europe/Copenhagen's).
 */

function parts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

const iso = (t: Date): string => t.toISOString().slice(0, 10);
const DAY = 86_400_000;

/** `date` plus one period of `recurrence`; a month later on the 31st is the month's last day. */
export function addPeriod(date: string, recurrence: Recurrence): string {
  const [y, m, d] = parts(date);
  if (recurrence.unit === 'month') {
    const first = new Date(Date.UTC(y, m - 1 + recurrence.every, 1));
    const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
    return iso(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))));
  }
  const days = recurrence.unit === 'week' ? 7 * recurrence.every : recurrence.every;
  return iso(new Date(Date.UTC(y, m - 1, d + days)));
}

/**
 * When the occurrence after one due on `due` is due: one period later, or — when that day has
 * passed (the occurrence was done late) — the first day of the series on or after `today`,
 * so missed occurrences are not all due at once. Without a due date the series counts from today.
 */
export function nextDue(due: string | undefined, recurrence: Recurrence, today: string): string {
  let next = addPeriod(due ?? today, recurrence);
  if (next >= today) return next;
  if (recurrence.unit !== 'month') {
    const period = recurrence.unit === 'week' ? 7 * recurrence.every : recurrence.every;
    const behind = Math.ceil((Date.parse(today) - Date.parse(next)) / DAY / period);
    return addPeriod(next, { every: behind * period, unit: 'day' });
  }
  // Months differ in length: counted one period at a time (a few hundred at most).
  while (next < today) next = addPeriod(next, recurrence);
  return next;
}

/** Today's date in Denmark (where "due today" and "overdue" are reckoned). */
export function todayInCopenhagen(now = new Date()): string {
  copenhagen ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return copenhagen.format(now);
}

/** Made once: building a formatter costs far more than using one. */
let copenhagen: Intl.DateTimeFormat | null = null;
