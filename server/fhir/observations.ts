import type { CodeableConcept, Observation, ObservationComponent, Quantity } from 'fhir/r4';
import {
  INTERPRETATION_SYSTEM,
  LOINC_SYSTEM,
  OBSERVATION_CATEGORY_SYSTEM,
  UCUM_SYSTEM,
} from '../../shared/fhir-systems.ts';
import { annotation, code, coding, compact, concept, dateTime, decimal, list, str } from './fhir-values.ts';
import type { EntryJson, MappingContext } from './mapping-context.ts';

/**
 * Observations: the citizen's self-reports and the results filed by lab and imaging systems.
 * Codes: LOINC for the vital signs, the observation-category and v3 ObservationInterpretation
 * code systems of http://hl7.org/fhir/R4/observation.html.
 */

const DATA_ABSENT_SYSTEM = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';

const category = (c: string, display: string): CodeableConcept => ({
  coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: c, display }],
});
const VITAL_SIGNS = category('vital-signs', 'Vital Signs');
const RESULT_CATEGORY: Record<string, CodeableConcept> = {
  lab: category('laboratory', 'Laboratory'),
  imaging: category('imaging', 'Imaging'),
};

const loinc = (c: string, display: string, text?: string): CodeableConcept => ({
  coding: [{ system: LOINC_SYSTEM, code: c, display }],
  ...(text ? { text } : {}),
});
const BLOOD_PRESSURE = loinc('85354-9', 'Blood pressure panel with all children optional', 'Blood pressure');
const SYSTOLIC = loinc('8480-6', 'Systolic blood pressure');
const DIASTOLIC = loinc('8462-4', 'Diastolic blood pressure');
const BODY_WEIGHT = loinc('29463-7', 'Body weight', 'Body weight');

/** Units as citizens and devices write them, to their UCUM codes. */
const UCUM_UNITS: Record<string, string> = {
  kg: 'kg',
  g: 'g',
  lb: '[lb_av]',
  lbs: '[lb_av]',
  mmhg: 'mm[Hg]',
  'mm hg': 'mm[Hg]',
  'mm[hg]': 'mm[Hg]',
};
const UCUM_DISPLAY: Record<string, string> = { 'mm[Hg]': 'mmHg', '[lb_av]': 'lb' };

function ucumQuantity(value: number, ucumCode: string): Quantity {
  return { value, unit: UCUM_DISPLAY[ucumCode] ?? ucumCode, system: UCUM_SYSTEM, code: ucumCode };
}

/** A quantity in `unit`: coded in UCUM when the unit is one we know, else with the unit as written. */
function quantity(value: number, unit: string | undefined): Quantity {
  const ucum = unit === undefined ? undefined : UCUM_UNITS[unit.toLowerCase()];
  if (ucum) return ucumQuantity(value, ucum);
  return unit === undefined ? { value } : { value, unit };
}

/** "138/85" (also "138 / 85", "138/85 mmHg") into systolic and diastolic. */
export function parseBloodPressure(value: unknown): { systolic: number; diastolic: number } | null {
  const s = str(value);
  const m =
    s === undefined ? null : /^(\d{2,3}(?:[.,]\d+)?)\s*\/\s*(\d{2,3}(?:[.,]\d+)?)(?:\s*mm\s*\[?hg\]?)?$/i.exec(s);
  if (!m) return null;
  return {
    systolic: Number((m[1] as string).replace(',', '.')),
    diastolic: Number((m[2] as string).replace(',', '.')),
  };
}

const NO_VALUE: CodeableConcept = { coding: [{ system: DATA_ABSENT_SYSTEM, code: 'unknown', display: 'Unknown' }] };

/** A self-reported measurement: performed by the patient, final as soon as it is written. */
export function selfReportObservation(entry: EntryJson, index: number, ctx: MappingContext): Observation {
  const id = ctx.ids.take(entry.id, ctx.planId, 'selfReports', String(index), String(entry.id ?? ''));
  const kind = str(entry.kind);
  const unit = str(entry.unit);
  const obs: Observation = {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { text: kind ?? 'Self-reported measurement' },
    subject: ctx.patient,
    effectiveDateTime: dateTime(entry.taken),
    performer: [ctx.patient],
    note: list([annotation(str(entry.comment))]),
  };

  if (kind === 'blood-pressure') {
    obs.category = [VITAL_SIGNS];
    obs.code = BLOOD_PRESSURE;
    const bp = parseBloodPressure(entry.value);
    // Only mmHg is written as mm[Hg]; a reading in another unit keeps its value as written.
    const inMmHg = unit === undefined || UCUM_UNITS[unit.toLowerCase()] === 'mm[Hg]';
    if (bp && inMmHg) {
      const component: ObservationComponent[] = [
        { code: SYSTOLIC, valueQuantity: ucumQuantity(bp.systolic, 'mm[Hg]') },
        { code: DIASTOLIC, valueQuantity: ucumQuantity(bp.diastolic, 'mm[Hg]') },
      ];
      obs.component = component;
    } else {
      const text = str(entry.value);
      obs.valueString = text === undefined ? undefined : unit ? `${text} ${unit}` : text;
    }
  } else if (kind === 'weight') {
    obs.category = [VITAL_SIGNS];
    obs.code = BODY_WEIGHT;
    const value = decimal(entry.value);
    // Citizens weigh themselves in kilograms; a weight without a unit is taken as kg.
    if (value !== undefined) obs.valueQuantity = quantity(value, unit ?? 'kg');
    else obs.valueString = str(entry.value);
  } else {
    const value = decimal(entry.value);
    if (value !== undefined) obs.valueQuantity = quantity(value, unit);
    else obs.valueString = str(entry.value);
  }
  if (obs.valueQuantity === undefined && obs.valueString === undefined && obs.component === undefined)
    obs.dataAbsentReason = NO_VALUE;
  return compact(obs);
}

const OBSERVATION_STATUS = [
  'registered',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'cancelled',
  'entered-in-error',
  'unknown',
] as const;
type ObservationStatus = Observation['status'];

function observationStatus(value: unknown): ObservationStatus {
  const c = code(value)?.toLowerCase();
  return (OBSERVATION_STATUS as readonly string[]).includes(c ?? '') ? (c as ObservationStatus) : 'unknown';
}

/**
 * The v3 ObservationInterpretation codes lab systems send; H/L/HH/LL/A/AA are all kept
 * (docs/ARCHITECTURE.md, "The path of a result").
 */
const INTERPRETATIONS: Record<string, string> = {
  N: 'Normal',
  H: 'High',
  L: 'Low',
  HH: 'Critical high',
  LL: 'Critical low',
  HU: 'Significantly high',
  LU: 'Significantly low',
  A: 'Abnormal',
  AA: 'Critical abnormal',
  POS: 'Positive',
  NEG: 'Negative',
  IND: 'Indeterminate',
  DET: 'Detected',
  ND: 'Not detected',
  '<': 'Off scale low',
  '>': 'Off scale high',
};

export function interpretation(value: unknown): CodeableConcept | undefined {
  const raw = code(value);
  if (raw === undefined) return undefined;
  const known = Object.keys(INTERPRETATIONS).find((k) => k === raw.toUpperCase());
  if (known)
    return { coding: [{ system: INTERPRETATION_SYSTEM, code: known, display: INTERPRETATIONS[known] }], text: raw };
  return { text: raw };
}

/** A result filed by a lab, imaging or other system and appended to the plan by the server. */
export function resultObservation(entry: EntryJson, index: number, ctx: MappingContext): Observation {
  const id = ctx.ids.take(entry.id, ctx.planId, 'results', String(index), String(entry.id ?? ''));
  const kind = str(entry.kind);
  const c = coding(entry.code);
  const display = c?.display ?? str((entry.code as Record<string, unknown> | undefined)?.display);
  const text = str(entry.text);
  const unit = str(entry.unit);
  const obs: Observation = {
    resourceType: 'Observation',
    id,
    status: observationStatus(entry.status),
    category: kind && RESULT_CATEGORY[kind] ? [RESULT_CATEGORY[kind]] : undefined,
    code: concept(display ?? (c ? undefined : (kind ?? 'Result')), c) as CodeableConcept,
    subject: ctx.patient,
    effectiveDateTime: dateTime(entry.effective),
    interpretation: list([interpretation(entry.interpretation)]),
    referenceRange: list([
      str(entry.referenceRange) === undefined ? undefined : { text: str(entry.referenceRange) as string },
    ]),
  };
  const numeric = typeof entry.value === 'number' || typeof entry.value === 'string' ? decimal(entry.value) : undefined;
  if (numeric !== undefined) obs.valueQuantity = unit === undefined ? { value: numeric } : { value: numeric, unit };
  else if (str(entry.value) !== undefined) obs.valueString = unit ? `${str(entry.value)} ${unit}` : str(entry.value);
  else if (text !== undefined) obs.valueString = text;
  // The text goes with the value as a note, unless it already is the value.
  if (text !== undefined && obs.valueString !== text) obs.note = [{ text }];
  if (obs.valueQuantity === undefined && obs.valueString === undefined) obs.dataAbsentReason = NO_VALUE;
  return compact(obs);
}
