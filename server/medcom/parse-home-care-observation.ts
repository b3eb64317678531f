import { UCUM_SYSTEM } from '../../shared/fhir-systems.ts';
import type { Entry, MessageBundle } from './bundle-index.ts';
import type { ReadEnvelope } from './envelope.ts';
import * as F from './fhir-schemas.ts';
import { infoOf, personName, readOrganisation, readPatient, readProfessional, type Professional } from './parties.ts';
import { quote, refuse } from './refusal.ts';
import { HOME_CARE_OBSERVATION_ACTIVITIES, OBSERVATION_CODE_SYSTEMS, type ObservationTerminology } from './systems.ts';
import type {
  HomeCareObservation,
  HomeCareObservationResult,
  HomeCarePerformer,
  ObservationCode,
  ObservationValue,
} from './types.ts';

/** HomeCareObservation 1.2 (hjemmepleje-målinger): a DiagnosticReport of Observations, sent to the GP. */

function terminologyOf(system: string | null): ObservationTerminology {
  const found = Object.entries(OBSERVATION_CODE_SYSTEMS).find(([, url]) => url === system);
  return (found?.[0] as ObservationTerminology | undefined) ?? 'other';
}

function codes(concept: F.Observation['code'], where: string): ObservationCode[] {
  const list = (concept?.coding ?? []).flatMap((c): ObservationCode[] => {
    const code = F.text(c.code);
    if (!code) return [];
    const system = F.text(c.system);
    return [{ system, code, display: F.text(c.display), terminology: terminologyOf(system) }];
  });
  if (list.length === 0) refuse('missing-element', 'an Observation code has no coding', where);
  return list;
}

function observationValue(o: F.ObservationValueFields): ObservationValue | null {
  if (o.valueQuantity) {
    const q = o.valueQuantity;
    if (q.value === undefined) return null;
    const ucum = q.system === UCUM_SYSTEM ? F.text(q.code) : null;
    return { type: 'quantity', value: q.value, comparator: q.comparator ?? null, unit: F.text(q.unit) ?? ucum, ucum };
  }
  if (o.valueString !== undefined) return { type: 'string', value: o.valueString };
  if (o.valueInteger !== undefined)
    return { type: 'quantity', value: o.valueInteger, comparator: null, unit: null, ucum: null };
  if (o.valueBoolean !== undefined) return { type: 'string', value: String(o.valueBoolean) };
  const concept = o.valueCodeableConcept;
  const shown = F.text(concept?.text) ?? F.text(concept?.coding?.[0]?.display) ?? F.text(concept?.coding?.[0]?.code);
  return shown ? { type: 'string', value: shown } : null;
}

const performerOf = (p: Professional): HomeCarePerformer => ({
  name: p.name,
  roleCode: p.roleCode,
  role: p.role,
  phone: p.phone,
  organisation: p.organisation ? { ...infoOf(p.organisation), producentId: p.organisation.producentId } : null,
});

/** DiagnosticReport.performer (or Observation.performer): the producer organisation and the professional. */
function performers(
  bundle: MessageBundle,
  refs: { reference?: string }[] | undefined,
  where: string,
): HomeCarePerformer | null {
  let person: HomeCarePerformer | null = null;
  let organisation: HomeCarePerformer['organisation'] = null;
  (refs ?? []).forEach((ref, i) => {
    const entry = bundle.resolvePresent(
      ref.reference,
      ['Organization', 'PractitionerRole', 'Practitioner'],
      `${where}[${i}]`,
    );
    if (!entry) return;
    if (entry.type === 'Organization') {
      const org = readOrganisation(bundle, entry);
      organisation ??= { ...infoOf(org), producentId: org.producentId };
    } else if (entry.type === 'PractitionerRole') {
      person ??= performerOf(readProfessional(bundle, entry));
    } else {
      const practitioner = bundle.read(entry, F.Practitioner);
      const phone = practitioner.telecom?.find((t) => t.system === 'phone')?.value;
      person ??= {
        name: personName(practitioner.name),
        roleCode: null,
        role: null,
        phone: F.text(phone),
        organisation: null,
      };
    }
  });
  if (!person && !organisation) return null;
  const base: HomeCarePerformer = person ?? { name: null, roleCode: null, role: null, phone: null, organisation: null };
  return { ...base, organisation: base.organisation ?? organisation };
}

function observation(
  bundle: MessageBundle,
  entry: Entry,
  fallback: HomeCarePerformer | null,
): HomeCareObservationResult {
  const o = bundle.read(entry, F.Observation);
  const all = codes(o.code, `${entry.path}.code`);
  if (!F.text(o.status)) refuse('missing-element', 'Observation.status is missing', `${entry.path}.status`);
  const components = (o.component ?? []).map((c, i) => ({
    code: codes(c.code, `${entry.path}.component[${i}].code`)[0] as ObservationCode,
    value: observationValue(c),
  }));
  const id = (o.identifier ?? []).find((i) => F.text(i.value));
  return {
    identifier: id ? `${F.text(id.system) ?? ''}|${F.text(id.value)}` : null,
    code: all[0] as ObservationCode,
    codings: all,
    status: o.status as string,
    effectiveAt: o.effectiveDateTime ?? o.effectiveInstant ?? o.effectivePeriod?.start ?? null,
    value: observationValue(o) ?? (components.length > 0 ? { type: 'components', components } : null),
    interpretation: F.text(o.interpretation?.[0]?.coding?.[0]?.code),
    notes: (o.note ?? []).map((n) => F.text(n.text)).filter((t) => t !== null),
    performer: o.performer?.length ? performers(bundle, o.performer, `${entry.path}.performer`) : fallback,
  };
}

export function parseHomeCareObservation(bundle: MessageBundle, read: ReadEnvelope): HomeCareObservation {
  const { activity, envelope } = read;
  if (!(HOME_CARE_OBSERVATION_ACTIVITIES as readonly string[]).includes(activity)) {
    refuse(
      'unsupported-activity',
      `${quote(activity)} is not a HomeCareObservation activity CareHub takes (new, modified, retracted)`,
      'Provenance.activity',
    );
  }
  if (activity !== 'new-message' && envelope.previous === null) {
    refuse('missing-element', `a ${activity} names no earlier message in its Provenance`, 'Provenance.entity');
  }
  const patient = readPatient(bundle);
  const where = `${read.headerEntry.path}.focus[0]`;
  const reportEntry = bundle.resolve(read.header.focus?.[0]?.reference, ['DiagnosticReport'], where);
  if (!reportEntry)
    refuse('unresolved-reference', 'MessageHeader.focus does not name a DiagnosticReport in the Bundle', where);
  const report = bundle.read(reportEntry, F.DiagnosticReport);
  // Every result must be in the Bundle; Observations the report does not list are taken too, so nothing sent is lost.
  (report.result ?? []).forEach((r, i) => {
    bundle.resolvePresent(r.reference, ['Observation'], `${reportEntry.path}.result[${i}]`);
  });
  const performer = performers(bundle, report.performer, `${reportEntry.path}.performer`);
  const observations = bundle.ofType('Observation').map((e) => observation(bundle, e, performer));
  if (observations.length === 0)
    refuse('missing-element', 'the message holds no Observation', 'Bundle.entry.resource.ofType(Observation)');

  const receiverEntry = bundle.resolve(read.header.destination?.[0]?.receiver?.reference, ['Organization'], where);
  const requester = receiverEntry ? readOrganisation(bundle, receiverEntry, 'invalid-receiver') : null;

  return {
    kind: 'home-care-observation',
    ...envelope,
    activity: activity as HomeCareObservation['activity'],
    patient: { cpr: patient.cpr, cprSystem: patient.cprSystem, replacement: patient.replacement, name: patient.name },
    report: {
      status: F.text(report.status) ?? 'unknown',
      issuedAt: report.issued ?? null,
      conclusion: F.text(report.conclusion),
    },
    performer,
    requester:
      requester && (requester.providerNumber || requester.contactInitials)
        ? { providerNumber: requester.providerNumber, initials: requester.contactInitials }
        : null,
    observations,
  };
}
