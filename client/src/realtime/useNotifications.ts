import { useCallback, useEffect, useRef, useState } from 'react';
import {
  NotificationContent,
  ReceivedNotification,
  ResolvedNotifications,
  type NotificationSeverity,
  type NotifiedPatient,
} from '../../../shared/notifications.ts';
import { listNotifications, markNotificationsSeen, type StoredNotification } from '../api-care.ts';
import { describeError, isAbort } from '../api.ts';
import type { Translate } from '../i18n/index.tsx';
import { newUuid } from '../ids.ts';
import type { AppSocket } from './SessionSocket.tsx';

export interface NotificationItem {
  /** The stored notification's id; live events that were not stored have none. */
  id: string | null;
  key: string;
  planId: string;
  /** Who it is about: named first in the bell. */
  patient: NotifiedPatient | null;
  severity: NotificationSeverity;
  /** What it says, worded when shown (in the reader's language); null: a kind this client cannot read. */
  content: NotificationContent | null;
  created: string;
}

/** The kind and parameters checked against the kinds this client words; the rest is still shown. */
function contentOf(n: { kind: string; params: unknown }): NotificationContent | null {
  const content = NotificationContent.safeParse({ kind: n.kind, params: n.params });
  return content.success ? content.data : null;
}

const fromStored = (n: StoredNotification): NotificationItem => ({
  id: n.id,
  key: n.id,
  planId: n.planId,
  patient: n.patient ?? null,
  severity: n.severity,
  content: contentOf(n),
  created: n.created,
});

/** Critical first, then the newest. */
function ordered(items: NotificationItem[]): NotificationItem[] {
  const rank = (n: NotificationItem) => (n.severity === 'critical' ? 0 : 1);
  return [...items].sort((a, b) => rank(a) - rank(b) || Date.parse(b.created) - Date.parse(a.created));
}

/**
 * The staff member's unseen notifications: those stored for them (fetched on sign-in and after
 * every reconnect, so nothing sent while offline is missed) and live `notification` events.
 */
export function useNotifications(token: string, socket: AppSocket | null, t: Translate) {
  const [items, setItems] = useState<NotificationItem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [latest, setLatest] = useState<NotificationItem | null>(null);
  const tRef = useRef(t);
  tRef.current = t;
  const itemsRef = useRef(items);
  itemsRef.current = items;

  const merge = useCallback((incoming: NotificationItem[]) => {
    setItems((current) => {
      const byKey = new Map(current.map((n) => [n.key, n]));
      for (const n of incoming) if (!byKey.has(n.key)) byKey.set(n.key, n);
      return ordered([...byKey.values()]);
    });
  }, []);

  const load = useCallback(
    (signal?: AbortSignal) =>
      listNotifications(token, signal)
        .then((stored) => {
          // Stored ones no longer listed were seen elsewhere or resolved while this was away.
          const listed = new Set(stored.map((n) => n.id));
          setItems((current) => current.filter((n) => !n.id || listed.has(n.id)));
          merge(stored.filter((n) => !n.seen).map(fromStored));
          setError(null);
        })
        .catch((err: unknown) => {
          if (!isAbort(err)) setError(describeError(err, tRef.current));
        }),
    [token, merge],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  useEffect(() => {
    if (!socket) return;
    const onNotification = (raw: unknown) => {
      // Checked like any answer from the server: an event that is not a notification is ignored.
      const n = ReceivedNotification.safeParse(raw);
      if (!n.success) return;
      const item: NotificationItem = {
        id: n.data.id ?? null,
        key: n.data.id ?? newUuid(),
        planId: n.data.planId,
        patient: n.data.patient ?? null,
        severity: n.data.severity,
        content: contentOf(n.data),
        created: new Date().toISOString(),
      };
      merge([item]);
      setLatest(item);
    };
    // Resolved for everyone (a critical result acknowledged, on any device, by anyone): it goes.
    const onResolved = (raw: unknown) => {
      const r = ResolvedNotifications.safeParse(raw);
      if (!r.success) return;
      const gone = new Set(r.data.ids);
      setItems((current) => current.filter((n) => !n.id || !gone.has(n.id)));
    };
    const onReconnect = () => void load();
    socket.on('notification', onNotification);
    socket.on('notification:resolved', onResolved);
    socket.io.on('reconnect', onReconnect);
    return () => {
      socket.off('notification', onNotification);
      socket.off('notification:resolved', onResolved);
      socket.io.off('reconnect', onReconnect);
    };
  }, [socket, merge, load]);

  /** Marks notifications seen: on the server for stored ones, and gone from the list. */
  const markSeen = useCallback(
    async (keys: readonly string[]) => {
      const gone = new Set(keys);
      const removed = itemsRef.current.filter((n) => gone.has(n.key));
      setItems((current) => current.filter((n) => !gone.has(n.key)));
      const ids = removed.flatMap((n) => (n.id ? [n.id] : []));
      if (ids.length === 0) return;
      try {
        await markNotificationsSeen(token, ids);
        setError(null);
      } catch (err) {
        merge(removed);
        setError(describeError(err, tRef.current));
      }
    },
    [token, merge],
  );

  return { items, error, latest, markSeen };
}
