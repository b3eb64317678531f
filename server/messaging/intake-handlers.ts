import type { AuditLog } from '../audit/audit-log.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import { acknowledgementFor, type MedcomMessage } from '../medcom/index.ts';
import type { CareTeamNotifier } from '../results/care-team-notifier.ts';
import type { ResultFiling } from '../results/result-filing.ts';
import type { Store } from '../store/store.ts';
import type { Organisation } from '../store/records.ts';
import { tellCorrespondence } from './correspondence.ts';
import { fileNotification } from './file-notification.ts';
import { checkObservations, fileObservations } from './home-care-observations.ts';
import { destinationOf } from './hospital-notifications.ts';
import type { IntakeAnswer, IntakeLedger, Received } from './intake-ledger.ts';

/**
 * What the intake does with each kind of MedCom message once it is routed (message-intake.ts):
 * where it goes (the patient's plan when the receiving organisation is on the care team, else
 * that organisation's inbox), what it changes there, and who is told. Each returns the answer
 * to `POST /messages`; the bookkeeping (rows, acknowledgement, audit) is the ledger's.
 */
export interface MessageIntakeDeps {
  store: Store;
  filing: ResultFiling;
  audit: AuditLog;
  rooms: PlanRooms;
  notifier: CareTeamNotifier;
  /** Largest attachment (decoded bytes) of a CareCommunication. */
  maxAttachmentBytes: number;
  /** A patient's correspondence changed (a message filed, an acknowledgement noted): told to their plans' watchers. */
  correspondenceChanged: (patientId: string) => void;
}

export interface Handling {
  deps: MessageIntakeDeps;
  ledger: IntakeLedger;
}

type Of<K extends MedcomMessage['kind']> = Extract<MedcomMessage, { kind: K }>;

const invalid = (h: Handling, r: Received, m: MedcomMessage, receiver: Organisation, diagnostics: string) => {
  const { code, issue } = acknowledgementFor({ code: 'invalid-element', diagnostics });
  return h.ledger.refuse(r, m, m.eventCode, code, issue, 'invalid-element', receiver);
};

/** A HospitalNotification: an encounter entry in the patient's plan, or the receiver's inbox. */
export async function receiveHospitalNotification(
  h: Handling,
  r: Received,
  hn: Of<'hospital-notification'>,
  receiver: Organisation,
): Promise<IntakeAnswer> {
  const destination = await destinationOf(h.deps.store, hn, receiver);
  let entryKey: string | null = null;
  if (destination.kind === 'plan') {
    const filed = await fileNotification(h.deps, hn, receiver);
    if (!filed.ok) return invalid(h, r, hn, receiver, filed.message);
    entryKey = filed.entryKey;
  }
  const { answer } = await h.ledger.accept(
    r,
    hn,
    receiver,
    { status: destination.kind === 'plan' ? 'filed' : 'inbox', patientId: destination.patient?.id ?? null, entryKey },
    { destination: destination.kind },
  );
  return answer;
}

/** A CareCommunication: into the patient's correspondence (the addressed organisation told), or the receiver's inbox. */
export async function receiveCareCommunication(
  h: Handling,
  r: Received,
  cc: Of<'care-communication'>,
  receiver: Organisation,
): Promise<IntakeAnswer> {
  const destination = await destinationOf(h.deps.store, cc, receiver);
  const { answer, stored } = await h.ledger.accept(
    r,
    cc,
    receiver,
    {
      status: destination.kind === 'plan' ? 'filed' : 'inbox',
      patientId: destination.patient?.id ?? null,
      entryKey: cc.communicationId,
    },
    { destination: destination.kind },
  );
  if (stored && destination.kind === 'plan') {
    await tellCorrespondence(h.deps, cc, receiver, destination.patient.id);
    h.deps.correspondenceChanged(destination.patient.id);
  }
  return answer;
}

/**
 * A HomeCareObservation: its measurements into the patient's plan (new, amended, or marked
 * entered-in-error), or the receiver's inbox; refused whole when an observation is not one the
 * measurements section holds or the message it revises is unknown.
 */
export async function receiveHomeCareObservation(
  h: Handling,
  r: Received,
  hco: Of<'home-care-observation'>,
  receiver: Organisation,
): Promise<IntakeAnswer> {
  const checked = await checkObservations(h.deps.store, hco);
  if (!checked.ok) return invalid(h, r, hco, receiver, checked.message);
  let destination = await destinationOf(h.deps.store, hco, receiver);
  // A revision of a message still waiting in the inbox waits with it.
  if (checked.earlier?.status === 'inbox') destination = { kind: 'inbox', patient: destination.patient };
  if (destination.kind === 'plan') {
    const filed = await fileObservations(h.deps, hco, receiver, destination.patient);
    if (!filed.ok) return invalid(h, r, hco, receiver, filed.message);
  }
  const { answer } = await h.ledger.accept(
    r,
    hco,
    receiver,
    {
      status: destination.kind === 'plan' ? 'filed' : 'inbox',
      patientId: destination.patient?.id ?? null,
      entryKey: checked.rootId,
    },
    { destination: destination.kind, observations: hco.observations.length },
  );
  return answer;
}

/** An acknowledgement of one of CareHub's outbound messages: marks it (never answered with another); the plan is told. */
export async function noteAcknowledgement(h: Handling, r: Received, ack: Of<'acknowledgement'>): Promise<IntakeAnswer> {
  const outbound = await h.deps.store.messages.markAcknowledged(ack.acknowledgedMessageId, {
    messageId: ack.messageId,
    code: ack.code,
    text: ack.diagnostics,
    time: new Date().toISOString(),
  });
  const incoming = h.ledger.row(ack, 'in', {
    status: 'noted',
    organisationId: outbound?.organisationId ?? null,
    patientId: outbound?.patientId ?? null,
    contentHash: r.hash,
    body: JSON.stringify(r.json),
    httpStatus: 200,
  });
  const answer = await h.ledger.store(r, incoming, null);
  if (answer) return answer;
  h.ledger.audit(r.from, incoming, 'allowed', {
    acknowledges: ack.acknowledgedMessageId,
    code: ack.code,
    known: !!outbound,
  });
  if (outbound?.patientId) h.deps.correspondenceChanged(outbound.patientId);
  return { status: 200, body: h.ledger.notedOutcome(incoming) };
}
