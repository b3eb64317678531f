import type {
  AcknowledgementCode,
  AttachmentContentType,
  CareCommunicationActivity,
  HomeCareObservationActivity,
  HospitalNotificationActivity,
  ObservationTerminology,
} from './systems.ts';

/**
 * What `parseMedcomMessage` gives back for each message kind. Times are the FHIR dateTime
 * strings as sent (with their zone); ids of resources inside the Bundle are never given out as
 * keys, because MedCom mints fresh ones for every message of the same stay or thread.
 */

/** A sender or receiver: CareHub routes and answers by its SOR code, so that is always known. */
export interface MedcomParty {
  sor: string;
  ean: string | null;
  name: string | null;
}

/** Any other organisation named in a message (service provider, payload assigner, …). */
export interface OrganisationInfo {
  sor: string | null;
  ean: string | null;
  name: string | null;
}

export interface PersonName {
  family: string | null;
  given: string[];
  /** "Given Family", for display. */
  text: string;
}

export interface MedcomPatient {
  /** Ten characters, no hyphen; letters only in a replacement number. */
  cpr: string;
  /** `urn:oid:1.2.208.176.1.2` (CPR) or `urn:oid:1.2.208.176.1.6.1.1` (replacement CPR). */
  cprSystem: string;
  replacement: boolean;
  name: PersonName | null;
}

export interface Identifier {
  system: string;
  value: string;
}

/** An episode-of-care identifier with the key two messages of one stay share. */
export interface EpisodeOfCareId extends Identifier {
  /** `system|value`, the value without a `urn:uuid:` prefix and lower-cased (MedCom writes both forms). */
  key: string;
}

/** What this message's Provenance says it continues: a MedCom FHIR message or an EDIFACT/OIOXML letter. */
export type PreviousMessage =
  | { kind: 'fhir'; messageId: string; role: 'revision' | 'removal' }
  | { kind: 'legacy'; identifier: string; role: 'revision' | 'removal' };

/** One Provenance of the Bundle: this message's own and the history of earlier ones it carries. */
export interface ProvenanceLink {
  /** The MessageHeader.id it is about. */
  messageId: string;
  activity: string;
  occurredAt: string | null;
  previous: PreviousMessage | null;
}

/** The parts every MedCom message has. */
export interface MessageEnvelope {
  /** MessageHeader.id: the message's identity, echoed in its acknowledgement. */
  messageId: string;
  eventCode: string;
  /** Bundle.id, informational only (MedCom's own examples reuse them). */
  bundleId: string | null;
  /** Bundle.timestamp. */
  sentAt: string | null;
  sender: MedcomParty;
  receiver: MedcomParty;
  /** Provenance.occurredDateTime of this message's Provenance. */
  activityAt: string | null;
  /** The earlier message this one revises, answers or removes (from this message's Provenance). */
  previous: PreviousMessage | null;
  /** All Provenances in the Bundle, this message's included, in Bundle order. */
  provenanceChain: ProvenanceLink[];
}

/** STIN … AN_SLHJ, MORS: the names hospitals and municipalities use for the notification types. */
export type HospitalNotificationCode =
  | 'STIN'
  | 'RE_STIN'
  | 'AN_STIN'
  | 'STAA'
  | 'RE_STAA'
  | 'AN_STAA'
  | 'STOR'
  | 'RE_STOR'
  | 'AN_STOR'
  | 'SLOR'
  | 'RE_SLOR'
  | 'AN_SLOR'
  | 'SLHJ'
  | 'RE_SLHJ'
  | 'AN_SLHJ'
  | 'MORS';

export interface HospitalNotification extends MessageEnvelope {
  kind: 'hospital-notification';
  activity: HospitalNotificationActivity;
  /**
   * Derived from activity and Patient.deceased (MedCom's code table). RE_MORS and AN_MORS
   * carry no code of their own: RE_MORS reads as MORS, AN_MORS as the stay's current code
   * with `deceased` false; telling them apart needs the stay's previous state.
   */
  code: HospitalNotificationCode;
  /** revise-*: this message corrects the one in `previous`. */
  correction: boolean;
  /** cancel-*: this message cancels the one in `previous`. */
  cancellation: boolean;
  patient: MedcomPatient & { deceased: boolean; deceasedAt: string | null };
  encounter: {
    status: 'in-progress' | 'onleave' | 'finished' | 'entered-in-error';
    class: 'IMP' | 'EMER';
    period: { start: string; end: string | null };
    leavePeriod: { start: string; end: string | null } | null;
    serviceProvider: OrganisationInfo | null;
  };
  /** The stay's identifier: the one under the hospital's SOR system if present, else the first. */
  episodeOfCare: EpisodeOfCareId;
  episodesOfCare: EpisodeOfCareId[];
  reportOfAdmission: { requested: boolean; recipient: OrganisationInfo | null };
}

export interface CareCommunicationAuthor {
  name: PersonName | null;
  /** SKS role code (e.g. `sygeplejerske`) when coded. */
  roleCode: string | null;
  /** Display text of the role (from the code, or the free text). */
  role: string | null;
  phone: string | null;
  organisation: OrganisationInfo | null;
}

export type CareCommunicationContent =
  | { type: 'text'; text: string }
  | {
      type: 'attachment';
      contentType: AttachmentContentType | null;
      title: string;
      /** Decoded size in bytes of `data`, or null when the attachment is a link or sent before. */
      size: number | null;
      /** Base64, as sent; null for links and for attachments a reply repeats without content. */
      data: string | null;
      url: string | null;
      createdAt: string | null;
    };

export interface CareCommunicationPayload {
  /** Payload identifier (`urn:uuid:…`); it names a message segment across the whole thread. */
  identifier: string | null;
  assigner: OrganisationInfo | null;
  writtenAt: string | null;
  author: CareCommunicationAuthor | null;
  content: CareCommunicationContent;
  /** Added by this message (its Provenance lists it as a source), not repeated from earlier ones. */
  isNew: boolean;
}

export interface CareCommunication extends MessageEnvelope {
  kind: 'care-communication';
  activity: CareCommunicationActivity;
  patient: MedcomPatient;
  /** Communication.identifier: the thread; it stays the same in replies (a forward starts a new one). */
  communicationId: string;
  category: { code: string; display: string | null };
  topic: string | null;
  priority: 'routine' | 'asap' | null;
  episodeOfCare: EpisodeOfCareId | null;
  /** A more specific sender or recipient than the organisation (a team, a named professional). */
  specificSender: string | null;
  specificRecipient: string | null;
  payloads: CareCommunicationPayload[];
}

export type ObservationValue =
  | {
      type: 'quantity';
      value: number;
      comparator: '<' | '<=' | '>=' | '>' | null;
      unit: string | null;
      ucum: string | null;
    }
  | { type: 'string'; value: string }
  | { type: 'components'; components: { code: ObservationCode; value: ObservationValue | null }[] };

export interface ObservationCode {
  system: string | null;
  code: string;
  display: string | null;
  terminology: ObservationTerminology;
}

export interface HomeCarePerformer {
  name: PersonName | null;
  roleCode: string | null;
  role: string | null;
  phone: string | null;
  organisation: (OrganisationInfo & { producentId: string | null }) | null;
}

export interface HomeCareObservationResult {
  /** Observation.identifier (`system|value`, the first with a value): names the observation across new, modified and retracted. */
  identifier: string | null;
  code: ObservationCode;
  /** All codings of Observation.code (the first is `code`). */
  codings: ObservationCode[];
  status: string;
  effectiveAt: string | null;
  value: ObservationValue | null;
  interpretation: string | null;
  notes: string[];
  performer: HomeCarePerformer | null;
}

export interface HomeCareObservation extends MessageEnvelope {
  kind: 'home-care-observation';
  activity: HomeCareObservationActivity;
  patient: MedcomPatient;
  report: { status: string; issuedAt: string | null; conclusion: string | null };
  performer: HomeCarePerformer | null;
  /** The GP practice's provider number and the requesting doctor's initials, when sent. */
  requester: { providerNumber: string | null; initials: string | null } | null;
  observations: HomeCareObservationResult[];
}

export interface AcknowledgementIssue {
  severity: string;
  code: string;
  /** Codes from `issue.details.coding` (MedCom's acknowledgement error codes). */
  details: string[];
  /** `issue.details.text` and `issue.diagnostics`, with anything CPR-like blanked out. */
  text: string | null;
}

export interface Acknowledgement extends MessageEnvelope {
  kind: 'acknowledgement';
  /** MessageHeader.response.identifier: the MessageHeader.id of the message acknowledged. */
  acknowledgedMessageId: string;
  code: AcknowledgementCode;
  issues: AcknowledgementIssue[];
  /** The issues' texts and codes in one line, for the plan's "afvist: …". */
  diagnostics: string | null;
}

export type MedcomMessage = HospitalNotification | CareCommunication | HomeCareObservation | Acknowledgement;
