import type { Logger } from 'pino';
import * as Y from 'yjs';
import type { StoredChange } from '../collab/plan-room.ts';
import type { Store } from '../store/store.ts';
import type { SectionChange } from '../store/summary-store.ts';
import { parseSummary, type PlanReading, type PlanSummary, readPlan, summarise } from './plan-summary.ts';

/** Overblik's summaries are written this long after a person's change at most (all plans waiting, one commit). */
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
  /** Unloaded: its document is gone (a summary it did not write is rebuilt by the plan's next reader). */
  readonly isClosed: boolean;
  heldThrough(): number | null;
}

/** A plan whose stored changes are not yet in its summary. */
interface Waiting {
  room: SummarisedRoom;
  changes: SectionChange[];
}

/**
 * Keeps Overblik's per-plan summaries up to date as plans change, so that reading Overblik
 * never rebuilds a plan's document: a room that stored changes (a live edit, a filed result,
 * an acknowledgement, a ticked task) has its plan's summary taken from its document, at the
 * seq up to which the document holds exactly the log, and each author's last change per section
 * recorded. A reader that finds a summary behind the log (written by nothing yet, or a write
 * lost) rebuilds it from the store: never a stale answer.
 *
 * The node writes every waiting plan's summary in one commit (`keepSummaries`): at most every
 * SUMMARY_EVERY_MS while people edit, whatever the number of plans being edited (one commit
 * per plan per write, with an fsync each, was a fifth of the server's time with 100 plans
 * edited at once), and at once when a reader asks for a plan that waits.
 */
export class PlanSummaries {
  /** Plans with stored changes not yet in their summaries, by plan id. */
  private waiting = new Map<string, Waiting>();
  /** The write in progress (one at a time), and when the next is due. */
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private due = Number.POSITIVE_INFINITY;
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
    const waiting = this.waiting.get(room.planId);
    if (waiting) {
      waiting.room = room;
      waiting.changes.push(...changes);
    } else this.waiting.set(room.planId, { room, changes });
    this.schedule(changes.length > 0 ? SUMMARY_EVERY_MS : SERVER_CHANGE_SUMMARY_MS);
  }

  /** The next write in `ms` at the latest. */
  private schedule(ms: number): void {
    const at = Date.now() + ms;
    if (at >= this.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = at;
    this.timer = setTimeout(() => void this.write(), ms);
    this.timer.unref?.();
  }

  /**
   * Writes the summaries of the plans waiting (those whose documents hold exactly the log;
   * the others wait for the broadcast that follows their pending changes) and their section
   * changes, in one commit. One write at a time.
   */
  private async write(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due = Number.POSITIVE_INFINITY;
    while (this.writing) await this.writing;
    if (this.waiting.size === 0) return;
    const job = this.take();
    this.writing = job.finally(() => {
      this.writing = null;
    });
    await this.writing;
  }

  private async take(): Promise<void> {
    const taken: { planId: string; seq: number; now: PlanReading }[] = [];
    const changes: SectionChange[] = [];
    const later = new Map<string, Waiting>();
    // Read now, before anything is awaited: each document holds exactly the log up to its `seq`.
    for (const [planId, w] of this.waiting) {
      const seq = w.room.heldThrough();
      changes.push(...w.changes);
      if (w.room.isClosed) continue;
      if (seq === null) later.set(planId, { room: w.room, changes: [] });
      else taken.push({ planId, seq, now: readPlan(w.room.doc) });
    }
    this.waiting = later;
    // Those with changes still pending come again with the broadcast that follows them; at the latest then.
    if (later.size > 0) this.schedule(SUMMARY_EVERY_MS);
    try {
      const previous = await this.previousOf(taken.map((t) => t.planId));
      const summaries = taken.map((t) => ({ ...t, summary: summarise(t.now, t.seq, previous.get(t.planId) ?? null) }));
      await this.store.summaries.keepSummaries({
        summaries: summaries.map((t) => ({ planId: t.planId, seq: t.seq, summary: JSON.stringify(t.summary) })),
        changes,
      });
      for (const t of summaries) this.remember(t.planId, t.seq, t.summary);
    } catch (err) {
      // A summary behind the log is rebuilt by its next reader: nothing is lost (a section
      // change not recorded only leaves a plan's "changed since" without it).
      this.log?.warn({ err, plans: taken.length }, 'keeping the plan summaries failed');
    }
  }

  /** Each plan's stored summary (its tasks' sector history is carried on), from the read cache where it is current. */
  private async previousOf(planIds: string[]): Promise<Map<string, PlanSummary>> {
    const previous = new Map<string, PlanSummary>();
    if (planIds.length === 0) return previous;
    const seqs = await this.store.summaries.summarySeqs(planIds);
    const toRead: string[] = [];
    for (const planId of planIds) {
      const keptSeq = seqs.get(planId);
      if (keptSeq === undefined) continue;
      const cached = this.read.get(planId);
      if (cached?.seq === keptSeq) previous.set(planId, cached.summary);
      else toRead.push(planId);
    }
    for (const [planId, kept] of await this.store.summaries.getSummaries(toRead)) {
      const parsed = parseSummary(kept.summary);
      if (parsed) previous.set(planId, parsed);
    }
    return previous;
  }

  /** Resolves when every summary waiting has been written (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.writing || this.waiting.size > 0) {
      if (this.writing) await this.writing;
      else if ([...this.waiting.values()].some((w) => w.room.isClosed || w.room.heldThrough() !== null))
        await this.write();
      // Only plans whose changes are still being stored: their broadcast comes shortly.
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * The plans' summaries, each as of the plan's last stored update; those behind are rebuilt
   * from the store (and kept).
   */
  async current(planIds: string[]): Promise<Map<string, PlanSummary>> {
    // People's changes stored already but whose summary write is still on its way: waited for,
    // so "changes since I last looked" never misses one (a server-only change is not waited
    // for: a summary behind the log is rebuilt below).
    if (planIds.some((planId) => (this.waiting.get(planId)?.changes.length ?? 0) > 0)) await this.write();
    else if (this.writing) await this.writing;
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
      const summary = kept && parsed && kept.seq >= head ? parsed : await this.rebuild(planId, parsed, kept?.seq ?? 0);
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

  /**
   * The summary from the plan's stored log; `previous` (behind, taken at `keptSeq`) gives the
   * tasks' sector history. The section changes of the log's tail after `keptSeq` are recorded
   * again with it: summaries and section changes are committed without an fsync of their own,
   * so after a power cut both may be behind the log, and both catch up here.
   */
  private async rebuild(planId: string, previous: PlanSummary | null, keptSeq: number): Promise<PlanSummary> {
    const { checkpoint, tail } = await this.store.loadPlanState(planId);
    const doc = new Y.Doc();
    Y.transact(doc, () => {
      if (checkpoint) Y.applyUpdate(doc, checkpoint.state);
      for (const u of tail) Y.applyUpdate(doc, u.update);
    });
    const seq = tail.at(-1)?.seq ?? checkpoint?.seq ?? 0;
    const summary = summarise(readPlan(doc), seq, previous);
    doc.destroy();
    const changes = tail.flatMap((u) =>
      u.seq > keptSeq && u.origin === 'client' && u.author
        ? u.sections.map((section) => ({ planId, author: u.author as string, section, seq: u.seq, time: u.time }))
        : [],
    );
    await this.store.summaries.keepSummaries({
      summaries: [{ planId, seq, summary: JSON.stringify(summary) }],
      changes,
    });
    return summary;
  }
}
