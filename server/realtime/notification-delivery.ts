import type { Logger } from 'pino';
import type { Notification } from '../../shared/notifications.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { NotificationAbout } from '../results/result-events.ts';
import { type RealtimeServer, userChannel } from './realtime.ts';

/**
 * Sends a notification to a staff member's open sockets, and audits its delivery (fix-b,
 * finding 5): a critical result's notification shows its values, so a delivery is an access
 * to the record like a read. One entry per person and notification however many sockets the
 * person has open (and none when they have none: they read it later, and GET /notifications
 * audits that), naming the results it shows.
 */
export function notificationDelivery(io: RealtimeServer, audit: AuditLog, log: Logger) {
  return (userId: string, notification: Notification, about: NotificationAbout): void => {
    const room = userChannel(userId);
    io.to(room).emit('notification', notification);
    // This node's sockets only: asking every node (the Redis adapter's fetchSockets) waits on
    // the slowest and timed out under load; with several nodes, deliveries are audited where the
    // notification is emitted, for the sockets held there.
    io.local
      .in(room)
      .fetchSockets()
      .then((sockets) => {
        if (sockets.length === 0) return;
        audit.record({
          actorId: userId,
          action: 'notification.deliver',
          planId: notification.planId,
          patientId: about.patientId,
          outcome: 'allowed',
          details: {
            notificationId: notification.id,
            kind: notification.kind,
            live: true,
            ...(about.resultIds.length > 0 ? { resultIds: about.resultIds } : {}),
          },
        });
      })
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'auditing a notification delivery failed'));
  };
}
