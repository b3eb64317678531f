import { useMemo } from 'react';
import * as Y from 'yjs';
import { careDate } from '../../../shared/calendar.ts';
import { sectionOf } from '../../../shared/plan-doc.ts';
import { FieldConflict, type ListSectionName } from '../../../shared/plan.ts';
import { useYRevision } from '../collab/useYRevision.ts';

/** A string value of an entry, or '' when it is missing or not a string. */
export function textOf(entry: Y.Map<unknown>, key: string): string {
  const value = entry.get(key);
  return typeof value === 'string' ? value : '';
}

/** A stable React key for an entry: its id, else its position. */
export function keyOf(entry: Y.Map<unknown>, index: number): string {
  return textOf(entry, 'id') || `index-${index}`;
}

/**
 * The entry's plain values (no rich text), as the permission functions read them: they look
 * at `sector` and `author`, never at the content of a field.
 */
export function factsOf(entry: Y.Map<unknown>): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const [key, value] of entry.entries()) if (!(value instanceof Y.AbstractType)) facts[key] = value;
  return facts;
}

/** The entries of a list section, re-read whenever anything in the section changes. */
export function useSectionEntries(doc: Y.Doc, name: ListSectionName): Y.Map<unknown>[] {
  const section = useMemo(() => sectionOf(doc, name), [doc, name]);
  const revision = useYRevision(section);
  return useMemo(
    () => section.toArray().filter((e): e is Y.Map<unknown> => e instanceof Y.Map),
    // `revision` tells that the Y.Array or one of its entries changed in place
    [section, revision],
  );
}

/**
 * The entry's conflict flags (CONFLICT_FIELDS), kept by the server under `conflicts`: a plain
 * object or a Y.Map. Malformed flags are ignored rather than shown half.
 */
export function conflictsOf(entry: Y.Map<unknown>): Record<string, FieldConflict> {
  const raw = entry.get('conflicts');
  const plain: unknown = raw instanceof Y.AbstractType ? (raw.toJSON() as unknown) : raw;
  if (!plain || typeof plain !== 'object') return {};
  const out: Record<string, FieldConflict> = {};
  for (const [field, value] of Object.entries(plain as Record<string, unknown>)) {
    const parsed = FieldConflict.safeParse(value);
    if (parsed.success) out[field] = parsed.data;
  }
  return out;
}

/** A value as a person reads it: strings as they are, numbers in the locale. */
export function displayValue(value: unknown, formatNumber: (n: number) => string): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** Today's date as `YYYY-MM-DD` in Denmark (Europe/Copenhagen), whatever the tablet's time zone. */
export function todayIsoDate(): string {
  return careDate();
}
