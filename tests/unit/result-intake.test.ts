import type { Bundle, DiagnosticReport, Observation, OperationOutcomeIssue } from 'fhir/r4';
import { beforeAll, describe, expect, it } from 'vitest';
import { IncomingResult } from '../../shared/results.ts';
import { parseEncounterNotification, parseResultSubmission } from '../../server/results/fhir-intake.ts';
import { htmlToText } from '../../server/results/fhir-read.ts';
import { seededRandom } from '../../shared/seeded-random.ts';
import { DEMO_PATIENTS } from '../../server/seed/demo-patients.ts';
import { FeedPlanner, MAX_CONNECTION_FAILURES, runLabFeed } from '../../server/simulator/lab-feed.ts';
import { ANALYSES, PANEL, flagFor, randomPanelValues } from '../../server/simulator/lab-samples.ts';
import { sexOf } from '../../server/simulator/sample-common.ts';
import {
  AISHA,
  CARL,
  ERIK,
  INGRID,
  PANEL_VALUES,
  T0,
  amendedPotassium,
  bloodPanel,
  bloodPanelContained,
  chestXray,
  collection,
  criticalKalium,
  ctThorax,
  hospitalNotification,
  message,
  pathology,
  potassium,
  ultrasound,
} from '../fixtures/fhir/index.ts';
import { schemaValidator, type SchemaValidator } from '../fixtures/fhir-schema.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests break FHIR resources on purpose */

const REGISTERED_REPLACEMENT = '120345EK37';
const opts = { isRegisteredReplacementCpr: (cpr: string) => cpr === REGISTERED_REPLACEMENT };
const CPRS = [CARL, INGRID, ERIK, AISHA];

function accept(body: unknown): IncomingResult[] {
  const r = parseResultSubmission(body, opts);
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.outcome.issue)}`);
  return r.results;
}

interface Refusal {
  status: number;
  issue: OperationOutcomeIssue;
  /** `code: diagnostics`, for matching. */
  text: string;
}

function refuse(body: unknown): Refusal {
  const r = parseResultSubmission(body, opts);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(r.results).slice(0, 500)}`);
  expect(r.outcome.resourceType).toBe('OperationOutcome');
  expect(r.outcome.issue).toHaveLength(1);
  const issue = r.outcome.issue[0] as OperationOutcomeIssue;
  expect(issue.severity).toBe('error');
  return { status: r.status, issue, text: `${issue.code}: ${issue.diagnostics}` };
}

/** A deep copy to break. */
const edit = <T>(resource: T, change: (r: any) => void): T => {
  const copy = structuredClone(resource);
  change(copy);
  return copy;
};

const entryOf = (bundle: Bundle, type: string): any => bundle.entry?.find((e) => e.resource?.resourceType === type);

describe('result intake: accepted submissions', () => {
  it('files a blood panel Bundle (transaction) as one result per Observation, with NPU codes, UCUM units, flags and ranges', () => {
    const results = accept(bloodPanel());
    expect(results).toHaveLength(7);
    expect(results.map((r) => r.code.code)).toEqual([
      'NPU03230',
      'NPU03429',
      'NPU04998',
      'DNK35302',
      'NPU02319',
      'NPU19748',
      'NPU27300',
    ]);
    for (const r of results) {
      expect(IncomingResult.safeParse(r).success).toBe(true);
      expect(r).toMatchObject({ cpr: CARL, kind: 'lab', category: 'laboratory', status: 'final', effective: T0 });
      expect(r.code.system).toBe('urn:oid:1.2.208.176.2.1');
    }
    const [k, na, krea, egfr, hb, crp, hba1c] = results as [IncomingResult, ...IncomingResult[]];
    expect(k).toEqual({
      identifier: 'https://labportal.regionh.example/fhir/sid/analysis|REK-240305-0001-NPU03230',
      cpr: CARL,
      kind: 'lab',
      category: 'laboratory',
      code: { system: 'urn:oid:1.2.208.176.2.1', code: 'NPU03230', display: 'P-Kalium' },
      value: 4.2,
      unit: 'mmol/L',
      interpretation: 'N',
      referenceRange: { low: 3.5, high: 4.6, text: '3,5 – 4,6 mmol/L' },
      effective: T0,
      status: 'final',
    });
    expect(na).toMatchObject({ value: 139, unit: 'mmol/L', interpretation: 'N' });
    expect(krea).toMatchObject({
      value: 112,
      unit: 'umol/L',
      interpretation: 'H',
      referenceRange: { low: 60, high: 105 },
    });
    expect(egfr).toMatchObject({
      value: 54,
      unit: 'mL/min/{1.73_m2}',
      interpretation: 'L',
      referenceRange: { low: 60 },
    });
    expect(hb).toMatchObject({ value: 8.9, unit: 'mmol/L', interpretation: 'N' });
    expect(crp).toMatchObject({ value: 3, unit: 'mg/L', interpretation: 'N', referenceRange: { high: 8 } });
    expect(hba1c).toMatchObject({ value: 56, unit: 'mmol/mol', interpretation: 'H' });
    expect(new Set(results.map((r) => r.identifier)).size).toBe(7);
  });

  it('takes the CPR from the Patient the subject references by urn:uuid (the Patient itself is not a result)', () => {
    const bundle = bloodPanel();
    const obs = bundle.entry?.find((e) => e.resource?.resourceType === 'Observation')?.resource as Observation;
    expect(obs.subject).toEqual({ reference: entryOf(bundle, 'Patient').fullUrl });
    expect(accept(bundle).every((r) => r.cpr === CARL)).toBe(true);
  });

  it('resolves result and subject references written as Type/id against the Bundle (batch)', () => {
    const bundle = edit(bloodPanel({ type: 'batch' }), (b) => {
      b.entry.forEach((e: any, i: number) => {
        e.fullUrl = `https://lab.regionh.example/fhir/${e.resource.resourceType}/${e.resource.id ?? `e${i}`}`;
        e.resource.id ??= `e${i}`;
      });
      const patientId = b.entry[0].resource.id;
      const report = b.entry[1].resource;
      report.subject = { reference: `Patient/${patientId}` };
      report.result = b.entry.slice(2).map((e: any) => ({ reference: `Observation/${e.resource.id}` }));
      for (const e of b.entry.slice(2)) e.resource.subject = { reference: `Patient/${patientId}` };
    });
    const results = accept(bundle);
    expect(results).toHaveLength(7);
    expect(results[0]).toMatchObject({ cpr: CARL, code: { code: 'NPU03230' } });
  });

  it("files a DiagnosticReport with contained Observations; they take the report's subject", () => {
    const report = bloodPanelContained();
    expect(report.contained?.[0]).not.toHaveProperty('subject');
    const results = accept(report);
    expect(results).toHaveLength(7);
    expect(results.every((r) => r.cpr === CARL && r.kind === 'lab')).toBe(true);
    expect(results[3]).toMatchObject({ code: { code: 'DNK35302', display: 'eGFR' }, value: 54 });
  });

  it("files a single critical P-Kalium (6.9 HH) with the lab's comment as text", () => {
    const [k] = accept(criticalKalium());
    expect(k).toMatchObject({
      code: { code: 'NPU03230' },
      value: 6.9,
      unit: 'mmol/L',
      interpretation: 'HH',
      status: 'final',
    });
    expect(k?.text).toContain('Kritisk værdi');
  });

  it('files an amended Observation under the same identifier as the original', () => {
    const [original] = accept(potassium({ id: 'K-1' }));
    const [amended] = accept(amendedPotassium({ id: 'K-1' }));
    expect(amended?.identifier).toBe(original?.identifier);
    expect(amended).toMatchObject({ status: 'amended', value: 5.1, interpretation: 'H' });
    expect(amended?.text).toContain('Rettet svar');
  });

  it('files a chest X-ray report as ONE imaging result: conclusion plus the decoded text/plain presented form', () => {
    const results = accept(chestXray());
    expect(results).toHaveLength(1);
    const [x] = results as [IncomingResult];
    expect(x).toMatchObject({
      identifier: 'https://ris.regionh.example/fhir/sid/report|RIS-240305-0001',
      cpr: CARL,
      kind: 'imaging',
      category: 'imaging',
      code: { system: 'http://loinc.org', code: '36643-5', display: 'Røntgen af thorax, to planer' },
      status: 'final',
      effective: T0,
    });
    expect(x.value).toBeUndefined();
    expect(x.text?.startsWith('Ingen infiltrater. Normal hjertestørrelse.')).toBe(true);
    expect(x.text).toContain('Røntgen af thorax, to planer');
    expect(x.text).toContain('Lungerne er velekspanderede uden infiltrater.');
  });

  it('files a CT report with an HTML presented form as text: tags, title and style gone, entities decoded', () => {
    const [ct] = accept(ctThorax());
    expect(ct).toMatchObject({ kind: 'imaging', category: 'imaging', code: { code: '24627-2' } });
    expect(ct?.text).toContain('Solid nodulus på 9 mm i venstre overlap.');
    expect(ct?.text).toContain('Konklusion: Nyopstået 9 mm nodulus');
    expect(ct?.text).not.toMatch(/[<>]|margin:0|&amp;/);
  });

  it('files an ultrasound report with a coded conclusion once (not repeated when the conclusion says it)', () => {
    const [us] = accept(ultrasound());
    expect(us).toMatchObject({ kind: 'imaging', code: { code: '24532-4' } });
    expect(us?.text?.match(/Galdesten uden tegn på kolecystitis/g)).toHaveLength(2); // the conclusion and the report's own "Konklusion:"
    const coded = accept(edit(ultrasound(), (r) => delete r.conclusion))[0];
    expect(coded?.text?.startsWith('Galdesten uden tegn på kolecystitis')).toBe(true);
  });

  it('files an imaging report without a presented form (conclusion only), and one categorised only by its ImagingStudy', () => {
    expect(accept(chestXray({ form: 'none' }))[0]?.text).toBe('Ingen infiltrater. Normal hjertestørrelse.');
    const byStudy = edit(chestXray(), (r) => {
      delete r.category;
      r.imagingStudy = [{ reference: 'ImagingStudy/123' }];
    });
    expect(accept(byStudy)[0]).toMatchObject({ kind: 'imaging', category: 'imaging' });
  });

  it('passes over a PDF presented form when there is a conclusion', () => {
    const r = edit(chestXray(), (x) => {
      x.presentedForm = [{ contentType: 'application/pdf', data: Buffer.from('%PDF-1.7').toString('base64') }];
    });
    expect(accept(r)[0]?.text).toBe('Ingen infiltrater. Normal hjertestørrelse.');
  });

  it('decodes a presented form in the charset its contentType names', () => {
    const r = edit(chestXray(), (x) => {
      x.presentedForm = [
        {
          contentType: 'text/plain; charset=iso-8859-1',
          data: Buffer.from('Lungerne er upåfaldende. Hjertet normalt.', 'latin1').toString('base64'),
        },
      ];
    });
    expect(accept(r)[0]?.text).toContain('Lungerne er upåfaldende.');
  });

  it('files a pathology report as ONE result of category pathology, its Observations summarised in the text', () => {
    const results = accept(pathology());
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      identifier: 'https://patobank.example/fhir/sid/report|PATO-240301-0042',
      kind: 'lab',
      category: 'pathology',
      code: { system: 'http://loinc.org', code: '22637-3' },
      effective: '2024-03-01T10:15:00+01:00',
    });
    expect(results[0]?.text).toContain('Tubulært adenom med lavgradig dysplasi');
    expect(results[0]?.text).toContain('Polyppens største diameter: 8 mm');
    expect(results[0]?.text).toContain('Mikroskopi:');
  });

  it('takes pathology from the category (PAT) of an Observation, or from a pathology code without category', () => {
    const obs = edit(potassium(), (o) => {
      o.category = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'PAT' }] }];
    });
    expect(accept(obs)[0]).toMatchObject({ category: 'pathology', kind: 'lab' });
    const byCode = edit(pathology(), (r) => delete r.category);
    expect(accept(byCode)[0]).toMatchObject({ category: 'pathology' });
    const labAndSp = edit(pathology(), (r) => {
      r.category = [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] },
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'SP' }] },
      ];
    });
    expect(accept(labAndSp)[0]).toMatchObject({ category: 'pathology' });
  });

  it('files a collection Bundle: each result for its own patient', () => {
    const results = accept(collection());
    expect(results.map((r) => [r.cpr, r.kind, r.category])).toEqual([
      [INGRID, 'lab', 'laboratory'],
      [ERIK, 'imaging', 'imaging'],
    ]);
    expect(results[0]).toMatchObject({ value: 3.3, interpretation: 'L' });
  });

  it('files a message Bundle, skipping its MessageHeader', () => {
    const bundle = message();
    expect(bundle.entry?.[0]?.resource?.resourceType).toBe('MessageHeader');
    const results = accept(bundle);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ cpr: AISHA, kind: 'imaging', code: { code: '24627-2' } });
  });

  it('maps DiagnosticReport statuses CareHub does not have: partial → preliminary, appended → amended', () => {
    expect(accept(chestXray({ status: 'partial' }))[0]?.status).toBe('preliminary');
    expect(accept(chestXray({ status: 'appended' }))[0]?.status).toBe('amended');
    expect(accept(chestXray({ status: 'corrected' }))[0]?.status).toBe('corrected');
  });
});

describe('result intake: codes, values, flags, ranges and times', () => {
  const coding = {
    npu: { system: 'urn:oid:1.2.208.176.2.1', code: 'NPU03230', display: 'P-Kalium' },
    loinc: { system: 'http://loinc.org', code: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma' },
    snomed: { system: 'http://snomed.info/sct', code: '59573005', display: 'Potassium measurement' },
    local: { system: 'urn:lab:local', code: 'K', display: 'Kalium' },
  };
  const withCodes = (...codings: object[]) => edit(potassium(), (o) => (o.code = { coding: codings }));

  it('prefers NPU, then LOINC, then SNOMED CT, then the first coding; keeps system, code and display', () => {
    expect(accept(withCodes(coding.local, coding.snomed, coding.loinc, coding.npu))[0]?.code).toEqual(coding.npu);
    expect(accept(withCodes(coding.local, coding.snomed, coding.loinc))[0]?.code).toEqual(coding.loinc);
    expect(accept(withCodes(coding.local, coding.snomed))[0]?.code).toEqual(coding.snomed);
    expect(accept(withCodes(coding.local))[0]?.code).toEqual(coding.local);
    const noDisplay = edit(
      potassium(),
      (o) => (o.code = { coding: [{ system: coding.npu.system, code: 'NPU03230' }], text: 'P-Kalium' }),
    );
    expect(accept(noDisplay)[0]?.code.display).toBe('P-Kalium');
  });

  it('refuses a code without a coding that has both system and code', () => {
    expect(refuse(edit(potassium(), (o) => (o.code = { text: 'Kalium' }))).text).toMatch(
      /^required: Observation\.code\.coding: no coding with both a system and a code/,
    );
    expect(refuse(edit(potassium(), (o) => delete o.code)).text).toMatch(/^required: Observation\.code: missing/);
  });

  it('takes the unit from the UCUM code, or from unit when the system is UCUM and the code is absent', () => {
    const q = (valueQuantity: object) => accept(edit(potassium(), (o) => (o.valueQuantity = valueQuantity)))[0];
    expect(q({ value: 4.2, unit: 'mmol/l', system: 'http://unitsofmeasure.org', code: 'mmol/L' })?.unit).toBe('mmol/L');
    expect(q({ value: 4.2, unit: 'mmol/L', system: 'http://unitsofmeasure.org' })?.unit).toBe('mmol/L');
    expect(q({ value: 4.2, code: 'mmol/L' })?.unit).toBe('mmol/L');
    expect(q({ value: 1.1, system: 'http://unitsofmeasure.org', code: '1' })).toMatchObject({ value: 1.1, unit: '1' });
    expect(
      q({ value: 5, comparator: '<', unit: 'mg/L', system: 'http://unitsofmeasure.org', code: 'mg/L' }),
    ).toMatchObject({ value: '<5', unit: 'mg/L' });
  });

  it('refuses a value without a unit, and a quantity without its number', () => {
    const r = refuse(edit(potassium(), (o) => (o.valueQuantity = { value: 4.2 })));
    expect(r.status).toBe(422);
    expect(r.text).toMatch(/^required: Observation\.valueQuantity: value has no unit/);
    expect(r.issue.expression).toEqual(['Observation.valueQuantity']);
    expect(refuse(edit(potassium(), (o) => delete o.valueQuantity.value)).text).toMatch(
      /Observation\.valueQuantity\.value: missing/,
    );
  });

  it('reads valueString, valueCodeableConcept, valueBoolean and valueInteger', () => {
    const v = (change: (o: any) => void) => accept(edit(potassium(), (o) => (delete o.valueQuantity, change(o))))[0];
    expect(v((o) => (o.valueString = 'Hæmolyseret, kan ikke analyseres'))?.value).toBe(
      'Hæmolyseret, kan ikke analyseres',
    );
    expect(
      v(
        (o) =>
          (o.valueCodeableConcept = {
            coding: [{ system: 'http://snomed.info/sct', code: '10828004', display: 'Positive' }],
          }),
      )?.value,
    ).toBe('Positive');
    expect(
      v(
        (o) =>
          (o.valueCodeableConcept = {
            text: 'Påvist',
            coding: [{ system: 'http://snomed.info/sct', code: '10828004', display: 'Positive' }],
          }),
      )?.value,
    ).toBe('Påvist');
    expect(v((o) => (o.valueBoolean = false))?.value).toBe('false');
    expect(v((o) => (o.valueInteger = 3))).toMatchObject({ value: 3 });
    expect(v((o) => (o.valueInteger = 3))?.unit).toBeUndefined();
    expect(v(() => undefined)?.value).toBeUndefined(); // no value (e.g. registered, not yet analysed)
    expect(v((o) => (o.dataAbsentReason = { text: 'Prøven hæmolyseret' }))?.text).toBe('No value: Prøven hæmolyseret');
  });

  it('refuses value[x] types it cannot file, and two values at once', () => {
    const range = edit(
      potassium(),
      (o) => (delete o.valueQuantity, (o.valueRange = { low: { value: 1 }, high: { value: 2 } })),
    );
    expect(refuse(range)).toMatchObject({ status: 422, issue: { code: 'not-supported' } });
    const two = edit(potassium(), (o) => (o.valueString = '4,2'));
    expect(refuse(two)).toMatchObject({ status: 400, issue: { code: 'structure' } });
    expect(refuse(edit(potassium(), (o) => (o.valueQuantity = '4.2 mmol/L'))).text).toMatch(
      /^structure: Observation\.valueQuantity: must be an object/,
    );
  });

  it('takes the interpretation from the v3 ObservationInterpretation coding, ignoring other codes', () => {
    const flagged = (codings: object[]) =>
      accept(edit(potassium(), (o) => (o.interpretation = [{ coding: codings }])))[0]?.interpretation;
    const v3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
    for (const code of ['N', 'H', 'L', 'HH', 'LL', 'A', 'AA']) expect(flagged([{ system: v3, code }])).toBe(code);
    expect(flagged([{ system: v3, code: 'POS' }])).toBeUndefined();
    expect(flagged([{ system: v3, code: '>' }])).toBeUndefined();
    expect(flagged([{ system: 'urn:lab:flags', code: 'HH' }])).toBeUndefined();
    expect(
      flagged([
        { system: v3, code: 'W' },
        { system: v3, code: 'H' },
      ]),
    ).toBe('H');
  });

  it('keeps the first reference range: low, high and text', () => {
    const ranged = (referenceRange: object[]) =>
      accept(edit(potassium(), (o) => (o.referenceRange = referenceRange)))[0]?.referenceRange;
    expect(
      ranged([
        { low: { value: 3.5 }, high: { value: 4.6 } },
        { low: { value: 3.2 }, high: { value: 5 }, text: 'børn' },
      ]),
    ).toEqual({ low: 3.5, high: 4.6 });
    expect(ranged([{ text: 'se kommentar' }])).toEqual({ text: 'se kommentar' });
    expect(ranged([{}])).toBeUndefined();
  });

  it('takes effective from effectiveDateTime, effectivePeriod.start, else issued; a time needs its zone', () => {
    const at = (change: (o: any) => void) =>
      accept(edit(potassium(), (o) => (delete o.effectiveDateTime, change(o))))[0]?.effective;
    expect(
      at((o) => (o.effectivePeriod = { start: '2024-03-05T07:55:00+01:00', end: '2024-03-05T08:00:00+01:00' })),
    ).toBe('2024-03-05T07:55:00+01:00');
    expect(at(() => undefined)).toBe('2024-03-05T10:05:00+01:00'); // issued
    expect(at((o) => ((o.effectiveDateTime = '2024-03-05'), (o.issued = '2024-03-05T12:00:00Z')))).toBe(
      '2024-03-05T12:00:00Z',
    );
    expect(at((o) => delete o.issued)).toBeUndefined();
    expect(refuse(edit(potassium(), (o) => ((o.effectiveDateTime = '2024-03-05'), delete o.issued))).text).toMatch(
      /a date without a time/,
    );
    expect(refuse(edit(potassium(), (o) => (o.effectiveDateTime = '2024-03-05T08:30:00'))).text).toMatch(
      /^value: Observation\.effectiveDateTime: not a FHIR dateTime/,
    );
    expect(refuse(edit(potassium(), (o) => (o.effectiveDateTime = '2024-02-30T08:30:00+01:00'))).text).toMatch(
      /day does not exist/,
    );
    expect(refuse(edit(potassium(), (o) => (o.effectiveDateTime = 'i går'))).status).toBe(422);
  });

  it('keeps the status as given and refuses unknown statuses', () => {
    for (const status of [
      'registered',
      'preliminary',
      'final',
      'amended',
      'corrected',
      'cancelled',
      'entered-in-error',
    ]) {
      expect(accept(edit(potassium(), (o) => (o.status = status)))[0]?.status).toBe(status);
    }
    expect(refuse(edit(potassium(), (o) => (o.status = 'unknown'))).text).toMatch(
      /^value: Observation\.status: unknown status "unknown"/,
    );
    expect(refuse(edit(potassium(), (o) => (o.status = 'done'))).status).toBe(422);
    expect(refuse(edit(potassium(), (o) => delete o.status)).text).toMatch(/^required: Observation\.status/);
    expect(refuse(edit(chestXray(), (r) => (r.status = 'unknown'))).status).toBe(422);
  });

  it('requires an identifier (idempotency) and takes system|value of the first identifier with a value', () => {
    const r = refuse(edit(potassium(), (o) => delete o.identifier));
    expect(r).toMatchObject({ status: 422, issue: { code: 'required', expression: ['Observation.identifier'] } });
    expect(r.text).toMatch(/resubmission/);
    expect(refuse(edit(chestXray(), (x) => (x.identifier = [{ system: 'urn:x' }]))).text).toMatch(
      /^required: DiagnosticReport\.identifier/,
    );
    expect(
      accept(edit(potassium(), (o) => (o.identifier = [{ system: 'urn:x' }, { value: 'A-1' }])))[0]?.identifier,
    ).toBe('|A-1');
  });
});

describe('result intake: the patient by CPR', () => {
  const withSubject = (subject: unknown) => edit(potassium(), (o) => (o.subject = subject));
  const cprIdentifier = (value: string) => ({ identifier: { system: 'urn:oid:1.2.208.176.1.2', value } });

  it('accepts the CPR with or without the hyphen, and normalises it', () => {
    expect(accept(potassium({ subject: 'hyphenated' }))[0]?.cpr).toBe(CARL);
    expect(accept(withSubject(cprIdentifier('120345-1237')))[0]?.cpr).toBe(CARL);
    expect(accept(withSubject(cprIdentifier(' 1203451237 ')))[0]?.cpr).toBe(CARL);
  });

  it('accepts a CPR that fails the modulus-11 check (issued since 2007)', () => {
    expect(accept(withSubject(cprIdentifier('1203451238')))[0]?.cpr).toBe('1203451238');
  });

  it('refuses a date that does not exist, saying why, without repeating the number', () => {
    const r = refuse(withSubject(cprIdentifier('3102801234')));
    expect(r).toMatchObject({ status: 422, issue: { code: 'value' } });
    expect(r.text).toMatch(
      /^value: Observation\.subject\.identifier\.value: not a valid CPR number: the date part of the CPR number does not exist/,
    );
    expect(r.text).not.toContain('3102801234');
    expect(refuse(withSubject(cprIdentifier('12034512'))).text).toMatch(/ten digits/);
  });

  it('takes the century from the 7th digit: 29 February 00 exists in 2000 (7th digit 4), not in 1900 (7th digit 1)', () => {
    expect(accept(withSubject(cprIdentifier('2902004234')))[0]?.cpr).toBe('2902004234');
    expect(refuse(withSubject(cprIdentifier('2902001234'))).text).toMatch(/date part/);
    // 7th digit 5–8: 1858–1899 or 2000–2057; 29 February 58 → 1858, not a leap year.
    expect(refuse(withSubject(cprIdentifier('2902585234'))).text).toMatch(/date part/);
  });

  it('accepts a replacement number (letters) only where it is registered', () => {
    expect(accept(withSubject(cprIdentifier('120345-EK37')))[0]?.cpr).toBe(REGISTERED_REPLACEMENT);
    const r = refuse(withSubject(cprIdentifier('120345EK38')));
    expect(r.text).toMatch(/replacement number .* not registered/);
  });

  it('finds the CPR on a contained Patient or on a Patient in the Bundle', () => {
    const contained = edit(potassium(), (o) => {
      o.contained = [
        { resourceType: 'Patient', id: 'p', identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: '070452-1228' }] },
      ];
      o.subject = { reference: '#p' };
    });
    expect(accept(contained)[0]?.cpr).toBe(INGRID);
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        {
          resource: {
            resourceType: 'Patient',
            id: 'erik',
            identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: ERIK }],
          },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: potassium({ subject: { reference: 'Patient/erik' } }),
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    expect(accept(bundle)[0]?.cpr).toBe(ERIK);
  });

  it('refuses a subject without a CPR identifier, saying where', () => {
    const noSubject = refuse(potassium({ subject: 'none' }));
    expect(noSubject).toMatchObject({ status: 422, issue: { code: 'required', expression: ['Observation.subject'] } });
    expect(noSubject.text).toMatch(/^required: Observation\.subject: missing CPR identifier/);
    expect(refuse(withSubject({ identifier: { system: 'urn:oid:1.2.208.176.1.999', value: CARL } })).text).toMatch(
      /missing CPR identifier/,
    );
    expect(refuse(withSubject({ reference: 'Patient/nowhere' })).text).toMatch(
      /^required: Observation\.subject\.reference: missing CPR identifier/,
    );
    const patientWithoutCpr = edit(potassium(), (o) => {
      o.contained = [{ resourceType: 'Patient', id: 'p', identifier: [{ system: 'urn:mrn', value: '42' }] }];
      o.subject = { reference: '#p' };
    });
    expect(refuse(patientWithoutCpr).text).toMatch(
      /^required: Observation\.contained\[0\]\.identifier: missing CPR identifier/,
    );
    const notAPatient = edit(potassium(), (o) => {
      o.contained = [{ resourceType: 'Group', id: 'g' }];
      o.subject = { reference: '#g' };
    });
    expect(refuse(notAPatient).text).toMatch(/refers to a Group, not a Patient/);
  });

  it('names the entry: Bundle.entry[2].resource.subject: missing CPR identifier', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: potassium({ id: 'a' }) },
        { resource: potassium({ id: 'b' }) },
        { resource: potassium({ id: 'c', subject: 'none' }) },
      ],
    };
    const r = refuse(bundle);
    expect(r.issue.diagnostics).toMatch(/^Bundle\.entry\[2\]\.resource\.subject: missing CPR identifier/);
    expect(r.issue.expression).toEqual(['Bundle.entry[2].resource.subject']);
  });

  it('refuses an Observation in a report that names a different patient', () => {
    const report = edit(
      bloodPanelContained(),
      (r) => (r.contained[1].subject = { identifier: { system: 'urn:oid:1.2.208.176.1.2', value: INGRID } }),
    );
    expect(refuse(report).text).toMatch(/^value: DiagnosticReport\.contained\[1\]\.subject: a different patient/);
  });
});

describe('result intake: bad input', () => {
  it('refuses a body that is not an object with 400', () => {
    for (const body of [null, undefined, 'Observation', 42, true, [], [potassium()]]) {
      const r = refuse(body);
      expect(r.status).toBe(400);
      expect(r.issue.code).toBe('structure');
    }
  });

  it('refuses a resource without resourceType (400), and resources that are not results (422 not-supported)', () => {
    expect(refuse(edit(potassium(), (o) => delete o.resourceType))).toMatchObject({
      status: 400,
      issue: { code: 'structure' },
    });
    expect(refuse({ resourceType: 7 })).toMatchObject({ status: 400 });
    const patient = refuse({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: CARL }],
    });
    expect(patient).toMatchObject({ status: 422, issue: { code: 'not-supported' } });
    expect(patient.text).toMatch(/a Patient is not a result/);
    expect(refuse({ resourceType: 'Condition', code: { text: 'Hjertesvigt' } }).text).toMatch(
      /^not-supported: resourceType: a Condition is not a result/,
    );
    const inBundle = edit(collection(), (b) =>
      b.entry.push({ resource: { resourceType: 'Condition', code: { text: 'KOL' } } }),
    );
    expect(refuse(inBundle).text).toMatch(/^not-supported: Bundle\.entry\[2\]\.resource: a Condition is not a result/);
  });

  it('refuses bundles of other types, empty bundles and bundles without results', () => {
    expect(refuse(edit(collection(), (b) => (b.type = 'searchset'))).text).toMatch(
      /^not-supported: Bundle\.type: a searchset bundle/,
    );
    expect(refuse(edit(collection(), (b) => delete b.type)).text).toMatch(/^required: Bundle\.type/);
    expect(refuse({ resourceType: 'Bundle', type: 'transaction', entry: [] }).text).toMatch(
      /^required: Bundle\.entry: the bundle is empty/,
    );
    expect(refuse({ resourceType: 'Bundle', type: 'batch' }).status).toBe(422);
    const onlyPatient = { resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'Patient' } }] };
    expect(refuse(onlyPatient).text).toMatch(/no Observation or DiagnosticReport/);
    expect(refuse(edit(collection(), (b) => delete b.entry[0].resource)).text).toMatch(
      /^required: Bundle\.entry\[0\]\.resource/,
    );
    expect(refuse(edit(bloodPanel(), (b) => (b.entry[2].request.method = 'DELETE'))).issue.code).toBe('not-supported');
    expect(refuse(edit(bloodPanel(), (b) => (b.entry[3].fullUrl = b.entry[2].fullUrl))).text).toMatch(/same fullUrl/);
  });

  it('refuses a DiagnosticReport that references an Observation that is not there', () => {
    const bundle = edit(bloodPanel(), (b) => b.entry.splice(4, 1)); // drop the creatinine Observation
    const r = refuse(bundle);
    expect(r).toMatchObject({
      status: 422,
      issue: { code: 'not-found', expression: ['Bundle.entry[1].resource.result[2].reference'] },
    });
    expect(r.text).toMatch(
      /the Observation "urn:uuid:[0-9a-f-]+" is not in the resource \(contained\) or in the Bundle/,
    );
    const contained = edit(bloodPanelContained(), (r) => (r.result[6].reference = '#hba1c-2'));
    expect(refuse(contained).text).toMatch(
      /^not-found: DiagnosticReport\.result\[6\]\.reference: the Observation "#hba1c-2" is not among/,
    );
    expect(refuse(edit(bloodPanelContained(), (r) => (r.result = [{ reference: 'Observation/99' }]))).status).toBe(422);
  });

  it('refuses a report without results or narrative, and an uncategorised narrative report', () => {
    expect(refuse(edit(bloodPanelContained(), (r) => (delete r.result, delete r.contained))).text).toMatch(
      /the report holds no results/,
    );
    const uncategorised = edit(chestXray(), (r) => delete r.category);
    expect(refuse(uncategorised).text).toMatch(
      /^required: DiagnosticReport\.category: a report without Observations must say whether it is imaging/,
    );
    expect(refuse(edit(chestXray({ form: 'none' }), (r) => delete r.conclusion)).text).toMatch(
      /an imaging report needs a conclusion/,
    );
    const pdfOnly = edit(
      chestXray(),
      (r) => (
        delete r.conclusion,
        (r.presentedForm = [{ contentType: 'application/pdf', url: 'https://ris.example/report.pdf' }])
      ),
    );
    expect(refuse(pdfOnly).text).toMatch(/a PDF or a link alone cannot be shown/);
    expect(refuse(edit(chestXray(), (r) => (r.presentedForm[0].data = 'not base64!'))).text).toMatch(
      /presentedForm\[0\]\.data: not base64/,
    );
    expect(
      refuse(edit(chestXray(), (r) => (r.presentedForm[0].contentType = 'text/plain; charset=klingon'))).issue.code,
    ).toBe('not-supported');
  });

  it('refuses oversized text (> 100 000 characters)', () => {
    const long = 'x'.repeat(100_001);
    const s = refuse(edit(potassium(), (o) => (delete o.valueQuantity, (o.valueString = long))));
    expect(s).toMatchObject({ status: 422, issue: { code: 'too-long' } });
    expect(s.text).toMatch(/Observation\.valueString: the text is 100001 characters/);
    expect(refuse(potassium({ note: long })).issue.code).toBe('too-long');
    expect(refuse(edit(chestXray(), (r) => (r.conclusion = long))).issue.code).toBe('too-long');
    const form = edit(
      chestXray(),
      (r) => (r.presentedForm[0].data = Buffer.from('y'.repeat(100_001)).toString('base64')),
    );
    expect(refuse(form).issue.code).toBe('too-long');
    expect(
      accept(edit(chestXray(), (r) => (delete r.presentedForm, (r.conclusion = 'z'.repeat(100_000)))))[0]?.text,
    ).toHaveLength(100_000);
  });

  it('refuses what fails IncomingResult validation, and two results with the same identifier', () => {
    const longId = refuse(edit(potassium(), (o) => (o.identifier = [{ system: 'urn:x', value: 'k'.repeat(400) }])));
    expect(longId).toMatchObject({ status: 422, issue: { code: 'value' } });
    expect(longId.text).toMatch(/^value: Observation: identifier: /);
    const twice: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: potassium() }, { resource: potassium({ value: 4.4 }) }],
    };
    expect(refuse(twice).text).toMatch(
      /^value: Bundle\.entry\[1\]\.resource\.identifier: the same identifier as Bundle\.entry\[0\]\.resource/,
    );
  });

  it('says which element has the wrong JSON type (400 structure)', () => {
    expect(refuse(edit(potassium(), (o) => (o.identifier = { system: 'urn:x', value: '1' })))).toMatchObject({
      status: 400,
      issue: { code: 'structure', diagnostics: 'Observation.identifier: must be an array, not a object' },
    });
    expect(refuse(edit(bloodPanel(), (b) => (b.entry[3].resource.code.coding[0].code = 3230))).text).toBe(
      'structure: Bundle.entry[3].resource.code.coding[0].code: must be a string, not a number',
    );
    expect(refuse(edit(potassium(), (o) => (o.valueQuantity.value = '4.2'))).text).toMatch(
      /valueQuantity\.value: must be a number/,
    );
  });

  it('never repeats a CPR number in its diagnostics', () => {
    const cases = [
      edit(potassium(), (o) => (o.status = 'bogus')),
      edit(potassium(), (o) => (o.subject.identifier.value = '3102451237')),
      edit(potassium(), (o) => (o.subject.identifier.value = '120345EK99')),
      edit(bloodPanel(), (b) => b.entry.splice(3, 1)),
    ];
    for (const body of cases) {
      const text = JSON.stringify(refuse(body).issue);
      for (const cpr of [...CPRS, '3102451237', '120345EK99']) expect(text).not.toContain(cpr);
    }
  });
});

describe('result intake: HTML to text', () => {
  it('keeps the words, drops markup, scripts, styles and comments, decodes entities', () => {
    expect(
      htmlToText(
        '<html><head><style>b{}</style></head><body><h1>CT af thorax</h1><p>Ingen lungeemboli.<br>Ingen &aelig;ndring &amp; ingen <b>tumor</b>.</p><!-- intern --><script>alert(1)</script><p>&#216;deem: 0 &lt; 1</p></body></html>',
      ),
    ).toBe('CT af thorax\n\nIngen lungeemboli.\nIngen ændring & ingen tumor.\n\nØdeem: 0 < 1');
  });

  it('stays linear on hostile HTML (unclosed tags, scripts and comments)', () => {
    const started = performance.now();
    htmlToText('<'.repeat(300_000));
    htmlToText('<script'.repeat(50_000));
    htmlToText('<!--'.repeat(80_000));
    htmlToText('<p '.repeat(100_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('encounter notifications', () => {
  it('accepts a notification and normalises the CPR', () => {
    const r = parseEncounterNotification(hospitalNotification({ hyphenated: true, event: 'discharge' }), opts);
    expect(r).toEqual({
      ok: true,
      notification: {
        identifier: 'https://sp.regionh.example/fhir/sid/hospital-notification|HN-240305-0001',
        cpr: CARL,
        event: 'discharge',
        time: T0,
        hospital: 'Rigshospitalet',
        department: 'Kardiologisk Klinik, afsnit 2143',
      },
    });
  });

  it('refuses bad notifications with a clear outcome', () => {
    const no = (body: unknown) => {
      const r = parseEncounterNotification(body, opts);
      if (r.ok) throw new Error('accepted');
      return { status: r.status, text: `${r.outcome.issue[0]?.code}: ${r.outcome.issue[0]?.diagnostics}` };
    };
    expect(no('admission')).toMatchObject({ status: 400 });
    expect(no({ ...hospitalNotification(), event: 'transfer' })).toMatchObject({
      status: 422,
      text: expect.stringMatching(/^value: event: /),
    });
    const { hospital: _omitted, ...noHospital } = hospitalNotification();
    expect(no(noHospital)).toEqual({ status: 422, text: 'required: hospital: missing' });
    expect(no({ ...hospitalNotification(), time: '2024-03-05T08:30:00' }).text).toMatch(/^value: time: /);
    expect(no({ ...hospitalNotification(), cpr: '3102801234' }).text).toMatch(
      /^value: cpr: not a valid CPR number: the date part/,
    );
    expect(no({ ...hospitalNotification(), cpr: '120345EK38' }).text).toMatch(/not registered/);
    expect(parseEncounterNotification({ ...hospitalNotification(), cpr: '120345-EK37' }, opts)).toMatchObject({
      ok: true,
      notification: { cpr: REGISTERED_REPLACEMENT },
    });
  });
});

// --- The fixtures are valid FHIR R4 --------------------------------------------------------

describe('fixtures', () => {
  let validator: SchemaValidator;
  beforeAll(() => {
    validator = schemaValidator();
  });

  it("are valid against HL7's FHIR R4 JSON schema", () => {
    const fixtures: (Bundle | Observation | DiagnosticReport)[] = [
      bloodPanel(),
      bloodPanel({ type: 'collection' }),
      bloodPanelContained(),
      potassium(),
      criticalKalium(),
      amendedPotassium(),
      chestXray(),
      ctThorax(),
      ultrasound(),
      pathology(),
      collection(),
      message(),
    ];
    for (const f of fixtures) {
      expect(validator.validate(f), `${f.resourceType} ${JSON.stringify(f).slice(0, 120)}`).toEqual([]);
      for (const e of (f as Bundle).entry ?? []) expect(validator.validate(e.resource)).toEqual([]);
    }
  });

  it('flag values the way the lab would', () => {
    expect(flagFor('potassium', 6.9, 'male')).toBe('HH');
    expect(flagFor('potassium', 2.5, 'female')).toBe('LL');
    expect(flagFor('potassium', 4.7, 'female')).toBe('H');
    expect(flagFor('haemoglobin', 8.0, 'male')).toBe('L');
    expect(flagFor('haemoglobin', 8.0, 'female')).toBe('N');
    expect(sexOf(CARL)).toBe('male');
    expect(sexOf(INGRID)).toBe('female');
    const values = randomPanelValues(seededRandom(7), 'female');
    for (const key of PANEL) {
      const [lo, hi] = ANALYSES[key].usual('female');
      expect(values[key]).toBeGreaterThanOrEqual(lo);
      expect(values[key]).toBeLessThanOrEqual(hi);
    }
    expect(PANEL_VALUES.potassium).toBe(4.2);
  });
});

// --- Fuzz ----------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function randomJson(random: () => number, depth = 0): Json {
  const r = random();
  if (depth > 3 || r < 0.35) {
    const leaves: Json[] = [
      null,
      true,
      false,
      0,
      -1,
      4.2,
      1e308,
      '',
      'x',
      '#p',
      'urn:uuid:nope',
      'Observation/1',
      '2024-02-30',
      '1203451237',
      'æøå<b>',
      'final',
    ];
    return leaves[Math.floor(random() * leaves.length)] as Json;
  }
  if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
  const keys = [
    'resourceType',
    'type',
    'entry',
    'resource',
    'subject',
    'identifier',
    'value',
    'system',
    'code',
    'coding',
    'valueQuantity',
    'result',
    'reference',
    'contained',
    'status',
    'presentedForm',
    'data',
    'contentType',
  ];
  const obj: Record<string, Json> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--)
    obj[keys[Math.floor(random() * keys.length)] as string] = randomJson(random, depth + 1);
  if (random() < 0.5)
    obj.resourceType = ['Observation', 'DiagnosticReport', 'Bundle', 'Patient'][Math.floor(random() * 4)] as string;
  return obj;
}

/** Every path to a value inside `root`. */
function pathsIn(root: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(root)) root.forEach((v, i) => (out.push([...at, i]), pathsIn(v, [...at, i], out)));
  else if (root && typeof root === 'object')
    for (const [k, v] of Object.entries(root)) out.push([...at, k]), pathsIn(v, [...at, k], out);
  return out;
}

function mutate(root: any, random: () => number): void {
  const paths = pathsIn(root);
  const path = paths[Math.floor(random() * paths.length)];
  if (!path) return;
  let parent = root;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const key = path[path.length - 1] as string | number;
  const op = random();
  if (op < 0.3) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (op < 0.6) {
    parent[key] = randomJson(random);
  } else if (op < 0.75 && typeof parent[key] === 'string') {
    const s: string = parent[key];
    const i = Math.floor(random() * (s.length + 1));
    parent[key] = s.slice(0, i) + String.fromCharCode(Math.floor(random() * 0x2fff)) + s.slice(i + 1);
  } else if (op < 0.85) {
    parent[key] = [parent[key], parent[key]];
  } else if (op < 0.92) {
    parent[key] = 'y'.repeat(100_001);
  } else {
    parent[key] = { value: parent[key] };
  }
}

function expectAnswer(body: unknown): 'ok' | number {
  const r = parseResultSubmission(body, opts);
  if (r.ok) {
    for (const result of r.results) expect(IncomingResult.safeParse(result).success).toBe(true);
    return 'ok';
  }
  expect([400, 422]).toContain(r.status);
  const issue = r.outcome.issue[0] as OperationOutcomeIssue;
  expect(issue.severity).toBe('error');
  expect(typeof issue.diagnostics).toBe('string');
  expect(issue.diagnostics?.length).toBeGreaterThan(0);
  for (const cpr of CPRS) expect(issue.diagnostics).not.toContain(cpr);
  return r.status;
}

describe('result intake: fuzz', () => {
  const fixtures = (): unknown[] => [
    bloodPanel(),
    bloodPanelContained(),
    criticalKalium(),
    chestXray(),
    ctThorax(),
    ultrasound(),
    pathology(),
    collection(),
    message(),
    amendedPotassium(),
  ];

  it('never throws on mutated fixtures, and always answers ok or a 4xx OperationOutcome', () => {
    const random = seededRandom(20240305);
    const seen = new Map<string, number>();
    for (let run = 0; run < 600; run++) {
      const list = fixtures();
      const body = structuredClone(list[run % list.length]);
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) mutate(body, random);
      const answer = String(expectAnswer(body));
      seen.set(answer, (seen.get(answer) ?? 0) + 1);
    }
    // The mutations reach all three answers.
    expect([...seen.keys()].sort()).toEqual(['400', '422', 'ok']);
  });

  it('never throws on random JSON shapes', () => {
    const random = seededRandom(42);
    for (let run = 0; run < 400; run++) expectAnswer(randomJson(random));
    for (const body of [
      { resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: '__proto__' } }] },
      JSON.parse('{"resourceType":"Observation","__proto__":{"status":"final"}}'),
      { resourceType: 'Observation', constructor: 1, toString: 2 },
    ]) {
      expectAnswer(body);
    }
  });
});

// --- The lab feed --------------------------------------------------------------------------

describe('lab feed', () => {
  const NOW = new Date('2024-03-05T09:30:00Z');

  it('plans valid submissions for the demo patients: unique identifiers, admissions then discharges, names only', () => {
    const planner = new FeedPlanner(seededRandom(1), 'run1');
    const identifiers = new Set<string>();
    const events: Record<string, string[]> = {};
    const kinds = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const sub = planner.next(new Date(NOW.getTime() + i * 1000));
      expect(DEMO_PATIENTS.map((p) => p.name)).toContain(sub.patient.name);
      for (const cpr of CPRS) expect(sub.what).not.toContain(cpr);
      if (sub.path === '/api/v1/encounters') {
        const r = parseEncounterNotification(sub.body, opts);
        if (!r.ok) throw new Error(JSON.stringify(r.outcome));
        expect(r.notification.cpr).toBe(sub.patient.cpr);
        expect(identifiers.has(r.notification.identifier)).toBe(false);
        identifiers.add(r.notification.identifier);
        (events[sub.patient.name] ??= []).push(r.notification.event);
        expect(sub.contentType).toBe('application/json');
        kinds.add(r.notification.event);
      } else {
        expect(sub.contentType).toBe('application/fhir+json');
        const results = accept(sub.body);
        for (const r of results) {
          expect(r.cpr).toBe(sub.patient.cpr);
          expect(identifiers.has(r.identifier)).toBe(false);
          identifiers.add(r.identifier);
          expect(Date.parse(r.effective as string)).toBeLessThan(NOW.getTime() + i * 1000);
          kinds.add(r.category);
          if (r.interpretation === 'HH') kinds.add('critical');
        }
      }
    }
    expect([...kinds].sort()).toEqual(['admission', 'critical', 'discharge', 'imaging', 'laboratory', 'pathology']);
    for (const list of Object.values(events)) {
      // Alternating: admission, discharge, admission, …
      list.forEach((event, i) => expect(event).toBe(i % 2 === 0 ? 'admission' : 'discharge'));
    }
  });

  const fakeFetch = (answer: (n: number) => Response | Error) => {
    const calls: { url: string; init: RequestInit }[] = [];
    const f = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const a = answer(calls.length);
      if (a instanceof Error) throw a;
      return a;
    }) as unknown as typeof fetch;
    return { f, calls };
  };
  const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

  it('posts with the key and content type, prints one line per submission without CPR, stops at --count', async () => {
    const { f, calls } = fakeFetch(() => new Response(JSON.stringify({ id: 'x', plans: [] }), { status: 201 }));
    const lines: string[] = [];
    const summary = await runLabFeed({
      url: 'http://hub.test/',
      key: 'k-123',
      rate: 1000,
      count: 12,
      fetch: f,
      out: (l) => lines.push(l),
      random: seededRandom(3),
      now: () => NOW,
    });
    expect(summary).toEqual({ sent: 12, filed: 12, refused: 0, stoppedBy: 'count' });
    expect(calls).toHaveLength(12);
    for (const { url, init } of calls) {
      expect(url).toMatch(/^http:\/\/hub\.test\/api\/v1\/(results|encounters)$/);
      expect((init.headers as Record<string, string>).authorization).toBe('Bearer k-123');
      expect(['application/fhir+json', 'application/json']).toContain(
        (init.headers as Record<string, string>)['content-type'],
      );
    }
    expect(lines).toHaveLength(12);
    for (const line of lines) {
      expect(line).toMatch(/^\d{2}:\d{2}:\d{2} {2}(Carl Jensen|Ingrid Madsen|Erik Nielsen|Aisha Khan)\s.+ 201 filed$/);
      for (const cpr of CPRS) expect(line).not.toContain(cpr);
    }
  });

  it(`stops after ${MAX_CONNECTION_FAILURES} connection failures in a row, and when the key is refused`, async () => {
    const down = fakeFetch(() => refused());
    const lines: string[] = [];
    const s1 = await runLabFeed({
      url: 'http://hub.test',
      key: 'k',
      rate: 1000,
      fetch: down.f,
      out: (l) => lines.push(l),
    });
    expect(s1.stoppedBy).toBe('connection');
    expect(down.calls).toHaveLength(MAX_CONNECTION_FAILURES);
    expect(lines.at(-2)).toMatch(/connection failed \(ECONNREFUSED\)$/);
    expect(lines.at(-1)).toMatch(
      /stopped after 5 connection failures in a row\. Is CareHub running at http:\/\/hub\.test\?/,
    );

    // A success in between resets the count.
    const flaky = fakeFetch((n) => (n % 4 === 0 ? new Response('{}', { status: 201 }) : refused()));
    expect(
      await runLabFeed({
        url: 'http://hub.test',
        key: 'k',
        rate: 1000,
        count: 30,
        fetch: flaky.f,
        out: () => undefined,
      }),
    ).toMatchObject({ stoppedBy: 'count', sent: 30 });

    const denied = fakeFetch(
      () =>
        new Response(
          JSON.stringify({
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'login', diagnostics: 'unknown API key' }],
          }),
          { status: 401 },
        ),
    );
    const out: string[] = [];
    expect(
      await runLabFeed({ url: 'http://hub.test', key: 'bad', rate: 1000, fetch: denied.f, out: (l) => out.push(l) }),
    ).toMatchObject({ stoppedBy: 'auth', sent: 1 });
    expect(out[0]).toMatch(/401 unknown API key$/);
    expect(out[1]).toMatch(/refused the API key/);
  });

  it('stops when its signal is aborted (Ctrl-C), and prints refusals without CPR numbers', async () => {
    const stop = new AbortController();
    const { f } = fakeFetch((n) => {
      if (n === 3) stop.abort();
      return new Response(
        JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'value', diagnostics: 'no patient 120345-1237 here' }],
        }),
        { status: 422 },
      );
    });
    const lines: string[] = [];
    const summary = await runLabFeed({
      url: 'http://hub.test',
      key: 'k',
      rate: 2,
      fetch: f,
      out: (l) => lines.push(l),
      signal: stop.signal,
    });
    expect(summary).toEqual({ sent: 3, filed: 0, refused: 3, stoppedBy: 'signal' });
    expect(lines[0]).toMatch(/422 no patient \[CPR\] here$/);
  });
});
