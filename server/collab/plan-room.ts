import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { PresenceUser } from '../../shared/protocol.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { FROM_CLUSTER, clientOrigin, type ChangeOrigin, type ServerOrigin } from './change-origin.ts';
import {
  MalformedMessage,
  permissionDeniedMessage,
  syncStep1Message,
  syncStep2Message,
  updateMessage,
} from './messages.ts';
import { refusalMessage, refusalText } from '../../shared/refusals.ts';
import { GuardFailure, PlanGuard, type RefusedChange } from './plan-guard.ts';
import type { LoadedPlan, PersistedRoom, PlanPersistence, StoredState, UpdateMeta } from './plan-persistence.ts';
import { RoomAwareness } from './room-awareness.ts';
import type { RoomConnection } from './room-connection.ts';
import { SharedMessage } from './shared-message.ts';
import { StoredPlan } from './stored-plan.ts';
import { trackValueConflicts } from './value-conflicts.ts';
import { RoomWriters } from './room-writers.ts';
import { addNextOccurrences } from './task-recurrence.ts';
import { stampMeasurements } from './measurement-stamps.ts';
import type { Performer } from '../../shared/plan.ts';

export interface PlanRoomDeps {
  log: Logger;
  onPresence(planId: string, users: PresenceUser[]): void;
  /** The plan changed (its update is stored and sent); called once per broadcast. */
  onChanged?(planId: string): void;
  /**
   * Changes stored by this node are in the document (called once per broadcast, and with none
   * once the room is loaded): Overblik's summary of the plan follows (server/worklist/plan-summaries.ts).
   */
  onStored?(room: PlanRoom, stored: StoredChange[]): void;
  /** A connection's change was (partly) refused: tell the author, record it. */
  onRefused(planId: string, conn: RoomConnection, refusals: RefusedChange[]): void;
  /** Called when nothing holds the room any more (no connection, nothing pending), or it was closed. */
  onIdle(room: PlanRoom): void;
  /**
   * The room failed (see PlanRoom.fail) and was released: the plan is loaded afresh and these
   * connections move to the new room. `culprit`: the user whose update failed it, if one did.
   * Without it, they are closed (1011) and reconnect.
   */
  onFailed?(room: PlanRoom, survivors: RoomConnection[], culprit: string | null): void;
  metrics?: { updatesApplied(n: number): void; fanout(seconds: number): void };
}

/** The origin of the transaction that builds a room's document from the stored plan: nothing to store or send. */
const LOADED = Symbol('loaded from the store');

/** A client that joined a room answering from its stored bytes gets the server's sync step 1 after its own is answered, or after this long. */
const STEP_ONE_WAIT_MS = 200;

/** What the plan's log recorded of a change this node stored. */
export interface StoredChange extends UpdateMeta {
  seq: number;
  time: string;
}

/** Updates merged into one broadcast message at most. */
const MERGE_CHUNK = 128;

/** A stored update waiting for the next broadcast. */
interface Outgoing {
  update: Uint8Array;
  /** The author's connection when the author already has exactly this update. */
  from: RoomConnection | null;
  /** When it was applied (performance.now()), for the fan-out metric. */
  applied: number;
  /** Its seq in the plan's log; null for an update another node stored. */
  seq: number | null;
  /** What the log recorded beside it, and when it was stored (this node's updates only). */
  meta?: UpdateMeta;
  time?: string;
}

interface FlushWaiter {
  flushed(): void;
  /** Told when the room is released first. */
  closed?(err: Error): void;
}

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

/** Who measures through this connection, as the server knows them from the sign-in. */
function performerOf(conn: RoomConnection): Performer {
  return {
    user: conn.userId,
    name: conn.presence.name,
    role: conn.actor.role,
    organisation: conn.presence.organisation,
    sector: conn.actor.sector,
  };
}

/**
 * One open care plan: its Y.Doc, its connections, and the fan-out, for as long as anything
 * holds it. Every change goes apply → persist → broadcast, so no peer ever receives an update
 * that a crash could lose; a joining client's sync answer waits for pending writes for the same
 * reason. Where changes are stored (one node or several) is the persistence it is given.
 */
export class PlanRoom implements PersistedRoom {
  /** The document; empty while the plan is only held as its stored bytes (see `doc`). */
  private readonly ydoc = new Y.Doc();
  /**
   * The plan as stored, while its document is not built: a cold plan is answered from its
   * bytes, and its document built when something needs it (a write, the server's own change,
   * another node's update, a reader of `doc`) — before that first write is checked.
   */
  private stored: StoredPlan | null = null;
  private readonly guard: PlanGuard;
  private readonly awareness: RoomAwareness;
  private readonly connections = new Set<RoomConnection>();
  /** Who writes with which Yjs client id (bound to the first writer; authors of value conflicts). */
  private readonly writers: RoomWriters;
  /** Changes applied and not yet stored. */
  private pendingWrites = 0;
  /** Stored changes not yet sent: sent together once the turn's stores are all reported. */
  private outbox: Outgoing[] = [];
  private flushWaiters: FlushWaiter[] = [];
  /** Told once no change is on its way to the store, even after the room failed or closed (see writesSettled). */
  private settleWaiters: (() => void)[] = [];
  private holds = 0;
  /** Connections joined while the room answered from the stored bytes, not yet sent its sync step 1. */
  private readonly stepOneOwed = new Set<RoomConnection>();
  private failed = false;
  private closed = false;

  constructor(
    readonly planId: string,
    loaded: LoadedPlan,
    private readonly persistence: PlanPersistence,
    private readonly deps: PlanRoomDeps,
  ) {
    // Before anything is applied: the guard defines every section with its type.
    this.guard = new PlanGuard(this.ydoc);
    // Stored as one update (a checkpoint, no tail): kept as bytes until the document is needed.
    // With a tail, the document is built now: merging a checkpoint with even one more update
    // decodes and re-encodes all of it, which costs about as much as building the document.
    if (loaded.updates.length === 1)
      this.stored = new StoredPlan(loaded.updates[0] as Uint8Array, loaded.snapshot ?? null);
    else this.build(loaded.updates);
    this.writers = new RoomWriters(
      () => this.doc,
      (client) => this.holdsClient(client),
      loaded.authors,
      (bound) => this.persistence.recordAuthors(bound),
    );
    this.awareness = new RoomAwareness(this.ydoc, {
      sendToAll: (message) => this.sendToAll(message, null),
      publish: (encode) => this.persistence.publishAwareness(encode),
      presenceChanged: () => this.deps.onPresence(this.planId, this.presenceUsers()),
      claim: (conn, clientId) => this.writers.claim(conn, clientId),
    });
    this.ydoc.on(
      'update',
      (update: Uint8Array, origin: ChangeOrigin | typeof LOADED, _doc: Y.Doc, tr: Y.Transaction) => {
        // The loaded state is already stored.
        if (origin !== LOADED) this.onDocUpdate(update, origin, tr);
      },
    );
  }

  /**
   * The plan's document, built from the stored bytes first if it was not yet (synchronously:
   * whatever needs it — a write to check, a reader — sees the whole plan).
   */
  get doc(): Y.Doc {
    return this.built();
  }

  private built(): Y.Doc {
    if (this.stored !== null) {
      const { state } = this.stored;
      this.stored = null;
      try {
        this.build([state]);
      } catch (err) {
        // The document holds part of the plan at most: nothing may be checked against it (fail closed).
        this.fail(err as Error, 'building the plan from its stored bytes failed; closing the room');
        throw err;
      }
    }
    return this.ydoc;
  }

  /** Whether the document is built (false while the room answers from the stored bytes). */
  get isBuilt(): boolean {
    return this.stored === null;
  }

  private build(updates: Uint8Array[]): void {
    Y.transact(
      this.ydoc,
      () => {
        // Applied one by one inside one transaction: Y.mergeUpdates is superlinear in the number
        // of updates (20,000 typing updates: ~6 s merged, ~30 ms applied like this).
        for (const u of updates) Y.applyUpdate(this.ydoc, u);
      },
      LOADED,
    );
  }

  /** The server's sync step 1 to a connection that joined a room answering from the stored bytes, once. */
  private sendStepOne(conn: RoomConnection): void {
    if (!this.stepOneOwed.delete(conn) || this.closed || !this.connections.has(conn)) return;
    conn.send(syncStep1Message(this.stateVector()));
  }

  /** The plan's state vector, from the document or read from the stored bytes. */
  private stateVector(): Uint8Array {
    return this.stored?.stateVector() ?? Y.encodeStateVector(this.ydoc);
  }

  /** Whether the plan holds changes written with this Yjs client id. */
  private holdsClient(client: number): boolean {
    return this.stored?.holdsClient(client) ?? this.ydoc.store.clients.has(client);
  }

  /** Reads the plan through `persistence` and opens its room; throws if the store cannot. */
  static async load(planId: string, persistence: PlanPersistence, deps: PlanRoomDeps): Promise<PlanRoom> {
    const loaded = await persistence.load();
    let room: PlanRoom;
    try {
      room = new PlanRoom(planId, loaded, persistence, deps);
    } catch (err) {
      persistence.leave();
      throw err;
    }
    persistence.attach(room);
    deps.onStored?.(room, []);
    return room;
  }

  /**
   * The seq up to which the document holds exactly the plan's stored log, or null while
   * changes are waiting to be stored or sent (or another node's are missing).
   */
  heldThrough(): number | null {
    if (this.failed || this.closed || this.pendingWrites > 0 || this.outbox.length > 0) return null;
    return this.persistence.heldThrough();
  }

  /** Nothing holds the room: no connection, no caller, nothing waiting to be stored or sent. */
  get isIdle(): boolean {
    return this.connections.size === 0 && this.holds === 0 && this.pendingWrites === 0 && this.outbox.length === 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The room failed (see fail): it must be unloaded, never joined again. */
  get hasFailed(): boolean {
    return this.failed;
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
    if (this.stored === null) conn.send(syncStep1Message(Y.encodeStateVector(this.ydoc)));
    else {
      // From the stored bytes, the client's own sync step 1 is answered first: reading the state
      // vector from the bytes decodes all of them. Sent after that answer, or after a while.
      this.stepOneOwed.add(conn);
      setTimeout(() => this.sendStepOne(conn), STEP_ONE_WAIT_MS);
    }
    this.awareness.join(conn);
  }

  leave(conn: RoomConnection): void {
    this.stepOneOwed.delete(conn);
    if (!this.connections.delete(conn)) return;
    this.awareness.leave(conn);
    this.deps.onPresence(this.planId, this.presenceUsers());
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
    this.whenFlushed({
      flushed: () => {
        if (!this.connections.has(conn)) return;
        try {
          const missing = this.stored?.missingFor(stateVector) ?? Y.encodeStateAsUpdate(this.ydoc, stateVector);
          conn.send(syncStep2Message(missing));
          if (this.stepOneOwed.has(conn)) setImmediate(() => this.sendStepOne(conn));
        } catch (err) {
          this.deps.log.info(
            { planId: this.planId, err: (err as Error).message },
            'closing a connection whose sync request failed',
          );
          conn.close(CloseCode.protocolError, 'malformed message');
        }
      },
    });
  }

  /**
   * An update from a client (sync step 2 or update), checked against the permission table
   * inside the transaction that applies it (see PlanGuard). Throws on a malformed update.
   */
  handleClientUpdate(conn: RoomConnection, update: Uint8Array): void {
    if (this.failed || this.closed) return;
    // Nothing new for a room still answering from the stored bytes: nothing to check or store.
    if (this.stored?.holdsUpdate(update)) return;
    // Checked against the whole plan: a cold room's document is built now, before the check.
    this.built();
    let bound: number[] = [];
    let outcome: ReturnType<PlanGuard['apply']>;
    try {
      outcome = this.guard.apply(
        update,
        clientOrigin(conn),
        (allowed, clients, added) => {
          this.writers.noteAuthors(conn, clients);
          const flagged = trackValueConflicts(allowed, (client) => this.writers.authorOf(client));
          const stamped = stampMeasurements(added, allowed, performerOf(conn));
          const scheduled = addNextOccurrences(allowed);
          return flagged || stamped || scheduled;
        },
        (clients) => {
          const admitted = this.writers.admit(conn, clients);
          if ('refused' in admitted) return admitted.refused;
          bound = admitted.bound;
          return null;
        },
      );
    } catch (err) {
      if (!(err instanceof GuardFailure)) throw err;
      // Yjs failed while finishing the transaction: the document may hold what the store does not.
      this.fail(err, 'finishing a checked update failed; reloading the plan', conn);
      return;
    }
    const { refusals, missing, unapplied, failure } = outcome;
    if (failure)
      this.deps.log.warn(
        { planId: this.planId, connection: conn.id, err: failure.message },
        'checking an update failed; all of it was reverted',
      );
    if (refusals.length > 0) {
      // Told and recorded even when the room failed on it (then the connection is closed already).
      for (const r of refusals.slice(0, 5))
        conn.send(permissionDeniedMessage(refusalMessage(r.section, r.key, r.refusal)));
      this.deps.onRefused(this.planId, conn, refusals);
    }
    if (this.failed) return;
    this.writers.store(conn, bound);
    // Part of the update builds on changes this server lacks: ask for them (the client answers
    // with everything missing, this part included), as at the start of a sync.
    if (missing) conn.send(syncStep1Message(Y.encodeStateVector(this.ydoc)));
    // Refused before it was applied: the client's copy holds what this one never will, and all
    // its later updates build on it. It must start again from the server's state.
    if (unapplied)
      conn.close(
        CloseCode.policyViolation,
        (refusals[0] ? refusalText(refusals[0].refusal) : 'update refused').slice(0, 120),
      );
  }

  handleAwareness(conn: RoomConnection, update: Uint8Array): void {
    this.awareness.receive(conn, update);
  }

  handleQueryAwareness(conn: RoomConnection): void {
    this.awareness.answerQuery(conn);
  }

  /** A change the server makes itself (seed data, a filed result): persisted and broadcast like any other. */
  applyServerChange(change: (doc: Y.Doc) => void, origin: Omit<ServerOrigin, 'kind'>): void {
    Y.transact(this.doc, () => change(this.doc), { kind: 'server', ...origin } satisfies ServerOrigin);
  }

  /** Several nodes: resolves once what other nodes stored before this call is applied here. */
  async caughtUpWithCluster(): Promise<void> {
    await this.persistence.caughtUp();
    this.writers.learn(await this.persistence.authorsBoundElsewhere());
  }

  applyFromCluster(updates: Uint8Array[]): void {
    if (this.closed) return;
    Y.transact(
      this.doc,
      () => {
        for (const u of updates) Y.applyUpdate(this.doc, u, FROM_CLUSTER);
      },
      FROM_CLUSTER,
    );
  }

  applyAwarenessFromCluster(update: Uint8Array): void {
    this.awareness.applyFromCluster(update);
  }

  storedState(): StoredState | null {
    if (this.pendingWrites !== 0 || this.failed || this.closed) return null;
    // Not built: nothing was written since the load, and the stored bytes are the state.
    if (this.stored) return { state: this.stored.state, snapshot: this.stored.storedSnapshot };
    // Both from the document as it is now, in one turn: the snapshot describes exactly the state.
    return { state: Y.encodeStateAsUpdate(this.ydoc), snapshot: Y.encodeSnapshot(Y.snapshot(this.ydoc)) };
  }

  /** Changes of this room are on their way to the store. */
  get writesPending(): boolean {
    return this.pendingWrites > 0;
  }

  /**
   * Resolves once no change of this room is on its way to the store (stored or failed), also
   * after the room failed or closed: the plan is loaded afresh only then (PlanRooms), or the new
   * room would lack a change stored after its load read the log — and its checkpoint, at a later
   * seq, would leave that change out of every later load.
   */
  writesSettled(): Promise<void> {
    if (this.pendingWrites === 0) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /** Resolves once every change applied so far is stored. */
  flushed(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the plan was closed; try again'));
      // A room that fails (a write, or an update it could not check) is released with its
      // writes unsent: a reader must not get a document that holds what the store does not.
      this.whenFlushed({ flushed: resolve, closed: reject });
    });
  }

  /** Closes every connection (e.g. shutdown, or a failed write) and releases the document. */
  close(code: number, reason: string): void {
    for (const conn of [...this.connections]) conn.close(code, reason);
    this.connections.clear();
    this.deps.onIdle(this);
  }

  /** Releases the document; the registry forgets the room first. */
  destroy(): void {
    if (this.closed) return;
    // While the document is whole: one node writes a last checkpoint of a long tail.
    this.persistence.leave();
    this.closed = true;
    this.awareness.destroy();
    this.stored = null;
    this.ydoc.destroy();
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w.closed?.(new Error('the plan was closed; try again'));
  }

  /**
   * Every change to the document ends here, once its transaction is done, and goes where its
   * origin says: a client's is stored under its author only as the permission check finished
   * it; the server's is stored as the server's; another node's is only sent to our clients.
   */
  private onDocUpdate(update: Uint8Array, origin: ChangeOrigin, tr: Y.Transaction): void {
    if (this.failed) return;
    switch (origin?.kind) {
      case 'client': {
        if (!origin.checked) {
          // No verdict, nothing stored or sent (fail closed).
          this.fail(
            new Error('an update left the permission check without a verdict'),
            'a client update could not be checked or reverted; dropped it and reloading the plan',
            origin.connection,
          );
          return;
        }
        const conn = origin.connection;
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
        this.queueBroadcast({ update, from: null, applied: performance.now(), seq: null });
        return;
      default: {
        // Every transaction on a room's document carries a ChangeOrigin; one without is a
        // change nobody checked: not stored, and the room closes (fail closed).
        const unknown: never = origin;
        this.fail(
          new Error(`a change with an unknown origin: ${String(unknown)}`),
          'a change came from no known path; dropped it and closing the room',
        );
      }
    }
  }

  private persist(update: Uint8Array, meta: UpdateMeta, from: RoomConnection | null): void {
    this.pendingWrites++;
    const applied = performance.now();
    this.persistence.append(update, meta, (err, seq) => {
      this.pendingWrites--;
      if (this.pendingWrites === 0 && this.settleWaiters.length > 0)
        for (const settled of this.settleWaiters.splice(0)) settled();
      if (err) this.fail(err, 'persisting a plan update failed; closing the room');
      else this.queueBroadcast({ update, from, applied, seq, meta, time: new Date().toISOString() });
    });
  }

  private queueBroadcast(item: Outgoing): void {
    // All stores reported in one turn (a group commit) are broadcast once, after them.
    if (this.outbox.push(item) === 1) queueMicrotask(() => this.broadcast());
  }

  private broadcast(): void {
    const items = this.outbox;
    this.outbox = [];
    if (items.length === 0 || this.closed) return;
    const first = items[0] as Outgoing;
    // Stored first, then published to the other nodes, then sent to our own clients.
    const own = items.filter((i): i is Outgoing & { seq: number } => i.seq !== null);
    if (own.length > 0) this.persistence.publish(own);
    // The author of a single-author batch already has it.
    const skip = items.every((i) => i.from === first.from) ? first.from : null;
    // Merged in chunks (merging is cheap for tens of updates, superlinear for thousands) and
    // encoded once for every receiver.
    for (let i = 0; i < items.length; i += MERGE_CHUNK) {
      const chunk = items.slice(i, i + MERGE_CHUNK);
      const update = chunk.length === 1 ? (chunk[0] as Outgoing).update : Y.mergeUpdates(chunk.map((c) => c.update));
      this.sendToAll(new SharedMessage(updateMessage(update)), skip);
    }
    this.deps.metrics?.updatesApplied(items.length);
    // Updates from other nodes: the node that stored them tells the watchers (one plan:changed, not one per node).
    if (own.length > 0) this.deps.onChanged?.(this.planId);
    if (own.length > 0 && this.deps.onStored)
      this.deps.onStored(
        this,
        own.flatMap((i) => (i.meta && i.time ? [{ ...i.meta, seq: i.seq, time: i.time }] : [])),
      );
    this.deps.metrics?.fanout((performance.now() - first.applied) / 1000);
    if (this.pendingWrites === 0) {
      this.runFlushWaiters();
      this.maybeIdle();
    }
  }

  private whenFlushed(waiter: FlushWaiter): void {
    if (this.pendingWrites === 0 && this.outbox.length === 0) waiter.flushed();
    else this.flushWaiters.push(waiter);
  }

  private runFlushWaiters(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w.flushed();
  }

  /**
   * A failed write, or a client's change that could not be checked and reverted: the document
   * in memory now holds changes the store does not. Close every connection and drop the
   * document; clients keep their edits and resend them on reconnect, when the room is loaded
   * afresh from what the store really holds (and checks them again).
   */
  private fail(err: Error, message: string, culprit: RoomConnection | null = null): void {
    if (this.failed) return;
    this.failed = true;
    this.deps.log.error({ planId: this.planId, err, connection: culprit?.id }, message);
    if (culprit === null || !this.deps.onFailed) {
      this.close(CloseCode.internalError, 'the plan could not be saved; reconnecting');
      return;
    }
    // One bad update: its sender goes, the others stay and move to the plan loaded afresh.
    const survivors = [...this.connections].filter((c) => c !== culprit);
    culprit.close(CloseCode.policyViolation, 'your change could not be checked; it was not kept');
    for (const conn of this.connections) this.awareness.leave(conn);
    this.connections.clear();
    this.deps.onFailed(this, survivors, culprit.userId);
  }

  /** This node's people on the plan, then (several nodes) those on other nodes. */
  private presenceUsers(): PresenceUser[] {
    const seen = new Map<string, PresenceUser>();
    for (const conn of this.connections) seen.set(conn.presence.id, conn.presence);
    for (const user of this.awareness.usersElsewhere()) if (!seen.has(user.id)) seen.set(user.id, user);
    return [...seen.values()];
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
}
