import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import { operationOutcome } from '../fhir/operation-outcome.ts';
import {
  type AcknowledgeableMessage,
  type AcknowledgementIssueInput,
  buildAcknowledgement,
  EVENT,
  MedcomBuildError,
  type RefusedCode,
} from '../medcom/index.ts';
import { apiKeyActor } from '../results/api-keys.ts';
import type { StoredMessage } from '../store/message-store.ts';
import type { Organisation } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { contentHash } from './content-hash.ts';

/** What `POST /api/v1/messages` answers: the status and a FHIR body (an acknowledgement or an OperationOutcome). */
export interface IntakeAnswer {
  status: number;
  body: unknown;
}

/** The sending system, as its API key names it. */
export interface MessageSender {
  system: string;
  keyId: string;
}

/** The incoming message being answered: who sent it, its content hash and its JSON as received. */
export interface Received {
  from: MessageSender;
  hash: string;
  json: unknown;
}

const recorded = (text: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'information', code: 'informational', diagnostics: text }],
});

type Parties = {
  messageId: string;
  eventCode: string;
  activity?: string | null;
  sender: { sor: string };
  receiver: { sor: string };
};

/**
 * The intake's bookkeeping, the same for every kind of message: the stored rows (the message
 * in, its acknowledgement out, written together), the answer to a replay, a refusal with its
 * fatal-error acknowledgement, and the audit entries. No CPR number is written to the audit
 * details: they name message ids, events and SOR codes.
 */
export class IntakeLedger {
  constructor(private readonly deps: { store: Store; audit: AuditLog }) {}

  /** A message refused whole: 422 with a fatal-error acknowledgement (queued too), or an OperationOutcome when none can be built. */
  async refuse(
    r: Received,
    message: AcknowledgeableMessage,
    eventCode: string | null,
    code: 'fatal-error' | 'transient-error',
    issue: AcknowledgementIssueInput,
    reason: RefusedCode,
    receiver: Organisation | null = null,
  ): Promise<IntakeAnswer> {
    const text = issue.text ?? reason;
    // Never acknowledge an acknowledgement; a message naming neither party cannot be answered.
    if (eventCode === EVENT.acknowledgement || !message.sender || !message.receiver) {
      this.audit(r.from, null, 'refused', { messageId: message.messageId, reason });
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
      this.audit(r.from, null, 'refused', { messageId: message.messageId, reason });
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
        contentHash: r.hash,
        body: JSON.stringify(r.json),
        httpStatus: 422,
        ackMessageId: ack.messageId,
      },
    );
    const parties = { sender: message.sender, receiver: message.receiver };
    const answer = await this.store(r, incoming, this.ackRow(ack, parties, receiver, null));
    if (answer) return answer;
    this.audit(r.from, incoming, 'refused', { reason, code });
    return { status: 422, body: ack.bundle };
  }

  /**
   * An accepted message: stored with its ok acknowledgement (queued for the sender) and
   * audited; the acknowledgement is the answer, or the earlier answer when another request
   * stored the same message first.
   */
  async accept(
    r: Received,
    message: Parties & AcknowledgeableMessage,
    receiver: Organisation,
    fields: Pick<StoredMessage, 'status'> & Partial<StoredMessage>,
    details: Record<string, unknown>,
  ): Promise<{ answer: IntakeAnswer; stored: boolean }> {
    const ack = buildAcknowledgement(message, 'ok');
    const incoming = this.row(message, 'in', {
      organisationId: receiver.id,
      contentHash: r.hash,
      body: JSON.stringify(r.json),
      httpStatus: 200,
      ackMessageId: ack.messageId,
      ...fields,
    });
    const earlier = await this.store(r, incoming, this.ackRow(ack, message, receiver, incoming.patientId));
    if (earlier) return { answer: earlier, stored: false };
    this.audit(r.from, incoming, 'allowed', details);
    return { answer: { status: 200, body: ack.bundle }, stored: true };
  }

  notedOutcome(m: StoredMessage): unknown {
    return recorded(`acknowledgement ${m.messageId} recorded`);
  }

  /** The same message again: the same answer; other content under its id: 409. */
  async replay(from: MessageSender, earlier: StoredMessage, hash: string): Promise<IntakeAnswer> {
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
  async store(r: Received, incoming: StoredMessage, ack: StoredMessage | null): Promise<IntakeAnswer | null> {
    if (await this.deps.store.messages.recordMessages(ack ? [incoming, ack] : [incoming])) {
      if (ack) this.auditOut(ack);
      return null;
    }
    const earlier = await this.deps.store.messages.getIncoming(incoming.messageId);
    if (!earlier) throw new Error('a message could not be stored');
    return this.replay(r.from, earlier, r.hash);
  }

  row(
    m: Parties,
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

  audit(
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
