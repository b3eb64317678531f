import { useCallback, useEffect, useState } from 'react';
import type { PlanRefusal } from '../../../shared/events.ts';
import { isSectionName } from '../../../shared/plan.ts';
import type { AppSocket } from '../realtime/SessionSocket.tsx';
import { newUuid } from '../ids.ts';

export interface RefusalNotice {
  key: string;
  /** The section the refused change touched; null when only the sync channel told us. */
  section: string | null;
  reason: string;
  at: number;
  /** The change was made offline and refused when it reached the server after a reconnect. */
  offline: boolean;
}

const SYNC_REASON = /^(\w+)(?:\.[\w-]+)?: (.+)$/s;

/** A refusal seen on both channels within this window is one refusal. */
const SAME_REFUSAL_MS = 5_000;
/** Older notices than this many are dropped: the page is not a log. */
const MAX_NOTICES = 5;

/**
 * Changes of ours the server refused and reverted. The server says so twice: a y-websocket
 * auth message on the sync connection (a reason only) and `plan:refused` on Socket.IO (the
 * section and the reason), which this hook subscribes to by watching the plan on the session's
 * socket.
 */
export function usePlanRefusals(planId: string, socket: AppSocket | null) {
  const [notices, setNotices] = useState<RefusalNotice[]>([]);
  const [watching, setWatching] = useState(false);

  const add = useCallback((section: string | null, reason: string, offline = false) => {
    setNotices((current) => {
      const now = Date.now();
      const twin = current.find((n) => n.reason === reason && now - n.at < SAME_REFUSAL_MS && (n.section === null || section === null || n.section === section));
      if (twin) {
        // Keep one notice; prefer the one that names the section.
        const merged = { ...twin, section: twin.section ?? section, offline: twin.offline || offline };
        if (merged.section === twin.section && merged.offline === twin.offline) return current;
        return current.map((n) => (n === twin ? merged : n));
      }
      return [...current, { key: newUuid(), section, reason, at: now, offline }].slice(-MAX_NOTICES);
    });
  }, []);

  useEffect(() => {
    if (!socket) return;
    const watch = () =>
      socket.emit('plan:watch', { planId }, (reply) => {
        setWatching(reply.ok);
      });
    const onDisconnect = () => setWatching(false);
    const onRefused = (msg: PlanRefusal) => {
      if (msg.planId === planId) add(msg.section, msg.reason);
    };
    // Watched again after every reconnect: a new connection starts in no rooms.
    socket.on('connect', watch);
    socket.on('disconnect', onDisconnect);
    socket.on('plan:refused', onRefused);
    if (socket.connected) watch();
    return () => {
      socket.off('connect', watch);
      socket.off('disconnect', onDisconnect);
      socket.off('plan:refused', onRefused);
      if (socket.connected) socket.emit('plan:unwatch', { planId });
      setWatching(false);
      setNotices([]);
    };
  }, [planId, socket, add]);

  const dismiss = useCallback((key: string) => setNotices((current) => current.filter((n) => n.key !== key)), []);
  /**
   * For the sync channel's "permission denied" auth message. CareHub's server words it
   * `<section>.<key>: <reason>`; a stock server may send a bare reason.
   */
  const addFromSync = useCallback(
    (message: string, offline = false) => {
      const parsed = SYNC_REASON.exec(message);
      if (parsed && isSectionName(parsed[1] ?? '')) add(parsed[1] ?? null, parsed[2] ?? message, offline);
      else add(null, message, offline);
    },
    [add],
  );

  return { notices, dismiss, addFromSync, watching };
}
