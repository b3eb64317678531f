import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import { PlanLog, type PlanLogDeps } from '../collab/plan-log.ts';
import type {
  LoadedPlan,
  PersistedRoom,
  PlanPersistence,
  StoredUpdate,
  UpdateMeta,
} from '../collab/plan-persistence.ts';
import type { PlanWireMessage } from './cluster-messages.ts';
import type { ClientAuthor } from '../store/records.ts';

/** What a plan channel needs from its node. */
export interface ChannelNode {
  readonly nodeId: string;
  readonly log: Logger;
  /** Subscribes to the plan's channel: its messages reach `channel.receive` from now on. */
  subscribe(channel: PlanChannel): Promise<void>;
  publish(planId: string, message: PlanWireMessage): void;
  /** `SET key token NX PX ms`: true when this node now holds the lock. */
  lock(name: string, token: string, ms: number): Promise<boolean>;
  unlock(name: string, token: string): Promise<void>;
  release(channel: PlanChannel): void;
}

export interface PlanChannelDeps extends Omit<PlanLogDeps, 'log'> {
  node: ChannelNode;
  /** A checkpoint is due after this many updates (CHECKPOINT_EVERY). */
  checkpointEvery: number;
}

/** A gap may be a message still on its way from another node: wait this long before reading the store. */
const GAP_GRACE_MS = 100;
/** A seq still missing after this many reads of the store is skipped (a hole the store will never fill). */
const HOLE_AFTER_READS = 30;
/** Messages kept while the room loads; beyond this they are dropped and the store read instead. */
const MAX_EARLY = 10_000;
const CHECKPOINT_LOCK_MS = 30_000;
/** Updates merged into one cluster message at most (as in PlanRoom's broadcast). */
const MERGE_CHUNK = 128;

/**
 * A plan's persistence on a node of several (REDIS_URL): the plan's log, as on one node, and
 * its Redis channel. This node stores its own clients' updates, then publishes them; it never
 * stores what it receives. Redis pub/sub is at-most-once, so the plan's log is the truth: every
 * stored update has a seq, and this tracks the highest seq up to which the room holds every
 * update (`contiguous`) plus the applied seqs above it. A gap (a seq above `contiguous` while
 * one below it is missing), a `head` message naming a seq we lack, or a Redis reconnect makes it
 * read the store after `contiguous` and apply what it lacks; Yjs ignores what the doc already
 * holds, so overlaps are harmless. Checkpoints are written by one node at a time (a lock).
 */
export class PlanChannel implements PlanPersistence {
  private readonly planLog: PlanLog;
  private readonly node: ChannelNode;
  private room: PersistedRoom | null = null;
  private early: PlanWireMessage[] = [];
  private earlyOverflow = false;
  private contiguous = 0;
  private readonly above = new Set<number>();
  private gapTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private readsWithGap = 0;
  private checkpointing = false;
  private closed = false;
  /** Updates applied since the last checkpoint was due, and this node's appends not yet stored. */
  private sinceCheckpoint = 0;
  private pending = 0;

  constructor(
    readonly planId: string,
    private readonly deps: PlanChannelDeps,
  ) {
    this.node = deps.node;
    this.planLog = new PlanLog(planId, { store: deps.store, committer: deps.committer, log: deps.node.log });
  }

  /** The highest seq this node knows is stored. */
  private get head(): number {
    let max = this.contiguous;
    for (const s of this.above) if (s > max) max = s;
    return max;
  }

  private get isAttached(): boolean {
    return this.room !== null && !this.closed;
  }

  async load(): Promise<LoadedPlan> {
    // Subscribed before reading, so nothing published meanwhile is missed (kept until attach).
    await this.node.subscribe(this);
    try {
      const { plan, seq, tail } = await this.planLog.read();
      this.contiguous = seq;
      this.sinceCheckpoint = tail;
      return plan;
    } catch (err) {
      this.leave();
      throw err;
    }
  }

  attach(room: PersistedRoom): void {
    this.room = room;
    const early = this.early;
    this.early = [];
    for (const m of early) this.receive(m);
    if (this.earlyOverflow) void this.caughtUp();
    this.checkpointIfDue();
  }

  append(update: Uint8Array, meta: UpdateMeta, done: (err: Error | null, seq: number) => void): void {
    this.pending++;
    this.planLog.append(update, meta, (err, seq) => {
      this.pending--;
      if (!err) {
        this.mark([seq]);
        this.sinceCheckpoint++;
      }
      done(err, seq);
      if (!err) this.checkpointIfDue();
    });
  }

  heldThrough(): number | null {
    return this.pending === 0 && this.above.size === 0 && this.isAttached ? this.contiguous : null;
  }

  recordAuthors(authors: { clientId: number; userId: string }[]): void {
    this.planLog.recordAuthors(authors);
  }

  authorsBoundElsewhere(): Promise<ClientAuthor[]> {
    return this.planLog.clientAuthors();
  }

  receive(m: PlanWireMessage): void {
    if (this.closed || m.node === this.node.nodeId) return;
    if (!this.room) {
      if (this.early.length < MAX_EARLY) this.early.push(m);
      else this.earlyOverflow = true;
      return;
    }
    switch (m.type) {
      case 'update': {
        if (m.seqs.every((s) => this.holds(s))) return;
        try {
          this.room.applyFromCluster([m.update]);
        } catch (err) {
          this.node.log.warn(
            { planId: this.planId, err: (err as Error).message },
            'dropping an undecodable cluster update; reading the store instead',
          );
          void this.caughtUp();
          return;
        }
        this.mark(m.seqs);
        this.applied();
        return;
      }
      case 'awareness':
        try {
          this.room.applyAwarenessFromCluster(m.update);
        } catch (err) {
          this.node.log.warn(
            { planId: this.planId, err: (err as Error).message },
            'dropping an undecodable cluster awareness update',
          );
        }
        return;
      case 'head':
        if (m.seq > this.contiguous && !this.holdsUpTo(m.seq)) this.scheduleGapRead();
        return;
      default: {
        const unhandled: never = m;
        throw new Error(`unhandled plan message ${String(unhandled)}`);
      }
    }
  }

  publish(items: StoredUpdate[]): void {
    for (let i = 0; i < items.length; i += MERGE_CHUNK) {
      const chunk = items.slice(i, i + MERGE_CHUNK);
      const update =
        chunk.length === 1 ? (chunk[0] as (typeof chunk)[number]).update : Y.mergeUpdates(chunk.map((c) => c.update));
      this.node.publish(this.planId, { type: 'update', node: this.node.nodeId, seqs: chunk.map((c) => c.seq), update });
    }
  }

  publishAwareness(encode: () => Uint8Array): void {
    this.node.publish(this.planId, { type: 'awareness', node: this.node.nodeId, update: encode() });
  }

  publishHead(): void {
    if (this.isAttached) this.node.publish(this.planId, { type: 'head', node: this.node.nodeId, seq: this.head });
  }

  /** Updates another node stored were applied: they count towards the next checkpoint. */
  private applied(): void {
    this.sinceCheckpoint++;
    this.checkpointIfDue();
  }

  /** Due once enough updates came and nothing of this node's is pending. */
  private checkpointIfDue(): void {
    if (this.pending > 0 || this.sinceCheckpoint < this.deps.checkpointEvery) return;
    this.sinceCheckpoint = 0;
    this.writeCheckpoint();
  }

  /** Written by one node at a time, at the highest seq this node holds every update up to. */
  private writeCheckpoint(): void {
    const room = this.room;
    if (this.checkpointing || this.closed || !room) return;
    this.checkpointing = true;
    const name = `checkpoint-lock:${this.planId}`;
    const token = randomUUID();
    let locked = false;
    void (async () => {
      try {
        // One node at a time: the others skip this checkpoint (a missing one costs load time, never data).
        locked = await this.node.lock(name, token, CHECKPOINT_LOCK_MS);
        if (!locked || this.closed) return;
        // Read together, in one turn: the room holds every update up to `contiguous` (and
        // perhaps later ones, all stored: applying them again on load changes nothing).
        const seq = this.contiguous;
        const state = room.storedState();
        if (state === null || seq === 0) return;
        await this.planLog.writeCheckpoint(seq, state);
      } catch (err) {
        this.node.log.warn({ planId: this.planId, err: (err as Error).message }, 'checkpoint not written');
      } finally {
        this.checkpointing = false;
        if (locked) await this.node.unlock(name, token).catch(() => {});
      }
    })();
  }

  /** Resolves after a read of the store that started after this call. */
  caughtUp(): Promise<void> {
    if (!this.running) {
      this.running = this.readStore().finally(() => (this.running = null));
      return this.running;
    }
    this.next ??= this.running.then(() => {
      this.next = null;
      return this.caughtUp();
    });
    return this.next;
  }

  leave(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.node.release(this);
  }

  private holds(seq: number): boolean {
    return seq <= this.contiguous || this.above.has(seq);
  }

  private holdsUpTo(seq: number): boolean {
    for (let s = this.contiguous + 1; s <= seq; s++) if (!this.above.has(s)) return false;
    return true;
  }

  private mark(seqs: number[]): void {
    for (const s of seqs) if (s > this.contiguous) this.above.add(s);
    while (this.above.delete(this.contiguous + 1)) this.contiguous++;
    if (this.above.size > 0) this.scheduleGapRead();
    else if (this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }

  private scheduleGapRead(): void {
    if (this.gapTimer || this.closed) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      void this.caughtUp();
    }, GAP_GRACE_MS);
    this.gapTimer.unref();
  }

  private async readStore(): Promise<void> {
    const room = this.room;
    if (!room || this.closed) return;
    let updates: Awaited<ReturnType<PlanLog['updatesAfter']>>;
    try {
      updates = await this.planLog.updatesAfter(this.contiguous);
    } catch (err) {
      this.node.log.warn(
        { planId: this.planId, err: (err as Error).message },
        'catching up from the store failed; retrying',
      );
      this.scheduleGapRead();
      return;
    }
    if (this.closed) return;
    const missing = updates.filter((u) => !this.holds(u.seq));
    if (missing.length > 0) {
      try {
        // One transaction, as when loading: one broadcast to local clients for the lot.
        room.applyFromCluster(missing.map((u) => u.update));
      } catch (err) {
        this.node.log.error(
          { planId: this.planId, err: (err as Error).message },
          'a stored update could not be applied',
        );
        return;
      }
      this.node.log.debug({ planId: this.planId, applied: missing.length }, 'caught up from the store');
    }
    this.mark(updates.map((u) => u.seq));
    if (missing.length > 0) this.applied();
    if (this.above.size === 0) {
      this.readsWithGap = 0;
    } else if (++this.readsWithGap >= HOLE_AFTER_READS) {
      const from = this.contiguous + 1;
      this.node.log.warn({ planId: this.planId, seq: from }, 'a seq missing from the store for good; skipping it');
      this.readsWithGap = 0;
      this.mark([from]);
    }
  }
}
