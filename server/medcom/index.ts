/**
 * MedCom messaging: Denmark's cross-sector FHIR messages, in and out. Pure TypeScript over
 * JSON: no store, no HTTP, no Yjs; the intake (`POST /api/v1/messages`), the outbox and the
 * plan integration call it.
 *
 * IN
 *   parseMedcomMessage(json, { maxAttachmentBytes?, maxTextLength? }) → ParseResult, never throws:
 *   - { kind: 'hospital-notification' }   HospitalNotification 3.0 (STIN STAA STOR SLOR SLHJ MORS, RE_*, AN_*)
 *   - { kind: 'care-communication' }      CareCommunication 5.0 (new-message, reply-message, forward-message)
 *   - { kind: 'home-care-observation' }   HomeCareObservation 1.2 (new-message, modified-message, retract-message)
 *   - { kind: 'acknowledgement' }         Acknowledgement 2.0 (ok, transient-error, fatal-error)
 *   - { kind: 'malformed', code }         nothing to acknowledge (not an object, not a Bundle of
 *                                         type message, MessageHeader not first, bad id) → 400
 *   - { kind: 'refused', code, message }  a message, refused (unsupported event or activity, no
 *                                         patient identifier, no receiver, …) → 422 + the
 *                                         acknowledgement `acknowledgementFor(refusal)` describes
 *   Every message: messageId (MessageHeader.id), sender/receiver {sor, ean, name}, activity,
 *   previous (the message this one revises/answers/removes, from its Provenance) and the
 *   Provenance chain. Routing: MessageHeader.eventCoding, then the activity of the Provenance
 *   whose target is this MessageHeader.
 *
 *   Correlate on patient.cpr, episodeOfCare.key and the Provenance chain (previous.messageId),
 *   never on resource ids: MedCom mints fresh Patient/Encounter/Organization ids per message
 *   and its examples reuse Bundle ids. CareCommunication threads: communicationId, and payload
 *   identifiers to drop the segments a reply repeats. An acknowledgement points at
 *   acknowledgedMessageId. Never acknowledge an acknowledgement (eventCode
 *   `acknowledgement-message`, also on refusals).
 *
 * OUT (each returns { messageId, bundle }, a MedCom message Bundle; invalid input throws
 * MedcomBuildError naming the fields, never their values)
 *   buildAcknowledgement(incoming, code, issue?, { sender?, receiver?, now? })
 *     incoming: a parsed message, or a refusal's `message`; for a refusal that named no sender
 *     or receiver, pass CareHub's organisation / the addressee in the options.
 *   buildCareCommunication({ sender, receiver, patient, category, topic?, priority?, episodeOfCare?,
 *     text, author, attachments?, replyTo?: { messageId, communicationId, earlierPayloads } })
 *   buildHomeCareObservation({ sender (+producentId, default KAF), receiver (+providerNumber =
 *     ydernummer, requesterInitials), patient, activity, previousMessageId?, performer,
 *     observations: [{ code, value: {quantity, unit} | {text} | {components}, effectiveAt }] })
 *   Organisations are { name, sor, ean }, patients { cpr, name: { family, given } }, people
 *   { name, role (SKS code or words), phone }. Options: now, timeZone (Europe/Copenhagen),
 *   fullUrlBase (the hub's public FHIR base).
 *
 * Nothing here logs; diagnostics and build errors never contain a CPR number.
 */
export {
  parseMedcomMessage,
  isRefusal,
  DEFAULT_MAX_ATTACHMENT_BYTES,
  DEFAULT_MAX_TEXT_LENGTH,
  type ParseOptions,
  type ParseResult,
} from './parse.ts';
export {
  acknowledgementFor,
  redactCpr,
  MALFORMED_CODES,
  REFUSED_CODES,
  type AcknowledgementIssueInput,
  type MalformedCode,
  type MedcomRefusal,
  type RefusalCode,
  type RefusedCode,
  type RefusedMessage,
} from './refusal.ts';
export {
  buildAcknowledgement,
  type AcknowledgeableMessage,
  type AcknowledgementOptions,
  type BuiltMessage,
} from './build-acknowledgement.ts';
export {
  buildCareCommunication,
  earlierPayloads,
  type BuiltCareCommunication,
  type CareCommunicationInput,
  type CareCommunicationOptions,
} from './build-care-communication.ts';
export { buildHomeCareObservation, type HomeCareObservationInput } from './build-home-care-observation.ts';
export {
  MedcomBuildError,
  fhirDateTime,
  type BuildOptions,
  type MedcomOrganisation,
  type MedcomPatientInput,
  type ProfessionalInput,
} from './build-common.ts';
export { episodeKey } from './episode-of-care.ts';
export { notificationCode } from './parse-hospital-notification.ts';
export * from './systems.ts';
export type * from './types.ts';
