import type { UpdateOrigin } from '../store/records.ts';
import type { RoomConnection } from './room-connection.ts';

/**
 * Who made a change to a plan room's document: the origin of every Yjs transaction on it. The
 * room's update handler switches on `kind` to decide where the change goes — checked and stored
 * under its author, stored as the server's, or only sent to this node's clients — so nothing is
 * handed from the permission check to the handler beside the transaction.
 */

/** A client's update, applied by the permission check (PlanGuard.apply). */
export interface ClientOrigin {
  readonly kind: 'client';
  readonly connection: RoomConnection;
  /**
   * Set by the permission check as it finishes the transaction, with `sections` and `echo`. A
   * transaction the check did not finish is never stored or sent (fail closed).
   */
  checked: boolean;
  /** The sections the update changed as allowed (for the history). */
  sections: string[];
  /** The net update is not what the author sent (reverts, conflict flags): the author receives it too. */
  echo: boolean;
}

/** A change the server makes itself (seed, a filed result, a self-report, a new plan's meta). */
export interface ServerOrigin {
  readonly kind: 'server';
  /** How the change is recorded in the plan's log. */
  readonly origin: UpdateOrigin;
  /** The user it is recorded for, or null for the server itself. */
  readonly author: string | null;
}

/** Updates another node checked and stored: only this node's clients need them. */
export interface ClusterOrigin {
  readonly kind: 'cluster';
}

export type ChangeOrigin = ClientOrigin | ServerOrigin | ClusterOrigin;

/** A fresh origin for one client update: the permission check fills it in. */
export function clientOrigin(connection: RoomConnection): ClientOrigin {
  return { kind: 'client', connection, checked: false, sections: [], echo: false };
}

/** The origin of changes (document and awareness) from other nodes. */
export const FROM_CLUSTER: ClusterOrigin = Object.freeze({ kind: 'cluster' });
