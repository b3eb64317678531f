import type {
  Annotation,
  Bundle,
  CarePlan,
  CareTeam,
  CareTeamParticipant,
  Condition,
  FhirResource,
  Identifier,
  Organization,
  Patient,
  Practitioner,
  Reference,
} from 'fhir/r4';
import type { PlanStatus } from '../../shared/api.ts';
import { parseCpr } from '../../shared/cpr.ts';
import { CPR_SYSTEM } from '../../shared/fhir-systems.ts';
import type { PlanDocumentJson } from '../../shared/plan.ts';
import type { Role, Sector } from '../../shared/roles.ts';
import {
  annotation,
  coding,
  compact,
  concept,
  dateTime,
  dayIn,
  fullUrl,
  IdAllocator,
  list,
  ref,
  str,
} from './fhir-values.ts';
import type { EntryJson, MappingContext } from './mapping-context.ts';
import { measurementObservation } from './measurement-observations.ts';
import { resultObservation, selfReportObservation } from './observations.ts';
import { goalResource, medicationStatement, taskResource, type TaskOwners } from './plan-activities.ts';

/**
 * One care plan as a FHIR R4 Bundle of type `collection` (`GET /plans/:id/fhir`;
 * docs/ARCHITECTURE.md, "Interfaces").
 * Pure: plain data in, the Bundle out; no store, no Express. Every entry's fullUrl is
 * `urn:uuid:<id>` and every reference inside the Bundle points at such a fullUrl.
 */

/**
 * CareHub's own code system for the sector of an organisation. There is no national code for
 * "hospital / municipality / general practice" as a sector; this canonical URL is a placeholder
 * until the project registers one.
 */
export const SECTOR_SYSTEM = 'http://carehub.example/fhir/CodeSystem/sector';
const ORGANIZATION_TYPE = 'http://terminology.hl7.org/CodeSystem/organization-type';

export interface FhirOrganisationData {
  id: string;
  name: string;
  sector: Sector;
  region: string | null;
}

export interface FhirPersonData {
  id: string;
  name: string;
  role: Role;
  organisationId: string | null;
}

export interface PlanBundleInput {
  plan: { id: string; title: string; status: PlanStatus; created: string };
  patient: { id: string; cpr: string; name: string };
  /** The plan's sections as `planToJson` gives them (rich text as plain text). */
  document: PlanDocumentJson;
  /** The patient's care team: organisations and persons. */
  careTeam: { organisationId: string | null; userId: string | null }[];
  /** Every organisation named by the care team or by a person below. */
  organisations: FhirOrganisationData[];
  /** Care staff who appear in the plan: care-team members, note authors, task assignees, who measured. */
  people: FhirPersonData[];
  /** When the export was made (an instant). */
  exportedAt: string;
  bundleId: string;
  /** Whose calendar day decides whether a medication has stopped. */
  timeZone?: string;
}

const SECTOR_DISPLAY: Record<Sector, string> = {
  hospital: 'Hospital',
  municipality: 'Municipality',
  general_practice: 'General practice',
};

const ROLE_DISPLAY: Record<Role, string> = {
  hospital_doctor: 'Hospital doctor',
  hospital_nurse: 'Hospital nurse',
  municipal_nurse: 'Municipal nurse',
  gp: 'General practitioner',
  citizen: 'Citizen',
  admin: 'Administrator',
};

/** meta.status to CarePlan.status; all four are codes of R4's request-status. */
const CARE_PLAN_STATUS: Record<PlanStatus, CarePlan['status']> = {
  draft: 'draft',
  active: 'active',
  completed: 'completed',
  revoked: 'revoked',
};

function patientResource(input: PlanBundleInput, id: string): Patient {
  const cpr = parseCpr(input.patient.cpr, { allowReplacement: true });
  const identifier: Identifier =
    cpr.ok && !cpr.replacement
      ? { use: 'official', system: CPR_SYSTEM, value: cpr.cpr }
      : // A replacement number (eCPR) is not a CPR number: it is not claimed under the CPR OID.
        { use: 'secondary', type: { text: 'Replacement CPR number (eCPR)' }, value: input.patient.cpr.trim() };
  return compact<Patient>({
    resourceType: 'Patient',
    id,
    identifier: [identifier],
    name: list([str(input.patient.name) === undefined ? undefined : { text: str(input.patient.name) as string }]),
    birthDate: cpr.ok && cpr.birthDate ? cpr.birthDate : undefined,
  });
}

function organizationResource(org: FhirOrganisationData, id: string): Organization {
  return compact<Organization>({
    resourceType: 'Organization',
    id,
    active: true,
    type: [
      { coding: [{ system: ORGANIZATION_TYPE, code: 'prov', display: 'Healthcare Provider' }] },
      {
        coding: [{ system: SECTOR_SYSTEM, code: org.sector, display: SECTOR_DISPLAY[org.sector] }],
        text: SECTOR_DISPLAY[org.sector],
      },
    ],
    name: str(org.name),
    address: str(org.region) === undefined ? undefined : [{ state: str(org.region) as string }],
  });
}

function practitionerResource(person: FhirPersonData, id: string): Practitioner {
  return compact<Practitioner>({
    resourceType: 'Practitioner',
    id,
    active: true,
    name: list([str(person.name) === undefined ? undefined : { text: str(person.name) as string }]),
  });
}

function conditionResource(c: unknown, id: string, patient: Reference): Condition | undefined {
  const code = coding(c);
  const display = str((c as Record<string, unknown> | null)?.display);
  const cc = concept(display, code);
  if (!cc) return undefined;
  return { resourceType: 'Condition', id, code: cc, subject: patient };
}

export function planToFhirBundle(input: PlanBundleInput): Bundle {
  const ids = new IdAllocator();
  const planId = input.plan.id;
  const doc = input.document;
  const entries: FhirResource[] = [];

  const carePlanId = ids.take(planId, 'plan', planId);
  const patientId = ids.take(input.patient.id, 'patient', input.patient.id);
  const patientName = str(input.patient.name);
  const patient = ref(patientId, patientName);
  const ctx: MappingContext = {
    planId,
    ids,
    patient,
    carePlan: ref(carePlanId, str(doc.meta.title) ?? str(input.plan.title)),
    today: dayIn(input.exportedAt, input.timeZone ?? 'Europe/Copenhagen'),
  };

  // Organisations and people, each once; referenced by their store ids.
  const orgRefs = new Map<string, Reference>();
  const orgResources: Organization[] = [];
  for (const org of input.organisations) {
    if (orgRefs.has(org.id)) continue;
    const id = ids.take(org.id, 'organisation', org.id);
    orgRefs.set(org.id, ref(id, str(org.name)));
    orgResources.push(organizationResource(org, id));
  }
  const peopleById = new Map<string, FhirPersonData>();
  const personRefs = new Map<string, Reference>();
  const practitioners: Practitioner[] = [];
  for (const person of input.people) {
    if (personRefs.has(person.id)) continue;
    const id = ids.take(person.id, 'person', person.id);
    peopleById.set(person.id, person);
    personRefs.set(person.id, ref(id, str(person.name)));
    practitioners.push(practitionerResource(person, id));
  }

  // The care team: its organisations and its person members.
  const careTeamId = ids.take(undefined, 'care-team', input.patient.id);
  const participants: CareTeamParticipant[] = [];
  const teamOrgs: TaskOwners['organisations'] = [];
  const contributors = new Map<string, Reference>();
  for (const member of input.careTeam) {
    if (member.organisationId) {
      const org = input.organisations.find((o) => o.id === member.organisationId);
      const orgRef = orgRefs.get(member.organisationId);
      if (!org || !orgRef) continue;
      participants.push({ role: [{ text: SECTOR_DISPLAY[org.sector] }], member: orgRef });
      teamOrgs.push({ id: org.id, name: org.name, sector: org.sector, ref: orgRef });
      contributors.set(orgRef.reference as string, orgRef);
    } else if (member.userId) {
      const person = peopleById.get(member.userId);
      const personRef = personRefs.get(member.userId);
      if (!person || !personRef) continue;
      const onBehalfOf = person.organisationId ? orgRefs.get(person.organisationId) : undefined;
      participants.push(compact({ role: [{ text: ROLE_DISPLAY[person.role] }], member: personRef, onBehalfOf }));
      contributors.set(personRef.reference as string, personRef);
    }
  }
  const careTeam: CareTeam = compact<CareTeam>({
    resourceType: 'CareTeam',
    id: careTeamId,
    status: 'active',
    subject: patient,
    participant: list(participants),
  });

  const conditions = (Array.isArray(doc.meta.conditions) ? doc.meta.conditions : [])
    .map((c, i) =>
      conditionResource(c, ids.take(undefined, 'condition', planId, String(i), JSON.stringify(c)), patient),
    )
    .filter((c): c is Condition => c !== undefined);
  const goals = doc.goals.map((g, i) => goalResource(g, i, ctx));
  const owners: TaskOwners = { organisations: teamOrgs, people: personRefs };
  const tasks = doc.tasks.map((t, i) => taskResource(t, i, ctx, owners));
  const medications = doc.medications.map((m, i) => medicationStatement(m, i, ctx));
  const observations = [
    ...doc.selfReports.map((s, i) => selfReportObservation(s, i, ctx)),
    ...doc.results.map((r, i) => resultObservation(r, i, ctx)),
    ...doc.measurements.map((m, i) => measurementObservation(m, i, ctx, personRefs)),
  ];

  // Notes become the CarePlan's annotations; their authors are contributors.
  const notes: (Annotation | undefined)[] = doc.notes.map((n: EntryJson) => {
    const author = typeof n.author === 'string' ? personRefs.get(n.author) : undefined;
    if (author) contributors.set(author.reference as string, author);
    return annotation(str(n.body), compact({ authorReference: author, time: dateTime(n.created) }));
  });

  const refTo = (r: { id?: string; resourceType: string }, display?: string): Reference => ref(r.id as string, display);
  const status = (doc.meta.status ?? input.plan.status) as PlanStatus;
  const carePlan: CarePlan = compact<CarePlan>({
    resourceType: 'CarePlan',
    id: carePlanId,
    status: CARE_PLAN_STATUS[status] ?? 'unknown',
    intent: 'plan',
    title: str(doc.meta.title) ?? str(input.plan.title),
    subject: patient,
    created: dateTime(input.plan.created),
    contributor: list([...contributors.values()]),
    careTeam: [refTo(careTeam)],
    addresses: list(conditions.map((c) => refTo(c, c.code?.text))),
    supportingInfo: list([...medications, ...observations].map((r) => refTo(r))),
    goal: list(goals.map((g) => refTo(g))),
    activity: list(tasks.map((t) => ({ reference: refTo(t, t.description) }))),
    note: list(notes),
  });

  entries.push(carePlan, patientResource(input, patientId), careTeam, ...orgResources, ...practitioners);
  entries.push(...conditions, ...goals, ...tasks, ...medications, ...observations);
  return {
    resourceType: 'Bundle',
    id: input.bundleId,
    type: 'collection',
    timestamp: input.exportedAt,
    entry: entries.map((resource) => ({ fullUrl: fullUrl(resource.id as string), resource })),
  };
}
