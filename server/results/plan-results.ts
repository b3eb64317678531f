import * as Y from 'yjs';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import type { ResultEntry } from '../../shared/plan.ts';
import type { IncomingResult } from '../../shared/results.ts';
import { CRITICAL_FLAGS } from '../../shared/results.ts';

/** A filed result as an entry of the plan's `results` section (keys of shared/plan.ts ResultEntry). */
export function resultEntry(resultId: string, r: IncomingResult, meta: { filed: string; releaseAt: string }): ResultEntry {
  const range = r.referenceRange;
  const rangeText =
    range?.text ?? (range && (range.low !== undefined || range.high !== undefined) ? `${range.low ?? ''}–${range.high ?? ''}` : undefined);
  const entry: ResultEntry = {
    id: resultId,
    kind: r.kind,
    code: r.code,
    value: r.value,
    unit: r.unit,
    interpretation: r.interpretation,
    referenceRange: rangeText,
    referenceLow: range?.low,
    referenceHigh: range?.high,
    effective: r.effective,
    status: r.status,
    text: r.text,
    category: r.category,
    critical: r.interpretation ? CRITICAL_FLAGS.includes(r.interpretation) : undefined,
    releaseAt: meta.releaseAt,
    filed: meta.filed,
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as ResultEntry;
}

function findEntry(doc: Y.Doc, id: string): Y.Map<unknown> | undefined {
  return sectionOf(doc, 'results').toArray().find((e) => e instanceof Y.Map && e.get('id') === id);
}

/**
 * Puts a result into a plan: appended when new, updated in place when amended (the replaced
 * value goes to `previous`). Returns false when the plan already holds exactly this.
 */
export function upsertResult(doc: Y.Doc, entry: ResultEntry): boolean {
  const existing = findEntry(doc, entry.id);
  if (!existing) {
    sectionOf(doc, 'results').push([newEntry(entry as unknown as Record<string, unknown>)]);
    return true;
  }
  if (existing.get('status') === entry.status && existing.get('value') === entry.value && existing.get('text') === entry.text) return false;
  const previous = ((existing.get('previous') as ResultEntry['previous']) ?? []).concat({
    value: existing.get('value') as string | number | undefined,
    unit: existing.get('unit') as string | undefined,
    status: existing.get('status') as string,
    replaced: new Date().toISOString(),
  });
  for (const [key, value] of Object.entries(entry)) if (key !== 'id' && key !== 'filed') existing.set(key, value);
  existing.set('previous', previous.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))));
  return true;
}

/** Sets keys on a result entry (acknowledgement, release); false when the plan does not hold it. */
export function annotateResult(doc: Y.Doc, id: string, fields: Partial<ResultEntry>): boolean {
  const entry = findEntry(doc, id);
  if (!entry) return false;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry.set(key, value);
  return true;
}
