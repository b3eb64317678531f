import { ENCOUNTER_SYSTEM } from '../../../../shared/results.ts';

/**
 * A result of the plan's `results` section (shared/plan.ts ResultEntry) as the page reads it:
 * every key present, with safe defaults, whether it came from the live Y.Doc or from JSON.
 */
export interface ResultItem {
  id: string;
  kind: string;
  code: { system: string; code: string; display: string };
  value: string | number | undefined;
  unit: string;
  interpretation: string;
  referenceRange: string;
  referenceLow: number | undefined;
  referenceHigh: number | undefined;
  effective: string;
  status: string;
  text: string;
  category: string;
  critical: boolean;
  acknowledgedBy: string;
  acknowledgedAt: string;
  releaseAt: string;
  filed: string;
  previous: { value: string | number | undefined; unit: string; status: string; replaced: string }[];
}

export type ResultKindFilter = 'all' | 'lab' | 'imaging' | 'notification';
export const KIND_FILTERS: readonly ResultKindFilter[] = ['all', 'lab', 'imaging', 'notification'];

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const val = (v: unknown): string | number | undefined =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined;
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function resultFromJson(entry: Readonly<Record<string, unknown>>, index = 0): ResultItem {
  const code = obj(entry.code);
  const previous = Array.isArray(entry.previous) ? entry.previous.map(obj) : [];
  return {
    id: str(entry.id) || `index-${index}`,
    kind: str(entry.kind),
    code: { system: str(code.system), code: str(code.code), display: str(code.display) },
    value: val(entry.value),
    unit: str(entry.unit),
    interpretation: str(entry.interpretation),
    referenceRange: str(entry.referenceRange),
    referenceLow: num(entry.referenceLow),
    referenceHigh: num(entry.referenceHigh),
    effective: str(entry.effective),
    status: str(entry.status),
    text: str(entry.text),
    category: str(entry.category),
    critical: entry.critical === true,
    acknowledgedBy: str(entry.acknowledgedBy),
    acknowledgedAt: str(entry.acknowledgedAt),
    releaseAt: str(entry.releaseAt),
    filed: str(entry.filed),
    previous: previous.map((p) => ({
      value: val(p.value),
      unit: str(p.unit),
      status: str(p.status),
      replaced: str(p.replaced),
    })),
  };
}

/** When the result is about: its clinical time, else when it was filed. */
function timeOf(item: ResultItem): number {
  return Date.parse(item.effective) || Date.parse(item.filed) || 0;
}

export function newestFirst(items: readonly ResultItem[]): ResultItem[] {
  return [...items].sort((a, b) => timeOf(b) - timeOf(a));
}

/** Its name: the code's display, else the code. */
export function nameOf(item: ResultItem): string {
  return item.code.display || item.code.code || item.kind;
}

export function isEncounter(item: ResultItem): boolean {
  return item.kind === 'notification' && item.code.system === ENCOUNTER_SYSTEM;
}

/** A critical result nobody has acknowledged yet: it stays at the top of the plan. */
export function awaitsAcknowledgement(item: ResultItem): boolean {
  return item.critical && !item.acknowledgedAt && item.status !== 'entered-in-error' && item.status !== 'cancelled';
}

export function matchesKind(item: ResultItem, filter: ResultKindFilter): boolean {
  return filter === 'all' || item.kind === filter;
}

export interface TrendPoint {
  id: string;
  time: number;
  iso: string;
  value: number;
  flag: string;
}

export interface Trend {
  key: string;
  name: string;
  unit: string;
  low: number | undefined;
  high: number | undefined;
  points: TrendPoint[];
}

const VOID = new Set(['cancelled', 'entered-in-error']);

/**
 * Numeric lab results grouped by code (system and code, NPU or LOINC), oldest point first; a
 * code needs two points to make a trend. The reference range is the latest result's.
 */
export function trendsOf(items: readonly ResultItem[]): Trend[] {
  const groups = new Map<string, ResultItem[]>();
  for (const item of items) {
    if (item.kind !== 'lab' || typeof item.value !== 'number' || VOID.has(item.status) || !item.code.code) continue;
    const key = `${item.code.system}|${item.code.code}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const trends: Trend[] = [];
  for (const [key, group] of groups) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((a, b) => timeOf(a) - timeOf(b));
    const latest = sorted[sorted.length - 1]!;
    const withRange = [...sorted].reverse().find((r) => r.referenceLow !== undefined || r.referenceHigh !== undefined);
    trends.push({
      key,
      name: nameOf(latest),
      unit: latest.unit,
      low: withRange?.referenceLow,
      high: withRange?.referenceHigh,
      points: sorted.map((r) => ({
        id: r.id,
        time: timeOf(r),
        iso: r.effective || r.filed,
        value: r.value as number,
        flag: r.interpretation,
      })),
    });
  }
  // The most recently measured first.
  return trends.sort((a, b) => (b.points[b.points.length - 1]?.time ?? 0) - (a.points[a.points.length - 1]?.time ?? 0));
}

/** A value as a person reads it: numbers in the page's locale, text as written. */
export function valueText(value: string | number | undefined, formatNumber: (n: number) => string): string {
  return typeof value === 'number' ? formatNumber(value) : (value ?? '');
}
