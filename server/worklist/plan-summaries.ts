import type { Logger } from 'pino';
import * as Y from 'yjs';
import type { StoredChange } from '../collab/plan-room.ts';
import type { Store } from '../store/store.ts';
import type { SectionChange } from '../store/summary-store.ts';
import { parseSummary, type PlanReading, type PlanSummary, readPlan, summarise } from './plan-summary.ts';

/** A plan's summary is taken this often at most while it is edited without pause. */
const SUMMARY_EVERY_MS = 250;
/**
 * A change with no person's edit in it (a filed result, a MedCom message) is summarised this
 * long after it at the earliest: its batch's one commit stays one (the summary is a second
 * write, later and coalesced), and a reader meanwhile rebuilds the summary from the store.
 */
const SERVER_CHANGE_SUMMARY_MS = 1000;
/** Summaries kept in memory after a read (a few thousand plans; each a few KB). */
const READ_CACHE = 5000;

/** What the keeper needs of a plan's room. */
export interface SummarisedRoom {
  readonly planId: string;
  readonly doc: Y.Doc;
  heldThrough(): number | null;
}

/**
 * Keeps Overblik's per-plan summaries up to date as plans change, so that reading Overblik
 * never rebuilds a plan's document: a room that stored changes (a live edit, a filed result,
 * an acknowledgement, a ticked task) has its plan's summary taken from its document, at the
 * seq up to which the document holds exactly the log, and each author's last change per section
 * recorded. A reader that finds a summary behind the log (written by nothing yet, or a write
 * lost) rebuilds it from the store: never a stale answer.
 */
export class PlanSummaries {
  /** Per plan, the write in progress: a plan's summary is read, extended and written one at a time. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Per plan, when its summary was last taken (Date.now()). */
  private readonly lastWrite = new Map<string, number>();
  /** Per plan, the changes waiting for the write in progress to end. */
  private readonly waiting = new Map<string, { room: SummarisedRoom; changes: SectionChange[] }>();
  /** Summaries read lately, by plan, with the seq they were taken at: read again only once the store's moved on. */
  private readonly read = new Map<string, { seq: number; summary: PlanSummary }>();

  constructor(
    private readonly store: Store,
    private readonly log?: Logger,
  ) {}

  /** The room's changes are stored and in its document (PlanRoomDeps.onStored). */
  roomStored(room: SummarisedRoom, stored: StoredChange[]): void {
    // A room that just loaded changed nothing: its summary, if behind, is rebuilt by its next
    // reader. (Reading the room's document here would build it, and a cold plan is answered
    // from its stored bytes without one.)
    if (stored.length === 0) return;
    const changes: SectionChange[] = stored.flatMap((c) =>
      c.origin === 'client' && c.author
        ? c.sections.map((section) => ({ planId: room.planId, author: c.author!, section, seq: c.seq, time: c.time }))
        : [],
    );
    // One write per plan at a time, and at most one waiting: what comes meanwhile joins the
    // waiting one (a burst of edits costs a few writes, not one per broadcast).
    const waiting = this.waiting.get(room.planId);
    if (waiting) {
      waiting.room = room;
      waiting.changes.push(...changes);
      return;
    }
    this.waiting.set(room.planId, { room, changes });
    const serverOnly = changes.length === 0 && stored.length > 0;
    this.queue(room.planId, async () => {
      // A plan edited without pause has its summary taken every SUMMARY_EVERY_MS at most.
      const wait = serverOnly
        ? SERVER_CHANGE_SUMMARY_MS
        : (this.lastWrite.get(room.planId) ?? 0) + SUMMARY_EVERY_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastWrite.set(room.planId, Date.now());
      const job = this.waiting.get(room.planId);
      this.waiting.delete(room.planId);
      if (!job) return;
      // Read now, before anything is awaited: the document holds exactly the log up to `seq`.
      // Without a seq (changes waiting to be stored), the broadcast that follows them comes here again.
      const seq = job.room.heldThrough();
      const now = seq === null ? null : readPlan(job.room.doc);
      await this.store.summaries.recordSectionChanges(job.changes);
      if (seq !== null && now !== null) await this.advance(room.planId, seq, now);
    });
  }

  /** Resolves when every summary write begun so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.writing.size > 0) await Promise.all([...this.writing.values()]);
  }

  /**
   * The plans' summaries, each as of the plan's last stored update; those behind are rebuilt
   * from the store (and kept).
   */
  async current(planIds: string[]): Promise<Map<string, PlanSummary>> {
    // People's changes stored already but whose summary write is still on its way: waited for,
    // so "changes since I last looked" never misses one (a server-only change is not waited
    // for: a summary behind the log is rebuilt below).
    await Promise.all(
      planIds.flatMap((planId) => {
        const pending = this.writing.get(planId);
        return pending && (this.waiting.get(planId)?.changes.length ?? 1) > 0 ? [pending] : [];
      }),
    );
    const [seqs, heads] = await Promise.all([
      this.store.summaries.summarySeqs(planIds),
      this.store.summaries.headSeqs(planIds),
    ]);
    const summaries = new Map<string, PlanSummary>();
    const toRead: string[] = [];
    for (const planId of planIds) {
      const cached = this.read.get(planId);
      if (cached && cached.seq === seqs.get(planId) && cached.seq >= (heads.get(planId) ?? 0))
        summaries.set(planId, cached.summary);
      else toRead.push(planId);
    }
    const stored = await this.store.summaries.getSummaries(toRead);
    for (const planId of toRead) {
      const kept = stored.get(planId);
      const head = heads.get(planId) ?? 0;
      const parsed = kept ? parseSummary(kept.summary) : null;
      const summary = kept && parsed && kept.seq >= head ? parsed : await this.rebuild(planId, parsed);
      summaries.set(planId, summary);
      this.remember(planId, Math.max(kept?.seq ?? 0, head), summary);
    }
    return summaries;
  }

  private remember(planId: string, seq: number, summary: PlanSummary): void {
    this.read.delete(planId);
    this.read.set(planId, { seq, summary });
    // The oldest read first out (a Map keeps insertion order).
    if (this.read.size > READ_CACHE) this.read.delete(this.read.keys().next().value as string);
  }

  /** The summary from the plan's stored log; `previous` (behind) gives the tasks' sector history. */
  private async rebuild(planId: string, previous: PlanSummary | null): Promise<PlanSummary> {
    const { checkpoint, tail } = await this.store.loadPlanState(planId);
    const doc = new Y.Doc();
    Y.transact(doc, () => {
      if (checkpoint) Y.applyUpdate(doc, checkpoint.state);
      for (const u of tail) Y.applyUpdate(doc, u.update);
    });
    const seq = tail.at(-1)?.seq ?? checkpoint?.seq ?? 0;
    const summary = summarise(readPlan(doc), seq, previous);
    doc.destroy();
    await this.store.summaries.putSummary(planId, { seq, summary: JSON.stringify(summary) });
    return summary;
  }

  /** Moves the stored summary to `seq`, its tasks' sector history carried on from the one stored. */
  private async advance(planId: string, seq: number, now: PlanReading): Promise<void> {
    const keptSeq = (await this.store.summaries.summarySeqs([planId])).get(planId);
    if (keptSeq !== undefined && keptSeq >= seq) return;
    let previous: PlanSummary | null = null;
    const cached = this.read.get(planId);
    if (keptSeq !== undefined && cached?.seq === keptSeq) previous = cached.summary;
    else if (keptSeq !== undefined) {
      const kept = (await this.store.summaries.getSummaries([planId])).get(planId);
      previous = kept ? parseSummary(kept.summary) : null;
    }
    const summary = summarise(now, seq, previous);
    await this.store.summaries.putSummary(planId, { seq, summary: JSON.stringify(summary) });
    this.remember(planId, seq, summary);
  }

  private queue(planId: string, write: () => Promise<void>): void {
    const before = this.writing.get(planId) ?? Promise.resolve();
    const next = before
      .then(write)
      .catch((err: unknown) => {
        // A summary behind the log is rebuilt by its next reader: nothing is lost.
        this.log?.warn({ planId, err }, 'keeping the plan summary failed');
      })
      .finally(() => {
        if (this.writing.get(planId) === next) this.writing.delete(planId);
      });
    this.writing.set(planId, next);
  }
}
