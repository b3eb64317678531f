import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import type { PresenceUser } from '../../shared/protocol.ts';
import { MalformedMessage } from './messages.ts';

/**
 * Rewrites a client's awareness update so every state carries the connection's authenticated
 * identity in `user`: a client cannot present itself as someone else. A state for a Yjs
 * client id that belongs to another connection is dropped, so nobody can overwrite or clear
 * another person's presence.
 */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    if (count > 64) throw new MalformedMessage('too many awareness states in one update');
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state: unknown = JSON.parse(decoding.readVarString(decoder));
      if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new MalformedMessage('awareness state must be an object or null');
      entries.push({ clientId, clock, state: state as Record<string, unknown> | null });
    }
    if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes after the awareness update');
    return entries;
  } catch (err) {
    if (err instanceof MalformedMessage) throw err;
    throw new MalformedMessage('malformed awareness update');
  }
}

export function encodeAwarenessUpdate(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(e, entry.clientId);
    encoding.writeVarUint(e, entry.clock);
    encoding.writeVarString(e, JSON.stringify(entry.state));
  }
  return encoding.toUint8Array(e);
}

export function stampIdentity(entries: AwarenessEntry[], user: PresenceUser): AwarenessEntry[] {
  return entries.map((entry) => (entry.state === null ? entry : { ...entry, state: { ...entry.state, user } }));
}
