import type * as Y from 'yjs';
import type { ResultEntry } from '../../shared/plan.ts';
import type { FiledResponse, IncomingResult } from '../../shared/results.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import type { FiledRows, StoredResult } from '../store/result-store.ts';
import type { GroupCommitter } from '../store/group-commit.ts';
import type { Store } from '../store/store.ts';
import type { AuditEntryInput } from '../store/records.ts';
import { annotateResult, releaseResult, resultEntry, upsertResult } from './plan-results.ts';
import type { ResultEvents } from './result-events.ts';
import type { ResultNotifications } from './result-notifications.ts';
import { checkSubmission, type CheckedSubmission, type FilingRefusal, type ReleaseDelays } from './submission-check.ts';
import { SubmissionQueue, type QueuedSubmission } from './submission-queue.ts';

/**
 * `body` is the answer to the sender; `plans` (the plans the results went into) is for CareHub's
 * own callers only and never leaves the server: it would tell a key whether a patient is registered.
 */
export type FilingOutcome = { ok: true; status: 200 | 201; body: FiledResponse; plans: string[] } | FilingRefusal;

export interface ResultFilingDeps {
  store: Store;
  rooms: PlanRooms;
  /** The node's group commit: a batch's rows are stored in the transaction of the plan updates they cause. */
  committer: Pick<GroupCommitter, 'attach'>;
  /** Who online hears of a filed result (the app sends it over Socket.IO). */
  events: Pick<ResultEvents, 'resultFiled'>;
  /** Tells the care teams of what was filed, after it is in the plans. */
  notifications: Pick<ResultNotifications, 'filed' | 'settled' | 'stop' | 'acknowledged'>;
  config: ReleaseDelays;
  /** Told the outcome of every submission (the app counts results ingested). */
  onFiled?: (outcome: FilingOutcome) => void;
}

/**
 * Files results: checked, then stored with their audit entries and put into every active plan
 * of the patient as a server change, in one transaction (persisted before fan-out like any
 * other change; a failure stores neither), then `resultFiled`
 * for each plan's watchers and the care team told. Idempotent on (system, identifier): a replay
 * answers as the first time and pushes nothing; an amendment replaces the shown value and keeps
 * the old. Clinicians then acknowledge critical results and release results to the citizen.
 */
export class ResultFiling {
  private readonly queue = new SubmissionQueue<FilingOutcome>((batch) => this.fileBatch(batch));

  constructor(private readonly deps: ResultFilingDeps) {}

  /**
   * Files one submission. Submissions arriving together are filed as one batch: their rows
   * and one change per plan, all in one transaction (one commit), then the pushes.
   */
  async file(system: string, incoming: IncomingResult[], encounter = false): Promise<FilingOutcome> {
    const outcome = await this.queue.add({ system, incoming, encounter });
    this.deps.onFiled?.(outcome);
    return outcome;
  }

  /** Resolves when the care teams have been told of everything filed so far (gathered results now). */
  settled(): Promise<void> {
    return this.deps.notifications.settled();
  }

  stop(): void {
    this.deps.notifications.stop();
  }

  private async fileBatch(batch: QueuedSubmission<FilingOutcome>[]): Promise<void> {
    const checked: (CheckedSubmission & { submission: QueuedSubmission<FilingOutcome> })[] = [];
    for (const submission of batch) {
      const check = await checkSubmission(this.deps.store, this.deps.config, submission.system, submission.incoming);
      if ('status' in check) submission.resolve(check);
      else checked.push({ submission, ...check });
    }

    // Into the plans: one change per plan for the whole batch. A replay only repairs a plan
    // that lacks the result.
    const byPlan = new Map<
      string,
      { entry: ResultEntry; stored: StoredResult; replay: boolean; encounter: boolean }[]
    >();
    for (const { submission, all } of checked) {
      for (const item of all) {
        const entry = resultEntry(item.stored.resultId, item.stored.result, {
          filed: item.stored.filed,
          releaseAt: item.stored.releaseAt,
        });
        for (const planId of item.stored.plans)
          byPlan.set(planId, [...(byPlan.get(planId) ?? []), { entry, ...item, encounter: submission.encounter }]);
      }
    }
    const written = await this.commit(this.rowsOf(checked), [...byPlan], (doc, items) => {
      const changed: ResultEntry[] = [];
      for (const item of items) if (upsertResult(doc, item.entry)) changed.push(item.entry);
      return changed;
    });
    for (const [planId, changed] of written) for (const entry of changed) this.deps.events.resultFiled(planId, entry);

    // The answer names no plan (a key would learn whether the patient is registered, and has no
    // use for plan ids), and is the same for a held result as for a filed one.
    for (const { submission, answers, fresh, freshHeld, all } of checked) {
      const body: FiledResponse = { id: answers[0]?.id ?? '', results: answers };
      const plans = [...new Set(all.flatMap((item) => item.stored.plans))];
      submission.resolve({ ok: true, status: fresh.length + freshHeld.length > 0 ? 201 : 200, body, plans });
    }
    for (const [planId, items] of byPlan) {
      const news = items.filter((i) => !i.replay);
      for (const encounter of [false, true])
        this.deps.notifications.filed(
          planId,
          news.filter((n) => n.encounter === encounter).map((n) => n.stored),
          encounter,
        );
    }
  }

  /**
   * Stores the batch's rows and the plan changes they cause in ONE transaction (one commit,
   * one fsync): every plan's room is loaded and held first, then, in one synchronous stretch,
   * the rows are attached to the node's group commit and each change applied to its room (the
   * room appends its update to the same group commit). Resolves with what each change
   * returned once all of it is stored and sent; if the commit fails, nothing of it is stored
   * (the rooms fail and reload from the store) and this rejects.
   */
  private async commit<T, R>(
    rows: FiledRows,
    plans: [string, T][],
    change: (doc: Y.Doc, item: T) => R,
  ): Promise<[string, R][]> {
    const { rooms } = this.deps;
    for (let attempt = 1; ; attempt++) {
      const opened = await Promise.allSettled(
        plans.map(async ([planId, item]) => {
          const room = await rooms.open(planId);
          return { planId, item, room, release: room.hold() };
        }),
      );
      const held = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      try {
        const failed = opened.find((o) => o.status === 'rejected');
        if (failed) throw failed.reason;
        // A room may have failed or closed while the others loaded: load it afresh.
        if (held.some((h) => h.room.isClosed || h.room.hasFailed)) {
          if (attempt < 3) continue;
          throw new Error('a plan could not be held open to file results into; try again');
        }
        // From here to the awaits below nothing yields: the rows and every plan's update are
        // in the same group commit.
        const stored = this.deps.committer.attach(rows);
        const results = held.map(({ planId, item, room }) => {
          let result!: R;
          room.applyServerChange((doc) => (result = change(doc, item)), { origin: 'result', author: null });
          return [planId, result, room.flushed()] as const;
        });
        await Promise.all([stored, ...results.map(([, , flushed]) => flushed)]);
        return results.map(([planId, result]) => [planId, result]);
      } finally {
        for (const h of held) h.release();
      }
    }
  }

  /** The batch's new versions and held results with their audit entries (`result.hold`: no patient, never the CPR number). */
  private rowsOf(checked: (CheckedSubmission & { submission: QueuedSubmission<FilingOutcome> })[]): FiledRows {
    const audit: AuditEntryInput[] = checked.flatMap(({ submission, freshHeld, fresh }) => [
      ...freshHeld.map((h) => ({
        time: h.received,
        actorId: null,
        action: 'result.hold',
        patientId: null,
        planId: null,
        outcome: 'allowed' as const,
        details: {
          system: submission.system,
          heldId: h.heldId,
          version: h.version,
          reason: 'no patient is registered with the CPR number',
        },
      })),
      ...fresh.map((s) => ({
        time: s.filed,
        actorId: null,
        action: submission.encounter ? 'encounter.file' : 'result.file',
        patientId: s.patientId,
        planId: null,
        outcome: 'allowed' as const,
        details: { system: submission.system, resultId: s.resultId, version: s.version },
      })),
    ]);
    return { versions: checked.flatMap((c) => c.fresh), held: checked.flatMap((c) => c.freshHeld), audit };
  }

  /**
   * A clinician acknowledges the critical value a result has now (its newest version: an
   * amended critical value is acknowledged again); the plan shows who and when. Idempotent
   * per version.
   */
  async acknowledge(
    stored: StoredResult,
    user: { id: string; name: string },
  ): Promise<{ acknowledgedBy: string; acknowledgedAt: string; version: number }> {
    const { results } = this.deps.store;
    const { resultId, version } = stored;
    const first = await results.addResultEvent({
      resultId,
      version,
      kind: 'acknowledged',
      userId: user.id,
      time: new Date().toISOString(),
    });
    const event = (await results.listResultEvents(resultId)).find(
      (e) => e.kind === 'acknowledged' && e.version === version,
    );
    if (!event) throw new Error(`the acknowledgement of ${resultId} version ${version} was not stored`);
    const by = first ? user.name : ((await this.deps.store.getUser(event.userId ?? ''))?.name ?? 'unknown');
    if (first) {
      for (const planId of stored.plans)
        await this.writePlan(planId, (doc) =>
          annotateResult(doc, resultId, { acknowledgedBy: by, acknowledgedAt: event.time }),
        );
    }
    // It stops asking anyone: every care-team member's notification about it is resolved.
    await this.deps.notifications.acknowledged([resultId]);
    return { acknowledgedBy: by, acknowledgedAt: event.time, version };
  }

  /**
   * A clinician releases a result to the citizen before the delay has passed: its latest
   * version, so an amendment needs a release of its own. Idempotent: the plans' entries say
   * whether (and since when) the version they show is released.
   */
  async release(resultId: string, userId: string): Promise<string> {
    const time = new Date().toISOString();
    const stored = await this.deps.store.results.getResult(resultId);
    if (!stored || stored.releaseAt <= time) return stored?.releaseAt ?? time;
    // The first early release is kept as an event (one per result); later ones live in the plans.
    await this.deps.store.results.addResultEvent({ resultId, version: stored.version, kind: 'released', userId, time });
    let releasedAt = time;
    for (const planId of stored.plans) {
      await this.writePlan(planId, (doc) => {
        const shown = releaseResult(doc, resultId, time);
        if (shown && shown < releasedAt) releasedAt = shown;
      });
    }
    return releasedAt;
  }

  /** A change to a plan made by result filing, stored before this resolves (and before any peer sees it). */
  private writePlan(planId: string, change: (doc: Y.Doc) => void): Promise<void> {
    return this.deps.rooms.withRoom(planId, async (room) => {
      room.applyServerChange(change, { origin: 'result', author: null });
      await room.flushed();
    });
  }
}
