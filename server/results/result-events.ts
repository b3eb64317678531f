import type { Notification } from '../../shared/notifications.ts';
import type { ResultEntry } from '../../shared/plan.ts';

/** What a notification is about: its patient, and the results whose values or names it shows. */
export interface NotificationAbout {
  patientId: string;
  resultIds: string[];
}

/**
 * What result filing tells the people online, handed in by the app, which sends it over
 * Socket.IO: results/ knows no transport, and a test hands in a recorder instead.
 */
export interface ResultEvents {
  /** A result entered, or changed in, a plan that is now stored: the plan's watchers get it. */
  resultFiled(planId: string, result: ResultEntry): void;
  /**
   * A notification was stored for this staff member: their open sessions get it. `about`: the
   * patient and the results it shows (values of critical results), for the audit of its delivery.
   */
  notify(userId: string, notification: Notification, about: NotificationAbout): void;
  /** Notifications of this staff member were resolved for everyone: their open sessions drop them. */
  resolved(userId: string, ids: string[]): void;
}
