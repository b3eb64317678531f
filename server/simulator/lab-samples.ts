import type { Bundle, BundleEntry, DiagnosticReport, Observation, Reference } from 'fhir/r4';
import {
  DIAGNOSTIC_SERVICE_SYSTEM,
  INTERPRETATION_SYSTEM,
  LOINC_SYSTEM,
  NPU_SYSTEM,
  OBSERVATION_CATEGORY_SYSTEM,
  UCUM_SYSTEM,
} from '../../shared/fhir-systems.ts';
import type { Interpretation, ResultStatus } from '../../shared/results.ts';
import { nameUuid } from '../fhir/fhir-values.ts';
import { patientResource, SENDER, type Sex, sexOf, shiftTime, subject, type SubjectStyle } from './sample-common.ts';

/**
 * Lab results as a Danish hospital lab sends them (FHIR R4 Observations, a panel as a
 * DiagnosticReport or a transaction Bundle), for the lab-feed simulator and the tests'
 * fixtures (tests/fixtures/fhir).
 *
 * Codes: NPU (the Danish DNK codes share the system); eGFR is DNK35302 (the national Danish
 * eGFR code, CKD-EPI); LOINC beside NPU where one exists; HL7 v2 table 0074 for the section.
 */

export type AnalysisKey = 'potassium' | 'sodium' | 'creatinine' | 'egfr' | 'haemoglobin' | 'crp' | 'hba1c';

export interface Analysis {
  code: string;
  /** The short name Danish lab reports print. */
  display: string;
  /** UCUM code, and the unit as printed. */
  ucum: string;
  unit: string;
  range: (sex: Sex) => { low?: number; high?: number; text: string };
  critical?: { low?: number; high?: number };
  /** Where values of a stable chronic patient usually lie, for the simulator. */
  usual: (sex: Sex) => [number, number];
  decimals: number;
  loinc?: { code: string; display: string };
}

export const ANALYSES: Readonly<Record<AnalysisKey, Analysis>> = {
  potassium: {
    code: 'NPU03230',
    display: 'P-Kalium',
    ucum: 'mmol/L',
    unit: 'mmol/L',
    range: () => ({ low: 3.5, high: 4.6, text: '3,5 – 4,6 mmol/L' }),
    critical: { low: 2.8, high: 6.0 },
    usual: () => [3.5, 4.8],
    decimals: 1,
    loinc: { code: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma' },
  },
  sodium: {
    code: 'NPU03429',
    display: 'P-Natrium',
    ucum: 'mmol/L',
    unit: 'mmol/L',
    range: () => ({ low: 137, high: 145, text: '137 – 145 mmol/L' }),
    critical: { low: 120, high: 160 },
    usual: () => [135, 145],
    decimals: 0,
  },
  creatinine: {
    code: 'NPU04998',
    display: 'P-Kreatinin',
    ucum: 'umol/L',
    unit: 'µmol/L',
    range: (sex) =>
      sex === 'male' ? { low: 60, high: 105, text: '60 – 105 µmol/L' } : { low: 45, high: 90, text: '45 – 90 µmol/L' },
    usual: (sex) => (sex === 'male' ? [65, 130] : [50, 105]),
    decimals: 0,
  },
  egfr: {
    code: 'DNK35302',
    display: 'eGFR',
    ucum: 'mL/min/{1.73_m2}',
    unit: 'mL/min/1,73m²',
    range: () => ({ low: 60, text: '> 60 mL/min/1,73m²' }),
    usual: () => [48, 95],
    decimals: 0,
  },
  haemoglobin: {
    code: 'NPU02319',
    display: 'B-Hæmoglobin',
    ucum: 'mmol/L',
    unit: 'mmol/L',
    range: (sex) =>
      sex === 'male'
        ? { low: 8.3, high: 10.5, text: '8,3 – 10,5 mmol/L' }
        : { low: 7.3, high: 9.5, text: '7,3 – 9,5 mmol/L' },
    critical: { low: 4.0 },
    usual: (sex) => (sex === 'male' ? [7.9, 10.2] : [7.0, 9.3]),
    decimals: 1,
  },
  crp: {
    code: 'NPU19748',
    display: 'P-CRP',
    ucum: 'mg/L',
    unit: 'mg/L',
    range: () => ({ high: 8, text: '< 8 mg/L' }),
    usual: () => [1, 24],
    decimals: 0,
  },
  hba1c: {
    code: 'NPU27300',
    display: 'B-HbA1c',
    ucum: 'mmol/mol',
    unit: 'mmol/mol',
    range: () => ({ high: 48, text: '< 48 mmol/mol' }),
    usual: () => [40, 60],
    decimals: 0,
  },
};

export const PANEL: readonly AnalysisKey[] = [
  'potassium',
  'sodium',
  'creatinine',
  'egfr',
  'haemoglobin',
  'crp',
  'hba1c',
];

/** The flag a lab would set: HH/LL beyond the critical limits, H/L outside the reference range, else N. */
export function flagFor(key: AnalysisKey, value: number, sex: Sex): Interpretation {
  const a = ANALYSES[key];
  if (a.critical?.high !== undefined && value > a.critical.high) return 'HH';
  if (a.critical?.low !== undefined && value < a.critical.low) return 'LL';
  const r = a.range(sex);
  if (r.high !== undefined && value > r.high) return 'H';
  if (r.low !== undefined && value < r.low) return 'L';
  return 'N';
}

const FLAG_DISPLAY: Record<Interpretation, string> = {
  N: 'Normal',
  H: 'High',
  L: 'Low',
  HH: 'Critical high',
  LL: 'Critical low',
  A: 'Abnormal',
  AA: 'Critical abnormal',
};

const round = (v: number, decimals: number): number => Number(v.toFixed(decimals));

/** Plausible values for a panel; `criticalPotassium` puts P-Kalium above the critical limit. */
export function randomPanelValues(
  random: () => number,
  sex: Sex,
  opts: { criticalPotassium?: boolean } = {},
): Record<AnalysisKey, number> {
  const values = {} as Record<AnalysisKey, number>;
  for (const key of PANEL) {
    const [lo, hi] = ANALYSES[key].usual(sex);
    values[key] = round(lo + (hi - lo) * random(), ANALYSES[key].decimals);
  }
  if (opts.criticalPotassium) values.potassium = round(6.2 + random() * 1.2, 1);
  return values;
}

export interface LabObservationInput {
  cpr: string;
  analysis: AnalysisKey;
  value: number;
  /** The lab's identifier value of this result (its system is SENDER.lab). */
  id: string;
  time: string;
  status?: ResultStatus;
  sex?: Sex;
  /** Defaults to the flag the lab would compute (flagFor). */
  flag?: Interpretation | null;
  subject?: SubjectStyle;
  /** A resource id (for contained resources and Bundle entries). */
  resourceId?: string;
  note?: string;
}

export function labObservation(o: LabObservationInput): Observation {
  const a = ANALYSES[o.analysis];
  const sex = o.sex ?? sexOf(o.cpr);
  const flag = o.flag === undefined ? flagFor(o.analysis, o.value, sex) : o.flag;
  const range = a.range(sex);
  const subj = subject(o.cpr, o.subject);
  const obs: Observation = {
    resourceType: 'Observation',
    ...(o.resourceId ? { id: o.resourceId } : {}),
    identifier: [{ system: SENDER.lab, value: o.id }],
    status: o.status ?? 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: 'laboratory', display: 'Laboratory' }] }],
    code: {
      coding: [
        { system: NPU_SYSTEM, code: a.code, display: a.display },
        ...(a.loinc ? [{ system: LOINC_SYSTEM, code: a.loinc.code, display: a.loinc.display }] : []),
      ],
      text: a.display,
    },
    ...(subj ? { subject: subj } : {}),
    effectiveDateTime: o.time,
    issued: shiftTime(o.time, 95),
    performer: [{ display: 'Klinisk Biokemisk Afdeling, Rigshospitalet' }],
    valueQuantity: { value: o.value, unit: a.unit, system: UCUM_SYSTEM, code: a.ucum },
    ...(flag
      ? { interpretation: [{ coding: [{ system: INTERPRETATION_SYSTEM, code: flag, display: FLAG_DISPLAY[flag] }] }] }
      : {}),
    referenceRange: [
      {
        ...(range.low !== undefined
          ? { low: { value: range.low, unit: a.unit, system: UCUM_SYSTEM, code: a.ucum } }
          : {}),
        ...(range.high !== undefined
          ? { high: { value: range.high, unit: a.unit, system: UCUM_SYSTEM, code: a.ucum } }
          : {}),
        text: range.text,
      },
    ],
    ...(o.note ? { note: [{ text: o.note }] } : {}),
  };
  return obs;
}

export interface PanelInput {
  cpr: string;
  /** The requisition number; the analyses' identifiers are `${id}-${NPU code}`. */
  id: string;
  time: string;
  values: Record<AnalysisKey, number>;
  analyses?: readonly AnalysisKey[];
  sex?: Sex;
  status?: ResultStatus;
}

function panelReport(
  o: PanelInput,
  result: Reference[],
  subj: Reference | undefined,
  resourceId?: string,
): DiagnosticReport {
  return {
    resourceType: 'DiagnosticReport',
    ...(resourceId ? { id: resourceId } : {}),
    identifier: [{ system: SENDER.labReport, value: o.id }],
    status: o.status ?? 'final',
    category: [{ coding: [{ system: DIAGNOSTIC_SERVICE_SYSTEM, code: 'LAB', display: 'Laboratory' }] }],
    code: { coding: [{ system: LOINC_SYSTEM, code: '11502-2', display: 'Blodprøver' }], text: 'Blodprøver' },
    ...(subj ? { subject: subj } : {}),
    effectiveDateTime: o.time,
    issued: shiftTime(o.time, 95),
    performer: [{ display: 'Klinisk Biokemisk Afdeling, Rigshospitalet' }],
    result,
  };
}

const analysisId = (o: PanelInput, key: AnalysisKey) => `${o.id}-${ANALYSES[key].code}`;

/**
 * A blood panel as a transaction Bundle: the Patient (with the CPR), the DiagnosticReport and one
 * Observation per analysis, all referring to the Patient by its `urn:uuid:` fullUrl.
 */
export function bloodPanelBundle(o: PanelInput & { type?: 'transaction' | 'batch' | 'collection' }): Bundle {
  const type = o.type ?? 'transaction';
  const uuid = (...parts: string[]) => nameUuid('sample', o.id, ...parts);
  const patientUrl = `urn:uuid:${uuid('patient')}`;
  const keys = o.analyses ?? PANEL;
  const observations = keys.map((key) => ({
    fullUrl: `urn:uuid:${uuid('obs', key)}`,
    resource: labObservation({
      cpr: o.cpr,
      analysis: key,
      value: o.values[key],
      id: analysisId(o, key),
      time: o.time,
      status: o.status,
      sex: o.sex,
      subject: { reference: patientUrl },
    }),
  }));
  const report = panelReport(
    o,
    observations.map((e) => ({ reference: e.fullUrl })),
    { reference: patientUrl },
  );
  const request = (url: string) => (type === 'collection' ? {} : { request: { method: 'POST' as const, url } });
  const entries: BundleEntry[] = [
    { fullUrl: patientUrl, resource: patientResource(o.cpr, uuid('patient')), ...request('Patient') },
    { fullUrl: `urn:uuid:${uuid('report')}`, resource: report, ...request('DiagnosticReport') },
    ...observations.map((e) => ({ ...e, ...request('Observation') })),
  ];
  return { resourceType: 'Bundle', id: uuid('bundle'), type, timestamp: shiftTime(o.time, 95), entry: entries };
}

/** The same panel as one DiagnosticReport with its Observations contained (`#id` references). */
export function bloodPanelReport(o: PanelInput & { subject?: SubjectStyle }): DiagnosticReport {
  const keys = o.analyses ?? PANEL;
  const contained = keys.map((key) =>
    labObservation({
      cpr: o.cpr,
      analysis: key,
      value: o.values[key],
      id: analysisId(o, key),
      time: o.time,
      status: o.status,
      sex: o.sex,
      subject: 'none',
      resourceId: key,
    }),
  );
  const report = panelReport(
    o,
    keys.map((key) => ({ reference: `#${key}` })),
    subject(o.cpr, o.subject ?? 'identifier'),
  );
  return { ...report, contained };
}

/** A single P-Kalium above the critical limit, flagged HH, as labs phone and file it. */
export function criticalPotassium(o: {
  cpr: string;
  id: string;
  time: string;
  value?: number;
  subject?: SubjectStyle;
}): Observation {
  return labObservation({
    cpr: o.cpr,
    analysis: 'potassium',
    value: o.value ?? 6.9,
    id: o.id,
    time: o.time,
    subject: o.subject,
    note: 'Kritisk værdi. Telefonisk meddelt afdelingen. Prøven ikke hæmolyseret.',
  });
}
