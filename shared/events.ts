import type { Notification, ResolvedNotifications } from './notifications.ts';
import type { PresenceUser } from './protocol.ts';
import type { Refusal } from './refusals.ts';

/** Socket.IO event maps shared by server and client (docs/ARCHITECTURE.md, "Interfaces"). */
export interface PlanRef {
  planId: string;
}

export type Ack = (reply: { ok: true } | { ok: false; error: string }) => void;

export interface ClientToServerEvents {
  'plan:watch': (msg: PlanRef, ack?: Ack) => void;
  'plan:unwatch': (msg: PlanRef, ack?: Ack) => void;
}

/** A change of the recipient's was refused (and reverted): where, and why as a code the client words. */
export type PlanRefusal = { planId: string; section: string } & Refusal;

export interface ServerToClientEvents {
  'result:filed': (msg: { planId: string; result: unknown }) => void;
  /** A notification stored for this staff member (shared/notifications.ts): worded by the client. */
  notification: (msg: Notification) => void;
  /** Notifications of this staff member resolved for everyone (a critical result was acknowledged). */
  'notification:resolved': (msg: ResolvedNotifications) => void;
  'plan:refused': (msg: PlanRefusal) => void;
  /**
   * The plan's MedCom correspondence changed (issue 18): a message arrived or was sent, or an
   * Acknowledgement marked one of CareHub's as received or refused. Staff watching the plan
   * fetch it again (GET /correspondence/:planId, …/home-care-reports); the citizen is not told.
   */
  'correspondence:changed': (msg: PlanRef) => void;
  presence: (msg: { planId: string; users: PresenceUser[] }) => void;
  /** The plan changed (at most about once a second): for views without a live copy, e.g. the citizen's. */
  'plan:changed': (msg: PlanRef) => void;
  /**
   * This socket no longer watches the plan: access to it ended (a break-the-glass grant ran
   * out, removal from the care team, an objection). Watching again is refused.
   */
  'plan:unwatched': (msg: PlanUnwatched) => void;
  /**
   * The socket's credential ended and the server closes it next: the session or embed link
   * expired (`expired`), was revoked, or an embed session's person lost the plan. Sign in (or
   * open the link) again; the socket does not reconnect by itself.
   */
  'session:ended': (msg: SessionEnded) => void;
  /**
   * Events of this socket are being dropped: it sends more than the hub takes
   * (SOCKET_EVENT_RATE_PER_SECOND). Told once per run of drops; a socket that keeps flooding
   * is disconnected.
   */
  limit: (msg: { code: 'rate_limited'; message: string }) => void;
}

export interface PlanUnwatched {
  planId: string;
  reason: string;
}

export interface SessionEnded {
  reason: string;
  /** True when the credential's time ran out (as opposed to a revocation or a loss of access). */
  expired: boolean;
}
