import type { ClientAuthor, UpdateOrigin } from '../store/records.ts';

/**
 * How a plan room keeps its changes: the one interface between a room (its document, its
 * connections, the fan-out) and where the plan's log lives. The room is given one at
 * construction. One node: `OneNodePersistence` (group commit, checkpoints at the node's own
 * seq). Several nodes: `PlanChannel` in server/cluster (the same log, plus the plan's Redis
 * channel, the seqs other nodes stored, and a checkpoint lock). Tests use one in memory.
 *
 * The room's promises rest on it: an update is sent to anyone only after `append` reported it
 * stored; a reader waits for pending appends; a failed append fails the room.
 */
export interface PlanPersistence {
  /** Reads the plan (latest checkpoint, the updates after it, client authors); throws if the store cannot. */
  load(): Promise<LoadedPlan>;
  /** The room now holds what `load` returned; anything other nodes stored meanwhile is applied to it now. */
  attach(room: PersistedRoom): void;
  /** Stores one update. `done` is called once, in the order of the appends, with its seq or the error. */
  append(update: Uint8Array, meta: UpdateMeta, done: (err: Error | null, seq: number) => void): void;
  /** Which user writes with which new Yjs client id (names both sides of a value conflict). Failures are logged. */
  recordAuthors(authors: { clientId: number; userId: string }[]): void;
  /**
   * Client ids other nodes may have bound to users since `load` (several nodes: all of the
   * plan's, as stored now; one node: none, every binding passes through its room).
   */
  authorsBoundElsewhere(): Promise<ClientAuthor[]>;
  /** Stored updates of this node, about to be sent to its clients: several nodes publish them to the others. */
  publish(items: StoredUpdate[]): void;
  /** This node's clients' awareness changed: several nodes publish it (encoded only then). */
  publishAwareness(encode: () => Uint8Array): void;
  /**
   * The seq up to which the room's document holds exactly the stored log (nothing of its own
   * pending, no gap), or null when that is not so now.
   */
  heldThrough(): number | null;
  /** Resolves once whatever other nodes stored before the call is applied to the room. */
  caughtUp(): Promise<void>;
  /** The room unloads; called once, before its document is released. */
  leave(): void;
}

/** What the plan's log records of an update beside its bytes. */
export interface UpdateMeta {
  /** User id, or null for the server. */
  author: string | null;
  origin: UpdateOrigin;
  /** The sections the update changed (for the history view). */
  sections: string[];
}

export interface StoredUpdate {
  seq: number;
  update: Uint8Array;
}

export interface LoadedPlan {
  /** Applied in order: the checkpoint's state first, then the updates after it. */
  updates: Uint8Array[];
  /** The snapshot stored with the checkpoint (Y.encodeSnapshot), when the plan is that checkpoint alone. */
  snapshot?: Uint8Array | null;
  authors: ClientAuthor[];
}

/** A plan's merged state and its Yjs snapshot (Y.encodeSnapshot; null where not known), from one document at one moment. */
export interface StoredState {
  state: Uint8Array;
  snapshot: Uint8Array | null;
}

/** What persistence needs of its room. */
export interface PersistedRoom {
  /** The merged state, or null unless the document holds exactly what is stored (writes pending, or the room failed). */
  storedState(): StoredState | null;
  /** Updates another node checked and stored: applied, sent to this node's clients, not stored again. */
  applyFromCluster(updates: Uint8Array[]): void;
  applyAwarenessFromCluster(update: Uint8Array): void;
}
