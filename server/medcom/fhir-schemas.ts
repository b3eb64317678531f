import { z } from 'zod';

/**
 * The parts of FHIR R4 resources the MedCom parser reads, as zod schemas. Lenient about what is
 * there (every element optional, elements CareHub does not read are dropped), strict about the
 * type of what it reads: a number where a string belongs, or a dateTime without a zone, refuses
 * the message instead of being guessed at.
 */

/** FHIR R4 dateTime (http://hl7.org/fhir/R4/datatypes.html#dateTime): a time needs a zone. */
export const DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
/** FHIR R4 id. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const str = z.string();
const DateTime = z.string().regex(DATE_TIME, 'not a FHIR dateTime (a time needs its zone)');

export const Reference = z.object({
  reference: str.optional(),
  identifier: z.object({ system: str.optional(), value: str.optional() }).optional(),
  display: str.optional(),
});
export const Identifier = z.object({
  use: str.optional(),
  system: str.optional(),
  value: str.optional(),
  assigner: Reference.optional(),
});
export const Coding = z.object({ system: str.optional(), code: str.optional(), display: str.optional() });
export const CodeableConcept = z.object({ coding: z.array(Coding).optional(), text: str.optional() });
export const Period = z.object({ start: DateTime.optional(), end: DateTime.optional() });
export const HumanName = z.object({
  use: str.optional(),
  text: str.optional(),
  family: str.optional(),
  given: z.array(str).optional(),
});
export type HumanNameT = z.infer<typeof HumanName>;
export const ContactPoint = z.object({ system: str.optional(), value: str.optional() });
export const Quantity = z.object({
  value: z.number().finite().optional(),
  comparator: z.enum(['<', '<=', '>=', '>']).optional(),
  unit: str.optional(),
  system: str.optional(),
  code: str.optional(),
});
export const Attachment = z.object({
  contentType: str.optional(),
  data: str.optional(),
  url: str.optional(),
  size: z.number().int().nonnegative().optional(),
  title: str.optional(),
  creation: DateTime.optional(),
});
export const Extension = z.object({
  url: str,
  valueBoolean: z.boolean().optional(),
  valueReference: Reference.optional(),
  valueCoding: Coding.optional(),
  valueDateTime: DateTime.optional(),
  valueIdentifier: Identifier.optional(),
  valueContactPoint: ContactPoint.optional(),
  valuePeriod: Period.optional(),
  valueString: str.optional(),
});
export type Extension = z.infer<typeof Extension>;
const extensions = z.array(Extension).optional();

export const MessageHeader = z.object({
  id: str,
  extension: extensions,
  eventCoding: Coding.optional(),
  destination: z
    .array(z.object({ extension: extensions, endpoint: str.optional(), receiver: Reference.optional() }))
    .optional(),
  sender: Reference.optional(),
  source: z.object({ endpoint: str.optional() }).optional(),
  focus: z.array(Reference).optional(),
  response: z.object({ identifier: str.optional(), code: str.optional(), details: Reference.optional() }).optional(),
});
export type MessageHeader = z.infer<typeof MessageHeader>;

export const Provenance = z.object({
  target: z.array(Reference).optional(),
  occurredDateTime: DateTime.optional(),
  activity: CodeableConcept.optional(),
  agent: z.array(z.object({ who: Reference.optional() })).optional(),
  entity: z.array(z.object({ role: str.optional(), what: Reference.optional() })).optional(),
});
export type Provenance = z.infer<typeof Provenance>;

export const Organization = z.object({
  identifier: z.array(Identifier).optional(),
  name: str.optional(),
  contact: z.array(z.object({ name: HumanName.optional(), extension: extensions })).optional(),
});
export type Organization = z.infer<typeof Organization>;

export const Patient = z.object({
  identifier: z.array(Identifier).optional(),
  name: z.array(HumanName).optional(),
  deceasedBoolean: z.boolean().optional(),
  deceasedDateTime: DateTime.optional(),
});

export const Encounter = z.object({
  extension: extensions,
  status: str.optional(),
  class: Coding.optional(),
  episodeOfCare: z.array(z.object({ identifier: Identifier.optional() })).optional(),
  period: Period.optional(),
  serviceProvider: Reference.optional(),
});

export const PractitionerRole = z.object({
  practitioner: Reference.optional(),
  organization: Reference.optional(),
  code: z.array(CodeableConcept).optional(),
  telecom: z.array(ContactPoint).optional(),
});
export const Practitioner = z.object({
  name: z.array(HumanName).optional(),
  telecom: z.array(ContactPoint).optional(),
});
export const CareTeam = z.object({ name: str.optional(), managingOrganization: z.array(Reference).optional() });

export const Communication = z.object({
  extension: extensions,
  identifier: z.array(Identifier).optional(),
  category: z.array(CodeableConcept).optional(),
  priority: str.optional(),
  topic: CodeableConcept.optional(),
  encounter: Reference.optional(),
  recipient: z.array(Reference).optional(),
  payload: z
    .array(
      z.object({
        extension: extensions,
        contentString: str.optional(),
        contentAttachment: Attachment.optional(),
        contentReference: Reference.optional(),
      }),
    )
    .optional(),
});
export type Payload = NonNullable<z.infer<typeof Communication>['payload']>[number];

export const DiagnosticReport = z.object({
  status: str.optional(),
  code: CodeableConcept.optional(),
  issued: DateTime.optional(),
  conclusion: str.optional(),
  performer: z.array(Reference).optional(),
  result: z.array(Reference).optional(),
});

const ObservationValues = {
  valueQuantity: Quantity.optional(),
  valueString: str.optional(),
  valueCodeableConcept: CodeableConcept.optional(),
  valueInteger: z.number().int().optional(),
  valueBoolean: z.boolean().optional(),
};
export const Observation = z.object({
  identifier: z.array(Identifier).optional(),
  status: str.optional(),
  code: CodeableConcept.optional(),
  effectiveDateTime: DateTime.optional(),
  effectivePeriod: Period.optional(),
  effectiveInstant: DateTime.optional(),
  ...ObservationValues,
  component: z.array(z.object({ code: CodeableConcept.optional(), ...ObservationValues })).optional(),
  interpretation: z.array(CodeableConcept).optional(),
  note: z.array(z.object({ text: str.optional() })).optional(),
  performer: z.array(Reference).optional(),
});
export type Observation = z.infer<typeof Observation>;
export type ObservationValueFields = Pick<Observation, keyof typeof ObservationValues>;

export const OperationOutcome = z.object({
  issue: z
    .array(
      z.object({
        severity: str.optional(),
        code: str.optional(),
        details: CodeableConcept.optional(),
        diagnostics: str.optional(),
      }),
    )
    .optional(),
});

/** Extensions with this URL (MedCom's slices are by URL). */
export const extensionsOf = (list: Extension[] | undefined, url: string): Extension[] =>
  (list ?? []).filter((e) => e.url === url);

/** A FHIR string that is really there (FHIR forbids empty strings; some senders send them). */
export const text = (s: string | undefined): string | null => {
  const t = s?.trim();
  return t ? t : null;
};
