import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { equalityDeep } from 'lib0/function';
import type { Awareness } from 'y-protocols/awareness';
import type { PresenceUser } from '../../shared/protocol.ts';
import { MalformedMessage } from './messages.ts';

/**
 * Rewrites a client's awareness update before anyone else sees it. A state keeps only what
 * the plan's editors send: the caret and selection of Tiptap's CollaborationCaret
 * (y-prosemirror's cursor plugin: `cursor: {anchor, head}`, two Yjs relative positions, or
 * null), in that shape and size; every other field is dropped. `user` is the connection's
 * authenticated identity, stamped by the server: a client cannot present itself as someone
 * else. A state for a Yjs client id that belongs to another connection is dropped (plan-room),
 * so nobody can overwrite or clear another person's presence.
 */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

/**
 * Characters of one client's state as sent. A caret is about 200 (two relative positions);
 * Tiptap's caret adds the user's name and colour, which the server replaces anyway. A larger
 * state is read as one without fields: it is never parsed.
 */
export const MAX_AWARENESS_STATE_CHARS = 4096;
/** A root type's name in a relative position: the plan's section names are a dozen characters. */
const MAX_TNAME_CHARS = 100;

export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    if (count > 64) throw new MalformedMessage('too many awareness states in one update');
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const text = decoding.readVarString(decoder);
      const state: unknown = text.length > MAX_AWARENESS_STATE_CHARS ? {} : JSON.parse(text);
      if (state !== null && (typeof state !== 'object' || Array.isArray(state)))
        throw new MalformedMessage('awareness state must be an object or null');
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

const isClock = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A Yjs relative position as JSON (Y.relativePositionToJSON, or the class serialised), or null if it is none. */
function relativePosition(v: unknown): Record<string, unknown> | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const rp = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(rp)) if (!['type', 'tname', 'item', 'assoc'].includes(key)) return null;
  // In Yjs's own order (type, tname, item, assoc), as RelativePosition serialises.
  const id = (key: 'type' | 'item'): boolean => {
    const v = rp[key];
    if (v === undefined) return true;
    if (v === null) {
      out[key] = null;
      return true;
    }
    if (typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length !== 2) return false;
    const { client, clock } = v as Record<string, unknown>;
    if (!isClock(client) || !isClock(clock)) return false;
    out[key] = { client, clock };
    return true;
  };
  if (!id('type')) return null;
  if (rp.tname !== undefined) {
    if (rp.tname !== null && (typeof rp.tname !== 'string' || rp.tname.length > MAX_TNAME_CHARS)) return null;
    out.tname = rp.tname;
  }
  if (!id('item')) return null;
  if (rp.assoc !== undefined) {
    if (typeof rp.assoc !== 'number' || !Number.isInteger(rp.assoc) || Math.abs(rp.assoc) > 2 ** 31) return null;
    out.assoc = rp.assoc;
  }
  return out;
}

/** The caret and selection (`{anchor, head}`), or null (no caret), or undefined when it has another shape. */
function cursorOf(v: unknown): { anchor: Record<string, unknown>; head: Record<string, unknown> } | null | undefined {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return undefined;
  const c = v as Record<string, unknown>;
  if (Object.keys(c).some((k) => k !== 'anchor' && k !== 'head')) return undefined;
  const anchor = relativePosition(c.anchor);
  const head = relativePosition(c.head);
  return anchor && head ? { anchor, head } : undefined;
}

/**
 * The state as relayed: the caret in its shape, and the server's `user`. The caret is all any
 * session may send, read-only sessions (an embed link for reading) included: it shows where
 * someone reads or writes, and the plan's editors send nothing else.
 */
export function sanitizeState(state: Record<string, unknown>, user: PresenceUser): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cursor = Object.hasOwn(state, 'cursor') ? cursorOf(state.cursor) : undefined;
  if (cursor !== undefined) out.cursor = cursor;
  out.user = user;
  return out;
}

export function stampIdentity(entries: AwarenessEntry[], user: PresenceUser): AwarenessEntry[] {
  return entries.map((entry) => (entry.state === null ? entry : { ...entry, state: sanitizeState(entry.state, user) }));
}

/**
 * Applies decoded, stamped entries to a room's awareness as y-protocols' `applyAwarenessUpdate`
 * does (the same clock rules, the same `change` and `update` events), without encoding them
 * into an update first and parsing every state back out of it: at 10,000 clients sending their
 * caret every second that round trip was a tenth of the node's time.
 */
export function applyAwarenessEntries(awareness: Awareness, entries: AwarenessEntry[], origin: unknown): void {
  const timestamp = Date.now();
  const added: number[] = [];
  const updated: number[] = [];
  const changed: number[] = [];
  const removed: number[] = [];
  for (const entry of entries) {
    const { clientId, state } = entry;
    let clock = entry.clock;
    const meta = awareness.meta.get(clientId);
    const previous = awareness.states.get(clientId);
    const current = meta === undefined ? 0 : meta.clock;
    if (!(current < clock || (current === clock && state === null && awareness.states.has(clientId)))) continue;
    if (state === null) {
      // A remote client never removes this node's own state (it has none in a room, but keep the rule).
      if (clientId === awareness.clientID && awareness.getLocalState() != null) clock++;
      else awareness.states.delete(clientId);
    } else awareness.states.set(clientId, state);
    awareness.meta.set(clientId, { clock, lastUpdated: timestamp });
    if (meta === undefined && state !== null) added.push(clientId);
    else if (meta !== undefined && state === null) removed.push(clientId);
    else if (state !== null) {
      if (!equalityDeep(state, previous)) changed.push(clientId);
      updated.push(clientId);
    }
  }
  if (added.length > 0 || changed.length > 0 || removed.length > 0)
    awareness.emit('change', [{ added, updated: changed, removed }, origin]);
  if (added.length > 0 || updated.length > 0 || removed.length > 0)
    awareness.emit('update', [{ added, updated, removed }, origin]);
}
