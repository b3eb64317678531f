/**
 * Persistence of MedCom messages (part of the Store): incoming ones with the acknowledgement
 * they were answered with, the receiving organisations' inboxes, and the outbox.
 */
export interface StoredMessage {
  id: string;
  direction: 'in' | 'out';
  /** MessageHeader.id. */
  messageId: string;
  event: string;
  activity: string | null;
  senderSor: string;
  receiverSor: string;
  /** Ours: the receiving organisation (in) or the sending one (out), when known. */
  organisationId: string | null;
  patientId: string | null;
  contentHash: string;
  /** The Bundle as JSON text. */
  body: string;
  /**
   * in: `filed` (into a plan), `inbox` (waiting for a plan), `refused` (fatal-error), `noted`
   * (an acknowledgement, recorded). out: `waiting` for collection, `delivered`.
   */
  status: 'filed' | 'inbox' | 'refused' | 'noted' | 'waiting' | 'delivered';
  /** in: the HTTP status it was answered with (a replay gets the same). */
  httpStatus: number | null;
  /** in: the plan entry it became (the key corrections and cancellations find it by). */
  entryKey: string | null;
  /** in: the MessageHeader.id of the acknowledgement CareHub answered with. out: of the one received. */
  ackMessageId: string | null;
  /** out: the receiver's acknowledgement (ok, transient-error, fatal-error) and why. */
  ackCode: string | null;
  ackText: string | null;
  created: string;
  delivered: string | null;
  acknowledged: string | null;
}

export interface MessageStore {
  /**
   * Records messages in one transaction (an incoming message with its acknowledgement). False,
   * and nothing written, when an incoming message with that MessageHeader.id is there already.
   */
  recordMessages(messages: StoredMessage[]): Promise<boolean>;
  getIncoming(messageId: string): Promise<StoredMessage | null>;
  getOutgoing(messageId: string): Promise<StoredMessage | null>;
  getMessage(id: string): Promise<StoredMessage | null>;
  /** Outbound messages waiting for collection by this receiver, oldest first. */
  listOutbox(receiverSor: string, limit: number): Promise<StoredMessage[]>;
  /** False when there is no such outbound message waiting. */
  markDelivered(id: string, time: string): Promise<boolean>;
  /** The outbound message with this MessageHeader.id gets the receiver's acknowledgement; null when none. */
  markAcknowledged(
    messageId: string,
    ack: { messageId: string; code: string; text: string | null; time: string },
  ): Promise<StoredMessage | null>;
  /** Incoming messages in this organisation's inbox, oldest first. */
  listInbox(organisationId: string): Promise<StoredMessage[]>;
  /** An inbox message filed into a plan after all; false when it was not in the inbox (taken already). */
  fileFromInbox(id: string, patch: { patientId: string; entryKey: string | null }): Promise<boolean>;
  /** Messages in and out about a patient of one event (a plan's correspondence), oldest first. */
  listForPatient(patientId: string, event: string): Promise<StoredMessage[]>;
}
