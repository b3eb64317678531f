import type { Communication, CommunicationPayload, Encounter, Extension, Organization, Reference } from 'fhir/r4';
import { z } from 'zod';
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
import { base64Size } from './parse-care-communication.ts';
import { DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_TEXT_LENGTH } from './parse.ts';
import { EAN_CODE, SOR_CODE } from './parties.ts';
import {
  ACT_CODE_SYSTEM,
  ATTACHMENT_CONTENT_TYPES,
  CARE_COMMUNICATION_CATEGORIES,
  CARE_COMMUNICATION_CATEGORY_SYSTEM,
  EAN_SYSTEM,
  EVENT,
  EXTENSION,
  MESSAGE_DEFINITION,
  PRACTITIONER_ROLES,
  PROFILE,
  SOR_SYSTEM,
} from './systems.ts';
import type { CareCommunicationPayload } from './types.ts';

/**
 * CareCommunication 5.0, outbound: a new message to another organisation on the care team, or
 * a reply in a thread. A reply keeps the thread's Communication.identifier, carries the thread's
 * earlier segments (as the parser gave them) and names the message it answers in its Provenance.
 */

const text = z.string().trim().min(1).max(500);
const categories = Object.keys(CARE_COMMUNICATION_CATEGORIES) as [
  keyof typeof CARE_COMMUNICATION_CATEGORIES,
  ...(keyof typeof CARE_COMMUNICATION_CATEGORIES)[],
];

const AttachmentInput = z.object({
  contentType: z.enum(ATTACHMENT_CONTENT_TYPES),
  /** Shown as the attachment's name; MedCom forbids a file extension added by the system. */
  title: text,
  /** Base64 content. */
  data: z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
    .min(1),
  createdAt: z.date().optional(),
});

/** A segment from the thread so far: the parser's `CareCommunicationPayload`. */
const EarlierPayload = z.object({
  identifier: z.string().min(1),
  assigner: z
    .object({
      sor: z.string().regex(SOR_CODE).nullable(),
      ean: z.string().regex(EAN_CODE).nullable(),
      name: z.string().nullable(),
    })
    .nullable(),
  writtenAt: z.string().nullable(),
  author: z
    .object({
      name: z.object({ text: z.string() }).nullable(),
      roleCode: z.string().nullable(),
      role: z.string().nullable(),
      phone: z.string().nullable(),
    })
    .nullable(),
  content: z.discriminatedUnion('type', [
    z.object({ type: z.literal('text'), text: z.string() }),
    z.object({
      type: z.literal('attachment'),
      contentType: z.string().nullable(),
      title: z.string(),
      data: z.string().nullable(),
      url: z.string().nullable(),
      createdAt: z.string().nullable(),
    }),
  ]),
});

const Input = z
  .object({
    sender: OrganisationInput,
    receiver: OrganisationInput,
    patient: PatientInput,
    category: z.enum(categories),
    topic: text.optional(),
    priority: z.enum(['routine', 'asap']).optional(),
    /** The hospital stay the message is about, when known (from its HospitalNotification). */
    episodeOfCare: z
      .object({
        system: z.string().min(1),
        value: z.string().min(1),
        encounterStatus: z.enum([
          'planned',
          'arrived',
          'in-progress',
          'onleave',
          'finished',
          'cancelled',
          'entered-in-error',
          'unknown',
        ]),
        encounterClass: z.enum(['IMP', 'EMER', 'AMB', 'HH', 'VR']),
      })
      .optional(),
    text: z.string().trim().min(1),
    author: ProfessionalInput,
    writtenAt: z.date().optional(),
    attachments: z.array(AttachmentInput).max(20).default([]),
    replyTo: z
      .object({
        messageId: z.string().regex(FHIR_ID, 'not a FHIR id'),
        communicationId: z.string().min(1),
        earlierPayloads: z.array(EarlierPayload).default([]),
      })
      .optional(),
  })
  // medcom-careCommunication-5 and -6.
  .refine((i) => i.priority === undefined || i.category === 'regarding-referral', {
    message: 'a priority is only allowed with category regarding-referral',
    path: ['priority'],
  })
  .refine((i) => i.category !== 'other' || i.topic !== undefined, {
    message: 'category other needs a topic',
    path: ['topic'],
  });

export type CareCommunicationInput = z.input<typeof Input>;

export interface CareCommunicationOptions extends BuildOptions {
  maxAttachmentBytes?: number;
  maxTextLength?: number;
}

export interface BuiltCareCommunication extends BuiltMessage {
  /** The thread's identifier (new for a new message, the thread's own for a reply). */
  communicationId: string;
  /** Identifiers of the segments this message adds: its text first, then its attachments. */
  payloadIdentifiers: string[];
}

const urnUuid = () => `urn:uuid:${crypto.randomUUID()}`;
const ext = (url: string, value: Omit<Extension, 'url'>): Extension => ({ url, ...value });

export function buildCareCommunication(
  raw: CareCommunicationInput,
  options: CareCommunicationOptions = {},
): BuiltCareCommunication {
  const input = validInput(Input, raw);
  const maxText = options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const maxBytes = options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
  validInput(
    z.object({
      text: z.string().max(maxText, `the text is longer than ${maxText} characters`),
      attachments: z.array(
        z.object({
          data: z.string().refine((d) => base64Size(d) <= maxBytes, `an attachment is over ${maxBytes} bytes`),
        }),
      ),
    }),
    input,
  );

  const m = new MessageAssembly(options);
  const headerId = crypto.randomUUID();
  const from = allocate('Organization');
  const to = allocate('Organization');
  const communication = allocate('Communication');
  messageHeader(m, headerId, {
    profile: PROFILE.careCommunicationHeader,
    event: EVENT.careCommunication,
    sender: { ref: { reference: from.reference }, sor: input.sender.sor },
    receiver: { ref: { reference: to.reference }, sor: input.receiver.sor },
    focus: [{ reference: communication.reference }],
    definition: MESSAGE_DEFINITION.careCommunication,
  });
  const patient = m.add(patientResource(input.patient));
  const encounter = input.episodeOfCare ? allocate('Encounter') : null;

  // Organisations that assigned earlier segments and are neither sender nor receiver (a forwarded thread).
  const assigners = new Map<string, Reference>([
    [input.sender.sor, { reference: from.reference }],
    [input.receiver.sor, { reference: to.reference }],
  ]);
  const later: Omit<Organization, 'id'>[] = [];
  // A segment whose assigner the thread did not say is credited to the receiver, the other party of the thread.
  const assignerOf = (a: z.output<typeof EarlierPayload>['assigner']): Reference => {
    if (!a?.sor) return { reference: to.reference };
    const known = assigners.get(a.sor);
    if (known) return known;
    const ref = allocate('Organization');
    assigners.set(a.sor, { reference: ref.reference });
    later.push({
      resourceType: 'Organization',
      id: ref.id,
      meta: { profile: [PROFILE.coreOrganization] },
      text: narrative([a.name, `SOR ${a.sor}`]),
      identifier: [...(a.ean ? [{ system: EAN_SYSTEM, value: a.ean }] : []), { system: SOR_SYSTEM, value: a.sor }],
      ...(a.name ? { name: a.name } : {}),
    } as Omit<Organization, 'id'>);
    return { reference: ref.reference };
  };

  const payloads: CommunicationPayload[] = [];
  for (const earlier of input.replyTo?.earlierPayloads ?? []) {
    const assigner = assignerOf(earlier.assigner);
    const extension: Extension[] = [];
    if (earlier.writtenAt) extension.push(ext(EXTENSION.payloadDateTime, { valueDateTime: earlier.writtenAt }));
    extension.push(ext(EXTENSION.payloadIdentifier, { valueIdentifier: { value: earlier.identifier, assigner } }));
    const writer = earlier.author;
    if (writer?.name) {
      // The role as coded if CareHub knows the code, else in words ("ukendt" when the thread did not say).
      const role = writer.roleCode && PRACTITIONER_ROLES[writer.roleCode] ? writer.roleCode : (writer.role ?? 'ukendt');
      extension.push(
        ext(EXTENSION.payloadAuthor, {
          valueReference: addProfessional(m, { name: writer.name.text, role, phone: writer.phone }, assigner),
        }),
      );
      if (writer.phone)
        extension.push(
          ext(EXTENSION.payloadAuthorContact, { valueContactPoint: { system: 'phone', value: writer.phone } }),
        );
    }
    const c = earlier.content;
    payloads.push(
      c.type === 'text'
        ? { extension, contentString: c.text }
        : {
            extension,
            contentAttachment: {
              ...(c.contentType ? { contentType: c.contentType } : {}),
              ...(c.data ? { data: c.data } : {}),
              ...(c.url ? { url: c.url } : {}),
              title: c.title,
              ...(c.createdAt ? { creation: c.createdAt } : {}),
            },
          },
    );
  }

  const author = addProfessional(m, input.author, { reference: from.reference });
  const writtenAt = m.dateTime(input.writtenAt ?? m.now);
  const added: string[] = [];
  const segment = (): Extension[] => {
    const id = urnUuid();
    added.push(id);
    return [
      ext(EXTENSION.payloadDateTime, { valueDateTime: writtenAt }),
      ext(EXTENSION.payloadIdentifier, { valueIdentifier: { value: id, assigner: { reference: from.reference } } }),
      ext(EXTENSION.payloadAuthor, { valueReference: author }),
    ];
  };
  payloads.push({
    extension: [
      ...segment(),
      ext(EXTENSION.payloadAuthorContact, { valueContactPoint: { system: 'phone', value: input.author.phone } }),
    ],
    contentString: input.text,
  });
  for (const a of input.attachments) {
    payloads.push({
      extension: segment(),
      contentAttachment: {
        contentType: a.contentType,
        data: a.data,
        title: a.title,
        ...(a.createdAt ? { creation: m.dateTime(a.createdAt) } : {}),
      },
    });
  }
  const communicationIdentifier = input.replyTo?.communicationId ?? urnUuid();
  m.add<Communication>({
    resourceType: 'Communication',
    id: communication.id,
    meta: { profile: [PROFILE.careCommunication] },
    text: narrative([
      `Kategori: ${CARE_COMMUNICATION_CATEGORIES[input.category]}`,
      input.topic ? `Emne: ${input.topic}` : null,
      ...payloads.map((p) => p.contentString ?? `Vedhæftet: ${p.contentAttachment?.title ?? ''}`),
    ]),
    identifier: [{ value: communicationIdentifier }],
    status: 'unknown',
    category: [{ coding: [{ system: CARE_COMMUNICATION_CATEGORY_SYSTEM, code: input.category }] }],
    ...(input.priority ? { priority: input.priority } : {}),
    subject: patient,
    ...(input.topic ? { topic: { text: input.topic } } : {}),
    ...(encounter ? { encounter: { reference: encounter.reference } } : {}),
    payload: payloads,
  });

  if (encounter && input.episodeOfCare) {
    const e = input.episodeOfCare;
    m.add<Encounter>({
      resourceType: 'Encounter',
      id: encounter.id,
      meta: { profile: [PROFILE.coreEncounter] },
      text: narrative([`Forløb ${e.value}`]),
      status: e.encounterStatus,
      class: { system: ACT_CODE_SYSTEM, code: e.encounterClass },
      subject: patient,
      episodeOfCare: [{ identifier: { system: e.system, value: e.value } }],
    });
  }
  m.add({ ...organizationResource(input.sender), id: from.id });
  m.add({ ...organizationResource(input.receiver), id: to.id });
  for (const org of later) m.add(org);
  provenance(m, {
    profile: PROFILE.careCommunicationProvenance,
    headerId,
    activity: input.replyTo ? 'reply-message' : 'new-message',
    agent: { reference: from.reference },
    sources: added,
    ...(input.replyTo ? { previous: { messageId: input.replyTo.messageId, role: 'revision' as const } } : {}),
  });
  return {
    messageId: headerId,
    bundle: m.bundle(PROFILE.careCommunicationMessage),
    communicationId: communicationIdentifier,
    payloadIdentifiers: added,
  };
}

/** The parser's payloads, fit for `replyTo.earlierPayloads`. */
export const earlierPayloads = (
  payloads: CareCommunicationPayload[],
): (CareCommunicationPayload & { identifier: string })[] =>
  payloads.filter((p): p is CareCommunicationPayload & { identifier: string } => p.identifier !== null);
