import { LOINC_SYSTEM, NPU_SYSTEM } from './fhir-systems.ts';
import type { Coding } from './plan.ts';

/**
 * The vital signs a home-care nurse measures, as data: their codes, units and plausible ranges,
 * in one place for the visit panel, the permission check of every update, the trend charts and
 * the FHIR export.
 *
 * Codes are those of MedCom's HomeCareObservation (NPUObservationCodesValueSet in
 * medcomdk/dk-medcom-terminology, and the HomeCareObservation 1.2.1 example in
 * ../shared/fixtures/medcom): NPU and the Danish DNK codes (system urn:oid:1.2.208.176.2.1).
 * Body weight, missing from that value set, is NPU03804 "Pt—Legeme; masse = ? kg". Blood
 * pressure has no NPU panel code: the entry carries LOINC 85354-9 (the blood pressure panel of
 * FHIR's vital-signs profile) and its two parts carry MedCom's DNK05472 and DNK05473. Beside
 * each, the LOINC code of FHIR R4's vital-signs profile, for the export. Units are UCUM.
 *
 * Saturation: NPU10197 is a fraction ("mætn. = ?"); nurses and oximeters read percent, so it is
 * stored in `%` (UCUM), the unit FHIR's oxygen-saturation profile uses.
 */

export const MEASUREMENT_KINDS = [
  'bloodPressure',
  'pulse',
  'weight',
  'temperature',
  'bloodSugar',
  'saturation',
] as const;
export type MeasurementKind = (typeof MEASUREMENT_KINDS)[number];

/** Values outside `possible` cannot be true (refused); outside `expected` they are possible but unusual (confirmed). */
export interface Range {
  min: number;
  max: number;
}

export interface QuantityDefinition {
  /** The code MedCom's HomeCareObservation uses. */
  code: Coding;
  /** FHIR R4 vital-signs profile. */
  loinc: Coding;
  possible: Range;
  expected: Range;
  /** Decimals a reading has at most. */
  decimals: number;
}

export interface MeasurementDefinition extends QuantityDefinition {
  kind: MeasurementKind;
  /** UCUM code, and how people write it. */
  unit: string;
  unitDisplay: string;
  /** Blood pressure: systolic and diastolic. */
  components?: { systolic: QuantityDefinition; diastolic: QuantityDefinition };
}

const npu = (code: string, display: string): Coding => ({ system: NPU_SYSTEM, code, display });
const loinc = (code: string, display: string): Coding => ({ system: LOINC_SYSTEM, code, display });

const SYSTOLIC: QuantityDefinition = {
  code: npu('DNK05472', 'Arm—Blodtryk(systolisk); tryk = ? mmHg'),
  loinc: loinc('8480-6', 'Systolic blood pressure'),
  possible: { min: 40, max: 300 },
  expected: { min: 80, max: 200 },
  decimals: 0,
};
const DIASTOLIC: QuantityDefinition = {
  code: npu('DNK05473', 'Arm—Blodtryk(diastolisk); tryk = ? mmHg'),
  loinc: loinc('8462-4', 'Diastolic blood pressure'),
  possible: { min: 20, max: 200 },
  expected: { min: 40, max: 120 },
  decimals: 0,
};

export const MEASUREMENTS: Readonly<Record<MeasurementKind, MeasurementDefinition>> = {
  bloodPressure: {
    kind: 'bloodPressure',
    code: loinc('85354-9', 'Blood pressure panel with all children optional'),
    loinc: loinc('85354-9', 'Blood pressure panel with all children optional'),
    unit: 'mm[Hg]',
    unitDisplay: 'mmHg',
    // The panel's own range is unused: its parts are checked.
    possible: SYSTOLIC.possible,
    expected: SYSTOLIC.expected,
    decimals: 0,
    components: { systolic: SYSTOLIC, diastolic: DIASTOLIC },
  },
  pulse: {
    kind: 'pulse',
    code: npu('NPU21692', 'Hjerte—Systole; frekv. = ? × 1/min'),
    loinc: loinc('8867-4', 'Heart rate'),
    unit: '/min',
    unitDisplay: '/min',
    possible: { min: 20, max: 300 },
    expected: { min: 40, max: 130 },
    decimals: 0,
  },
  weight: {
    kind: 'weight',
    code: npu('NPU03804', 'Pt—Legeme; masse = ? kg'),
    loinc: loinc('29463-7', 'Body weight'),
    unit: 'kg',
    unitDisplay: 'kg',
    possible: { min: 1, max: 500 },
    expected: { min: 35, max: 160 },
    decimals: 1,
  },
  temperature: {
    kind: 'temperature',
    code: npu('NPU08676', 'Pt—Legeme; temp. = ? °C'),
    loinc: loinc('8310-5', 'Body temperature'),
    unit: 'Cel',
    unitDisplay: '°C',
    possible: { min: 25, max: 45 },
    expected: { min: 35, max: 40.5 },
    decimals: 1,
  },
  bloodSugar: {
    kind: 'bloodSugar',
    code: npu('NPU22089', 'P(kB)—Glucose; stofk. = ? mmol/L'),
    loinc: loinc('14743-9', 'Glucose [Moles/volume] in Capillary blood by Glucometer'),
    unit: 'mmol/L',
    unitDisplay: 'mmol/L',
    possible: { min: 0.5, max: 60 },
    expected: { min: 3, max: 25 },
    decimals: 1,
  },
  saturation: {
    kind: 'saturation',
    code: npu('NPU10197', 'Hb(Fe; O2-bind.; kB)—Oxygen(O2); mætn. = ?'),
    loinc: loinc('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'),
    unit: '%',
    unitDisplay: '%',
    possible: { min: 30, max: 100 },
    expected: { min: 88, max: 100 },
    decimals: 0,
  },
};

export type BloodPressureValue = { systolic: number; diastolic: number };
export type MeasurementValue = number | BloodPressureValue;

/** The kind a code names (system and code), or null for a code CareHub does not measure itself. */
export function measurementKindOf(
  code: { system?: unknown; code?: unknown } | null | undefined,
): MeasurementKind | null {
  if (!code) return null;
  for (const kind of MEASUREMENT_KINDS) {
    const c = MEASUREMENTS[kind].code;
    if (c.system === code.system && c.code === code.code) return kind;
  }
  return null;
}

/**
 * The kind a lab result or a citizen's self-report of the same quantity belongs to: by NPU or
 * LOINC code (a result may carry either), so a trend can show them together.
 */
export function quantityKindOf(code: { system?: unknown; code?: unknown } | null | undefined): MeasurementKind | null {
  const own = measurementKindOf(code);
  if (own || !code) return own;
  for (const kind of MEASUREMENT_KINDS) {
    const l = MEASUREMENTS[kind].loinc;
    if (l.system === code.system && l.code === code.code) return kind;
  }
  // Other capillary and plasma glucose codes of the same quantity (mmol/L).
  if (code.system === NPU_SYSTEM && (code.code === 'NPU02187' || code.code === 'NPU21531')) return 'bloodSugar';
  return null;
}

/** A citizen's self-report kind (shared/api.ts) as a measured quantity, where it is one. */
export const SELF_REPORT_KINDS: Readonly<Record<string, MeasurementKind>> = {
  'blood-pressure': 'bloodPressure',
  weight: 'weight',
  pulse: 'pulse',
  temperature: 'temperature',
  'blood-sugar': 'bloodSugar',
  saturation: 'saturation',
};

/** How a value compares with its kind's ranges; `part` names the blood pressure part. */
export type Plausibility =
  | { level: 'ok' }
  | { level: 'impossible' | 'unusual'; part: 'systolic' | 'diastolic' | null; range: Range }
  | { level: 'impossible'; part: null; problem: 'shape' | 'diastolic-above-systolic' };

const SHAPE: Plausibility = { level: 'impossible', part: null, problem: 'shape' };

function compare(value: number, def: QuantityDefinition, part: 'systolic' | 'diastolic' | null): Plausibility {
  if (value < def.possible.min || value > def.possible.max) return { level: 'impossible', part, range: def.possible };
  if (value < def.expected.min || value > def.expected.max) return { level: 'unusual', part, range: def.expected };
  return { level: 'ok' };
}

/** Is `value` a possible, and a usual, reading of `kind`? Impossible first, then unusual. */
export function plausibility(kind: MeasurementKind, value: unknown): Plausibility {
  const def = MEASUREMENTS[kind];
  if (def.components) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return SHAPE;
    const { systolic, diastolic } = value as Record<string, unknown>;
    if (typeof systolic !== 'number' || typeof diastolic !== 'number') return SHAPE;
    if (!Number.isFinite(systolic) || !Number.isFinite(diastolic)) return SHAPE;
    if (diastolic >= systolic) return { level: 'impossible', part: null, problem: 'diastolic-above-systolic' };
    const s = compare(systolic, def.components.systolic, 'systolic');
    const d = compare(diastolic, def.components.diastolic, 'diastolic');
    if (s.level === 'impossible') return s;
    if (d.level === 'impossible') return d;
    return s.level === 'unusual' ? s : d;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return SHAPE;
  return compare(value, def, null);
}

/**
 * A reading as typed ("138/85", "72", "38,5") into its value, or null when it is no reading of
 * `kind` at all (letters, a missing part, more decimals than the kind has).
 */
export function parseReading(kind: MeasurementKind, text: string): MeasurementValue | null {
  const def = MEASUREMENTS[kind];
  const number = (s: string, decimals: number): number | null => {
    const pattern = decimals > 0 ? new RegExp(`^\\d{1,3}(?:[.,]\\d{1,${decimals}})?$`) : /^\d{1,3}$/;
    return pattern.test(s) ? Number(s.replace(',', '.')) : null;
  };
  const t = text.trim();
  if (def.components) {
    const m = /^(\d{1,3})\s*\/\s*(\d{1,3})$/.exec(t);
    if (!m) return null;
    return { systolic: Number(m[1]), diastolic: Number(m[2]) };
  }
  return number(t, def.decimals);
}

/**
 * What the server keeps of a measurement's entry beyond its schema: a kind CareHub measures has
 * its unit and a possible value (a pulse of 600 is refused, whoever writes it), under any code
 * the trend charts take for that kind (`quantityKindOf`: LOINC heart rate is a pulse too).
 * Codes of other quantities (a device's, a MedCom message's) are kept as sent. Returns null
 * when it holds.
 */
export function measurementProblem(entry: {
  code?: unknown;
  value?: unknown;
  unit?: unknown;
}): 'value' | 'unit' | null {
  const kind = quantityKindOf(entry.code as Coding | undefined);
  if (kind === null) return typeof entry.value === 'number' ? null : 'value';
  if (entry.unit !== MEASUREMENTS[kind].unit) return 'unit';
  return plausibility(kind, entry.value).level === 'impossible' ? 'value' : null;
}
