import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate as encodeAwarenessStates, removeAwarenessStates } from 'y-protocols/awareness';
import type { Logger } from 'pino';
import type { PresenceUser } from '../../shared/protocol.ts';
import { CloseCode } from '../../shared/protocol.ts';
import type { GroupCommitter } from '../store/group-commit.ts';
import type { Store, UpdateOrigin } from '../store/store.ts';
import { decodeAwarenessUpdate, encodeAwarenessUpdate, stampIdentity } from './awareness-stamp.ts';
import { awarenessMessage, MalformedMessage, permissionDeniedMessage, syncStep1Message, syncStep2Message, updateMessage } from './messages.ts';
import { GuardFailure, PlanGuard, type Refusal } from './plan-guard.ts';
import { clientOrigin, FROM_CLUSTER, type ChangeOrigin, type ServerOrigin } from './change-origin.ts';
import { trackValueConflicts, type Author } from './value-conflicts.ts';
import type { RoomConnection } from './room-connection.ts';
import { SharedMessage } from './shared-message.ts';
import type { ClusterRoom, PlanCluster, PlanLink } from '../cluster/plan-link.ts';

/** The sections (root types) a transaction changed, for the history view. */
function sectionsOf(tr: Y.Transaction): string[] {
  const roots = new Set<string>();
  for (const type of tr.changed.keys()) {
    let t = type as Y.AbstractType<unknown>;
    while (t._item !== null) t = t._item.parent as Y.AbstractType<unknown>;
    try {
      roots.add(Y.findRootTypeKey(t));
    } catch {
      // a type not reachable from a root (an unknown section the guard refused): nothing to name
    }
  }
  return [...roots].sort();
}

export interface PlanRoomDeps {
  store: Store;
  committer: GroupCommitter;
  log: Logger;
  checkpointEvery: number;
  onPresence(planId: string, users: PresenceUser[]): void;
  /** The plan changed (its update is stored and sent); called once per broadcast. */
  onChanged?(planId: string): void;
  /** A connection's change was (partly) refused: tell the author, record it. */
  onRefused(planId: string, conn: RoomConnection, refusals: Refusal[]): void;
  /** Called when nothing holds the room any more (no connection, nothing pending), or it was closed. */
  onIdle(room: PlanRoom): void;
  metrics?: { updatesApplied(n: number): void; fanout(seconds: number): void };
  /** Several nodes (REDIS_URL): the plan's channel to the other nodes. */
  cluster?: PlanCluster;
}

/** Updates merged into one broadcast message at most. */
const MERGE_CHUNK = 128;

/** At most this many Yjs client ids per connection (a tab normally has one). */
const MAX_CLIENT_IDS_PER_CONNECTION = 4;

/**
 * One open care plan: owns its Y.Doc and awareness for as long as anything holds it.
 * Every change goes apply → persist (group commit) → broadcast, so no peer ever receives an
 * update that a crash could lose; a joining client's sync answer waits for pending writes
 * for the same reason.
 */
export class PlanRoom implements ClusterRoom {
  readonly doc = new Y.Doc();
  readonly awareness: Awareness;
  private readonly connections = new Set<RoomConnection>();
  private readonly clientIdsOf = new Map<RoomConnection, Set<number>>();
  private readonly ownerOfClientId = new Map<number, RoomConnection>();
  private pendingWrites = 0;
  private lastSeq: number;
  private sinceCheckpoint: number;
  /** `seq` 0: an update another node stored (sent to local clients, not published again). */
  private outbox: { update: Uint8Array; from: RoomConnection | null; applied: number; seq: number }[] = [];
  private link: PlanLink | null = null;
  /** Awareness clients whose change came from a local connection: published to the other nodes. */
  private awarenessToPublish = new Set<number>();
  private broadcastScheduled = false;
  private flushWaiters: (() => void)[] = [];
  /** Callers of flushed() still waiting when the room is released: told it closed. */
  private closedWaiters = new Set<(err: Error) => void>();
  private awarenessChanged = new Set<number>();
  private awarenessScheduled = false;
  private failed = false;
  private closed = false;
  private holds = 0;
  private readonly guard: PlanGuard;
  /** Which user wrote with which Yjs client id (to name both sides of a value conflict). */
  private readonly clientAuthors = new Map<number, Author>();

  private constructor(
    readonly planId: string,
    private readonly deps: PlanRoomDeps,
    loaded: { seq: number; sinceCheckpoint: number },
  ) {
    this.lastSeq = loaded.seq;
    this.sinceCheckpoint = loaded.sinceCheckpoint;
    this.guard = new PlanGuard(this.doc);
    this.awareness = new Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      for (const id of [...added, ...updated, ...removed]) {
        this.awarenessChanged.add(id);
        if (origin !== FROM_CLUSTER && this.deps.cluster) this.awarenessToPublish.add(id);
      }
      if (added.length > 0 || removed.length > 0) this.presenceChanged();
      this.scheduleAwarenessBroadcast();
    });
  }

  /** Reads the latest checkpoint and the tail after it; throws if the store cannot. */
  static async load(planId: string, deps: PlanRoomDeps): Promise<PlanRoom> {
    // Several nodes: subscribe before reading, so nothing published meanwhile is missed.
    const link = deps.cluster ? await deps.cluster.join(planId) : null;
    let state;
    try {
      state = await deps.store.loadPlanState(planId);
    } catch (err) {
      link?.leave();
      throw err;
    }
    const seq = state.tail.at(-1)?.seq ?? state.checkpoint?.seq ?? 0;
    const room = new PlanRoom(planId, deps, { seq, sinceCheckpoint: state.tail.length });
    room.link = link;
    Y.transact(room.doc, () => {
      if (state.checkpoint) Y.applyUpdate(room.doc, state.checkpoint.state);
      // Applied one by one inside one transaction: Y.mergeUpdates is superlinear in the number
      // of updates (20,000 typing updates: ~6 s merged, ~30 ms applied like this).
      for (const u of state.tail) Y.applyUpdate(room.doc, u.update);
    });
    for (const a of await deps.store.listClientAuthors(planId)) room.clientAuthors.set(a.clientId, { userId: a.userId, name: a.name });
    // Listen only after loading: the loaded state is already stored.
    room.doc.on('update', (update: Uint8Array, origin: ChangeOrigin, _doc: Y.Doc, tr: Y.Transaction) => room.onDocUpdate(update, origin, tr));
    link?.attach(room, seq);
    if (room.sinceCheckpoint >= deps.checkpointEvery) room.writeCheckpoint();
    return room;
  }

  get size(): number {
    return this.connections.size;
  }

  /** Nothing holds the room: no connection, no caller, nothing waiting to be stored or sent. */
  get isIdle(): boolean {
    return this.connections.size === 0 && this.holds === 0 && this.pendingWrites === 0 && this.outbox.length === 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Keeps the room loaded while the caller works on it without a connection. */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.maybeIdle();
    };
  }

  join(conn: RoomConnection): void {
    if (this.closed) throw new Error('plan room is closed');
    this.connections.add(conn);
    this.clientIdsOf.set(conn, new Set());
    conn.send(syncStep1Message(Y.encodeStateVector(this.doc)));
    const states = this.awareness.getStates();
    if (states.size > 0) conn.send(awarenessMessage(encodeAwarenessStates(this.awareness, [...states.keys()])));
  }

  leave(conn: RoomConnection): void {
    if (!this.connections.delete(conn)) return;
    const ids = this.clientIdsOf.get(conn);
    this.clientIdsOf.delete(conn);
    if (ids && ids.size > 0) {
      for (const id of ids) this.ownerOfClientId.delete(id);
      removeAwarenessStates(this.awareness, [...ids], conn);
    }
    this.presenceChanged();
    this.maybeIdle();
  }

  /** Sync step 1 from a client: answer with what it lacks, once pending writes are stored. */
  handleSyncStep1(conn: RoomConnection, stateVector: Uint8Array): void {
    // Decoded now, not when the answer is due: a broken state vector must fail inside the
    // transport's handler (which closes that socket), never later in a timer.
    try {
      Y.decodeStateVector(stateVector);
    } catch {
      throw new MalformedMessage('undecodable state vector');
    }
    this.whenFlushed(() => {
      if (!this.connections.has(conn)) return;
      try {
        conn.send(syncStep2Message(Y.encodeStateAsUpdate(this.doc, stateVector)));
      } catch (err) {
        this.deps.log.info({ planId: this.planId, err: (err as Error).message }, 'closing a connection whose sync request failed');
        conn.close(CloseCode.protocolError, 'malformed message');
      }
    });
  }

  /**
   * An update from a client (sync step 2 or update), checked against the permission table
   * inside the transaction that applies it (see PlanGuard). Throws on a malformed update.
   */
  handleClientUpdate(conn: RoomConnection, update: Uint8Array): void {
    if (this.failed || this.closed) return;
    const newClients: number[] = [];
    let outcome: ReturnType<PlanGuard['apply']>;
    try {
      outcome = this.guard.apply(update, clientOrigin(conn), (allowed, clients) => {
        for (const client of clients) {
          if (this.clientAuthors.has(client)) continue;
          this.clientAuthors.set(client, { userId: conn.userId, name: conn.presence.name });
          newClients.push(client);
        }
        return trackValueConflicts(allowed, (client) => this.clientAuthors.get(client) ?? null);
      });
    } catch (err) {
      if (!(err instanceof GuardFailure)) throw err;
      // Yjs failed while finishing the transaction: the document may hold what the store does not.
      this.fail(err, 'finishing a checked update failed; closing the room');
      return;
    }
    const { refusals, missing, unapplied, failure } = outcome;
    if (failure) this.deps.log.warn({ planId: this.planId, connection: conn.id, err: failure.message }, 'checking an update failed; all of it was reverted');
    if (refusals.length > 0) {
      // Told and recorded even when the room failed on it (then the connection is closed already).
      for (const r of refusals.slice(0, 5)) conn.send(permissionDeniedMessage(`${r.section}${r.key ? `.${r.key}` : ''}: ${r.reason}`));
      this.deps.onRefused(this.planId, conn, refusals);
    }
    if (this.failed) return;
    if (newClients.length > 0) {
      this.deps.store.recordClientAuthors(this.planId, newClients.map((clientId) => ({ clientId, userId: conn.userId }))).catch((err: unknown) => {
        this.deps.log.warn({ planId: this.planId, err }, 'recording client authors failed');
      });
    }
    // Part of the update builds on changes this server lacks: ask for them (the client answers
    // with everything missing, this part included), as at the start of a sync.
    if (missing) conn.send(syncStep1Message(Y.encodeStateVector(this.doc)));
    // Refused before it was applied: the client's copy holds what this one never will, and all
    // its later updates build on it. It must start again from the server's state.
    if (unapplied) conn.close(CloseCode.policyViolation, (refusals[0]?.reason ?? 'update refused').slice(0, 120));
  }

  handleAwareness(conn: RoomConnection, update: Uint8Array): void {
    const ids = this.clientIdsOf.get(conn);
    if (!ids) return;
    const entries = decodeAwarenessUpdate(update).filter((entry) => {
      const owner = this.ownerOfClientId.get(entry.clientId);
      if (owner === conn) return true;
      if (owner !== undefined) return false;
      if (ids.size >= MAX_CLIENT_IDS_PER_CONNECTION || entry.clientId === this.doc.clientID) return false;
      ids.add(entry.clientId);
      this.ownerOfClientId.set(entry.clientId, conn);
      return true;
    });
    if (entries.length === 0) return;
    applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(stampIdentity(entries, conn.presence)), conn);
  }

  handleQueryAwareness(conn: RoomConnection): void {
    const states = this.awareness.getStates();
    conn.send(awarenessMessage(encodeAwarenessStates(this.awareness, [...states.keys()])));
  }

  /** A change the server makes itself (seed data, a filed result): persisted and broadcast like any other. */
  applyServerChange(change: (doc: Y.Doc) => void, origin: Omit<ServerOrigin, 'kind'>): void {
    Y.transact(this.doc, () => change(this.doc), { kind: 'server', ...origin } satisfies ServerOrigin);
  }

  /** Several nodes: resolves once what other nodes stored before this call is applied here. */
  async caughtUpWithCluster(): Promise<void> {
    await this.link?.caughtUp();
  }

  applyFromCluster(updates: Uint8Array[]): void {
    if (this.closed) return;
    Y.transact(this.doc, () => {
      for (const u of updates) Y.applyUpdate(this.doc, u, FROM_CLUSTER);
    }, FROM_CLUSTER);
  }

  applyAwarenessFromCluster(update: Uint8Array): void {
    if (!this.closed) applyAwarenessUpdate(this.awareness, update, FROM_CLUSTER);
  }

  checkpointState(): Uint8Array | null {
    return this.pendingWrites === 0 && !this.failed && !this.closed ? Y.encodeStateAsUpdate(this.doc) : null;
  }

  /** Resolves once every change applied so far is stored. */
  flushed(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the plan was closed; try again'));
      // A room that fails (a write, or an update it could not check) is released with its
      // writes unsent: a reader must not get a document that holds what the store does not.
      this.closedWaiters.add(reject);
      this.whenFlushed(() => {
        this.closedWaiters.delete(reject);
        resolve();
      });
    });
  }

  presenceUsers(): PresenceUser[] {
    const seen = new Map<string, PresenceUser>();
    for (const conn of this.connections) seen.set(conn.presence.id, conn.presence);
    // Several nodes: people on other nodes too, as their node stamped them in awareness.
    if (this.link) {
      for (const [clientId, state] of this.awareness.getStates()) {
        const user = this.ownerOfClientId.has(clientId) ? undefined : (state as { user?: Partial<PresenceUser> }).user;
        if (user && typeof user.id === 'string' && typeof user.name === 'string' && !seen.has(user.id)) seen.set(user.id, user as PresenceUser);
      }
    }
    return [...seen.values()];
  }

  /** Closes every connection (e.g. shutdown, or a failed write) and releases the document. */
  close(code: number, reason: string): void {
    for (const conn of [...this.connections]) conn.close(code, reason);
    this.connections.clear();
    this.deps.onIdle(this);
  }

  /**
   * Every change to the document ends here, once its transaction is done. Where it goes depends
   * on who made it: a client's change is stored (under its author) only as the permission check
   * finished it; the server's is stored as the server's; another node's is only sent on.
   */
  private onDocUpdate(update: Uint8Array, origin: ChangeOrigin, tr: Y.Transaction): void {
    if (this.failed) return;
    switch (origin?.kind) {
      case 'client': {
        const conn = origin.connection;
        if (!origin.checked) {
          // No verdict, nothing stored or sent (fail closed).
          this.fail(new Error('an update left the permission check without a verdict'), 'a client update could not be checked or reverted; dropped it and closing the room');
          return;
        }
        let from: RoomConnection | null = null;
        if (this.connections.has(conn)) {
          conn.recordEdit?.(origin.sections);
          // The author already has its own update, unless the server changed it (reverts, flags).
          if (!origin.echo) from = conn;
        }
        this.persist(update, { author: conn.userId, origin: 'client', sections: origin.sections }, from);
        return;
      }
      case 'server':
        this.persist(update, { author: origin.author, origin: origin.origin, sections: sectionsOf(tr) }, null);
        return;
      case 'cluster':
        // Checked and stored by the node that accepted it: only our own clients need it.
        this.sinceCheckpoint++;
        this.queueBroadcast({ update, from: null, applied: performance.now(), seq: 0 });
        return;
      default: {
        // Every transaction on a room's document carries a ChangeOrigin; one without is a
        // change nobody checked: not stored, and the room closes (fail closed).
        const unknown: never = origin;
        this.fail(new Error(`a change with an unknown origin: ${String(unknown)}`), 'a change came from no known path; dropped it and closing the room');
      }
    }
  }

  private persist(update: Uint8Array, meta: { author: string | null; origin: UpdateOrigin; sections: string[] }, from: RoomConnection | null): void {
    this.pendingWrites++;
    const applied = performance.now();
    this.deps.committer.append(
      { planId: this.planId, author: meta.author, origin: meta.origin, time: new Date().toISOString(), update, sections: meta.sections },
      (err, seq) => this.onPersisted(err, seq, update, from, applied),
    );
  }

  private onPersisted(err: Error | null, seq: number, update: Uint8Array, from: RoomConnection | null, applied: number): void {
    this.pendingWrites--;
    if (err) {
      this.fail(err, 'persisting a plan update failed; closing the room');
      return;
    }
    this.lastSeq = seq;
    this.sinceCheckpoint++;
    this.link?.committed(seq);
    this.queueBroadcast({ update, from, applied, seq });
  }

  private queueBroadcast(item: (typeof this.outbox)[number]): void {
    this.outbox.push(item);
    if (!this.broadcastScheduled) {
      this.broadcastScheduled = true;
      // All callbacks of one group commit run in one loop; broadcast once after them.
      queueMicrotask(() => this.broadcast());
    }
  }

  private broadcast(): void {
    this.broadcastScheduled = false;
    const items = this.outbox;
    this.outbox = [];
    if (items.length === 0 || this.closed) return;
    const first = items[0] as (typeof items)[number];
    // Persisted first, then published to the other nodes, then sent to our own clients.
    const own = items.filter((i) => i.seq > 0);
    if (this.link && own.length > 0) this.link.publish(own);
    // The author of a single-author batch already has it.
    const skip = items.every((i) => i.from === first.from) ? first.from : null;
    // Merged in chunks (merging is cheap for tens of updates, superlinear for thousands) and
    // encoded once for every receiver.
    for (let i = 0; i < items.length; i += MERGE_CHUNK) {
      const chunk = items.slice(i, i + MERGE_CHUNK);
      const update = chunk.length === 1 ? (chunk[0] as (typeof items)[number]).update : Y.mergeUpdates(chunk.map((c) => c.update));
      this.sendToAll(new SharedMessage(updateMessage(update)), skip);
    }
    this.deps.metrics?.updatesApplied(items.length);
    // Updates from other nodes: the node that stored them tells the watchers (one plan:changed, not one per node).
    if (own.length > 0) this.deps.onChanged?.(this.planId);
    this.deps.metrics?.fanout((performance.now() - first.applied) / 1000);
    if (this.pendingWrites === 0) {
      this.runFlushWaiters();
      if (this.sinceCheckpoint >= this.deps.checkpointEvery) this.writeCheckpoint();
      this.maybeIdle();
    }
  }

  private whenFlushed(fn: () => void): void {
    if (this.pendingWrites === 0 && this.outbox.length === 0) fn();
    else this.flushWaiters.push(fn);
  }

  private runFlushWaiters(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * A checkpoint is the merged state at `lastSeq`; taken only when nothing is pending, so the
   * document holds exactly the stored updates. Loading then reads it plus a short tail.
   */
  private writeCheckpoint(): void {
    if (this.pendingWrites !== 0 || this.failed) return;
    if (this.link) {
      this.sinceCheckpoint = 0;
      this.link.writeCheckpoint();
      return;
    }
    const checkpoint = { planId: this.planId, seq: this.lastSeq, state: Y.encodeStateAsUpdate(this.doc), time: new Date().toISOString() };
    this.sinceCheckpoint = 0;
    this.deps.store.writeCheckpoint(checkpoint).catch((err: unknown) => {
      // A missing checkpoint costs load time, never data: the log is complete without it.
      this.deps.log.warn({ planId: this.planId, err }, 'checkpoint write failed');
    });
  }

  /**
   * A failed write, or a client's change that could not be checked and reverted: the document
   * in memory now holds changes the store does not. Close every connection and drop the
   * document; clients keep their edits and resend them on reconnect, when the room is loaded
   * afresh from what the store really holds (and checks them again).
   */
  private fail(err: Error, message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.deps.log.error({ planId: this.planId, err }, message);
    this.close(CloseCode.internalError, 'the plan could not be saved; reconnecting');
  }

  /** The room failed (see fail): it must be unloaded, never joined again. */
  get hasFailed(): boolean {
    return this.failed;
  }

  private presenceChanged(): void {
    this.deps.onPresence(this.planId, this.presenceUsers());
  }

  private scheduleAwarenessBroadcast(): void {
    if (this.awarenessScheduled) return;
    this.awarenessScheduled = true;
    setImmediate(() => {
      this.awarenessScheduled = false;
      const ids = [...this.awarenessChanged];
      this.awarenessChanged.clear();
      const publish = [...this.awarenessToPublish];
      this.awarenessToPublish.clear();
      if (this.link && publish.length > 0 && !this.closed) this.link.publishAwareness(encodeAwarenessStates(this.awareness, publish));
      if (ids.length === 0 || this.closed) return;
      this.sendToAll(new SharedMessage(awarenessMessage(encodeAwarenessStates(this.awareness, ids))), null);
    });
  }

  /** One message to every connection but `skip`, in the wire form the transport built once. */
  private sendToAll(message: SharedMessage, skip: RoomConnection | null): void {
    for (const conn of this.connections) {
      if (conn === skip) continue;
      if (conn.sendShared) conn.sendShared(message);
      else conn.send(message.bytes);
    }
  }

  private maybeIdle(): void {
    if (this.closed || !this.isIdle) return;
    this.deps.onIdle(this);
  }

  /** Releases the document; the registry forgets the room first. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.link?.leave();
    // A plan left with a long tail gets a checkpoint, so its next open reads little.
    if (!this.failed && this.sinceCheckpoint >= Math.ceil(this.deps.checkpointEvery / 5)) this.writeCheckpoint();
    this.awareness.destroy();
    this.doc.destroy();
    for (const reject of this.closedWaiters) reject(new Error('the plan was closed; try again'));
    this.closedWaiters.clear();
    this.flushWaiters = [];
  }
}
