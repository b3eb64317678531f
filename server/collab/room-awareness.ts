import type * as Y from 'yjs';
import {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate as encodeAwarenessStates,
  removeAwarenessStates,
} from 'y-protocols/awareness';
import type { PresenceUser } from '../../shared/protocol.ts';
import { applyAwarenessEntries, decodeAwarenessUpdate, stampIdentity } from './awareness-stamp.ts';
import { FROM_CLUSTER } from './change-origin.ts';
import { awarenessMessage } from './messages.ts';
import type { RoomConnection } from './room-connection.ts';
import { SharedMessage } from './shared-message.ts';

/** At most this many Yjs client ids per connection (a tab normally has one). */
const MAX_CLIENT_IDS_PER_CONNECTION = 4;

/** What a room's awareness needs of its room. */
export interface AwarenessRoom {
  /** One message to every connection of the room. */
  sendToAll(message: SharedMessage): void;
  /** Awareness of this node's clients changed: other nodes are told (encoded only if there are any). */
  publish(encode: () => Uint8Array): void;
  /** Someone came or went. */
  presenceChanged(): void;
  /**
   * May the connection speak for this Yjs client id? The room binds a free id to its user
   * (update-clients.ts): nobody else may then write with the id of someone seen online.
   */
  claim(conn: RoomConnection, clientId: number): boolean;
}

/**
 * The carets and presence of one plan's clients (y-protocols awareness). A connection owns the
 * Yjs client ids it first spoke for, and no other connection may change or clear their states;
 * every state is stamped with the connection's authenticated identity. Changes are sent to the
 * room's connections (and other nodes) once per event-loop turn.
 */
export class RoomAwareness {
  private readonly awareness: Awareness;
  private readonly clientIdsOf = new Map<RoomConnection, Set<number>>();
  private readonly ownerOfClientId = new Map<number, RoomConnection>();
  private readonly changed = new Set<number>();
  /** Changed by this node's clients: published to the other nodes. */
  private readonly toPublish = new Set<number>();
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly doc: Y.Doc,
    private readonly room: AwarenessRoom,
  ) {
    this.awareness = new Awareness(doc);
    this.awareness.setLocalState(null);
    this.awareness.on(
      'update',
      ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        for (const id of [...added, ...updated, ...removed]) {
          this.changed.add(id);
          if (origin !== FROM_CLUSTER) this.toPublish.add(id);
        }
        if (added.length > 0 || removed.length > 0) this.room.presenceChanged();
        this.schedule();
      },
    );
  }

  /** A connection joined: it gets everyone's current state. */
  join(conn: RoomConnection): void {
    this.clientIdsOf.set(conn, new Set());
    const states = this.awareness.getStates();
    if (states.size > 0) conn.send(awarenessMessage(encodeAwarenessStates(this.awareness, [...states.keys()])));
  }

  /** A connection left: the states of its client ids go with it. */
  leave(conn: RoomConnection): void {
    const ids = this.clientIdsOf.get(conn);
    this.clientIdsOf.delete(conn);
    if (!ids || ids.size === 0) return;
    for (const id of ids) this.ownerOfClientId.delete(id);
    removeAwarenessStates(this.awareness, [...ids], conn);
  }

  /** An awareness update from a client: only for client ids it owns (or now claims), stamped with its identity. */
  receive(conn: RoomConnection, update: Uint8Array): void {
    const ids = this.clientIdsOf.get(conn);
    if (!ids) return;
    const entries = decodeAwarenessUpdate(update).filter((entry) => {
      const owner = this.ownerOfClientId.get(entry.clientId);
      if (owner === conn) return true;
      if (owner !== undefined) return false;
      if (ids.size >= MAX_CLIENT_IDS_PER_CONNECTION || entry.clientId === this.doc.clientID) return false;
      if (!this.room.claim(conn, entry.clientId)) return false;
      ids.add(entry.clientId);
      this.ownerOfClientId.set(entry.clientId, conn);
      return true;
    });
    if (entries.length === 0) return;
    applyAwarenessEntries(this.awareness, stampIdentity(entries, conn.presence), conn);
  }

  /** A client asked for everyone's state. */
  answerQuery(conn: RoomConnection): void {
    const states = this.awareness.getStates();
    conn.send(awarenessMessage(encodeAwarenessStates(this.awareness, [...states.keys()])));
  }

  applyFromCluster(update: Uint8Array): void {
    if (!this.closed) applyAwarenessUpdate(this.awareness, update, FROM_CLUSTER);
  }

  /** People on other nodes, as their node stamped them (one node: none). */
  usersElsewhere(): PresenceUser[] {
    const users: PresenceUser[] = [];
    for (const [clientId, state] of this.awareness.getStates()) {
      if (this.ownerOfClientId.has(clientId)) continue;
      const user = (state as { user?: Partial<PresenceUser> }).user;
      if (user && typeof user.id === 'string' && typeof user.name === 'string') users.push(user as PresenceUser);
    }
    return users;
  }

  destroy(): void {
    this.closed = true;
    this.awareness.destroy();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const ids = [...this.changed];
      this.changed.clear();
      const publish = [...this.toPublish];
      this.toPublish.clear();
      if (this.closed) return;
      if (publish.length > 0) this.room.publish(() => encodeAwarenessStates(this.awareness, publish));
      if (ids.length > 0)
        this.room.sendToAll(new SharedMessage(awarenessMessage(encodeAwarenessStates(this.awareness, ids))));
    });
  }
}
