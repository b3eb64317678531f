import type { DiagnosticReport } from 'fhir/r4';
import { DIAGNOSTIC_SERVICE_SYSTEM, LOINC_SYSTEM, UCUM_SYSTEM } from '../../shared/fhir-systems.ts';
import type { ResultStatus } from '../../shared/results.ts';
import { SENDER, shiftTime, subject, type SubjectStyle } from './sample-common.ts';

/**
 * Imaging and pathology reports as Danish radiology and pathology systems send them: a
 * DiagnosticReport with its conclusion and the full report as presentedForm (LOINC report
 * types, HL7 v2 table 0074 sections), in a Danish specialist's words.
 */

export type Modality = 'xray' | 'ct' | 'ultrasound';

const MODALITIES: Record<Modality, { section: string; sectionDisplay: string; loinc: string; title: string }> = {
  xray: {
    section: 'RAD',
    sectionDisplay: 'Radiology',
    loinc: '36643-5',
    title: 'Røntgen af thorax, to planer',
  },
  ct: {
    section: 'CT',
    sectionDisplay: 'CAT Scan',
    loinc: '24627-2',
    title: 'CT af thorax med kontrast',
  },
  ultrasound: {
    section: 'RUS',
    sectionDisplay: 'Radiology Ultrasound',
    loinc: '24532-4',
    title: 'Ultralyd af øvre abdomen',
  },
};

/** Report texts as a Danish radiologist writes them: [conclusion, full description]. */
const IMAGING_TEXTS: Record<Modality, readonly [string, string][]> = {
  xray: [
    [
      'Ingen infiltrater. Normal hjertestørrelse.',
      'Klinisk information: Hoste og feber i 5 dage.\nBeskrivelse: Lungerne er velekspanderede uden infiltrater. Ingen pleuraeffusion. Hjertet er normalt af størrelse og konfiguration. Ingen pneumothorax.',
    ],
    [
      'Infiltrat i højre underlap, forenelig med pneumoni.',
      'Klinisk information: Feber, forhøjet CRP.\nBeskrivelse: Fortætning i højre underlap med luftbronkogram. Lille pleuraeffusion basalt til højre. Hjertet normalt af størrelse.',
    ],
    [
      'Let stase. Forstørret hjerte.',
      'Klinisk information: Tiltagende dyspnø og ødemer.\nBeskrivelse: Kardiomegali. Karrene i lungerne er let prominente, forenelig med let stase. Små bilaterale pleuraeffusioner.',
    ],
  ],
  ct: [
    [
      'Ingen lungeemboli. Ingen tegn på malignitet.',
      'Klinisk information: Akut dyspnø, forhøjet D-dimer.\nBeskrivelse: Kontrastopladning af lungearterierne uden fyldningsdefekter. Lungeparenkymet er upåfaldende. Ingen forstørrede lymfeknuder i mediastinum.',
    ],
    [
      'Nyopstået 9 mm nodulus i venstre overlap. Kontrol-CT om 3 måneder anbefales.',
      'Klinisk information: Tidligere ryger, vægttab.\nBeskrivelse: Solid nodulus på 9 mm i venstre overlap. Ingen patologisk forstørrede lymfeknuder. Ingen pleuraeffusion.',
    ],
  ],
  ultrasound: [
    [
      'Galdesten uden tegn på kolecystitis.',
      'Klinisk information: Smerter under højre kurvatur efter måltider.\nBeskrivelse: Flere ekkogene, mobile konkrementer i galdeblæren med slagskygge. Galdeblærevæggen er ikke fortykket. Galdegangene er ikke dilaterede. Leveren er upåfaldende.',
    ],
    [
      'Normale forhold.',
      'Klinisk information: Forhøjede levertal.\nBeskrivelse: Leveren er normal af størrelse og ekkogenicitet. Galdeblæren er tyndvægget uden konkrementer. Normale galdeveje.',
    ],
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
    category: [{ coding: [{ system: DIAGNOSTIC_SERVICE_SYSTEM, code: m.section, display: m.sectionDisplay }] }],
    // Named as a Danish department's system names it (LOINC's Danish linguistic variant); the
    // English LOINC name would be what the clinician reads.
    code: { coding: [{ system: LOINC_SYSTEM, code: m.loinc, display: m.title }], text: m.title },
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
export function pathologyReport(o: {
  cpr: string;
  id: string;
  time: string;
  subject?: SubjectStyle;
  status?: ResultStatus;
}): DiagnosticReport {
  const subj = subject(o.cpr, o.subject);
  return {
    resourceType: 'DiagnosticReport',
    identifier: [{ system: SENDER.pathology, value: o.id }],
    status: o.status ?? 'final',
    category: [
      {
        coding: [
          { system: DIAGNOSTIC_SERVICE_SYSTEM, code: 'PAT', display: 'Pathology (gross & histopath, not surgical)' },
        ],
      },
    ],
    code: {
      coding: [{ system: LOINC_SYSTEM, code: '22637-3', display: 'Histologisk undersøgelse' }],
      text: 'Histologisk undersøgelse',
    },
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
    conclusion:
      'Colon sigmoideum, polyp: Tubulært adenom med lavgradig dysplasi. Fjernet i sin helhed (frie resektionsrande).',
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
