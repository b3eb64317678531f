import type { DiagnosticReport, Observation, ObservationComponent, Organization, Quantity, Reference } from 'fhir/r4';
import { z } from 'zod';
import { UCUM_SYSTEM } from '../../shared/fhir-systems.ts';
import type { BuiltMessage } from './build-acknowledgement.ts';
import {
  addProfessional,
  allocate,
  type BuildOptions,
  MessageAssembly,
  messageHeader,
  narrative,
  OrganisationInput,
  organizationResource,
  PatientInput,
  patientResource,
  ProfessionalInput,
  provenance,
  validInput,
} from './build-common.ts';
import { FHIR_ID } from './fhir-schemas.ts';
import {
  DATA_ABSENT_REASON_URL,
  DIAGNOSTIC_REPORT_CODE_SYSTEM,
  EVENT,
  HOME_CARE_OBSERVATION_ACTIVITIES,
  MEDCOM_INTERPRETATION_SYSTEM,
  MESSAGE_DEFINITION,
  PRODUCENT_ID_SYSTEM,
  PROFILE,
  PROVIDER_NUMBER_SYSTEM,
} from './systems.ts';

/**
 * HomeCareObservation 1.2, outbound: the day's measurements from the municipality's nurses to
 * the citizen's GP ("Send til egen læge"). The GP practice must be addressed with its
 * ydernummer and the producer with its MedCom producent-ID, as MedCom's organisation profiles
 * require; a modification or retraction names the message it changes.
 */

const Code = z.object({
  system: z.string().url(),
  code: z.string().trim().min(1).max(100),
  display: z.string().trim().min(1).max(500).optional(),
});
// MedCom limits the written value to 12 characters (valueQuantity.value and valueString ^maxLength).
const QuantityValue = z
  .number()
  .finite()
  .refine((v) => String(v).length <= 12, 'a value is at most 12 characters written out');
const QuantityInput = z.object({
  quantity: QuantityValue,
  /** UCUM code, e.g. `mm[Hg]`, `/min`, `Cel`, `%`. */
  unit: z.string().trim().min(1).max(40),
  comparator: z.enum(['<', '<=', '>=', '>']).optional(),
});
const ValueInput = z.union([
  QuantityInput,
  z.object({ text: z.string().trim().min(1).max(12) }),
  z.object({
    components: z
      .array(z.object({ code: Code, value: QuantityInput }))
      .min(1)
      .max(10),
  }),
]);

const ObservationInput = z.object({
  code: Code,
  value: ValueInput,
  effectiveAt: z.date(),
  comment: z.string().trim().min(1).max(2000).optional(),
  status: z.enum(['final', 'entered-in-error']).default('final'),
});

const Input = z
  .object({
    sender: OrganisationInput.extend({ producentId: z.string().trim().min(1).max(20).default('KAF') }),
    receiver: OrganisationInput.extend({
      /** The GP practice's ydernummer. */
      providerNumber: z.string().regex(/^[0-9]{6}$/, 'a ydernummer is 6 digits'),
      /** The requesting doctor's initials; null when not known. */
      requesterInitials: z.string().trim().min(1).max(20).nullable().default(null),
    }),
    patient: PatientInput,
    activity: z.enum(HOME_CARE_OBSERVATION_ACTIVITIES).default('new-message'),
    previousMessageId: z.string().regex(FHIR_ID, 'not a FHIR id').optional(),
    performer: ProfessionalInput,
    observations: z.array(ObservationInput).min(1).max(200),
    conclusion: z.string().trim().min(1).max(10_000).optional(),
    issuedAt: z.date().optional(),
  })
  .refine((i) => (i.activity === 'new-message') === (i.previousMessageId === undefined), {
    message: 'a modification or retraction names the message it changes, a new message none',
    path: ['previousMessageId'],
  });

export type HomeCareObservationInput = z.input<typeof Input>;

function quantity(q: z.output<typeof QuantityInput>): Quantity {
  return {
    value: q.quantity,
    ...(q.comparator ? { comparator: q.comparator } : {}),
    unit: q.unit,
    system: UCUM_SYSTEM,
    code: q.unit,
  };
}

const coding = (c: z.output<typeof Code>) => ({
  coding: [{ system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) }],
});

function written(o: z.output<typeof ObservationInput>): string {
  const v = o.value;
  const shown =
    'quantity' in v
      ? `${v.comparator ?? ''}${v.quantity} ${v.unit}`
      : 'text' in v
        ? v.text
        : v.components.map((c) => `${c.value.quantity} ${c.value.unit}`).join(' / ');
  return `${o.code.display ?? o.code.code}: ${shown}`;
}

export function buildHomeCareObservation(raw: HomeCareObservationInput, options: BuildOptions = {}): BuiltMessage {
  const input = validInput(Input, raw);
  const m = new MessageAssembly(options);
  const headerId = crypto.randomUUID();
  const producer = allocate('Organization');
  const requester = allocate('Organization');
  const report = allocate('DiagnosticReport');
  const observations = input.observations.map(() => allocate('Observation'));
  messageHeader(m, headerId, {
    profile: PROFILE.homeCareHeader,
    event: EVENT.homeCareObservation,
    sender: { ref: { reference: producer.reference }, sor: input.sender.sor },
    receiver: { ref: { reference: requester.reference }, sor: input.receiver.sor },
    focus: [{ reference: report.reference }],
    definition: MESSAGE_DEFINITION.homeCareObservation,
  });
  const patient = m.add(patientResource(input.patient));
  const diagnosticReport: Omit<DiagnosticReport, 'id'> & { id: string } = {
    resourceType: 'DiagnosticReport',
    id: report.id,
    meta: { profile: [PROFILE.homeCareReport] },
    text: narrative([input.conclusion, ...input.observations.map(written)]),
    status: 'final',
    code: { coding: [{ system: DIAGNOSTIC_REPORT_CODE_SYSTEM, code: 'HomeCareReport' }] },
    subject: patient,
    issued: m.dateTime(input.issuedAt ?? m.now),
    performer: [{ reference: producer.reference }],
    result: observations.map((o) => ({ reference: o.reference })),
    ...(input.conclusion ? { conclusion: input.conclusion } : {}),
  };
  m.add(diagnosticReport);
  const performer: Reference = addProfessional(m, input.performer, { reference: producer.reference });
  diagnosticReport.performer?.push(performer);

  const initials = input.receiver.requesterInitials;
  m.add<Organization>({
    ...organizationResource(input.receiver, PROFILE.requesterOrganization, [
      { system: PROVIDER_NUMBER_SYSTEM, value: input.receiver.providerNumber },
    ]),
    id: requester.id,
    contact: [
      initials
        ? { name: { given: [initials] } }
        : { extension: [{ url: DATA_ABSENT_REASON_URL, valueCode: 'unknown' }] },
    ],
  });
  m.add({
    ...organizationResource(input.sender, PROFILE.producerOrganization, [
      { system: PRODUCENT_ID_SYSTEM, value: input.sender.producentId },
    ]),
    id: producer.id,
  });
  provenance(m, {
    profile: PROFILE.messagingProvenance,
    headerId,
    activity: input.activity,
    agent: { reference: producer.reference },
    ...(input.previousMessageId
      ? {
          previous: {
            messageId: input.previousMessageId,
            role: input.activity === 'retract-message' ? 'removal' : 'revision',
          },
        }
      : {}),
  });

  input.observations.forEach((o, i) => {
    const v = o.value;
    const value: Partial<Observation> =
      'quantity' in v
        ? { valueQuantity: quantity(v) }
        : 'text' in v
          ? { valueString: v.text }
          : {
              component: v.components.map(
                (c): ObservationComponent => ({ code: coding(c.code), valueQuantity: quantity(c.value) }),
              ),
            };
    m.add<Observation>({
      resourceType: 'Observation',
      id: (observations[i] as { id: string }).id,
      meta: { profile: [PROFILE.homeCareObservation] },
      text: narrative([written(o), m.dateTime(o.effectiveAt), o.comment]),
      status: o.status,
      code: coding(o.code),
      subject: patient,
      effectiveDateTime: m.dateTime(o.effectiveAt),
      performer: [performer],
      ...value,
      interpretation: [{ coding: [{ system: MEDCOM_INTERPRETATION_SYSTEM, code: 'NI', display: 'Not Interpreted' }] }],
      ...(o.comment ? { note: [{ text: o.comment }] } : {}),
    });
  });
  return { messageId: headerId, bundle: m.bundle(PROFILE.homeCareMessage) };
}
