import type { StoredMessage } from '../store/message-store.ts';

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
