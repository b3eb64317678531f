import { trendsOf, type ResultItem, type Trend } from './model.ts';

/**
 * Lab results as a cumulative table, as clinicians read them: one row per analyte (its code),
 * one column per sample — the results of one sample time, which is one report from the lab —
 * newest first. Void results (cancelled, entered in error) are left out.
 */
export interface Column {
  key: string;
  /** The sample time (or, without one, when it was filed). */
  iso: string;
  items: ResultItem[];
}

export interface Row {
  key: string;
  name: string;
  unit: string;
  referenceRange: string;
  /** Result per column key. */
  cells: Map<string, ResultItem>;
  /** The analyte's trend, when it has two numeric results or more. */
  trend: Trend | null;
}

const VOID = new Set(['cancelled', 'entered-in-error']);

export function columnTime(item: ResultItem): string {
  return item.effective || item.filed;
}

export function cumulativeTable(items: readonly ResultItem[]): { columns: Column[]; rows: Row[] } {
  const lab = items.filter((i) => i.kind === 'lab' && !VOID.has(i.status));
  const columns = new Map<string, Column>();
  const rows = new Map<string, Row>();
  const trends = new Map(trendsOf(lab).map((t) => [t.key, t]));
  const newest = [...lab].sort((a, b) => (Date.parse(columnTime(b)) || 0) - (Date.parse(columnTime(a)) || 0));
  for (const item of newest) {
    const at = columnTime(item);
    const colKey = String(Date.parse(at) || at);
    const column = columns.get(colKey) ?? { key: colKey, iso: at, items: [] };
    column.items.push(item);
    columns.set(colKey, column);
    const rowKey = item.code.code ? `${item.code.system}|${item.code.code}` : `name|${item.code.display}`;
    const row =
      rows.get(rowKey) ??
      ({
        key: rowKey,
        name: item.code.display || item.code.code,
        unit: item.unit,
        referenceRange: item.referenceRange,
        cells: new Map(),
        trend: trends.get(rowKey) ?? null,
      } satisfies Row);
    // Newest first: the first result met in a column is the one shown (a later duplicate is older).
    if (!row.cells.has(colKey)) row.cells.set(colKey, item);
    rows.set(rowKey, row);
  }
  return {
    columns: [...columns.values()],
    rows: [...rows.values()].sort((a, b) => a.name.localeCompare(b.name, 'da')),
  };
}
