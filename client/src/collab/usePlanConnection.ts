import { useEffect, useRef, useState } from 'react';
import * as Y from 'yjs';
import * as authProtocol from 'y-protocols/auth';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import { COLLAB_PATH, CloseCode, MessageType, collabProtocols, isRefusal } from '../../../shared/protocol.ts';
import type { UserView } from '../../../shared/api.ts';
import { forgetPlan, markSynced, planDbName } from '../offline/device.ts';
import { ownCaret } from './caret.ts';
import { PendingChanges } from './pendingChanges.ts';
import { ReconnectDriver } from './reconnect.ts';
import { openPlans } from './sendWaiting.ts';

export type ConnectionStatus = 'connecting' | 'connected' | 'offline' | 'refused';

export interface Refusal {
  code: number;
  reason: string;
}

export interface PlanConnection {
  doc: Y.Doc;
  provider: WebsocketProvider;
  status: ConnectionStatus;
  /** True once the first sync with the server completed. */
  synced: boolean;
  /** True while the current connection is synced (false again after a disconnect, until the next sync). */
  inSync: boolean;
  /** Set when the server closed the connection with a 44xx code; no reconnecting after it. */
  refusal: Refusal | null;
  /** True once the copy kept on this device (IndexedDB) is loaded and holds the plan. */
  stored: boolean;
  /** True once the device's copy has been read (whether or not it held anything). */
  storeLoaded: boolean;
  /** Local changes the server has not yet confirmed (see pendingChanges.ts). */
  pending: number;
  /** Name of the IndexedDB database holding this plan on the device. */
  dbName: string;
}

/** ws(s)://<host> of the page: the collab endpoint is served by the same origin. */
function wsBase(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}`;
}

interface Live {
  doc: Y.Doc;
  provider: WebsocketProvider;
  dbName: string;
}

/** Does the document hold a plan (as opposed to an empty database for a plan never opened here)? */
function holdsPlan(doc: Y.Doc): boolean {
  return doc.share.size > 0 && [...doc.share.values()].some((type) => type._length > 0 || type._map.size > 0);
}

/**
 * One Y.Doc per open plan, bound through y-websocket to `/collab/<planId>` and kept on
 * the device in IndexedDB (y-indexeddb, one database per person and plan), so the plan opens and
 * takes edits without a network and sends them when the connection is back (issue 6).
 * Reconnecting is driven by ReconnectDriver (backoff with jitter) instead of y-websocket's own.
 * Cross-tab BroadcastChannel sync is disabled: every change must pass the server's
 * permission check, and two tabs may belong to two different signed-in people.
 */
export function usePlanConnection(
  planId: string,
  token: string,
  user: UserView,
  /**
   * Called with the reason when the server refuses (and reverts) a change of ours; `offline` when
   * it came while the edits made offline were being sent after a reconnect.
   */
  onDenied: (reason: string, offline: boolean) => void,
): PlanConnection | null {
  const [live, setLive] = useState<Live | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [synced, setSynced] = useState(false);
  const [inSync, setInSync] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [stored, setStored] = useState(false);
  const [storeLoaded, setStoreLoaded] = useState(false);
  const [pending, setPending] = useState(0);
  const deniedRef = useRef(onDenied);
  deniedRef.current = onDenied;

  useEffect(() => {
    const doc = new Y.Doc();
    const dbName = planDbName(user.id, planId);
    openPlans.add(planId);
    const persistence = new IndexeddbPersistence(dbName, doc);
    let closed = false;
    void persistence.whenSynced.then(
      () => {
        if (closed) return;
        setStoreLoaded(true);
        setStored(holdsPlan(doc));
      },
      () => {
        if (!closed) setStoreLoaded(true); // no IndexedDB (private mode): online only
      },
    );
    const provider = new WebsocketProvider(wsBase() + COLLAB_PATH, planId, doc, {
      // The token rides in the Sec-WebSocket-Protocol header, never in the URL (proxies log URLs).
      protocols: collabProtocols(token),
      disableBc: true,
      connect: false,
    });
    const reconnect = new ReconnectDriver(provider);
    const pendingChanges = new PendingChanges(planId, doc, provider, [provider, persistence], setPending);
    setPending(pendingChanges.value);
    // The server replaces `user` with the authenticated identity (PresenceUser); name and
    // colour here are what our own editor carets use until then.
    provider.awareness.setLocalStateField('user', ownCaret(user));

    provider.messageHandlers[MessageType.auth] = (_encoder, decoder, p) => {
      authProtocol.readAuthMessage(decoder, p.doc, (_doc, reason) =>
        deniedRef.current(reason, pendingChanges.catchingUp),
      );
    };

    let refused = false;
    const onStatus = ({ status: next }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
      if (refused) return;
      setStatus(next === 'disconnected' || (next === 'connecting' && !navigator.onLine) ? 'offline' : next);
    };
    const onClose = (event: CloseEvent | null) => {
      if (!event || !isRefusal(event.code)) return;
      refused = true;
      provider.shouldConnect = false; // never retry with credentials the server refused
      setRefusal({ code: event.code, reason: event.reason });
      setStatus('refused');
      // This person may no longer open the plan (taken off the care team, the citizen objected):
      // its copy does not stay on the device (unless changes to it wait: forgetPlan keeps those).
      if (event.code === CloseCode.forbidden || event.code === CloseCode.notFound)
        void persistence.destroy().then(() => forgetPlan(user.id, planId));
    };
    const onSync = (isSynced: boolean) => {
      setInSync(isSynced);
      if (!isSynced) return;
      setSynced(true);
      // The device's copy now holds the plan, so it opens without a network next time.
      setStored(true);
      markSynced(planId);
    };
    const onBrowserOffline = () => {
      if (!refused) setStatus('offline');
    };
    provider.on('status', onStatus);
    provider.on('connection-close', onClose);
    provider.on('sync', onSync);
    window.addEventListener('offline', onBrowserOffline);
    setLive({ doc, provider, dbName });
    reconnect.start();
    if (!navigator.onLine) setStatus('offline');

    return () => {
      closed = true;
      openPlans.delete(planId);
      reconnect.destroy();
      pendingChanges.destroy();
      window.removeEventListener('offline', onBrowserOffline);
      provider.off('status', onStatus);
      provider.off('connection-close', onClose);
      provider.off('sync', onSync);
      provider.destroy();
      // Written updates are already in IndexedDB; destroy() only closes the database.
      void persistence.destroy();
      doc.destroy();
      setLive(null);
      setStatus('connecting');
      setSynced(false);
      setInSync(false);
      setRefusal(null);
      setStored(false);
      setStoreLoaded(false);
      setPending(0);
    };
  }, [planId, token, user.id, user.name]);

  if (!live) return null;
  return { ...live, status, synced, inSync, refusal, stored, storeLoaded, pending };
}

export function isSessionRefusal(refusal: Refusal | null): boolean {
  return refusal?.code === CloseCode.unauthorized;
}
