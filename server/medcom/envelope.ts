import { type Entry, isRecord, type MessageBundle, messageHeaderIdOf } from './bundle-index.ts';
import * as F from './fhir-schemas.ts';
import { quote, refuse, type MedcomRefusal, type MalformedCode, type RefusedMessage } from './refusal.ts';
import { readParty } from './parties.ts';
import { ACTIVITY_CODE_SYSTEM, DESTINATION_USE_SYSTEM, EVENT_CODE_SYSTEM, EXTENSION } from './systems.ts';
import type { MessageEnvelope, PreviousMessage, ProvenanceLink } from './types.ts';

/**
 * The parts every MedCom message shares: the MessageHeader first in a Bundle of type message,
 * sender and primary receiver, the event, and the Provenance whose target is this MessageHeader
 * (its activity and the earlier message it continues).
 */

export interface MessageShape {
  bundle: Record<string, unknown>;
  entries: unknown[];
  messageId: string;
  /** eventCoding.code as sent, for the refusal of a message that goes no further. */
  eventCode: string | null;
}

const malformed = (code: MalformedCode, diagnostics: string, expression: string | null): MedcomRefusal => ({
  kind: 'malformed',
  code,
  diagnostics,
  expression,
  message: null,
});

/** Is this a message CareHub could acknowledge at all? Everything short of that is `malformed`. */
export function messageShape(json: unknown): MessageShape | MedcomRefusal {
  if (!isRecord(json)) return malformed('not-an-object', 'the body is not a JSON object', null);
  if (json.resourceType !== 'Bundle')
    return malformed('not-a-bundle', 'the body is not a FHIR Bundle (resourceType)', 'resourceType');
  if (json.type !== 'message') return malformed('not-a-message', 'the Bundle is not of type message', 'Bundle.type');
  const entries = json.entry;
  if (!Array.isArray(entries) || entries.length === 0)
    return malformed(
      'message-header-not-first',
      'the Bundle has no entries; a message starts with its MessageHeader',
      'Bundle.entry',
    );
  const first = isRecord(entries[0]) ? entries[0].resource : undefined;
  if (!isRecord(first) || first.resourceType !== 'MessageHeader') {
    return malformed(
      'message-header-not-first',
      'the first entry of a message Bundle must be its MessageHeader (bdl-12)',
      'Bundle.entry[0].resource',
    );
  }
  if (typeof first.id !== 'string' || !F.FHIR_ID.test(first.id)) {
    return malformed(
      'invalid-message-id',
      'MessageHeader.id is missing or not a FHIR id (1-64 of A-Z a-z 0-9 - .)',
      'Bundle.entry[0].resource.id',
    );
  }
  const eventCoding = first.eventCoding;
  const eventCode = isRecord(eventCoding) && typeof eventCoding.code === 'string' ? eventCoding.code : null;
  return { bundle: json, entries, messageId: first.id, eventCode };
}

export interface ReadEnvelope {
  envelope: MessageEnvelope;
  header: F.MessageHeader;
  headerEntry: Entry;
  activity: string;
  /** Identifiers of this message's Provenance entities with role `source` (CareCommunication payloads). */
  sources: string[];
}

/** Reads the envelope; `known` is filled in as parts are read, for the refusal if one comes. */
export function readEnvelope(bundle: MessageBundle, shape: MessageShape, known: RefusedMessage): ReadEnvelope {
  const headerEntry = bundle.entries[0] as Entry;
  // A malformed destination or sender is a receiver or sender CareHub cannot read.
  const header = bundle.read(headerEntry, F.MessageHeader, ([first]) =>
    first === 'destination'
      ? 'invalid-receiver'
      : first === 'sender' || first === 'source'
        ? 'invalid-sender'
        : 'invalid-element',
  );
  const at = headerEntry.path;
  const bundleId = shape.bundle.id;
  const sentAt = shape.bundle.timestamp;
  if (bundleId !== undefined && typeof bundleId !== 'string')
    refuse('invalid-element', 'Bundle.id is not a string', 'Bundle.id');
  if (sentAt !== undefined && (typeof sentAt !== 'string' || !F.DATE_TIME.test(sentAt)))
    refuse('invalid-element', 'Bundle.timestamp is not a FHIR instant', 'Bundle.timestamp');

  known.sender = readParty(bundle, header.sender?.reference, header.source?.endpoint, 'sender', `${at}.sender`);
  const destinations = header.destination ?? [];
  if (destinations.length === 0) refuse('no-receiver', 'MessageHeader.destination is missing', `${at}.destination`);
  if (destinations.length > 1) {
    refuse(
      'invalid-receiver',
      `${destinations.length} destinations; these messages have exactly one, the primary receiver (no carbon copies)`,
      `${at}.destination`,
    );
  }
  const destination = destinations[0] as NonNullable<F.MessageHeader['destination']>[number];
  const use = F.extensionsOf(destination.extension, EXTENSION.destinationUse)[0]?.valueCoding;
  if (use?.system !== DESTINATION_USE_SYSTEM || use.code !== 'primary') {
    refuse(
      'invalid-receiver',
      'the destination is not marked primary (destinationUse extension)',
      `${at}.destination[0].extension`,
    );
  }
  known.receiver = readParty(
    bundle,
    destination.receiver?.reference,
    destination.endpoint,
    'receiver',
    `${at}.destination[0].receiver`,
  );

  const event = header.eventCoding;
  if (event?.system !== EVENT_CODE_SYSTEM || !event.code) {
    refuse(
      'unsupported-event',
      `MessageHeader.eventCoding is not a code from ${EVENT_CODE_SYSTEM}`,
      `${at}.eventCoding`,
    );
  }
  known.eventCode = event.code;

  const provenances = bundle
    .ofType('Provenance')
    .map((entry) => ({ entry, provenance: bundle.read(entry, F.Provenance) }));
  const isThisHeader = (reference: string | undefined) =>
    reference !== undefined && (reference === headerEntry.fullUrl || messageHeaderIdOf(reference) === shape.messageId);
  const own = provenances.filter((p) => (p.provenance.target ?? []).some((t) => isThisHeader(t.reference)));
  if (own.length === 0)
    refuse(
      'missing-provenance',
      'no Provenance has this MessageHeader as its target',
      'Bundle.entry.resource.ofType(Provenance)',
    );
  if (own.length > 1)
    refuse(
      'ambiguous-provenance',
      `${own.length} Provenances have this MessageHeader as their target`,
      'Bundle.entry.resource.ofType(Provenance)',
    );
  const mine = own[0] as (typeof own)[number];
  const activity = mine.provenance.activity?.coding?.find(
    (c) => c.system === ACTIVITY_CODE_SYSTEM && F.text(c.code),
  )?.code;
  if (!activity)
    refuse(
      'unsupported-activity',
      `this message's Provenance has no activity code from ${ACTIVITY_CODE_SYSTEM}`,
      `${mine.entry.path}.activity`,
    );

  const previous = previousOf(mine.provenance, mine.entry.path, true);
  const chain: ProvenanceLink[] = [];
  for (const { provenance } of provenances) {
    const messageId = (provenance.target ?? []).map((t) => messageHeaderIdOf(t.reference)).find((id) => id !== null);
    if (!messageId) continue;
    chain.push({
      messageId,
      activity: provenance.activity?.coding?.find((c) => F.text(c.code))?.code ?? '',
      occurredAt: provenance.occurredDateTime ?? null,
      previous: previousOf(provenance, '', false),
    });
  }
  const sources = (mine.provenance.entity ?? [])
    .filter((e) => e.role === 'source')
    .map((e) => F.text(e.what?.identifier?.value))
    .filter((v) => v !== null);

  return {
    header,
    headerEntry,
    activity,
    sources,
    envelope: {
      messageId: shape.messageId,
      eventCode: event.code,
      bundleId: typeof bundleId === 'string' ? bundleId : null,
      sentAt: typeof sentAt === 'string' ? sentAt : null,
      sender: known.sender,
      receiver: known.receiver,
      activityAt: mine.provenance.occurredDateTime ?? null,
      previous,
      provenanceChain: chain,
    },
  };
}

/**
 * The earlier message a Provenance continues (entity with role revision or removal): a FHIR
 * MessageHeader by reference, or an EDIFACT/OIOXML letter by `brevid#lokationsnummer`.
 */
function previousOf(provenance: F.Provenance, path: string, strict: boolean): PreviousMessage | null {
  const found: PreviousMessage[] = [];
  for (const entity of provenance.entity ?? []) {
    if (entity.role !== 'revision' && entity.role !== 'removal') continue;
    const messageId = messageHeaderIdOf(entity.what?.reference);
    const legacy = F.text(entity.what?.identifier?.value);
    if (messageId) found.push({ kind: 'fhir', messageId, role: entity.role });
    else if (legacy) found.push({ kind: 'legacy', identifier: legacy, role: entity.role });
    else if (strict)
      refuse(
        'invalid-element',
        `a ${entity.role} entity names no MessageHeader and no identifier: ${quote(entity.what?.reference ?? '')}`,
        `${path}.entity`,
      );
  }
  const distinct = new Set(found.map((p) => JSON.stringify(p)));
  if (strict && distinct.size > 1)
    refuse(
      'ambiguous-provenance',
      `this message's Provenance continues ${distinct.size} different earlier messages`,
      `${path}.entity`,
    );
  return found[0] ?? null;
}
