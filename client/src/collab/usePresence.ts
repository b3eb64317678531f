import { useEffect, useState } from 'react';
import type { WebsocketProvider } from 'y-websocket';
import type { PresenceUser } from '../../../shared/protocol.ts';

export interface PresentPeer {
  clientId: number;
  user: PresenceUser;
}

function isPresenceUser(value: unknown): value is PresenceUser {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && typeof v.name === 'string' && typeof v.role === 'string';
}

/**
 * Everyone else in the plan, from the provider's awareness (the `user` field the server stamps
 * with the authenticated identity). One entry per person, even with several tabs open.
 */
export function usePresence(provider: WebsocketProvider | null, selfId: string): PresentPeer[] {
  const [peers, setPeers] = useState<PresentPeer[]>([]);
  useEffect(() => {
    if (!provider) return;
    const awareness = provider.awareness;
    const recompute = () => {
      const byUser = new Map<string, PresentPeer>();
      for (const [clientId, state] of awareness.getStates()) {
        if (clientId === awareness.clientID) continue;
        const user: unknown = (state as { user?: unknown }).user;
        if (!isPresenceUser(user) || user.id === selfId) continue;
        if (!byUser.has(user.id)) byUser.set(user.id, { clientId, user });
      }
      setPeers([...byUser.values()].sort((a, b) => a.user.name.localeCompare(b.user.name)));
    };
    recompute();
    awareness.on('change', recompute);
    return () => {
      awareness.off('change', recompute);
      setPeers([]);
    };
  }, [provider, selfId]);
  return peers;
}
