import type { Logger } from 'pino';
import type { Committed, GroupCommitter } from '../store/group-commit.ts';
import type { Store } from '../store/store.ts';
import type { ClientAuthor, PlanUpdate } from '../store/records.ts';
import type { LoadedPlan, StoredState, UpdateMeta } from './plan-persistence.ts';

export interface PlanLogDeps {
  store: Store;
  /** The node's group commit: every plan's updates of one event-loop turn in one transaction. */
  committer: GroupCommitter;
  log: Logger;
}

/**
 * One plan's stored log, as both persistence strategies use it (one node, several nodes): read
 * when the plan loads, appended to through the node's group commit, its client authors, and
 * checkpoints.
 */
export class PlanLog {
  constructor(
    readonly planId: string,
    private readonly deps: PlanLogDeps,
  ) {}

  /** The plan as stored, the seq of its last update, and how many updates follow its checkpoint. */
  async read(): Promise<{ plan: LoadedPlan; seq: number; tail: number }> {
    const { checkpoint, tail } = await this.deps.store.loadPlanState(this.planId);
    const authors = await this.deps.store.listClientAuthors(this.planId);
    const updates = tail.map((u) => u.update);
    if (checkpoint) updates.unshift(checkpoint.state);
    const snapshot = checkpoint && tail.length === 0 ? (checkpoint.snapshot ?? null) : null;
    return { plan: { updates, snapshot, authors }, seq: tail.at(-1)?.seq ?? checkpoint?.seq ?? 0, tail: tail.length };
  }

  append(update: Uint8Array, meta: UpdateMeta, done: Committed): void {
    this.deps.committer.append(
      {
        planId: this.planId,
        author: meta.author,
        origin: meta.origin,
        sections: meta.sections,
        time: new Date().toISOString(),
        update,
      },
      done,
    );
  }

  /** The updates stored after `seq` (several nodes: what this node may have missed). */
  updatesAfter(seq: number): Promise<PlanUpdate[]> {
    return this.deps.store.listUpdates(this.planId, { afterSeq: seq });
  }

  recordAuthors(authors: { clientId: number; userId: string }[]): void {
    this.deps.store.recordClientAuthors(this.planId, authors).catch((err: unknown) => {
      this.deps.log.warn({ planId: this.planId, err }, 'recording client authors failed');
    });
  }

  clientAuthors(): Promise<ClientAuthor[]> {
    return this.deps.store.listClientAuthors(this.planId);
  }

  /** The merged state of every update up to `seq`: loading then reads it plus a short tail. */
  writeCheckpoint(seq: number, { state, snapshot }: StoredState): Promise<void> {
    return this.deps.store.writeCheckpoint({
      planId: this.planId,
      seq,
      state,
      snapshot,
      time: new Date().toISOString(),
    });
  }
}
