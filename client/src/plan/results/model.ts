import {
  MEASUREMENTS,
  measurementKindOf,
  parseReading,
  quantityKindOf,
  SELF_REPORT_KINDS,
  type MeasurementKind,
} from '../../../../shared/measurements.ts';
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
  /** Who measured it: a lab, home care (the municipality), other care staff, or the citizen. */
  source: MeasuredBy;
  /** The name of who measured (measurements), else ''. */
  performerName: string;
  /** The user id of who measured (the care team's measurements), else '': only they amend one. */
  performerUser: string;
  /** Blood pressure's parts (a measurement or a self-report), for the trend charts. */
  components: { systolic: number; diastolic: number } | null;
}

export type MeasuredBy = 'lab' | 'home-care' | 'clinic' | 'citizen' | 'system';

export type ResultKindFilter = 'all' | 'lab' | 'measurement' | 'imaging' | 'notification';
export const KIND_FILTERS: readonly ResultKindFilter[] = ['all', 'lab', 'measurement', 'imaging', 'notification'];

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
    source: str(entry.kind) === 'lab' ? 'lab' : 'system',
    performerName: '',
    performerUser: '',
    components: null,
  };
}

const bloodPressure = (v: unknown): { systolic: number; diastolic: number } | null => {
  const o = obj(v);
  return typeof o.systolic === 'number' && typeof o.diastolic === 'number'
    ? { systolic: o.systolic, diastolic: o.diastolic }
    : null;
};

/** A value as the timeline shows it: blood pressure as "142/88". */
const shownValue = (v: unknown): string | number | undefined => {
  const bp = bloodPressure(v);
  return bp ? `${bp.systolic}/${bp.diastolic}` : val(v);
};

/** A measurement of the plan's `measurements` section (shared/plan.ts MeasurementEntry) as a timeline item. */
export function measurementFromJson(entry: Readonly<Record<string, unknown>>, index = 0): ResultItem {
  const code = obj(entry.code);
  const performer = obj(entry.performer);
  const kind = measurementKindOf(code);
  const previous = Array.isArray(entry.previous) ? entry.previous.map(obj) : [];
  return {
    ...resultFromJson({}, index),
    id: str(entry.id) || `measurement-${index}`,
    kind: 'measurement',
    code: {
      system: str(code.system),
      code: str(code.code),
      display: kind ? '' : str(code.display),
    },
    value: shownValue(entry.value),
    unit: str(entry.unit),
    effective: str(entry.effective),
    status: str(entry.status),
    text: [str(entry.method), str(entry.comment)].filter(Boolean).join('\n'),
    previous: previous.map((p) => ({
      value: shownValue(p.value),
      unit: str(p.unit),
      status: str(p.status),
      replaced: str(p.replaced),
    })),
    source: performer.sector === 'municipality' ? 'home-care' : 'clinic',
    performerName: str(performer.name),
    performerUser: str(performer.user),
    components: bloodPressure(entry.value),
  };
}

/**
 * A citizen's self-report of a measured quantity (blood pressure, weight …) as a timeline
 * item; null for what is no measurement (a symptom) or cannot be read as one.
 */
export function selfReportFromJson(entry: Readonly<Record<string, unknown>>, index = 0): ResultItem | null {
  const kind = SELF_REPORT_KINDS[str(entry.kind)];
  if (!kind) return null;
  const def = MEASUREMENTS[kind];
  const raw = entry.value;
  const reading = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseReading(kind, raw) : null;
  if (reading === null) return null;
  return {
    ...resultFromJson({}, index),
    id: str(entry.id) || `self-report-${index}`,
    kind: 'measurement',
    code: { ...def.code, display: '' },
    value: shownValue(reading),
    unit: def.unit,
    effective: str(entry.taken),
    status: 'final',
    text: str(entry.comment),
    source: 'citizen',
    components: bloodPressure(reading),
  };
}

/** The kind of quantity a timeline item measures, when CareHub knows it (shared/measurements.ts). */
export function quantityOf(item: ResultItem): MeasurementKind | null {
  return quantityKindOf(item.code);
}

/** When the result is about: its clinical time, else when it was filed. */
function timeOf(item: ResultItem): number {
  return Date.parse(item.effective) || Date.parse(item.filed) || 0;
}

export function newestFirst(items: readonly ResultItem[]): ResultItem[] {
  return [...items].sort((a, b) => timeOf(b) - timeOf(a));
}

/** Its name: the code's display, else the code (a known quantity's name is the page's words, see useResultItems). */
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
  source: MeasuredBy;
  performerName: string;
}

export interface Trend {
  key: string;
  name: string;
  /** A quantity CareHub measures (lab results, measurements and self-reports together), and which part of a blood pressure. */
  quantity: MeasurementKind | null;
  part: 'systolic' | 'diastolic' | null;
  unit: string;
  low: number | undefined;
  high: number | undefined;
  points: TrendPoint[];
}

const VOID = new Set(['cancelled', 'entered-in-error']);

type Part = 'systolic' | 'diastolic';
interface Plotted {
  item: ResultItem;
  value: number;
}

/**
 * Numeric results grouped by what they measure, oldest point first; a group needs two points to
 * make a trend. Lab results, the care team's measurements and the citizen's self-reports of a
 * quantity CareHub knows (by NPU or LOINC code, shared/measurements.ts) share one trend, each
 * point marked by who measured it; blood pressure makes two (systolic, diastolic). Other lab
 * results group by their code. The reference range is the latest result's.
 */
export function trendsOf(items: readonly ResultItem[]): Trend[] {
  const groups = new Map<string, { quantity: MeasurementKind | null; part: Part | null; points: Plotted[] }>();
  const add = (key: string, quantity: MeasurementKind | null, part: Part | null, p: Plotted) => {
    const g = groups.get(key) ?? { quantity, part, points: [] };
    g.points.push(p);
    groups.set(key, g);
  };
  for (const item of items) {
    if ((item.kind !== 'lab' && item.kind !== 'measurement') || VOID.has(item.status) || !item.code.code) continue;
    const quantity = quantityOf(item);
    if (quantity && item.components) {
      for (const part of ['systolic', 'diastolic'] as const)
        add(`quantity|${quantity}|${part}`, quantity, part, { item, value: item.components[part] });
    } else if (typeof item.value === 'number') {
      const key = quantity ? `quantity|${quantity}` : `${item.code.system}|${item.code.code}`;
      add(key, quantity, null, { item, value: item.value });
    }
  }
  const trends: Trend[] = [];
  for (const [key, group] of groups) {
    if (group.points.length < 2) continue;
    const sorted = [...group.points].sort((a, b) => timeOf(a.item) - timeOf(b.item));
    const latest = (sorted[sorted.length - 1] as Plotted).item;
    const withRange = [...sorted]
      .reverse()
      .find((r) => r.item.referenceLow !== undefined || r.item.referenceHigh !== undefined)?.item;
    trends.push({
      key,
      name: nameOf(latest),
      quantity: group.quantity,
      part: group.part,
      unit: group.quantity ? MEASUREMENTS[group.quantity].unit : latest.unit,
      low: withRange?.referenceLow,
      high: withRange?.referenceHigh,
      points: sorted.map(({ item, value }) => ({
        id: item.id,
        time: timeOf(item),
        iso: item.effective || item.filed,
        value,
        flag: item.interpretation,
        source: item.source,
        performerName: item.performerName,
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
