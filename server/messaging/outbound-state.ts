import { randomUUID } from 'node:crypto';
import type { StoredMessage } from '../store/message-store.ts';
import { contentHash } from './content-hash.ts';

/**
 * What the plan shows next to a message CareHub sent (CareCommunication, HomeCareObservation),
 * from the receiver's Acknowledgement: `sent` (waiting or collected), `received` (ok), `refused`
 * (with why). Incoming messages have no state.
 */
export type OutboundState = 'sent' | 'received' | 'refused' | null;

export function outboundState(m: StoredMessage): { state: OutboundState; refusal: string | null } {
  if (m.direction === 'in') return { state: null, refusal: null };
  if (m.ackCode === 'ok') return { state: 'received', refusal: null };
  if (m.ackCode) return { state: 'refused', refusal: m.ackText ?? m.ackCode };
  return { state: 'sent', refusal: null };
}

/** A message staff asked for could not be sent; nothing was queued. */
export class CorrespondenceError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The SKS role code (MedCom's PractitionerRolesSKSadministrativ) of a CareHub staff role, where
 * one fits; else the role in words. A HomeCareObservation's performer must carry a coded role
 * (medcom-homecareReport-1).
 */
export function professionalRole(role: string): string {
  const coded: Record<string, string> = {
    municipal_nurse: 'sygeplejerske',
    hospital_nurse: 'sygeplejerske',
    hospital_doctor: 'sygehuslaege',
  };
  return coded[role] ?? role.replaceAll('_', ' ');
}

/** A message CareHub sends, as the outbox keeps it until the receiver collects and acknowledges it. */
export function outboxRow(m: {
  messageId: string;
  event: string;
  activity: string;
  sender: { id: string; sor: StoredMessage['senderSor'] };
  receiverSor: StoredMessage['receiverSor'];
  patientId: string;
  bundle: unknown;
  entryKey: string | null;
}): StoredMessage {
  return {
    id: randomUUID(),
    direction: 'out',
    messageId: m.messageId,
    event: m.event,
    activity: m.activity,
    senderSor: m.sender.sor,
    receiverSor: m.receiverSor,
    organisationId: m.sender.id,
    patientId: m.patientId,
    contentHash: contentHash(m.bundle),
    body: JSON.stringify(m.bundle),
    status: 'waiting',
    httpStatus: null,
    entryKey: m.entryKey,
    ackMessageId: null,
    ackCode: null,
    ackText: null,
    created: new Date().toISOString(),
    delivered: null,
    acknowledged: null,
  };
}
