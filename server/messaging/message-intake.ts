import { randomUUID } from 'node:crypto';
import { contentHash } from './content-hash.ts';
import { tellCorrespondence } from './correspondence.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { operationOutcome } from '../fhir/operation-outcome.ts';
import {
  acknowledgementFor,
  buildAcknowledgement,
  type AcknowledgeableMessage,
  type AcknowledgementIssueInput,
  EVENT,
  MedcomBuildError,
  type MedcomMessage,
  parseMedcomMessage,
  type RefusedCode,
} from '../medcom/index.ts';
import { apiKeyActor } from '../results/api-keys.ts';
import type { ResultFiling } from '../results/result-filing.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import type { CareTeamNotifier } from '../results/care-team-notifier.ts';
import type { StoredMessage } from '../store/message-store.ts';
import type { Organisation } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { fileNotification } from './file-notification.ts';
import { checkObservations, fileObservations } from './home-care-observations.ts';
import { destinationOf } from './hospital-notifications.ts';

/** What `POST /api/v1/messages` answers: the status and a FHIR body (an acknowledgement or an OperationOutcome). */
export interface IntakeAnswer {
  status: number;
  body: unknown;
}

export interface MessageIntakeDeps {
  store: Store;
  filing: ResultFiling;
  audit: AuditLog;
  rooms: PlanRooms;
  notifier: CareTeamNotifier;
  /** Largest attachment (decoded bytes) of a CareCommunication. */
  maxAttachmentBytes: number;
}

/** The sending system, as its API key names it. */
export interface MessageSender {
  system: string;
  keyId: string;
}

const recorded = (text: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'information', code: 'informational', diagnostics: text }],
});

/**
 * MedCom messages in (issue 18). Each message is parsed (server/medcom), answered with an
 * Acknowledgement that is also queued in the outbox for its sender, and audited. A
 * HospitalNotification goes into the plan of its patient when the receiving organisation is
 * on the care team, else into that organisation's inbox. An Acknowledgement marks the
 * outbound message it answers. A HomeCareObservation's measurements go into the plan the same
 * way (server/messaging/home-care-observations.ts). The same message again (same MessageHeader.id, same content)
 * changes nothing and gets the same answer; other content under the same id is refused (409).
 */
export class MessageIntake {
  constructor(private readonly deps: MessageIntakeDeps) {}

  async receive(from: MessageSender, json: unknown): Promise<IntakeAnswer> {
    const parsed = parseMedcomMessage(json, { maxAttachmentBytes: this.deps.maxAttachmentBytes });
    if (parsed.kind === 'malformed') {
      this.audit(from, null, 'refused', { reason: parsed.code });
      return {
        status: 400,
        body: operationOutcome('structure', parsed.diagnostics, 'error', parsed.expression ?? undefined),
      };
    }
    const messageId = parsed.kind === 'refused' ? parsed.message.messageId : parsed.messageId;
    const hash = contentHash(json);
    const earlier = await this.deps.store.messages.getIncoming(messageId);
    if (earlier) return this.replay(from, earlier, hash);

    if (parsed.kind === 'refused') {
      const { code, issue } = acknowledgementFor(parsed);
      return this.refuse(from, parsed.message, parsed.message.eventCode, hash, json, code, issue, parsed.code);
    }
    if (parsed.kind === 'acknowledgement') return this.noteAcknowledgement(from, parsed, hash, json);

    const receiver = await this.deps.store.getOrganisationBySor(parsed.receiver.sor);
    if (!receiver) {
      const why = `no organisation in CareHub has the receiver's SOR code ${parsed.receiver.sor}`;
      const { code, issue } = acknowledgementFor({ code: 'unknown-receiver', diagnostics: why });
      return this.refuse(from, parsed, parsed.eventCode, hash, json, code, issue, 'unknown-receiver');
    }
    if (parsed.kind === 'care-communication') return this.receiveCorrespondence(from, parsed, receiver, hash, json);
    if (parsed.kind === 'home-care-observation') return this.receiveObservations(from, parsed, receiver, hash, json);

    const destination = await destinationOf(this.deps.store, parsed, receiver);
    let entryKey: string | null = null;
    if (destination.kind === 'plan') {
      const filed = await fileNotification(this.deps, parsed, receiver);
      if (!filed.ok) {
        const { code, issue } = acknowledgementFor({ code: 'invalid-element', diagnostics: filed.message });
        return this.refuse(from, parsed, parsed.eventCode, hash, json, code, issue, 'invalid-element', receiver);
      }
      entryKey = filed.entryKey;
    }
    const ack = buildAcknowledgement(parsed, 'ok');
    const incoming = this.row(parsed, 'in', {
      status: destination.kind === 'plan' ? 'filed' : 'inbox',
      organisationId: receiver.id,
      patientId: destination.patient?.id ?? null,
      contentHash: hash,
      body: JSON.stringify(json),
      httpStatus: 200,
      entryKey,
      ackMessageId: ack.messageId,
    });
    const answer = await this.store(from, incoming, this.ackRow(ack, parsed, receiver, incoming.patientId), hash);
    if (answer) return answer;
    this.audit(from, incoming, 'allowed', { destination: destination.kind });
    return { status: 200, body: ack.bundle };
  }

  /** A CareCommunication: into the patient's correspondence (the addressed organisation told), or the receiver's inbox. */
  private async receiveCorrespondence(
    from: MessageSender,
    cc: Extract<MedcomMessage, { kind: 'care-communication' }>,
    receiver: Organisation,
    hash: string,
    json: unknown,
  ): Promise<IntakeAnswer> {
    const destination = await destinationOf(this.deps.store, cc, receiver);
    const ack = buildAcknowledgement(cc, 'ok');
    const incoming = this.row(cc, 'in', {
      status: destination.kind === 'plan' ? 'filed' : 'inbox',
      organisationId: receiver.id,
      patientId: destination.patient?.id ?? null,
      contentHash: hash,
      body: JSON.stringify(json),
      httpStatus: 200,
      entryKey: cc.communicationId,
      ackMessageId: ack.messageId,
    });
    const answer = await this.store(from, incoming, this.ackRow(ack, cc, receiver, incoming.patientId), hash);
    if (answer) return answer;
    this.audit(from, incoming, 'allowed', { destination: destination.kind });
    if (destination.kind === 'plan') await tellCorrespondence(this.deps, cc, receiver, destination.patient.id);
    return { status: 200, body: ack.bundle };
  }

  /**
   * A HomeCareObservation: its measurements into the patient's plan (new, amended, or marked
   * entered-in-error), or the receiver's inbox; refused whole when an observation is not one the
   * measurements section holds or the message it revises is unknown.
   */
  private async receiveObservations(
    from: MessageSender,
    hco: Extract<MedcomMessage, { kind: 'home-care-observation' }>,
    receiver: Organisation,
    hash: string,
    json: unknown,
  ): Promise<IntakeAnswer> {
    const refuse = (diagnostics: string) => {
      const { code, issue } = acknowledgementFor({ code: 'invalid-element', diagnostics });
      return this.refuse(from, hco, hco.eventCode, hash, json, code, issue, 'invalid-element', receiver);
    };
    const checked = await checkObservations(this.deps.store, hco);
    if (!checked.ok) return refuse(checked.message);
    let destination = await destinationOf(this.deps.store, hco, receiver);
    // A revision of a message still waiting in the inbox waits with it.
    if (checked.earlier?.status === 'inbox') destination = { kind: 'inbox', patient: destination.patient };
    if (destination.kind === 'plan') {
      const filed = await fileObservations(this.deps, hco, receiver, destination.patient);
      if (!filed.ok) return refuse(filed.message);
    }
    const ack = buildAcknowledgement(hco, 'ok');
    const incoming = this.row(hco, 'in', {
      status: destination.kind === 'plan' ? 'filed' : 'inbox',
      organisationId: receiver.id,
      patientId: destination.patient?.id ?? null,
      contentHash: hash,
      body: JSON.stringify(json),
      httpStatus: 200,
      entryKey: checked.rootId,
      ackMessageId: ack.messageId,
    });
    const answer = await this.store(from, incoming, this.ackRow(ack, hco, receiver, incoming.patientId), hash);
    if (answer) return answer;
    this.audit(from, incoming, 'allowed', { destination: destination.kind, observations: hco.observations.length });
    return { status: 200, body: ack.bundle };
  }

  /** A message refused whole: 422 with a fatal-error acknowledgement (queued too), or an OperationOutcome when none can be built. */
  private async refuse(
    from: MessageSender,
    message: AcknowledgeableMessage,
    eventCode: string | null,
    hash: string,
    json: unknown,
    code: 'fatal-error' | 'transient-error',
    issue: AcknowledgementIssueInput,
    reason: RefusedCode,
    receiver: Organisation | null = null,
  ): Promise<IntakeAnswer> {
    const text = issue.text ?? reason;
    // Never acknowledge an acknowledgement; a message naming neither party cannot be answered.
    if (eventCode === EVENT.acknowledgement || !message.sender || !message.receiver) {
      this.audit(from, null, 'refused', { messageId: message.messageId, reason });
      return {
        status: 422,
        body: operationOutcome(reason === 'unsupported-event' ? 'not-supported' : 'invalid', text),
      };
    }
    let ack: ReturnType<typeof buildAcknowledgement>;
    try {
      ack = buildAcknowledgement(message, code, issue);
    } catch (err) {
      if (!(err instanceof MedcomBuildError)) throw err;
      this.audit(from, null, 'refused', { messageId: message.messageId, reason });
      return { status: 422, body: operationOutcome('invalid', text) };
    }
    const incoming = this.row(
      {
        messageId: message.messageId,
        eventCode: eventCode ?? 'unknown',
        activity: null,
        sender: message.sender,
        receiver: message.receiver,
      },
      'in',
      {
        status: 'refused',
        organisationId: receiver?.id ?? null,
        contentHash: hash,
        body: JSON.stringify(json),
        httpStatus: 422,
        ackMessageId: ack.messageId,
      },
    );
    const parties = { sender: message.sender, receiver: message.receiver };
    const answer = await this.store(from, incoming, this.ackRow(ack, parties, receiver, null), hash);
    if (answer) return answer;
    this.audit(from, incoming, 'refused', { reason, code });
    return { status: 422, body: ack.bundle };
  }

  /** An acknowledgement of one of CareHub's outbound messages: marks it (never answered with another). */
  private async noteAcknowledgement(
    from: MessageSender,
    ack: Extract<MedcomMessage, { kind: 'acknowledgement' }>,
    hash: string,
    json: unknown,
  ): Promise<IntakeAnswer> {
    const outbound = await this.deps.store.messages.markAcknowledged(ack.acknowledgedMessageId, {
      messageId: ack.messageId,
      code: ack.code,
      text: ack.diagnostics,
      time: new Date().toISOString(),
    });
    const incoming = this.row(ack, 'in', {
      status: 'noted',
      organisationId: outbound?.organisationId ?? null,
      patientId: outbound?.patientId ?? null,
      contentHash: hash,
      body: JSON.stringify(json),
      httpStatus: 200,
    });
    const answer = await this.store(from, incoming, null, hash);
    if (answer) return answer;
    this.audit(from, incoming, 'allowed', {
      acknowledges: ack.acknowledgedMessageId,
      code: ack.code,
      known: !!outbound,
    });
    return { status: 200, body: this.notedOutcome(incoming) };
  }

  private notedOutcome(m: StoredMessage): unknown {
    return recorded(`acknowledgement ${m.messageId} recorded`);
  }

  /** The same message again: the same answer; other content under its id: 409. */
  private async replay(from: MessageSender, earlier: StoredMessage, hash: string): Promise<IntakeAnswer> {
    if (earlier.contentHash !== hash) {
      this.audit(from, earlier, 'refused', { reason: 'conflicting-replay' });
      return {
        status: 409,
        body: operationOutcome(
          'conflict',
          `a different message with MessageHeader.id ${earlier.messageId} was received before; a new message needs a new id`,
        ),
      };
    }
    this.audit(from, earlier, 'allowed', { replay: true });
    if (!earlier.ackMessageId) return { status: earlier.httpStatus ?? 200, body: this.notedOutcome(earlier) };
    const ack = await this.deps.store.messages.getOutgoing(earlier.ackMessageId);
    return { status: earlier.httpStatus ?? 200, body: ack ? JSON.parse(ack.body) : this.notedOutcome(earlier) };
  }

  /** Stores the incoming message and its acknowledgement together; an answer when another request stored it first. */
  private async store(
    from: MessageSender,
    incoming: StoredMessage,
    ack: StoredMessage | null,
    hash: string,
  ): Promise<IntakeAnswer | null> {
    if (await this.deps.store.messages.recordMessages(ack ? [incoming, ack] : [incoming])) {
      if (ack) this.auditOut(ack);
      return null;
    }
    const earlier = await this.deps.store.messages.getIncoming(incoming.messageId);
    if (!earlier) throw new Error('a message could not be stored');
    return this.replay(from, earlier, hash);
  }

  private row(
    m: {
      messageId: string;
      eventCode: string;
      activity?: string | null;
      sender: { sor: string };
      receiver: { sor: string };
    },
    direction: 'in' | 'out',
    fields: Partial<StoredMessage> & Pick<StoredMessage, 'status' | 'contentHash' | 'body'>,
  ): StoredMessage {
    return {
      id: randomUUID(),
      direction,
      messageId: m.messageId,
      event: m.eventCode,
      activity: m.activity ?? null,
      senderSor: m.sender.sor,
      receiverSor: m.receiver.sor,
      organisationId: null,
      patientId: null,
      httpStatus: null,
      entryKey: null,
      ackMessageId: null,
      ackCode: null,
      ackText: null,
      created: new Date().toISOString(),
      delivered: null,
      acknowledged: null,
      ...fields,
    };
  }

  /** The acknowledgement in the outbox, from the message's receiver back to its sender. */
  private ackRow(
    ack: ReturnType<typeof buildAcknowledgement>,
    to: { sender: { sor: string }; receiver: { sor: string } },
    receiver: Organisation | null,
    patientId: string | null,
  ): StoredMessage {
    const body = JSON.stringify(ack.bundle);
    return this.row(
      { messageId: ack.messageId, eventCode: EVENT.acknowledgement, sender: to.receiver, receiver: to.sender },
      'out',
      {
        status: 'waiting',
        organisationId: receiver?.id ?? null,
        patientId,
        contentHash: contentHash(ack.bundle),
        body,
      },
    );
  }

  private audit(
    from: MessageSender,
    m: StoredMessage | null,
    outcome: 'allowed' | 'refused',
    details: Record<string, unknown>,
  ): void {
    this.deps.audit.record({
      actorId: apiKeyActor(from.keyId),
      action: 'message.receive',
      patientId: m?.patientId ?? null,
      outcome,
      details: {
        system: from.system,
        ...(m
          ? {
              messageId: m.messageId,
              event: m.event,
              activity: m.activity,
              sender: m.senderSor,
              receiver: m.receiverSor,
            }
          : {}),
        ...details,
      },
    });
  }

  private auditOut(m: StoredMessage): void {
    this.deps.audit.record({
      actorId: null,
      action: 'message.queue',
      patientId: m.patientId,
      outcome: 'allowed',
      details: { messageId: m.messageId, event: m.event, sender: m.senderSor, receiver: m.receiverSor },
    });
  }
}
