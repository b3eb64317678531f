import type {
  Bundle,
  BundleEntry,
  FhirResource,
  MessageHeader,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Provenance,
  Reference,
} from 'fhir/r4';
import { z } from 'zod';
import { parseCpr } from '../../shared/cpr.ts';
import { CPR_SYSTEM } from '../../shared/fhir-systems.ts';
import { EAN_CODE, SOR_CODE } from './parties.ts';
import { redactCpr } from './refusal.ts';
import {
  ACTIVITY_CODE_SYSTEM,
  DESTINATION_USE_SYSTEM,
  EAN_SYSTEM,
  EVENT_CODE_SYSTEM,
  EXTENSION,
  PRACTITIONER_ROLE_SYSTEM,
  PRACTITIONER_ROLES,
  PROFILE,
  REPLACEMENT_CPR_SYSTEM,
  SOR_SYSTEM,
  SOR_URL_PREFIX,
} from './systems.ts';

/**
 * What every outbound MedCom message is made of: sender and receiver Organizations with SOR and
 * EAN, the Patient with CPR, the MessageHeader first with its primary destination, the
 * Provenance of this message, narratives (MedCom requires text on every resource), fresh UUIDs
 * and timestamps with their zone.
 */

export class MedcomBuildError extends Error {
  constructor(readonly issues: string[]) {
    super(`cannot build the MedCom message: ${issues.join('; ')}`);
    this.name = 'MedcomBuildError';
  }
}

/** Validates builder input at the library's boundary; messages name fields, never values. */
export function validInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new MedcomBuildError(result.error.issues.map((i) => redactCpr(`${i.path.join('.') || 'input'}: ${i.message}`)));
}

const nonEmpty = z.string().trim().min(1).max(500);
export const OrganisationInput = z.object({
  name: nonEmpty,
  sor: z.string().regex(SOR_CODE, 'a SOR code is 5 to 18 digits'),
  ean: z.string().regex(EAN_CODE, 'an EAN location number is 13 digits'),
});
export type MedcomOrganisation = z.input<typeof OrganisationInput>;

export const PatientInput = z.object({
  /** CPR number, or a replacement CPR number (letters in the last four, as the national eCPR issues them). */
  cpr: z.string().refine((v) => parseCpr(v, { allowReplacement: true }).ok, 'not a CPR or replacement CPR number'),
  name: z.object({ family: nonEmpty, given: z.array(nonEmpty).max(10).default([]) }),
});
export type MedcomPatientInput = z.input<typeof PatientInput>;

export const ProfessionalInput = z.object({
  /** "Given Family"; the last word is the family name. */
  name: nonEmpty,
  /** An SKS role code (`sygeplejerske`) or the role in words. */
  role: nonEmpty,
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 -]{3,30}$/, 'a telephone number is digits, spaces, - and a leading +'),
});
export type ProfessionalInput = z.input<typeof ProfessionalInput>;

export interface BuildOptions {
  now?: Date;
  /** Zone of the timestamps written; default Europe/Copenhagen. */
  timeZone?: string;
  /** Base of every entry's fullUrl (`<base>/<Type>/<id>`); the hub's public FHIR base in production. */
  fullUrlBase?: string;
}

export const DEFAULT_FULL_URL_BASE = 'https://carehub.invalid/fhir';

/** `2024-05-01T12:00:00+02:00`: FHIR dateTime in a named zone, to the second. */
export function fhirDateTime(date: Date, timeZone = 'Europe/Copenhagen'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A generated narrative: MedCom requires one on every resource of a message. */
export function narrative(lines: (string | null | undefined)[]): { status: 'generated'; div: string } {
  const body = lines
    .filter((l): l is string => !!l)
    .map((l) => `<p>${escapeXml(l)}</p>`)
    .join('');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${body || '<p>-</p>'}</div>` };
}

/** Splits "Given Given Family" for HumanName; MedCom wants family and given filled. */
export function humanName(full: string): { family: string; given: string[]; text: string } {
  const words = full.trim().split(/\s+/);
  return { family: words[words.length - 1] as string, given: words.slice(0, -1), text: words.join(' ') };
}

/** A fresh id and the reference to it, for a resource added later than something naming it. */
export function allocate(type: string): { id: string; reference: string } {
  const id = crypto.randomUUID();
  return { id, reference: `${type}/${id}` };
}

/** Collects a message's resources; references are `Type/id` against `<base>/Type/id` fullUrls, as MedCom writes them. */
export class MessageAssembly {
  readonly now: Date;
  readonly stamp: string;
  private readonly timeZone: string | undefined;
  private readonly entries: BundleEntry[] = [];
  private readonly base: string;

  constructor(options: BuildOptions = {}) {
    this.now = options.now ?? new Date();
    this.timeZone = options.timeZone;
    this.stamp = fhirDateTime(this.now, options.timeZone);
    this.base = (options.fullUrlBase ?? DEFAULT_FULL_URL_BASE).replace(/\/+$/, '');
  }

  dateTime(date: Date): string {
    return fhirDateTime(date, this.timeZone);
  }

  /** Adds a resource with a fresh UUID; returns its reference. */
  add<T extends FhirResource>(resource: Omit<T, 'id'> & { id?: string }): Reference & { reference: string } {
    const id = resource.id ?? crypto.randomUUID();
    const withId = { ...resource, id } as T;
    this.entries.push({ fullUrl: `${this.base}/${withId.resourceType}/${id}`, resource: withId });
    return { reference: `${withId.resourceType}/${id}` };
  }

  /** The Bundle, MessageHeader first (bdl-12): the header must be the first resource added. */
  bundle(profile: string): Bundle {
    return {
      resourceType: 'Bundle',
      id: crypto.randomUUID(),
      meta: { profile: [profile] },
      type: 'message',
      timestamp: this.stamp,
      entry: this.entries,
    };
  }
}

export function organizationResource(
  org: z.output<typeof OrganisationInput>,
  profile: string = PROFILE.messagingOrganization,
  extra: Organization['identifier'] = [],
): Omit<Organization, 'id'> {
  return {
    resourceType: 'Organization',
    meta: { profile: [profile] },
    text: narrative([org.name, `SOR ${org.sor}`, `EAN ${org.ean}`]),
    identifier: [{ system: EAN_SYSTEM, value: org.ean }, { system: SOR_SYSTEM, value: org.sor }, ...(extra ?? [])],
    name: org.name,
  };
}

export function patientResource(patient: z.output<typeof PatientInput>): Omit<Patient, 'id'> {
  const parsed = parseCpr(patient.cpr, { allowReplacement: true });
  if (!parsed.ok) throw new MedcomBuildError(['patient.cpr: not a CPR or replacement CPR number']);
  const system = parsed.replacement ? REPLACEMENT_CPR_SYSTEM : CPR_SYSTEM;
  const name = [...patient.name.given, patient.name.family].join(' ');
  return {
    resourceType: 'Patient',
    meta: { profile: [PROFILE.patient] },
    text: narrative([name, `${parsed.replacement ? 'Erstatnings-CPR' : 'CPR'} ${parsed.cpr}`]),
    identifier: [parsed.replacement ? { use: 'temp', system, value: parsed.cpr } : { system, value: parsed.cpr }],
    name: [
      {
        use: 'official',
        family: patient.name.family,
        ...(patient.name.given.length > 0 ? { given: patient.name.given } : {}),
      },
    ],
  };
}

/**
 * A Practitioner and the PractitionerRole naming them; returns the role's reference. `phone` is
 * null only for an earlier segment of a thread that came without one.
 */
export function addProfessional(
  m: MessageAssembly,
  who: { name: string; role: string; phone: string | null },
  organisation: Reference,
): Reference & { reference: string } {
  const name = humanName(who.name);
  const practitioner = m.add<Practitioner>({
    resourceType: 'Practitioner',
    meta: { profile: [PROFILE.practitioner] },
    text: narrative([name.text, who.phone ? `tlf. ${who.phone}` : null]),
    name: [{ family: name.family, ...(name.given.length > 0 ? { given: name.given } : {}) }],
    ...(who.phone ? { telecom: [{ system: 'phone' as const, value: who.phone }] } : {}),
  });
  const coded = PRACTITIONER_ROLES[who.role] !== undefined;
  return m.add<PractitionerRole>({
    resourceType: 'PractitionerRole',
    meta: { profile: [PROFILE.practitionerRole] },
    text: narrative([`${name.text}, ${coded ? PRACTITIONER_ROLES[who.role] : who.role}`]),
    practitioner,
    organization: organisation,
    code: [coded ? { coding: [{ system: PRACTITIONER_ROLE_SYSTEM, code: who.role }] } : { text: who.role }],
  });
}

export interface HeaderParts {
  profile: string;
  event: string;
  sender: { ref: Reference; sor: string };
  receiver: { ref: Reference; sor: string };
  focus?: Reference[];
  definition?: string;
  response?: { identifier: string; code: 'ok' | 'transient-error' | 'fatal-error'; details?: Reference };
}

/** The MessageHeader: to be added first. Its id is fresh; the Provenance targets it. */
export function messageHeader(m: MessageAssembly, id: string, h: HeaderParts): void {
  m.add<MessageHeader>({
    resourceType: 'MessageHeader',
    id,
    meta: { profile: [h.profile] },
    text: narrative([
      `Message ${id}`,
      `Event ${h.event}`,
      `From SOR ${h.sender.sor} to SOR ${h.receiver.sor}`,
      h.response ? `Answers ${h.response.identifier}: ${h.response.code}` : null,
    ]),
    eventCoding: { system: EVENT_CODE_SYSTEM, code: h.event },
    destination: [
      {
        extension: [
          { url: EXTENSION.destinationUse, valueCoding: { system: DESTINATION_USE_SYSTEM, code: 'primary' } },
        ],
        endpoint: `${SOR_URL_PREFIX}${h.receiver.sor}`,
        receiver: h.receiver.ref,
      },
    ],
    sender: h.sender.ref,
    source: { endpoint: `${SOR_URL_PREFIX}${h.sender.sor}` },
    ...(h.focus ? { focus: h.focus } : {}),
    ...(h.definition ? { definition: h.definition } : {}),
    ...(h.response ? { response: h.response } : {}),
  });
}

export interface ProvenanceParts {
  profile: string;
  headerId: string;
  activity: string;
  agent: Reference;
  /** The earlier message this one continues (`revision`) or takes back (`removal`). */
  previous?: { messageId: string; role: 'revision' | 'removal' };
  /** Identifiers of what this message adds (CareCommunication payloads), role `source`. */
  sources?: string[];
}

export function provenance(m: MessageAssembly, p: ProvenanceParts): void {
  const entity: Provenance['entity'] = [
    ...(p.sources ?? []).map((value) => ({ role: 'source' as const, what: { identifier: { value } } })),
    ...(p.previous ? [{ role: p.previous.role, what: { reference: `MessageHeader/${p.previous.messageId}` } }] : []),
  ];
  m.add<Provenance>({
    resourceType: 'Provenance',
    meta: { profile: [p.profile] },
    text: narrative([
      `Provenance for MessageHeader ${p.headerId}`,
      `Activity ${p.activity}`,
      `At ${m.stamp}`,
      p.previous ? `${p.previous.role} of ${p.previous.messageId}` : null,
    ]),
    target: [{ reference: `MessageHeader/${p.headerId}` }],
    occurredDateTime: m.stamp,
    recorded: m.stamp,
    activity: { coding: [{ system: ACTIVITY_CODE_SYSTEM, code: p.activity }] },
    agent: [{ who: p.agent }],
    ...(entity.length > 0 ? { entity } : {}),
  });
}
