import type { Actor } from '../../shared/permissions.ts';
import type { PresenceUser } from '../../shared/protocol.ts';
import type { SharedMessage } from './shared-message.ts';

/**
 * What a plan room needs of one client connection. The transport (the y-websocket endpoint)
 * decodes frames and calls the room; the room answers through this interface only, so it can
 * be driven without a network in unit tests and with one in integration tests.
 */
export interface RoomConnection {
  readonly id: string;
  readonly userId: string;
  /** The authenticated identity stamped into every awareness state of this connection. */
  readonly presence: PresenceUser;
  /** Who writes through this connection, for the permission table (shared/permissions.ts). */
  readonly actor: Actor;
  send(message: Uint8Array): void;
  /** A message the room sends to many connections: the transport may reuse its wire form. */
  sendShared?(message: SharedMessage): void;
  /** A change of this connection was stored (the audit trail groups them per session). */
  recordEdit?(sections: string[]): void;
  close(code: number, reason: string): void;
  /**
   * The room failed and the plan is being loaded afresh: this connection goes on in the new
   * room (a PlanRoom; typed loosely to keep this file free of the room's) once `next` resolves (it rejoins and syncs again), and is closed if it rejects. A
   * connection without this is closed (1011) and reconnects.
   */
  moveTo?(next: Promise<unknown>): void;
}
