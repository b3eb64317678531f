import type { Entry, MessageBundle } from './bundle-index.ts';
import type { ReadEnvelope } from './envelope.ts';
import { episodeOfCareId } from './episode-of-care.ts';
import * as F from './fhir-schemas.ts';
import { infoOf, readPatient, readProfessional, referencedOrganisation } from './parties.ts';
import { quote, refuse } from './refusal.ts';
import {
  ATTACHMENT_CONTENT_TYPES,
  type AttachmentContentType,
  CARE_COMMUNICATION_ACTIVITIES,
  CARE_COMMUNICATION_CATEGORIES,
  CARE_COMMUNICATION_CATEGORY_SYSTEM,
  EXTENSION,
} from './systems.ts';
import type {
  CareCommunication,
  CareCommunicationAuthor,
  CareCommunicationContent,
  CareCommunicationPayload,
} from './types.ts';

/** CareCommunication 5.0 (korrespondancemeddelelse): a thread of message segments and attachments. */

export interface CareCommunicationLimits {
  maxAttachmentBytes: number;
  maxTextLength: number;
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** Decoded size of base64 text, without decoding it. */
export function base64Size(data: string): number {
  const clean = data.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - padding;
}

function focusCommunication(bundle: MessageBundle, read: ReadEnvelope): Entry {
  const where = `${read.headerEntry.path}.focus[0]`;
  const focus = read.header.focus?.[0]?.reference;
  if (focus) {
    const entry = bundle.resolve(focus, ['Communication'], where);
    if (!entry)
      refuse('unresolved-reference', 'MessageHeader.focus does not name a Communication in the Bundle', where);
    return entry;
  }
  const all = bundle.ofType('Communication');
  if (all.length !== 1)
    refuse(
      'missing-element',
      'MessageHeader.focus is missing and the Bundle does not hold exactly one Communication',
      where,
    );
  return all[0] as Entry;
}

function author(bundle: MessageBundle, reference: string | undefined, where: string): CareCommunicationAuthor | null {
  const entry = bundle.resolvePresent(reference, ['PractitionerRole'], where);
  if (!entry) return null;
  const p = readProfessional(bundle, entry);
  return {
    name: p.name,
    roleCode: p.roleCode,
    role: p.role,
    phone: p.phone,
    organisation: p.organisation ? infoOf(p.organisation) : null,
  };
}

/** A CareTeam's name, or a PractitionerRole's person: the specific sender or recipient. */
function specific(bundle: MessageBundle, reference: string | undefined, where: string): string | null {
  const entry = bundle.resolvePresent(reference, ['CareTeam', 'PractitionerRole'], where);
  if (!entry) return null;
  if (entry.type === 'CareTeam') return F.text(bundle.read(entry, F.CareTeam).name);
  const p = readProfessional(bundle, entry);
  return [p.name?.text, p.role].filter(Boolean).join(', ') || null;
}

function content(payload: F.Payload, where: string, limits: CareCommunicationLimits): CareCommunicationContent {
  const hasString = payload.contentString !== undefined;
  const attachment = payload.contentAttachment;
  if (hasString === (attachment !== undefined))
    refuse('invalid-element', 'a payload holds either a text or an attachment', where);
  if (hasString) {
    const text = payload.contentString as string;
    if (text.length > limits.maxTextLength)
      refuse(
        'text-too-long',
        `a message text is longer than ${limits.maxTextLength} characters`,
        `${where}.contentString`,
      );
    return { type: 'text', text };
  }
  const a = attachment as NonNullable<F.Payload['contentAttachment']>;
  const title = F.text(a.title);
  if (!title) refuse('missing-element', 'an attachment has no title', `${where}.contentAttachment.title`);
  const contentType = F.text(a.contentType);
  if (contentType !== null && !(ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(contentType)) {
    refuse(
      'unsupported-attachment-type',
      `attachment type ${quote(contentType)} is not one MedCom allows (${ATTACHMENT_CONTENT_TYPES.join(', ')})`,
      `${where}.contentAttachment.contentType`,
    );
  }
  const url = F.text(a.url);
  // A link is shown to staff as a link: only web addresses, never javascript: or data: URLs.
  if (url !== null && !/^https?:\/\/[^\s]+$/i.test(url))
    refuse('invalid-element', 'an attachment link is not an http(s) address', `${where}.contentAttachment.url`);
  let data: string | null = null;
  let size: number | null = null;
  if (a.data !== undefined) {
    if (contentType === null)
      refuse(
        'missing-element',
        'an attachment with content has no contentType',
        `${where}.contentAttachment.contentType`,
      );
    // Checked by length before the pattern, so an oversized attachment costs no regex time.
    size = base64Size(a.data);
    if (size > limits.maxAttachmentBytes)
      refuse(
        'attachment-too-large',
        `an attachment of ${size} bytes is over the limit of ${limits.maxAttachmentBytes}`,
        `${where}.contentAttachment.data`,
      );
    if (!BASE64.test(a.data))
      refuse('invalid-element', 'attachment data is not base64', `${where}.contentAttachment.data`);
    data = a.data;
  }
  return {
    type: 'attachment',
    contentType: contentType as AttachmentContentType | null,
    title,
    size,
    data,
    url,
    createdAt: a.creation ?? null,
  };
}

export function parseCareCommunication(
  bundle: MessageBundle,
  read: ReadEnvelope,
  limits: CareCommunicationLimits,
): CareCommunication {
  const { activity, envelope } = read;
  if (!(CARE_COMMUNICATION_ACTIVITIES as readonly string[]).includes(activity)) {
    refuse('unsupported-activity', `${quote(activity)} is not a CareCommunication activity`, 'Provenance.activity');
  }
  const patient = readPatient(bundle);
  const entry = focusCommunication(bundle, read);
  const communication = bundle.read(entry, F.Communication);
  const at = entry.path;

  const communicationId = F.text(communication.identifier?.[0]?.value);
  if (!communicationId)
    refuse('missing-element', 'Communication.identifier (the thread) is missing', `${at}.identifier`);
  const coding = (communication.category ?? [])
    .flatMap((c) => c.coding ?? [])
    .find((c) => c.system === CARE_COMMUNICATION_CATEGORY_SYSTEM && F.text(c.code));
  if (!coding?.code)
    refuse(
      'missing-element',
      `Communication.category has no code from ${CARE_COMMUNICATION_CATEGORY_SYSTEM}`,
      `${at}.category`,
    );
  const priority = communication.priority;
  if (priority !== undefined && priority !== 'routine' && priority !== 'asap')
    refuse('invalid-element', 'Communication.priority must be routine or asap', `${at}.priority`);

  const encounterEntry = bundle.resolvePresent(communication.encounter?.reference, ['Encounter'], `${at}.encounter`);
  const episodes = encounterEntry
    ? (bundle.read(encounterEntry, F.Encounter).episodeOfCare ?? []).map((e) => episodeOfCareId(e.identifier))
    : [];

  const payloads = communication.payload ?? [];
  if (payloads.length === 0) refuse('missing-element', 'Communication.payload is empty', `${at}.payload`);
  // A reply or forward repeats the thread; its Provenance lists the payloads it adds. MedCom's
  // examples do not always list them right (a new message listing its Communication id, the
  // reply to an OIOXML letter listing none), so: in a new message every payload is new, and
  // when a Provenance names none of the payloads all count as new. The thread dedupes by
  // payload identifier, so a repeat is harmless and a loss is not.
  const listed = new Set(read.sources);
  const anyListed =
    activity !== 'new-message' &&
    payloads.some((p) =>
      listed.has(F.text(F.extensionsOf(p.extension, EXTENSION.payloadIdentifier)[0]?.valueIdentifier?.value) ?? ''),
    );
  const segments: CareCommunicationPayload[] = payloads.map((payload, i) => {
    const where = `${at}.payload[${i}]`;
    const one = (url: string) => {
      const found = F.extensionsOf(payload.extension, url);
      if (found.length > 1) refuse('invalid-element', 'a payload extension is repeated', `${where}.extension`);
      return found[0];
    };
    const identifier = one(EXTENSION.payloadIdentifier)?.valueIdentifier;
    const id = F.text(identifier?.value);
    const assigner = referencedOrganisation(bundle, identifier?.assigner?.reference, `${where}.extension`);
    const writer = author(bundle, one(EXTENSION.payloadAuthor)?.valueReference?.reference, `${where}.extension`);
    const phone = F.text(one(EXTENSION.payloadAuthorContact)?.valueContactPoint?.value);
    return {
      identifier: id,
      assigner: assigner ? infoOf(assigner) : null,
      writtenAt: one(EXTENSION.payloadDateTime)?.valueDateTime ?? null,
      author: writer ? { ...writer, phone: phone ?? writer.phone } : null,
      content: content(payload, where, limits),
      isNew: anyListed ? id !== null && listed.has(id) : true,
    };
  });

  const sender = F.extensionsOf(communication.extension, EXTENSION.specificSender)[0]?.valueReference?.reference;
  return {
    kind: 'care-communication',
    ...envelope,
    activity: activity as CareCommunication['activity'],
    patient: { cpr: patient.cpr, cprSystem: patient.cprSystem, replacement: patient.replacement, name: patient.name },
    communicationId,
    category: {
      code: coding.code,
      display:
        CARE_COMMUNICATION_CATEGORIES[coding.code as keyof typeof CARE_COMMUNICATION_CATEGORIES] ??
        F.text(coding.display),
    },
    topic: F.text(communication.topic?.text),
    priority: priority ?? null,
    episodeOfCare: episodes.find((e) => e !== null) ?? null,
    specificSender: specific(bundle, sender, `${at}.extension`),
    specificRecipient: specific(bundle, communication.recipient?.[0]?.reference, `${at}.recipient[0]`),
    payloads: segments,
  };
}
