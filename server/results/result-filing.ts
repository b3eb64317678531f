import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ResultEntry } from '../../shared/plan.ts';
import { CRITICAL_FLAGS, type FiledResponse, type IncomingResult } from '../../shared/results.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import type { Config } from '../config.ts';
import type { RealtimeServer } from '../realtime/realtime.ts';
import { planChannel } from '../realtime/realtime.ts';
import type { StoredResult } from '../store/result-store.ts';
import type { Store } from '../store/store.ts';
import type { AuditEntryInput, Patient } from '../store/records.ts';
import type { CareTeamNotifier } from './care-team-notifier.ts';
import { annotateResult, releaseResult, resultEntry, upsertResult } from './plan-results.ts';

export interface ResultFilingDeps {
  store: Store;
  rooms: PlanRooms;
  notifier: CareTeamNotifier;
  log: Logger;
  io: () => RealtimeServer | null;
  config: Pick<Config, 'resultReleaseDays' | 'resultReleaseDaysPathologyImaging' | 'criticalEscalateSeconds'> & Partial<Pick<Config, 'resultNotifyCoalesceMs'>>;
  /** Told each submission's outcome as it is answered (the results-ingested metric). */
  onFiled?: (outcome: FilingOutcome) => void;
}

export type FilingOutcome =
  | { ok: true; status: 200 | 201; body: FiledResponse }
  | { ok: false; status: 409 | 422; message: string };

const AMENDING = new Set(['amended', 'corrected', 'cancelled', 'entered-in-error']);
const DAY_MS = 86_400_000;
/** Ordinary results of one plan are told to its care team at most once in this long, by default (see notifyCoalesced). */
const NOTIFY_COALESCE_MS = 1000;

function payloadHash(r: IncomingResult): string {
  return createHash('sha256').update(JSON.stringify(r)).digest('hex');
}

/**
 * Files results: stored, then put into every active plan of the patient as a server change
 * (persisted before fan-out like any other), then `result:filed` to each plan's room and a
 * notification to the care team. Idempotent on (system, identifier): a replay answers as the
 * first time and pushes nothing; an amendment replaces the shown value and keeps the old.
 */
interface FilingJob {
  system: string;
  incoming: IncomingResult[];
  encounter: boolean;
  resolve(outcome: FilingOutcome): void;
  reject(err: unknown): void;
}

export class ResultFiling {
  private sweep: NodeJS.Timeout | null = null;
  private queue: FilingJob[] = [];
  private draining = false;
  private notifications: Promise<void> = Promise.resolve();
  /** Per plan: ordinary results filed since its care team was last told (see notifyCoalesced). */
  private readonly windows = new Map<string, { pending: StoredResult[]; timer: NodeJS.Timeout }>();

  constructor(private readonly deps: ResultFilingDeps) {}

  private get coalesceMs(): number {
    return this.deps.config.resultNotifyCoalesceMs ?? NOTIFY_COALESCE_MS;
  }

  /**
   * Files one submission. Submissions arriving together are filed as one batch: one
   * transaction for their rows, one change per plan (their plan updates share a group
   * commit), then the pushes — so the cost of durable commits is shared under load.
   */
  file(system: string, incoming: IncomingResult[], encounter = false): Promise<FilingOutcome> {
    const answered = new Promise<FilingOutcome>((resolve, reject) => {
      this.queue.push({ system, incoming, encounter, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
    return answered.then((outcome) => {
      this.deps.onFiled?.(outcome);
      return outcome;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // A submission repeating an identifier of an earlier one in the batch waits for the next
      // batch, so it sees the first as filed (replay or amendment).
      const batch: FilingJob[] = [];
      const rest: FilingJob[] = [];
      const taken = new Set<string>();
      for (const job of this.queue) {
        const keys = job.incoming.map((r) => `${job.system}|${r.identifier}`);
        if (keys.some((k) => taken.has(k))) rest.push(job);
        else {
          for (const k of keys) taken.add(k);
          batch.push(job);
        }
      }
      this.queue = rest;
      try {
        await this.fileBatch(batch);
      } catch (err) {
        for (const job of batch) job.reject(err);
      }
    }
    this.draining = false;
  }

  private async fileBatch(jobs: FilingJob[]): Promise<void> {
    const { store } = this.deps;
    const prepared: { job: FilingJob; all: { stored: StoredResult; replay: boolean }[]; fresh: StoredResult[] }[] = [];
    for (const job of jobs) {
      const outcome = await this.prepare(job);
      if ('status' in outcome) job.resolve(outcome);
      else prepared.push({ job, ...outcome });
    }
    const fresh = prepared.flatMap((p) => p.fresh);
    // Every filing is audited in the transaction that stores it: one commit for both.
    const audit: AuditEntryInput[] = prepared.flatMap((p) =>
      p.fresh.map((s) => ({
        time: s.filed,
        actorId: null,
        action: p.job.encounter ? 'encounter.file' : 'result.file',
        patientId: s.patientId,
        planId: null,
        outcome: 'allowed' as const,
        details: { system: p.job.system, resultId: s.resultId, version: s.version },
      })),
    );
    if (fresh.length > 0) await store.results.insertResultVersions(fresh, audit);

    // Into the plans: one change per plan for the whole batch; the plans' updates share one
    // group commit. A replay only repairs a plan that lacks the result.
    const byPlan = new Map<string, { entry: ResultEntry; stored: StoredResult; replay: boolean; encounter: boolean }[]>();
    for (const p of prepared) {
      for (const item of p.all) {
        const entry = resultEntry(item.stored.resultId, item.stored.result, { filed: item.stored.filed, releaseAt: item.stored.releaseAt });
        for (const planId of item.stored.plans) byPlan.set(planId, [...(byPlan.get(planId) ?? []), { entry, ...item, encounter: p.job.encounter }]);
      }
    }
    const io = this.deps.io();
    const written = await Promise.all(
      [...byPlan].map(([planId, items]) =>
        this.deps.rooms.withRoom(planId, async (room) => {
          const changed: ResultEntry[] = [];
          room.applyServerChange((doc) => {
            for (const item of items) if (upsertResult(doc, item.entry)) changed.push(item.entry);
          }, { origin: 'result', author: null });
          await room.flushed();
          return [planId, changed] as const;
        }),
      ),
    );
    for (const [planId, changed] of written) for (const entry of changed) io?.to(planChannel(planId)).emit('result:filed', { planId, result: entry });

    for (const p of prepared) {
      const body: FiledResponse = {
        id: p.all[0]!.stored.resultId,
        plans: [...new Set(p.all.flatMap((a) => a.stored.plans))],
        results: p.all.map((a) => ({ id: a.stored.resultId, identifier: a.stored.identifier, replay: a.replay })),
      };
      p.job.resolve({ ok: true, status: p.fresh.length > 0 ? 201 : 200, body });
    }
    // The team is told after the pushes, without holding up the next batch: notifications are
    // not on the path of a live plan.
    this.notifications = this.notifications
      .then(async () => {
        for (const [planId, items] of byPlan) {
          const news = items.filter((i) => !i.replay);
          for (const encounter of [false, true]) {
            const group = news.filter((n) => n.encounter === encounter);
            if (group.length === 0) continue;
            const results = group.map((n) => n.stored);
            // Critical results and hospital notifications are told at once, each batch on its own.
            if (encounter || results.some((r) => r.critical)) await this.notifyFiled(results[0]!.patientId, planId, results, encounter);
            else await this.notifyCoalesced(results[0]!.patientId, planId, results);
          }
        }
      })
      .catch((err: unknown) => this.deps.log.error({ err }, 'notifying the care team failed'));
  }

  /**
   * Ordinary (not critical) results of one plan: the first is told at once, those filed in the
   * next RESULT_NOTIFY_COALESCE_MS are told together when it ends ("Nye svar (n): …"), and so on while
   * results keep coming. A lab feed filing a plan's panel result by result, or results at 100 a
   * second, then costs the care team one notification (one transaction, one event per member's
   * sockets) a second per plan instead of one per result.
   */
  private async notifyCoalesced(patientId: string, planId: string, results: StoredResult[]): Promise<void> {
    if (this.coalesceMs === 0) return this.notifyFiled(patientId, planId, results, false);
    const window = this.windows.get(planId);
    if (window) {
      window.pending.push(...results);
      return;
    }
    this.openWindow(planId);
    await this.notifyFiled(patientId, planId, results, false);
  }

  private openWindow(planId: string): void {
    const timer = setTimeout(() => this.closeWindow(planId), this.coalesceMs);
    timer.unref();
    this.windows.set(planId, { pending: [], timer });
  }

  /** Tells the results gathered in the plan's window, if any, and opens the next window for them. */
  private closeWindow(planId: string, reopen = true): void {
    const window = this.windows.get(planId);
    if (!window) return;
    clearTimeout(window.timer);
    this.windows.delete(planId);
    if (window.pending.length === 0) return;
    if (reopen) this.openWindow(planId);
    const results = window.pending;
    this.notifications = this.notifications
      .then(() => this.notifyFiled(results[0]!.patientId, planId, results, false))
      .catch((err: unknown) => this.deps.log.error({ err }, 'notifying the care team failed'));
  }

  /** Resolves when every notification queued so far is stored and sent (those waiting in a window are sent now). */
  async settled(): Promise<void> {
    await this.notifications;
    for (const planId of [...this.windows.keys()]) this.closeWindow(planId, false);
    await this.notifications;
  }

  /** Checks a submission against what is stored: replay, amendment, conflict or new. */
  private async prepare(job: FilingJob): Promise<FilingOutcome | { all: { stored: StoredResult; replay: boolean }[]; fresh: StoredResult[] }> {
    const { store } = this.deps;
    const { system, incoming } = job;
    const seen = new Set<string>();
    for (const r of incoming) {
      if (seen.has(r.identifier)) return { ok: false, status: 422, message: `the identifier ${r.identifier} appears twice in one submission` };
      seen.add(r.identifier);
    }
    // Everything is checked before anything is stored: a submission is filed whole or not at all.
    const patients = new Map<string, Patient>();
    for (const [i, r] of incoming.entries()) {
      const patient = patients.get(r.cpr) ?? (await store.getPatientByCpr(r.cpr));
      // The message names the position, never the CPR number (it may end up in a log).
      if (!patient) return { ok: false, status: 422, message: `result ${i + 1}: no patient is registered with this CPR number` };
      patients.set(r.cpr, patient);
    }
    const filed = new Date().toISOString();
    const fresh: StoredResult[] = [];
    const all: { stored: StoredResult; replay: boolean }[] = [];
    for (const r of incoming) {
      const latest = await store.results.latestResultVersion(system, r.identifier);
      const hash = payloadHash(r);
      if (latest && latest.payloadHash === hash) {
        all.push({ stored: latest, replay: true });
        continue;
      }
      if (latest && !AMENDING.has(r.status)) {
        return { ok: false, status: 409, message: `${r.identifier} was filed before with other content; send it with status amended or corrected` };
      }
      const patient = patients.get(r.cpr) as Patient;
      const plans = (await store.listPlansForPatient(patient.id)).filter((p) => p.status === 'active').map((p) => p.id);
      const special = r.category === 'pathology' || r.category === 'imaging';
      const delayDays = r.category === 'hospital-notification' ? 0 : special ? this.deps.config.resultReleaseDaysPathologyImaging : this.deps.config.resultReleaseDays;
      const releaseAt = new Date(Date.now() + delayDays * DAY_MS).toISOString();
      const stored: StoredResult = {
        id: randomUUID(),
        sourceSystem: system,
        identifier: r.identifier,
        version: (latest?.version ?? 0) + 1,
        patientId: patient.id,
        resultId: latest?.resultId ?? randomUUID(),
        payloadHash: hash,
        result: r,
        filed,
        critical: !!r.interpretation && CRITICAL_FLAGS.includes(r.interpretation),
        // An amendment is a value no clinician has seen yet: its delay counts from now, as for a
        // new result of its category, even when the first version was released (by its delay
        // or early by a clinician). Keeping the first version's time showed an amended critical
        // value to the citizen at once.
        releaseAt,
        plans,
      };
      fresh.push(stored);
      all.push({ stored, replay: false });
    }
    return { all, fresh };
  }

  private async notifyFiled(patientId: string, planId: string, results: StoredResult[], encounter: boolean): Promise<void> {
    if (encounter) {
      const r = results[0]!.result;
      // Home care and the GP must know at once that a citizen was admitted or is coming home.
      await this.deps.notifier.notify(patientId, { kind: 'encounter', planId, severity: 'warning', text: `${r.code.display}: ${r.text ?? ''}`.trim() }, { sectors: ['municipality', 'general_practice'] });
      return;
    }
    const critical = results.filter((r) => r.critical);
    // Each test named once: results gathered over a window often repeat one (a feed's P-Kalium).
    const distinct = [...new Set(results.map((r) => r.result.code.display))];
    const names = distinct.slice(0, 4).join(', ');
    const text = critical.length > 0
      ? `Kritisk svar: ${critical.map((r) => `${r.result.code.display} ${r.result.value ?? ''} ${r.result.unit ?? ''}`.trim()).join(', ')} — kræver kvittering`
      : `Nye svar (${results.length}): ${names}${distinct.length > 4 ? ' …' : ''}`;
    await this.deps.notifier.notify(patientId, { kind: critical.length > 0 ? 'result-critical' : 'result', planId, severity: critical.length > 0 ? 'critical' : 'info', text });
  }

  /** A clinician acknowledges a critical result; the plan shows who and when. Idempotent. */
  async acknowledge(resultId: string, user: { id: string; name: string }): Promise<{ acknowledgedBy: string; acknowledgedAt: string }> {
    const time = new Date().toISOString();
    const first = await this.deps.store.results.addResultEvent({ resultId, kind: 'acknowledged', userId: user.id, time });
    const event = (await this.deps.store.results.listResultEvents(resultId)).find((e) => e.kind === 'acknowledged')!;
    const by = first ? user.name : ((await this.deps.store.getUser(event.userId ?? ''))?.name ?? 'unknown');
    if (first) await this.annotate(resultId, { acknowledgedBy: by, acknowledgedAt: event.time });
    return { acknowledgedBy: by, acknowledgedAt: event.time };
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
    await this.deps.store.results.addResultEvent({ resultId, kind: 'released', userId, time });
    let releasedAt = time;
    for (const planId of stored.plans) {
      await this.deps.rooms.withRoom(planId, async (room) => {
        room.applyServerChange((doc) => {
          const shown = releaseResult(doc, resultId, time);
          if (shown && shown < releasedAt) releasedAt = shown;
        }, { origin: 'result', author: null });
        await room.flushed();
      });
    }
    return releasedAt;
  }

  private async annotate(resultId: string, fields: Partial<ResultEntry>): Promise<void> {
    const stored = await this.deps.store.results.getResult(resultId);
    for (const planId of stored?.plans ?? []) {
      await this.deps.rooms.withRoom(planId, async (room) => {
        room.applyServerChange((doc) => annotateResult(doc, resultId, fields), { origin: 'result', author: null });
        await room.flushed();
      });
    }
  }

  /** Escalates unacknowledged critical results: a second, critical notification to the team. */
  async escalateDue(): Promise<number> {
    const before = new Date(Date.now() - this.deps.config.criticalEscalateSeconds * 1000).toISOString();
    const due = await this.deps.store.results.listCriticalToEscalate(before);
    for (const r of due) {
      if (!(await this.deps.store.results.addResultEvent({ resultId: r.resultId, kind: 'escalated', userId: null, time: new Date().toISOString() }))) continue;
      for (const planId of r.plans) {
        await this.deps.notifier.notify(r.patientId, {
          kind: 'result-escalated',
          planId,
          severity: 'critical',
          text: `Ikke kvitteret: kritisk svar ${r.result.code.display} ${r.result.value ?? ''} ${r.result.unit ?? ''}`.trim(),
        });
      }
    }
    return due.length;
  }

  startEscalation(): void {
    const everyMs = Math.min(60_000, Math.max(50, (this.deps.config.criticalEscalateSeconds * 1000) / 4));
    this.sweep = setInterval(() => {
      this.escalateDue().catch((err: unknown) => this.deps.log.error({ err }, 'escalating critical results failed'));
    }, everyMs);
    this.sweep.unref();
  }

  stop(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    for (const w of this.windows.values()) clearTimeout(w.timer);
  }
}
