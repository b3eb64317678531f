import {
  DIAGNOSTIC_SERVICE_SYSTEM,
  INTERPRETATION_SYSTEM,
  LOINC_SYSTEM,
  OBSERVATION_CATEGORY_SYSTEM,
  SNOMED_SYSTEM,
  UCUM_SYSTEM,
} from '../../shared/fhir-systems.ts';
import {
  Interpretation,
  ResultStatus,
  type IncomingResult,
  type ReferenceRange,
  type ResultCategory,
} from '../../shared/results.ts';
import {
  checkTextLength,
  codings,
  conceptText,
  dateTimeAt,
  fail,
  identifierOf,
  isRec,
  optArr,
  optNum,
  optRec,
  optStr,
  optText,
  own,
  primaryCoding,
  recs,
  type Rec,
  type SourceCoding,
} from './fhir-read.ts';
import { subjectCpr, type IntakeOptions, type Located } from './intake-scope.ts';

/**
 * One FHIR R4 Observation (http://hl7.org/fhir/R4/observation.html) to one IncomingResult:
 * the identifier, the code (NPU first), the value with its UCUM unit, the v3 interpretation
 * flag, the first reference range, when, the status and the category.
 */

// --- Categories ----------------------------------------------------------------------------

// Each with its pre-R4 address, which senders still use.
const V2_0074 = [DIAGNOSTIC_SERVICE_SYSTEM, 'http://hl7.org/fhir/v2/0074'];
const OBSERVATION_CATEGORY = [OBSERVATION_CATEGORY_SYSTEM, 'http://hl7.org/fhir/observation-category'];

/** HL7 v2 table 0074 (diagnostic service section): pathology, imaging and laboratory sections. */
const V2_PATHOLOGY = new Set(['PAT', 'SP', 'CP']);
const V2_IMAGING = new Set(['RAD', 'RX', 'CT', 'NMR', 'NMS', 'RUS', 'VUS', 'OUS', 'CUS', 'XRC']);
const V2_LABORATORY = new Set([
  'LAB',
  'CH',
  'HM',
  'IMM',
  'MB',
  'MCB',
  'MYC',
  'SR',
  'VR',
  'TX',
  'BLB',
  'BG',
  'CG',
  'GE',
  'OSL',
]);

/** Report codes that are pathology whatever the category says. */
const PATHOLOGY_CODES = new Set([
  `${LOINC_SYSTEM}|11526-1`, // Pathology study
  `${LOINC_SYSTEM}|11529-5`, // Surgical pathology study
  `${LOINC_SYSTEM}|22637-3`, // Pathology report final diagnosis Narrative
  `${LOINC_SYSTEM}|60567-5`, // Comprehensive pathology report panel
  `${LOINC_SYSTEM}|60568-3`, // Pathology Synoptic report
  `${LOINC_SYSTEM}|LP7839-6`, // Pathology (LOINC part, used as a category)
  `${SNOMED_SYSTEM}|252416005`, // Histopathology test
  `${SNOMED_SYSTEM}|116147009`, // Cytologic test
  `${SNOMED_SYSTEM}|394577000`, // Molecular pathology test
]);
const IMAGING_CODES = new Set([
  `${LOINC_SYSTEM}|18748-4`, // Diagnostic imaging study
  `${SNOMED_SYSTEM}|363679005`, // Imaging (procedure)
]);

export type Section = ResultCategory | undefined;

/**
 * The section a resource comes from, by its categories and its code: pathology wins over
 * laboratory (a pathology report is often also categorised LAB), imaging over laboratory.
 */
export function sectionOf(resource: Rec, path: string): Section {
  const list: SourceCoding[] = [];
  for (const { rec, path: p } of recs(resource, 'category', path)) list.push(...codings(rec, p));
  const code = optRec(resource, 'code', path);
  const codeList = code ? codings(code, `${path}.code`) : [];
  const has = (systems: string[], codes: Set<string>) =>
    list.some((c) => c.system && systems.includes(c.system) && c.code && codes.has(c.code));
  const known = (set: Set<string>) => [...list, ...codeList].some((c) => set.has(`${c.system}|${c.code}`));
  if (has(V2_0074, V2_PATHOLOGY) || known(PATHOLOGY_CODES)) return 'pathology';
  if (has(V2_0074, V2_IMAGING) || has(OBSERVATION_CATEGORY, new Set(['imaging'])) || known(IMAGING_CODES))
    return 'imaging';
  if (has(V2_0074, V2_LABORATORY) || has(OBSERVATION_CATEGORY, new Set(['laboratory']))) return 'laboratory';
  return undefined;
}

// --- Status --------------------------------------------------------------------------------

/** DiagnosticReport statuses CareHub's result statuses do not have, to their parent status. */
const REPORT_STATUS: Record<string, ResultStatus> = { partial: 'preliminary', appended: 'amended' };

export function statusOf(resource: Rec, path: string, report = false): ResultStatus {
  const raw = optText(resource, 'status', path);
  if (!raw) return fail(422, 'required', `${path}.status`, 'missing; the status (e.g. final, amended) is required');
  const mapped = report ? (REPORT_STATUS[raw] ?? raw) : raw;
  const parsed = ResultStatus.safeParse(mapped);
  if (!parsed.success) {
    const allowed = report ? [...ResultStatus.options, ...Object.keys(REPORT_STATUS)] : ResultStatus.options;
    return fail(
      422,
      'value',
      `${path}.status`,
      `unknown status "${raw.slice(0, 40)}"; CareHub files ${allowed.join(', ')}`,
    );
  }
  return parsed.data;
}

// --- When ----------------------------------------------------------------------------------

/** When: effectiveDateTime, effectivePeriod.start, effectiveInstant, else issued; always a time with its zone. */
export function effectiveOf(resource: Rec, path: string): string | undefined {
  const period = optRec(resource, 'effectivePeriod', path);
  const candidates = [
    dateTimeAt(resource, 'effectiveDateTime', path),
    period ? dateTimeAt(period, 'start', `${path}.effectivePeriod`) : undefined,
    dateTimeAt(resource, 'effectiveInstant', path),
    dateTimeAt(resource, 'issued', path),
  ];
  const full = candidates.find((c) => c?.full)?.full;
  if (full) return full;
  if (candidates.some((c) => c?.partial)) {
    return fail(
      422,
      'value',
      `${path}.effective[x]`,
      'a date without a time; CareHub files results with the time and its zone (or give issued)',
    );
  }
  return undefined;
}

// --- Value ---------------------------------------------------------------------------------

const VALUE_KEYS = [
  'valueQuantity',
  'valueCodeableConcept',
  'valueString',
  'valueBoolean',
  'valueInteger',
  'valueRange',
  'valueRatio',
  'valueSampledData',
  'valueTime',
  'valueDateTime',
  'valuePeriod',
] as const;
const COMPARATORS = new Set(['<', '<=', '>=', '>']);

interface Value {
  value?: number | string;
  unit?: string;
}

/** The UCUM code of a Quantity's unit; a quantity without unit or code is refused. */
function quantity(q: Rec, path: string): Value {
  const value = optNum(q, 'value', path);
  if (value === undefined) return fail(422, 'required', `${path}.value`, 'missing; a quantity needs its number');
  const system = optText(q, 'system', path);
  const code = optText(q, 'code', path);
  const unitText = optText(q, 'unit', path);
  const unit = !system || system === UCUM_SYSTEM ? (code ?? unitText) : (unitText ?? code);
  if (!unit) {
    return fail(
      422,
      'required',
      path,
      'value has no unit: give the UCUM code (code, with system http://unitsofmeasure.org; "1" for a number without a unit)',
    );
  }
  const comparator = optText(q, 'comparator', path);
  if (comparator !== undefined && !COMPARATORS.has(comparator))
    fail(422, 'value', `${path}.comparator`, 'must be <, <=, >= or >');
  // "< 5" is not 5: a censored value is kept as written, never as the bare number.
  return { value: comparator ? `${comparator}${value}` : value, unit };
}

/** The value[x] of an Observation or an Observation.component. */
export function observationValue(resource: Rec, path: string): Value {
  const present = VALUE_KEYS.filter((k) => own(resource, k) !== undefined && own(resource, k) !== null);
  if (present.length > 1)
    return fail(400, 'structure', path, `has ${present.join(' and ')}; an Observation has one value[x]`);
  const key = present[0];
  if (key === undefined) return {};
  const p = `${path}.${key}`;
  const raw = own(resource, key);
  switch (key) {
    case 'valueQuantity': {
      if (!isRec(raw)) return fail(400, 'structure', p, 'must be an object');
      return quantity(raw, p);
    }
    case 'valueInteger': {
      const n = optNum(resource, key, path) as number;
      if (!Number.isInteger(n)) return fail(400, 'structure', p, 'must be an integer');
      return { value: n };
    }
    case 'valueString':
      return { value: checkTextLength((optStr(resource, key, path) as string).trim(), p) };
    case 'valueTime':
    case 'valueDateTime':
      return { value: (optStr(resource, key, path) as string).trim() };
    case 'valueBoolean':
      if (typeof raw !== 'boolean') return fail(400, 'structure', p, 'must be true or false');
      return { value: String(raw) };
    case 'valueCodeableConcept': {
      const concept = optRec(resource, key, path) as Rec;
      const text = conceptText(concept, p);
      if (!text) return fail(422, 'value', p, 'has no text, display or code');
      return { value: text };
    }
    default:
      return fail(
        422,
        'not-supported',
        p,
        `${key} is not supported; send a valueQuantity, valueString, valueCodeableConcept, valueBoolean or valueInteger`,
      );
  }
}

/** A value in words, for summaries: "4.2 mmol/L", "positiv". */
export function valueText(v: Value): string | undefined {
  if (v.value === undefined) return undefined;
  return v.unit && v.unit !== '1' ? `${v.value} ${v.unit}` : String(v.value);
}

// --- Flags and ranges ----------------------------------------------------------------------

const INTERPRETATION_SYSTEMS = [
  INTERPRETATION_SYSTEM,
  'http://hl7.org/fhir/v3/ObservationInterpretation',
  // v2 table 0078 (abnormal flags) holds the same codes for these flags.
  'http://terminology.hl7.org/CodeSystem/v2-0078',
  'http://hl7.org/fhir/v2/0078',
];

function interpretationOf(resource: Rec, path: string): Interpretation | undefined {
  for (const { rec, path: p } of recs(resource, 'interpretation', path)) {
    for (const c of codings(rec, p)) {
      if (!c.system || !INTERPRETATION_SYSTEMS.includes(c.system)) continue;
      const flag = Interpretation.safeParse(c.code);
      if (flag.success) return flag.data;
    }
  }
  return undefined;
}

function referenceRangeOf(resource: Rec, path: string): ReferenceRange | undefined {
  const first = recs(resource, 'referenceRange', path)[0];
  if (!first) return undefined;
  const low = optRec(first.rec, 'low', first.path);
  const high = optRec(first.rec, 'high', first.path);
  const range: ReferenceRange = {};
  const lowValue = low ? optNum(low, 'value', `${first.path}.low`) : undefined;
  const highValue = high ? optNum(high, 'value', `${first.path}.high`) : undefined;
  const text = optText(first.rec, 'text', first.path);
  if (lowValue !== undefined) range.low = lowValue;
  if (highValue !== undefined) range.high = highValue;
  if (text !== undefined) range.text = checkTextLength(text, `${first.path}.text`);
  return Object.keys(range).length > 0 ? range : undefined;
}

// --- Narrative -----------------------------------------------------------------------------

/** The lab's comments, why a value is absent, and the components, as lines. */
function narrativeOf(resource: Rec, path: string): string | undefined {
  const lines: string[] = [];
  for (const { rec, path: p } of recs(resource, 'note', path)) {
    const text = optText(rec, 'text', p);
    if (text) lines.push(checkTextLength(text, `${p}.text`));
  }
  const absent = optRec(resource, 'dataAbsentReason', path);
  const reason = absent ? conceptText(absent, `${path}.dataAbsentReason`) : undefined;
  if (reason) lines.push(`No value: ${reason}`);
  for (const { rec, path: p } of recs(resource, 'component', path)) {
    const code = optRec(rec, 'code', p);
    const name = code ? conceptText(code, `${p}.code`) : undefined;
    const value = valueText(observationValue(rec, p));
    if (name || value) lines.push(`${name ?? 'Component'}: ${value ?? '—'}`);
  }
  return lines.length > 0 ? checkTextLength(lines.join('\n'), path) : undefined;
}

/** A one-line summary of an Observation that is part of a narrative report ("Tumour size: 12 mm"). */
export function observationLine(obs: Located): string | undefined {
  const code = optRec(obs.resource, 'code', obs.path);
  const name = code ? conceptText(code, `${obs.path}.code`) : undefined;
  const value = valueText(observationValue(obs.resource, obs.path)) ?? narrativeOf(obs.resource, obs.path);
  if (!name && !value) return undefined;
  return `${name ?? 'Result'}: ${value ?? '—'}`;
}

// --- The result ----------------------------------------------------------------------------

export interface FromReport {
  /** The CPR of the report's subject, for an Observation that names none. */
  cpr?: string;
}

export function observationResult(obs: Located, opts: IntakeOptions, from: FromReport = {}): IncomingResult {
  const { resource, path } = obs;
  const identifier = identifierOf(resource, path, 'an Observation');
  const status = statusOf(resource, path);
  const code = primaryCoding(optRec(resource, 'code', path), `${path}.code`, 'an Observation');
  const cpr = subjectCpr(obs, opts, from.cpr);
  const section = sectionOf(resource, path);
  const category: ResultCategory = section ?? 'laboratory';
  optArr(resource, 'hasMember', path); // type check only: members are filed as results of their own
  const { value, unit } = observationValue(resource, path);
  const result: IncomingResult = {
    identifier,
    cpr,
    kind: category === 'imaging' ? 'imaging' : 'lab',
    category,
    code,
    status,
  };
  if (value !== undefined) result.value = value;
  if (unit !== undefined) result.unit = unit;
  const interpretation = interpretationOf(resource, path);
  if (interpretation) result.interpretation = interpretation;
  const referenceRange = referenceRangeOf(resource, path);
  if (referenceRange) result.referenceRange = referenceRange;
  const effective = effectiveOf(resource, path);
  if (effective) result.effective = effective;
  const text = narrativeOf(resource, path);
  if (text) result.text = text;
  return result;
}
