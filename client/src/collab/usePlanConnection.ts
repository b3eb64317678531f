import { useEffect, useRef, useState } from 'react';
import * as Y from 'yjs';
import * as authProtocol from 'y-protocols/auth';
import { WebsocketProvider } from 'y-websocket';
import { COLLAB_PATH, CloseCode, MessageType, isRefusal } from '../../../shared/protocol.ts';
import type { UserView } from '../../../shared/api.ts';
import { colorFor } from './colors.ts';

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
  /** Set when the server closed the connection with a 44xx code; no reconnecting after it. */
  refusal: Refusal | null;
}

/** ws(s)://<host> of the page: the collab endpoint is served by the same origin. */
function wsBase(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}`;
}

interface Live {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

/**
 * One Y.Doc per open plan, bound through y-websocket to `/collab/<planId>?token=…`.
 * Cross-tab BroadcastChannel sync is disabled: every change must pass the server's
 * permission check, and two tabs may belong to two different signed-in people.
 */
export function usePlanConnection(
  planId: string,
  token: string,
  user: UserView,
  /** Called with the reason when the server refuses (and reverts) a change of ours. */
  onDenied: (reason: string) => void,
): PlanConnection | null {
  const [live, setLive] = useState<Live | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [synced, setSynced] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const deniedRef = useRef(onDenied);
  deniedRef.current = onDenied;

  useEffect(() => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(wsBase() + COLLAB_PATH, planId, doc, {
      params: { token },
      disableBc: true,
    });
    // The server replaces `user` with the authenticated identity (PresenceUser); name and
    // colour here are what our own editor carets use until then.
    provider.awareness.setLocalStateField('user', { name: user.name, color: colorFor(user.id) });

    provider.messageHandlers[MessageType.auth] = (_encoder, decoder, p) => {
      authProtocol.readAuthMessage(decoder, p.doc, (_doc, reason) => deniedRef.current(reason));
    };

    let refused = false;
    const onStatus = ({ status: next }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
      if (refused) return;
      setStatus(next === 'disconnected' ? 'offline' : next);
    };
    const onClose = (event: CloseEvent | null) => {
      if (!event || !isRefusal(event.code)) return;
      refused = true;
      provider.shouldConnect = false; // never retry with credentials the server refused
      setRefusal({ code: event.code, reason: event.reason });
      setStatus('refused');
    };
    const onSync = (isSynced: boolean) => {
      if (isSynced) setSynced(true);
    };
    const onBrowserOffline = () => {
      if (!refused) setStatus('offline');
    };
    provider.on('status', onStatus);
    provider.on('connection-close', onClose);
    provider.on('sync', onSync);
    window.addEventListener('offline', onBrowserOffline);
    setLive({ doc, provider });

    return () => {
      window.removeEventListener('offline', onBrowserOffline);
      provider.off('status', onStatus);
      provider.off('connection-close', onClose);
      provider.off('sync', onSync);
      provider.destroy();
      doc.destroy();
      setLive(null);
      setStatus('connecting');
      setSynced(false);
      setRefusal(null);
    };
  }, [planId, token, user.id, user.name]);

  if (!live) return null;
  return { ...live, status, synced, refusal };
}

export function isSessionRefusal(refusal: Refusal | null): boolean {
  return refusal?.code === CloseCode.unauthorized;
}
