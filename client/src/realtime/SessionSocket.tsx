import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/events.ts';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const SocketContext = createContext<AppSocket | null>(null);

/**
 * One Socket.IO connection per signed-in session (results, notifications, refusals, presence),
 * authenticated with the session's token. Plans are watched on it as they are opened.
 */
export function SessionSocketProvider({ token, children }: { token: string; children: ReactNode }) {
  const [socket, setSocket] = useState<AppSocket | null>(null);
  useEffect(() => {
    let next: AppSocket | null = null;
    let cancelled = false;
    // Loaded with the first signed-in page, not with the sign-in page.
    void import('socket.io-client').then(({ io }) => {
      if (cancelled) return;
      next = io({ auth: { token } });
      setSocket(next);
    });
    return () => {
      cancelled = true;
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
