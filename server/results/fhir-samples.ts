import type { Bundle, BundleEntry, DiagnosticReport, MessageHeader, Observation, Patient, Reference } from 'fhir/r4';
import { formatCpr } from '../../shared/cpr.ts';
import {
  CPR_SYSTEM,
  CRITICAL_FLAGS,
  LOINC_SYSTEM,
  NPU_SYSTEM,
  UCUM_SYSTEM,
  type EncounterEvent,
  type EncounterNotification,
  type Interpretation,
  type ResultStatus,
} from '../../shared/results.ts';
import { nameUuid } from '../fhir/fhir-values.ts';

/**
 * Realistic FHIR R4 submissions as Danish lab, imaging and pathology systems send them: the
 * lab-feed simulator files them, and the tests (tests/fixtures/fhir) build their fixtures with
 * them. Every builder is deterministic for its arguments: identifiers and fullUrls are derived
 * from `id`, values are given or drawn from the `random` passed in.
 *
 * Codes: NPU (urn:oid:1.2.208.176.2.1; the Danish DNK codes share the system) for lab results;
 * eGFR is DNK35302 (the national Danish eGFR code, CKD-EPI), LOINC for imaging and pathology
 * report types, HL7 v2 table 0074 for the diagnostic service section.
 */

export type Sex = 'female' | 'male';

export interface SamplePatient {
  name: string;
  /** Ten digits, no hyphen. */
  cpr: string;
}

/** The demo patients (server/seed/demo-data.ts). */
export const DEMO_PATIENTS: readonly SamplePatient[] = [
  { name: 'Carl Jensen', cpr: '1203451237' },
  { name: 'Ingrid Madsen', cpr: '0704521228' },
  { name: 'Erik Nielsen', cpr: '0307380115' },
  { name: 'Aisha Khan', cpr: '2211887654' },
];

/** The CPR's last digit is odd for men, even for women. */
export function sexOf(cpr: string): Sex {
  return Number(cpr.slice(-1)) % 2 === 1 ? 'male' : 'female';
}

export const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

/** Identifier systems of the simulated sending systems. */
export const SENDER = {
  lab: 'https://labportal.regionh.example/fhir/sid/analysis',
  labReport: 'https://labportal.regionh.example/fhir/sid/requisition',
  imaging: 'https://ris.regionh.example/fhir/sid/report',
  pathology: 'https://patobank.example/fhir/sid/report',
  encounter: 'https://sp.regionh.example/fhir/sid/hospital-notification',
} as const;

// --- Lab analyses --------------------------------------------------------------------------

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
    range: (sex) => (sex === 'male' ? { low: 60, high: 105, text: '60 – 105 µmol/L' } : { low: 45, high: 90, text: '45 – 90 µmol/L' }),
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
    range: (sex) => (sex === 'male' ? { low: 8.3, high: 10.5, text: '8,3 – 10,5 mmol/L' } : { low: 7.3, high: 9.5, text: '7,3 – 9,5 mmol/L' }),
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

export const PANEL: readonly AnalysisKey[] = ['potassium', 'sodium', 'creatinine', 'egfr', 'haemoglobin', 'crp', 'hba1c'];

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

/** A small seeded generator (mulberry32), so a feed or a fuzz run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (v: number, decimals: number): number => Number(v.toFixed(decimals));

/** Plausible values for a panel; `criticalPotassium` puts P-Kalium above the critical limit. */
export function randomPanelValues(random: () => number, sex: Sex, opts: { criticalPotassium?: boolean } = {}): Record<AnalysisKey, number> {
  const values = {} as Record<AnalysisKey, number>;
  for (const key of PANEL) {
    const [lo, hi] = ANALYSES[key].usual(sex);
    values[key] = round(lo + (hi - lo) * random(), ANALYSES[key].decimals);
  }
  if (opts.criticalPotassium) values.potassium = round(6.2 + random() * 1.2, 1);
  return values;
}

// --- Time ----------------------------------------------------------------------------------

/** `at` as a FHIR dateTime in Danish time with its offset, e.g. 2024-03-05T08:30:00+01:00. */
export function danishTime(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const [y, mo, d, h, mi, s] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map(get) as [string, string, string, string, string, string];
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `time` moved by `minutes`, keeping the written offset. */
export function shiftTime(time: string, minutes: number): string {
  const offset = /([+-]\d{2}:\d{2}|Z)$/.exec(time)?.[1] ?? 'Z';
  const ms = Date.parse(time) + minutes * 60_000;
  const sign = offset === 'Z' ? 0 : offset.startsWith('-') ? -1 : 1;
  const offsetMin = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  return `${local}${offset === 'Z' ? 'Z' : offset}`;
}

// --- Builders ------------------------------------------------------------------------------

export type SubjectStyle = 'identifier' | 'hyphenated' | 'none' | { reference: string };

/** A subject by CPR identifier (the form CareHub asks of senders) or by reference. */
export function subject(cpr: string, style: SubjectStyle = 'identifier'): Reference | undefined {
  if (style === 'none') return undefined;
  if (typeof style === 'object') return { reference: style.reference };
  return { identifier: { system: CPR_SYSTEM, value: style === 'hyphenated' ? formatCpr(cpr) : cpr } };
}

export function patientResource(cpr: string, id: string, name?: string): Patient {
  const [given, ...family] = (name ?? '').split(' ');
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system: CPR_SYSTEM, value: cpr }],
    ...(name ? { name: [{ family: family.join(' '), given: [given ?? ''] }] } : {}),
  };
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
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'laboratory', display: 'Laboratory' }] }],
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
    ...(flag ? { interpretation: [{ coding: [{ system: INTERPRETATION_SYSTEM, code: flag, display: FLAG_DISPLAY[flag] }] }] } : {}),
    referenceRange: [
      {
        ...(range.low !== undefined ? { low: { value: range.low, unit: a.unit, system: UCUM_SYSTEM, code: a.ucum } } : {}),
        ...(range.high !== undefined ? { high: { value: range.high, unit: a.unit, system: UCUM_SYSTEM, code: a.ucum } } : {}),
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

function panelReport(o: PanelInput, result: Reference[], subj: Reference | undefined, resourceId?: string): DiagnosticReport {
  return {
    resourceType: 'DiagnosticReport',
    ...(resourceId ? { id: resourceId } : {}),
    identifier: [{ system: SENDER.labReport, value: o.id }],
    status: o.status ?? 'final',
    category: [{ coding: [{ system: V2_0074, code: 'LAB', display: 'Laboratory' }] }],
    code: { coding: [{ system: LOINC_SYSTEM, code: '11502-2', display: 'Laboratory report' }], text: 'Blodprøver' },
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
  const report = panelReport(o, observations.map((e) => ({ reference: e.fullUrl })), { reference: patientUrl });
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
    labObservation({ cpr: o.cpr, analysis: key, value: o.values[key], id: analysisId(o, key), time: o.time, status: o.status, sex: o.sex, subject: 'none', resourceId: key }),
  );
  const report = panelReport(o, keys.map((key) => ({ reference: `#${key}` })), subject(o.cpr, o.subject ?? 'identifier'));
  return { ...report, contained };
}

/** A single P-Kalium above the critical limit, flagged HH, as labs phone and file it. */
export function criticalPotassium(o: { cpr: string; id: string; time: string; value?: number; subject?: SubjectStyle }): Observation {
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

// --- Imaging and pathology -----------------------------------------------------------------

export type Modality = 'xray' | 'ct' | 'ultrasound';

const MODALITIES: Record<Modality, { section: string; sectionDisplay: string; loinc: string; loincDisplay: string; title: string }> = {
  xray: { section: 'RAD', sectionDisplay: 'Radiology', loinc: '36643-5', loincDisplay: 'XR Chest 2 Views', title: 'Røntgen af thorax, to planer' },
  ct: { section: 'CT', sectionDisplay: 'CAT Scan', loinc: '24627-2', loincDisplay: 'CT Chest', title: 'CT af thorax med kontrast' },
  ultrasound: { section: 'RUS', sectionDisplay: 'Radiology Ultrasound', loinc: '24532-4', loincDisplay: 'US Abdomen RUQ', title: 'Ultralyd af øvre abdomen' },
};

/** Report texts as a Danish radiologist writes them: [conclusion, full description]. */
export const IMAGING_TEXTS: Record<Modality, readonly [string, string][]> = {
  xray: [
    ['Ingen infiltrater. Normal hjertestørrelse.', 'Klinisk information: Hoste og feber i 5 dage.\nBeskrivelse: Lungerne er velekspanderede uden infiltrater. Ingen pleuraeffusion. Hjertet er normalt af størrelse og konfiguration. Ingen pneumothorax.'],
    ['Infiltrat i højre underlap, forenelig med pneumoni.', 'Klinisk information: Feber, forhøjet CRP.\nBeskrivelse: Fortætning i højre underlap med luftbronkogram. Lille pleuraeffusion basalt til højre. Hjertet normalt af størrelse.'],
    ['Let stase. Forstørret hjerte.', 'Klinisk information: Tiltagende dyspnø og ødemer.\nBeskrivelse: Kardiomegali. Karrene i lungerne er let prominente, forenelig med let stase. Små bilaterale pleuraeffusioner.'],
  ],
  ct: [
    ['Ingen lungeemboli. Ingen tegn på malignitet.', 'Klinisk information: Akut dyspnø, forhøjet D-dimer.\nBeskrivelse: Kontrastopladning af lungearterierne uden fyldningsdefekter. Lungeparenkymet er upåfaldende. Ingen forstørrede lymfeknuder i mediastinum.'],
    ['Nyopstået 9 mm nodulus i venstre overlap. Kontrol-CT om 3 måneder anbefales.', 'Klinisk information: Tidligere ryger, vægttab.\nBeskrivelse: Solid nodulus på 9 mm i venstre overlap. Ingen patologisk forstørrede lymfeknuder. Ingen pleuraeffusion.'],
  ],
  ultrasound: [
    ['Galdesten uden tegn på kolecystitis.', 'Klinisk information: Smerter under højre kurvatur efter måltider.\nBeskrivelse: Flere ekkogene, mobile konkrementer i galdeblæren med slagskygge. Galdeblærevæggen er ikke fortykket. Galdegangene er ikke dilaterede. Leveren er upåfaldende.'],
    ['Normale forhold.', 'Klinisk information: Forhøjede levertal.\nBeskrivelse: Leveren er normal af størrelse og ekkogenicitet. Galdeblæren er tyndvægget uden konkrementer. Normale galdeveje.'],
  ],
};

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface ImagingInput {
  cpr: string;
  id: string;
  time: string;
  modality: Modality;
  /** Which of IMAGING_TEXTS[modality] (wraps around). */
  variant?: number;
  /** The presented form: plain text (default for X-ray), HTML (default for CT and ultrasound), or none. */
  form?: 'text' | 'html' | 'none';
  status?: ResultStatus | 'partial' | 'appended';
  subject?: SubjectStyle;
}

/** An imaging report: conclusion, a coded conclusion (ultrasound) and the full report as presentedForm. */
export function imagingReport(o: ImagingInput): DiagnosticReport {
  const m = MODALITIES[o.modality];
  const texts = IMAGING_TEXTS[o.modality];
  const [conclusion, description] = texts[(o.variant ?? 0) % texts.length] as [string, string];
  const full = `${m.title}\n\n${description}\n\nKonklusion: ${conclusion}`;
  const form = o.form ?? (o.modality === 'xray' ? 'text' : 'html');
  const html = `<html><head><title>${m.title}</title><style>p{margin:0}</style></head><body><h1>${escapeHtml(m.title)}</h1>${description
    .split('\n')
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('')}<p><b>Konklusion:</b> ${escapeHtml(conclusion)}</p></body></html>`;
  const subj = subject(o.cpr, o.subject);
  return {
    resourceType: 'DiagnosticReport',
    identifier: [{ system: SENDER.imaging, value: o.id }],
    status: o.status ?? 'final',
    category: [{ coding: [{ system: V2_0074, code: m.section, display: m.sectionDisplay }] }],
    code: { coding: [{ system: LOINC_SYSTEM, code: m.loinc, display: m.loincDisplay }], text: m.title },
    ...(subj ? { subject: subj } : {}),
    effectiveDateTime: o.time,
    issued: shiftTime(o.time, 240),
    performer: [{ display: 'Radiologisk Klinik, Rigshospitalet' }],
    resultsInterpreter: [{ display: 'Overlæge, Radiologisk Klinik' }],
    conclusion,
    ...(o.modality === 'ultrasound' ? { conclusionCode: [{ text: conclusion.replace(/\.$/, '') }] } : {}),
    ...(form === 'none'
      ? {}
      : {
          presentedForm: [
            form === 'text'
              ? { contentType: 'text/plain; charset=utf-8', language: 'da', data: base64(full), title: m.title }
              : { contentType: 'text/html', language: 'da', data: base64(html), title: m.title },
          ],
        }),
  };
}

/** A histopathology report (colon polyp): category PAT, LOINC 22637-3, one contained measurement. */
export function pathologyReport(o: { cpr: string; id: string; time: string; subject?: SubjectStyle; status?: ResultStatus }): DiagnosticReport {
  const subj = subject(o.cpr, o.subject);
  return {
    resourceType: 'DiagnosticReport',
    identifier: [{ system: SENDER.pathology, value: o.id }],
    status: o.status ?? 'final',
    category: [{ coding: [{ system: V2_0074, code: 'PAT', display: 'Pathology (gross & histopath, not surgical)' }] }],
    code: { coding: [{ system: LOINC_SYSTEM, code: '22637-3', display: 'Pathology report final diagnosis Narrative' }], text: 'Histologisk undersøgelse' },
    ...(subj ? { subject: subj } : {}),
    effectiveDateTime: o.time,
    issued: shiftTime(o.time, 4 * 24 * 60),
    performer: [{ display: 'Patologiafdelingen, Rigshospitalet' }],
    contained: [
      {
        resourceType: 'Observation',
        id: 'size',
        status: o.status ?? 'final',
        code: { text: 'Polyppens største diameter' },
        valueQuantity: { value: 8, unit: 'mm', system: UCUM_SYSTEM, code: 'mm' },
      },
    ],
    result: [{ reference: '#size' }],
    conclusion: 'Colon sigmoideum, polyp: Tubulært adenom med lavgradig dysplasi. Fjernet i sin helhed (frie resektionsrande).',
    presentedForm: [
      {
        contentType: 'text/plain; charset=utf-8',
        data: base64(
          'Materiale: Polyp fra colon sigmoideum, fjernet ved koloskopi.\nMakroskopi: Polyp, 8 mm, indstøbt i sin helhed.\nMikroskopi: Tubulært adenom med lavgradig dysplasi. Ingen højgradig dysplasi eller invasiv vækst.\nDiagnose: Tubulært adenom med lavgradig dysplasi, radikalt fjernet.',
        ),
      },
    ],
  };
}

// --- Bundles -------------------------------------------------------------------------------

/** Resources gathered in a collection Bundle (no requests), each under a `urn:uuid:` fullUrl. */
export function collectionBundle(id: string, resources: (Observation | DiagnosticReport | Patient)[]): Bundle {
  return {
    resourceType: 'Bundle',
    id: nameUuid('sample', id, 'bundle'),
    type: 'collection',
    entry: resources.map((resource, i) => ({ fullUrl: `urn:uuid:${nameUuid('sample', id, 'entry', String(i))}`, resource })),
  };
}

/** A message Bundle: the MessageHeader first, focused on the report, then the report and the rest. */
export function messageBundle(id: string, time: string, focus: DiagnosticReport | Observation, others: (Observation | Patient)[] = []): Bundle {
  const focusUrl = `urn:uuid:${nameUuid('sample', id, 'focus')}`;
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: nameUuid('sample', id, 'header'),
    eventCoding: { system: 'http://hl7.org/fhir/message-events', code: 'diagnosticreport-provide', display: 'diagnosticreport-provide' },
    source: { name: 'Labportal', endpoint: 'https://labportal.regionh.example/fhir' },
    destination: [{ name: 'CareHub', endpoint: 'https://carehub.example/api/v1/results' }],
    focus: [{ reference: focusUrl }],
  };
  return {
    resourceType: 'Bundle',
    id: nameUuid('sample', id, 'bundle'),
    type: 'message',
    timestamp: time,
    entry: [
      { fullUrl: `urn:uuid:${header.id}`, resource: header },
      { fullUrl: focusUrl, resource: focus },
      ...others.map((resource, i) => ({ fullUrl: `urn:uuid:${nameUuid('sample', id, 'other', String(i))}`, resource })),
    ],
  };
}

// --- Hospital notifications ----------------------------------------------------------------

export const DEPARTMENTS: readonly { hospital: string; department: string }[] = [
  { hospital: 'Rigshospitalet', department: 'Kardiologisk Klinik, afsnit 2143' },
  { hospital: 'Rigshospitalet', department: 'Medicinsk Endokrinologisk Klinik PE' },
  { hospital: 'Holbæk Sygehus', department: 'Medicinsk Afdeling, M2' },
  { hospital: 'Holbæk Sygehus', department: 'Akutafdelingen' },
];

export function encounterNotification(o: {
  cpr: string;
  id: string;
  event: EncounterEvent;
  time: string;
  hospital?: string;
  department?: string;
  hyphenated?: boolean;
}): EncounterNotification {
  return {
    identifier: `${SENDER.encounter}|${o.id}`,
    cpr: o.hyphenated ? formatCpr(o.cpr) : o.cpr,
    event: o.event,
    time: o.time,
    hospital: o.hospital ?? 'Rigshospitalet',
    department: o.department ?? 'Kardiologisk Klinik, afsnit 2143',
  };
}

/** Whether a flag needs a clinician's acknowledgement (re-exported for the feed's printout). */
export const isCritical = (flag: Interpretation | undefined): boolean => flag !== undefined && CRITICAL_FLAGS.includes(flag);
