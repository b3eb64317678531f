import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SessionEnded } from '../../../shared/events.ts';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const SocketContext = createContext<AppSocket | null>(null);

/**
 * One Socket.IO connection per signed-in session (results, notifications, refusals, presence),
 * authenticated with the session's token. Plans are watched on it as they are opened. The
 * server ends it when the session does (`session:ended`: expired, or an embed link revoked);
 * `onEnded` is told, and the socket does not reconnect with the dead token.
 */
export function SessionSocketProvider({
  token,
  onEnded,
  children,
}: {
  token: string;
  onEnded?: (ended: SessionEnded) => void;
  children: ReactNode;
}) {
  const [socket, setSocket] = useState<AppSocket | null>(null);
  const endedRef = useRef(onEnded);
  endedRef.current = onEnded;
  useEffect(() => {
    let next: AppSocket | null = null;
    let cancelled = false;
    // Socket.IO's own retries are exponential with ±50 % jitter; the ceiling is raised so that
    // many tablets returning at once spread out (issue 6).
    const onOffline = () => next?.disconnect();
    const onOnline = () => next?.connect();
    // Loaded with the first signed-in page, not with the sign-in page.
    void import('socket.io-client').then(({ io }) => {
      if (cancelled) return;
      next = io({ auth: { token }, reconnectionDelay: 1_000, reconnectionDelayMax: 30_000, randomizationFactor: 0.5 });
      next.on('session:ended', (ended) => {
        // Not reconnected when the network comes back either: the token is dead.
        window.removeEventListener('online', onOnline);
        endedRef.current?.(ended);
      });
      setSocket(next);
    });
    // A socket may outlive the network unnoticed; offline it is closed and reopened when back.
    window.addEventListener('offline', onOffline);
    window.addEventListener('online', onOnline);
    return () => {
      cancelled = true;
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      next?.disconnect();
      setSocket(null);
    };
  }, [token]);
  return <SocketContext.Provider value={socket}>{children}</SocketContext.Provider>;
}

/** The session's socket; null while it is being set up (or outside a session). */
export function useSessionSocket(): AppSocket | null {
  return useContext(SocketContext);
}
