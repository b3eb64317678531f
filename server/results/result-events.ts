import type { Notification } from '../../shared/notifications.ts';
import type { ResultEntry } from '../../shared/plan.ts';

/**
 * What result filing tells the people online, handed in by the app, which sends it over
 * Socket.IO: results/ knows no transport, and a test hands in a recorder instead.
 */
export interface ResultEvents {
  /** A result entered, or changed in, a plan that is now stored: the plan's watchers get it. */
  resultFiled(planId: string, result: ResultEntry): void;
  /** A notification was stored for this staff member: their open sessions get it. */
  notify(userId: string, notification: Notification): void;
  /** Notifications of this staff member were resolved for everyone: their open sessions drop them. */
  resolved(userId: string, ids: string[]): void;
}
