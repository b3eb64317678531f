import { PlanLog, type PlanLogDeps } from './plan-log.ts';
import type { LoadedPlan, PersistedRoom, PlanPersistence, UpdateMeta } from './plan-persistence.ts';
import type { ClientAuthor } from '../store/records.ts';

export interface OneNodeDeps extends PlanLogDeps {
  /** A checkpoint is written after this many updates (CHECKPOINT_EVERY). */
  checkpointEvery: number;
}

/**
 * A plan's persistence on a node that is the only one (no REDIS_URL): its updates go through
 * the node's group commit; a checkpoint is written at the seq this node stored last, whenever
 * enough updates followed the last one and nothing is pending (the document then holds exactly
 * the stored updates), and when the plan unloads with updates after its last checkpoint.
 */
export class OneNodePersistence implements PlanPersistence {
  private readonly log: PlanLog;
  private room: PersistedRoom | null = null;
  private seq = 0;
  private sinceCheckpoint = 0;
  private pending = 0;

  constructor(
    planId: string,
    private readonly deps: OneNodeDeps,
  ) {
    this.log = new PlanLog(planId, deps);
  }

  async load(): Promise<LoadedPlan> {
    const { plan, seq, tail } = await this.log.read();
    this.seq = seq;
    this.sinceCheckpoint = tail;
    return plan;
  }

  attach(room: PersistedRoom): void {
    this.room = room;
    this.checkpointIfDue(this.deps.checkpointEvery);
  }

  append(update: Uint8Array, meta: UpdateMeta, done: (err: Error | null, seq: number) => void): void {
    this.pending++;
    this.log.append(update, meta, (err, seq) => {
      this.pending--;
      if (!err) {
        this.seq = seq;
        this.sinceCheckpoint++;
      }
      done(err, seq);
      if (!err && this.pending === 0) this.checkpointIfDue(this.deps.checkpointEvery);
    });
  }

  recordAuthors(authors: { clientId: number; userId: string }[]): void {
    this.log.recordAuthors(authors);
  }

  authorsBoundElsewhere(): Promise<ClientAuthor[]> {
    return Promise.resolve([]);
  }

  publish(): void {
    // Nobody else to tell.
  }

  publishAwareness(): void {
    // Nobody else to tell.
  }

  heldThrough(): number | null {
    return this.pending === 0 ? this.seq : null;
  }

  caughtUp(): Promise<void> {
    return Promise.resolve();
  }

  leave(): void {
    // A plan left with any tail gets a checkpoint: its next open reads one stored update and
    // answers clients from its bytes, without building the document (PlanRoom).
    this.checkpointIfDue(1);
    this.room = null;
  }

  private checkpointIfDue(after: number): void {
    if (this.sinceCheckpoint < after || this.pending > 0) return;
    const state = this.room?.storedState();
    if (!state) return;
    this.sinceCheckpoint = 0;
    this.log.writeCheckpoint(this.seq, state).catch((err: unknown) => {
      // A missing checkpoint costs load time, never data: the log is complete without it.
      this.deps.log.warn({ planId: this.log.planId, err }, 'checkpoint write failed');
    });
  }
}
