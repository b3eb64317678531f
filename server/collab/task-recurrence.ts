import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { Recurrence, TaskEntry } from '../../shared/plan.ts';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { nextDue, todayInCopenhagen } from '../../shared/recurrence.ts';
import type { AllowedChange } from './plan-guard.ts';

/**
 * Recurring tasks ("daily weighing"): when an allowed change marks an occurrence done or
 * cancelled, the server adds the series' next occurrence in the same transaction, so it is
 * stored and sent with the change that caused it — whichever client made it. The next
 * occurrence copies the task (title, details, owning sector, assignee, recurrence) and is
 * planned for `nextDue`. Its id is derived from the series and its date, and an occurrence
 * of the series already planned for that date is never added twice (an occurrence done,
 * reopened and done again; two occurrences of one day).
 */

/** The series' first occurrence: its own id, or the `series` it carries. */
function seriesOf(entry: Y.Map<unknown>): string | null {
  const series = entry.get('series') ?? entry.get('id');
  return typeof series === 'string' ? series : null;
}

/** A stable id (a name-based UUID, version 5 layout) for the occurrence of `series` on `due`. */
export function occurrenceId(series: string, due: string): string {
  const h = createHash('sha1').update(`carehub-occurrence|${series}|${due}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Returns true when it wrote to the document (the author's client must then receive the update too). */
export function addNextOccurrences(changes: AllowedChange[], today?: string): boolean {
  let wrote = false;
  for (const change of changes) {
    if (change.section !== 'tasks' || change.key !== 'status' || !change.written) continue;
    const { entry } = change;
    const status = entry.get('status');
    if (status !== 'done' && status !== 'cancelled') continue;
    const recurrence = Recurrence.safeParse(entry.get('recurrence'));
    const series = seriesOf(entry);
    const doc = entry.doc;
    if (!recurrence.success || series === null || doc === null) continue;
    const due = entry.get('due');
    // Today is looked up only here: this runs for every update, and rarely gets this far.
    const next = nextDue(typeof due === 'string' ? due : undefined, recurrence.data, today ?? todayInCopenhagen());
    const tasks = sectionOf(doc, 'tasks');
    const exists = tasks
      .toArray()
      .some((t) => t instanceof Y.Map && seriesOf(t) === series && t.get('due') === next && t !== entry);
    if (exists) continue;
    const fields = {
      id: occurrenceId(series, next),
      title: entry.get('title'),
      sector: entry.get('sector'),
      assignee: entry.get('assignee'),
      due: next,
      status: 'planned',
      recurrence: recurrence.data,
      series,
    };
    // Fails closed: only an occurrence the task's own schema accepts is added.
    if (!TaskEntry.strict().safeParse({ ...fields, details: '' }).success) continue;
    const details = entry.get('details');
    tasks.push([
      newEntry({
        ...fields,
        recurrence: { ...recurrence.data },
        details: details instanceof Y.XmlFragment ? details.clone() : undefined,
      }),
    ]);
    wrote = true;
  }
  return wrote;
}
