import { parseCpr } from '../../shared/cpr.ts';
import { CPR_SYSTEM } from '../../shared/fhir-systems.ts';
import type { Entry, MessageBundle } from './bundle-index.ts';
import * as F from './fhir-schemas.ts';
import { quote, refuse, type RefusedCode } from './refusal.ts';
import {
  EAN_SYSTEM,
  PRACTITIONER_ROLE_SYSTEM,
  PRACTITIONER_ROLES,
  PRODUCENT_ID_SYSTEM,
  PROVIDER_NUMBER_SYSTEM,
  REPLACEMENT_CPR_SYSTEM,
  SOR_SYSTEM,
  SOR_URL_PREFIX,
} from './systems.ts';
import type { MedcomParty, MedcomPatient, OrganisationInfo, PersonName } from './types.ts';

/** Organisations, people and the patient of a message, as CareHub keeps them. */

import { EAN_CODE, SOR_CODE } from '../../shared/organisation-codes.ts';

export { EAN_CODE, SOR_CODE };

/** The SOR code in an endpoint such as `https://sor2.sum.dsdn.dk/#id=265161000016000`, if it is one. */
export function sorOfEndpoint(endpoint: string | undefined): string | null {
  if (!endpoint?.startsWith(SOR_URL_PREFIX)) return null;
  const sor = endpoint.slice(SOR_URL_PREFIX.length);
  return SOR_CODE.test(sor) ? sor : null;
}

/** The one value of an identifier system; several different values make it unusable. */
function single(org: F.Organization, system: string, where: string, invalid: RefusedCode): string | null {
  const values = new Set((org.identifier ?? []).filter((i) => i.system === system).map((i) => F.text(i.value)));
  values.delete(null);
  if (values.size > 1)
    refuse(invalid, `${where} has ${values.size} different identifiers with system ${system}`, `${where}.identifier`);
  return [...values][0] ?? null;
}

export interface OrganisationDetails extends OrganisationInfo {
  providerNumber: string | null;
  producentId: string | null;
  /** The requesting doctor's initials (MedComRequesterOrganization.contact). */
  contactInitials: string | null;
}

export function readOrganisation(
  bundle: MessageBundle,
  entry: Entry,
  invalid: RefusedCode = 'invalid-element',
): OrganisationDetails {
  const org = bundle.read(entry, F.Organization);
  const sor = single(org, SOR_SYSTEM, entry.path, invalid);
  const ean = single(org, EAN_SYSTEM, entry.path, invalid);
  if (sor !== null && !SOR_CODE.test(sor))
    refuse(invalid, `${entry.path}: the SOR code ${quote(sor)} is not 5 to 18 digits`, `${entry.path}.identifier`);
  if (ean !== null && !EAN_CODE.test(ean))
    refuse(
      invalid,
      `${entry.path}: the EAN location number ${quote(ean)} is not 13 digits`,
      `${entry.path}.identifier`,
    );
  const contact = org.contact?.[0];
  return {
    sor,
    ean,
    name: F.text(org.name),
    providerNumber: single(org, PROVIDER_NUMBER_SYSTEM, entry.path, invalid),
    producentId: single(org, PRODUCENT_ID_SYSTEM, entry.path, invalid),
    contactInitials: F.text(contact?.name?.given?.join(' ')) ?? F.text(contact?.name?.text),
  };
}

export const infoOf = (o: OrganisationDetails): OrganisationInfo => ({ sor: o.sor, ean: o.ean, name: o.name });

/** An organisation a reference names, or null when there is no reference. */
export function referencedOrganisation(
  bundle: MessageBundle,
  reference: string | undefined,
  where: string,
): OrganisationDetails | null {
  const entry = bundle.resolvePresent(reference, ['Organization'], where);
  return entry ? readOrganisation(bundle, entry) : null;
}

/**
 * Sender or receiver: the Organization the MessageHeader names, with its SOR code from its
 * identifiers or, failing that, from the endpoint. A receiver whose Organization and endpoint
 * name different SOR codes is refused: CareHub routes by that code and will not guess. For the
 * sender the Organization wins: MedCom's own forward example keeps the first sender's
 * source.endpoint.
 */
export function readParty(
  bundle: MessageBundle,
  reference: string | undefined,
  endpoint: string | undefined,
  role: 'sender' | 'receiver',
  where: string,
): MedcomParty {
  const missing: RefusedCode = role === 'sender' ? 'no-sender' : 'no-receiver';
  const invalid: RefusedCode = role === 'sender' ? 'invalid-sender' : 'invalid-receiver';
  if (!reference) refuse(missing, `${where} is missing: the ${role} Organization is not named`, where);
  const entry = bundle.resolve(reference, ['Organization'], where);
  if (!entry) refuse(missing, `${where}: ${quote(reference)} does not name an Organization in the Bundle`, where);
  const org = readOrganisation(bundle, entry, invalid);
  const fromEndpoint = sorOfEndpoint(endpoint);
  if (role === 'receiver' && org.sor && fromEndpoint && org.sor !== fromEndpoint) {
    refuse(
      invalid,
      `the ${role}'s SOR code ${org.sor} differs from the one in its endpoint (${fromEndpoint})`,
      `${entry.path}.identifier`,
    );
  }
  const sor = org.sor ?? fromEndpoint;
  if (!sor)
    refuse(
      missing,
      `the ${role} has no SOR code (${SOR_SYSTEM}) in its Organization or endpoint`,
      `${entry.path}.identifier`,
    );
  return { sor, ean: org.ean, name: org.name };
}

export function personName(names: F.HumanNameT[] | undefined): PersonName | null {
  const name = names?.find((n) => n.use === 'official') ?? names?.[0];
  if (!name) return null;
  const family = F.text(name.family);
  const given = (name.given ?? []).map((g) => g.trim()).filter((g) => g !== '');
  const text = F.text(name.text) ?? ([...given, family ?? ''].join(' ').trim() || null);
  return text ? { family, given, text } : null;
}

/**
 * The one Patient of the message and its CPR (or replacement CPR) number: the key CareHub finds
 * the citizen by, so it must be there and be a real number. Diagnostics never show the number.
 */
export function readPatient(bundle: MessageBundle): MedcomPatient & { deceased: boolean; deceasedAt: string | null } {
  const patients = bundle.ofType('Patient');
  if (patients.length === 0)
    refuse('no-patient', 'the message has no Patient', 'Bundle.entry.resource.ofType(Patient)');
  if (patients.length > 1)
    refuse(
      'several-patients',
      `the message has ${patients.length} Patients; a MedCom message is about exactly one`,
      'Bundle.entry.resource.ofType(Patient)',
    );
  const entry = patients[0] as Entry;
  const patient = bundle.read(entry, F.Patient);
  const ids = patient.identifier ?? [];
  const system = ids.some((i) => i.system === CPR_SYSTEM)
    ? CPR_SYSTEM
    : ids.some((i) => i.system === REPLACEMENT_CPR_SYSTEM)
      ? REPLACEMENT_CPR_SYSTEM
      : null;
  const where = `${entry.path}.identifier`;
  if (!system)
    refuse(
      'no-patient-identifier',
      `the Patient has no identifier with system ${CPR_SYSTEM} (CPR) or ${REPLACEMENT_CPR_SYSTEM} (replacement CPR)`,
      where,
    );
  const values = new Set(ids.filter((i) => i.system === system).map((i) => F.text(i.value)));
  values.delete(null);
  if (values.size === 0) refuse('no-patient-identifier', `the Patient's ${system} identifier has no value`, where);
  if (values.size > 1)
    refuse('invalid-patient-identifier', `the Patient has ${values.size} different ${system} identifiers`, where);
  const replacement = system === REPLACEMENT_CPR_SYSTEM;
  const parsed = parseCpr([...values][0] as string, { allowReplacement: replacement });
  if (!parsed.ok)
    refuse(
      'invalid-patient-identifier',
      `the Patient's ${replacement ? 'replacement CPR' : 'CPR'} number is not valid: ${parsed.reason}`,
      where,
    );
  return {
    cpr: parsed.cpr,
    cprSystem: system,
    replacement,
    name: personName(patient.name),
    deceased: patient.deceasedBoolean === true || patient.deceasedDateTime !== undefined,
    deceasedAt: patient.deceasedDateTime ?? null,
  };
}

export interface Professional {
  name: PersonName | null;
  roleCode: string | null;
  role: string | null;
  phone: string | null;
  organisation: OrganisationDetails | null;
}

/** A PractitionerRole and its Practitioner: who wrote or measured, in which role. */
export function readProfessional(bundle: MessageBundle, entry: Entry): Professional {
  const role = bundle.read(entry, F.PractitionerRole);
  const practitionerEntry = bundle.resolvePresent(
    role.practitioner?.reference,
    ['Practitioner'],
    `${entry.path}.practitioner`,
  );
  const practitioner = practitionerEntry ? bundle.read(practitionerEntry, F.Practitioner) : null;
  const coding = role.code
    ?.flatMap((c) => c.coding ?? [])
    .find((c) => c.system === PRACTITIONER_ROLE_SYSTEM && F.text(c.code));
  const roleCode = F.text(coding?.code);
  const roleText = F.text(role.code?.find((c) => F.text(c.text))?.text);
  const phone = [...(practitioner?.telecom ?? []), ...(role.telecom ?? [])].find(
    (t) => t.system === 'phone' && F.text(t.value),
  );
  return {
    name: personName(practitioner?.name),
    roleCode,
    role: roleText ?? F.text(coding?.display) ?? (roleCode ? (PRACTITIONER_ROLES[roleCode] ?? roleCode) : null),
    phone: F.text(phone?.value),
    organisation: referencedOrganisation(bundle, role.organization?.reference, `${entry.path}.organization`),
  };
}
