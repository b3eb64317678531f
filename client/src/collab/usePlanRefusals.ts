import { useCallback, useEffect, useState } from 'react';
import type { PlanRefusal } from '../../../shared/events.ts';
import { isSectionName } from '../../../shared/plan.ts';
import { parseRefusalMessage, Refusal } from '../../../shared/refusals.ts';
import type { AppSocket } from '../realtime/SessionSocket.tsx';
import { newUuid } from '../ids.ts';

export interface RefusalNotice {
  key: string;
  /** The section the refused change touched; null when only the sync channel told us. */
  section: string | null;
  /** Why, as a code this client words; null for one it does not know (a newer server's, a stock server's). */
  refusal: Refusal | null;
  /** The server's own words, shown when there is no refusal this client knows. */
  text: string;
  at: number;
  /** The change was made offline and refused when it reached the server after a reconnect. */
  offline: boolean;
}

/** A refusal seen on both channels within this window is one refusal. */
const SAME_REFUSAL_MS = 5_000;
/** Older notices than this many are dropped: the page is not a log. */
const MAX_NOTICES = 5;

/** One refusal, however it reached us: its code and parameters, or the server's words. */
const sameWhy = (refusal: Refusal | null, text: string): string =>
  refusal ? `${refusal.code} ${JSON.stringify(refusal.params)}` : text;

/**
 * Changes of ours the server refused and reverted. The server says so twice: a y-websocket
 * auth message on the sync connection (where, an English sentence, and the code) and
 * `plan:refused` on Socket.IO (the section, the code and its parameters), which this hook
 * subscribes to by watching the plan on the session's socket.
 */
export function usePlanRefusals(planId: string, socket: AppSocket | null) {
  const [notices, setNotices] = useState<RefusalNotice[]>([]);
  const [watching, setWatching] = useState(false);

  const add = useCallback((section: string | null, refusal: Refusal | null, text: string, offline = false) => {
    setNotices((current) => {
      const now = Date.now();
      const why = sameWhy(refusal, text);
      const twin = current.find(
        (n) =>
          sameWhy(n.refusal, n.text) === why &&
          now - n.at < SAME_REFUSAL_MS &&
          (n.section === null || section === null || n.section === section),
      );
      if (twin) {
        // Keep one notice; prefer the one that names the section.
        const merged = { ...twin, section: twin.section ?? section, offline: twin.offline || offline };
        if (merged.section === twin.section && merged.offline === twin.offline) return current;
        return current.map((n) => (n === twin ? merged : n));
      }
      return [...current, { key: newUuid(), section, refusal, text, at: now, offline }].slice(-MAX_NOTICES);
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
      if (msg.planId !== planId) return;
      // Checked, not trusted: a code from a newer server is said in general words.
      const parsed = Refusal.safeParse({ code: msg.code, params: msg.params });
      add(msg.section, parsed.success ? parsed.data : null, '');
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
   * For the sync channel's "permission denied" auth message. CareHub's server writes
   * `<section>.<key>: <English sentence> [<code> <params>]` (shared/refusals.ts); a stock
   * server may send a bare reason.
   */
  const addFromSync = useCallback(
    (message: string, offline = false) => {
      const { section, refusal, text } = parseRefusalMessage(message);
      add(section !== null && isSectionName(section) ? section : null, refusal, text, offline);
    },
    [add],
  );

  return { notices, dismiss, addFromSync, watching };
}
