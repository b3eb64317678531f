import * as Y from 'yjs';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import type { ResultEntry } from '../../shared/plan.ts';
import type { IncomingResult } from '../../shared/results.ts';
import { isCriticalFlag } from '../../shared/results.ts';

/** A filed result as an entry of the plan's `results` section (keys of shared/plan.ts ResultEntry). */
export function resultEntry(
  resultId: string,
  r: IncomingResult,
  meta: { filed: string; releaseAt: string },
): ResultEntry {
  const range = r.referenceRange;
  const rangeText =
    range?.text ??
    (range && (range.low !== undefined || range.high !== undefined)
      ? `${range.low ?? ''}–${range.high ?? ''}`
      : undefined);
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
    critical: r.interpretation ? isCriticalFlag(r.interpretation) : undefined,
    releaseAt: meta.releaseAt,
    filed: meta.filed,
    encounter: r.encounter,
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as ResultEntry;
}

/**
 * Per plan document, its results by id: finding one was a scan of the whole section for every
 * filed result (a plan gathers thousands over the years). Rebuilt when the section's length is
 * not the one indexed (entries added by another node, or a plan loaded afresh); results are
 * never removed (the section is the server's alone), and a hit is checked before it is used.
 */
const indexes = new WeakMap<Y.Array<Y.Map<unknown>>, { length: number; byId: Map<string, Y.Map<unknown>> }>();

function indexOf(section: Y.Array<Y.Map<unknown>>, rebuild = false): Map<string, Y.Map<unknown>> {
  let index = indexes.get(section);
  if (!index || rebuild || index.length !== section.length) {
    const byId = new Map<string, Y.Map<unknown>>();
    section.forEach((e) => {
      const id = e instanceof Y.Map ? e.get('id') : undefined;
      if (typeof id === 'string' && !byId.has(id)) byId.set(id, e);
    });
    index = { length: section.length, byId };
    indexes.set(section, index);
  }
  return index.byId;
}

function findEntry(doc: Y.Doc, id: string): Y.Map<unknown> | undefined {
  const section = sectionOf(doc, 'results');
  const live = (e: Y.Map<unknown> | undefined) =>
    !!e && e.parent === section && !e._item?.deleted && e.get('id') === id;
  const hit = indexOf(section).get(id);
  if (hit === undefined || live(hit)) return hit;
  const again = indexOf(section, true).get(id);
  return live(again) ? again : undefined;
}

/**
 * Puts a result into a plan: appended when new, updated in place when amended (the replaced
 * value goes to `previous`). Returns false when the plan already holds exactly this.
 */
export function upsertResult(doc: Y.Doc, entry: ResultEntry): boolean {
  const existing = findEntry(doc, entry.id);
  if (!existing) {
    const section = sectionOf(doc, 'results');
    const added = newEntry(entry as unknown as Record<string, unknown>);
    section.push([added]);
    const index = indexes.get(section);
    if (index && index.length === section.length - 1) {
      index.byId.set(entry.id, added);
      index.length = section.length;
    }
    return true;
  }
  if (
    existing.get('status') === entry.status &&
    existing.get('value') === entry.value &&
    existing.get('text') === entry.text
  )
    return false;
  const previous = ((existing.get('previous') as ResultEntry['previous']) ?? []).concat({
    value: existing.get('value') as string | number | undefined,
    unit: existing.get('unit') as string | undefined,
    status: existing.get('status') as string,
    replaced: new Date().toISOString(),
  });
  for (const [key, value] of Object.entries(entry)) if (key !== 'id' && key !== 'filed') existing.set(key, value);
  // An acknowledgement was of the value replaced: a critical amendment is asked about again.
  existing.delete('acknowledgedBy');
  existing.delete('acknowledgedAt');
  existing.set(
    'previous',
    previous.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))),
  );
  return true;
}

/** Sets keys on a result entry (acknowledgement, release); false when the plan does not hold it. */
export function annotateResult(doc: Y.Doc, id: string, fields: Partial<ResultEntry>): boolean {
  const entry = findEntry(doc, id);
  if (!entry) return false;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry.set(key, value);
  return true;
}

/**
 * Releases the result the plan shows to the citizen at `time`, unless it is released already.
 * Returns the release time it now has, or null when the plan does not hold it.
 */
export function releaseResult(doc: Y.Doc, id: string, time: string): string | null {
  const entry = findEntry(doc, id);
  if (!entry) return null;
  const current = entry.get('releaseAt');
  if (typeof current === 'string' && current <= time) return current;
  entry.set('releaseAt', time);
  return time;
}
