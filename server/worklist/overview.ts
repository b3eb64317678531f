import type { NotifiedPatient } from '../../shared/notifications.ts';
import type { Overview, OverviewItem, OverviewResult, PatientSignals } from '../../shared/overview.ts';
import { ENCOUNTER_SYSTEM } from '../../shared/results.ts';
import type { Sector } from '../../shared/roles.ts';
import type { Principal } from '../auth/access.ts';
import type { PlanView } from '../store/personal-store.ts';
import type { Patient, Plan, User } from '../store/records.ts';
import type { StoredResult } from '../store/result-store.ts';
import type { Store } from '../store/store.ts';
import type { SectionChange } from '../store/summary-store.ts';
import { type PlanSummary, type SummaryTask, sectorAt } from './plan-summary.ts';
import { PlanSummaries } from './plan-summaries.ts';

/** Before a person has looked at a plan, results of this many days count as new to them. */
export const NEW_WITHOUT_VIEW_DAYS = 14;
/** At most this many results are read per patient for "new results". */
const NEW_RESULTS_READ = 200;
/** At most this many results an item names; the rest are counted. */
const RESULTS_NAMED = 6;
const ZONE = 'Europe/Copenhagen';

/** Today's date in Copenhagen, YYYY-MM-DD. */
export function copenhagenDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    at,
  );
}

function overviewResult(r: StoredResult): OverviewResult {
  const { result } = r;
  return {
    id: r.resultId,
    code: result.code.code,
    display: result.code.display,
    ...(result.value !== undefined ? { value: result.value } : {}),
    ...(result.unit ? { unit: result.unit } : {}),
    ...(result.interpretation ? { interpretation: result.interpretation } : {}),
    filed: r.filed,
  };
}

/**
 * Builds one staff member's Overblik: for each patient on whose care team they are (objections
 * respected by the store), critical results nobody acknowledged, results and hospital
 * notifications filed since they last looked at the plan, their sector's tasks due today or
 * overdue, tasks handed over to their sector and others' changes since they last looked.
 */
export class OverviewBuilder {
  private readonly users = new Map<string, User | null>();

  constructor(
    private readonly store: Store,
    private readonly summaries: PlanSummaries = new PlanSummaries(store),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The items, and the patients they come from (for the audit), in the order shown. `only`: these
   * of the person's patients (a search's), already found by listPatientsForStaff. Read from the
   * plans' summaries (kept as the plans change), the results store and the person's last looks;
   * "due today" is decided here, on the Copenhagen calendar of now.
   */
  async build(principal: Principal, only?: Patient[]): Promise<Overview & { patients: Patient[] }> {
    const { user, organisation } = principal;
    const sector = organisation?.sector ?? null;
    const patients = only ?? (await this.store.listPatientsForStaff(user.id, user.organisationId));
    const now = this.now();
    const today = copenhagenDate(now);
    const [views, critical, plansOf] = await Promise.all([
      this.store.personal.listPlanViews(user.id),
      this.store.results.listUnacknowledgedCritical(patients.map((p) => p.id)),
      Promise.all(patients.map((p) => this.store.listPlansForPatient(p.id))),
    ]);
    const shown = plansOf.map((plans) => plans.filter((p) => p.status === 'active' || p.status === 'draft'));
    const planIds = shown.flat().map((p) => p.id);
    const [summaries, changes] = await Promise.all([
      this.summaries.current(planIds),
      this.store.summaries.listSectionChanges(planIds),
    ]);
    const changesOf = new Map<string, SectionChange[]>();
    for (const c of changes) changesOf.set(c.planId, [...(changesOf.get(c.planId) ?? []), c]);
    const items: OverviewItem[] = [];
    for (const [i, patient] of patients.entries()) {
      const who: NotifiedPatient = { id: patient.id, name: patient.name, cpr: patient.cpr };
      for (const plan of shown[i] ?? []) {
        const summary = summaries.get(plan.id);
        if (!summary) continue;
        const base = { planId: plan.id, planTitle: summary.title ?? plan.title, patient: who };
        for (const r of critical)
          if (r.patientId === patient.id && r.plans.includes(plan.id))
            items.push({ kind: 'critical-result', ...base, result: overviewResult(r) });
        const view = views.get(plan.id);
        items.push(...(await this.filedSince(patient, plan, view, now, base, critical)));
        items.push(...dueTasks(summary.tasks, sector, today, base));
        if (view)
          items.push(...(await this.sinceView(view, user.id, sector, summary, changesOf.get(plan.id) ?? [], base)));
      }
    }
    return { items: ordered(items), today, patients };
  }

  /** Results and hospital notifications filed into the plan since the person last looked. */
  private async filedSince(
    patient: Patient,
    plan: Plan,
    view: PlanView | undefined,
    now: Date,
    base: { planId: string; planTitle: string; patient: NotifiedPatient },
    critical: StoredResult[],
  ): Promise<OverviewItem[]> {
    const since = view?.time ?? new Date(now.getTime() - NEW_WITHOUT_VIEW_DAYS * 86_400_000).toISOString();
    const filed = (await this.store.results.listResultsFiledSince(patient.id, since, NEW_RESULTS_READ)).filter((r) =>
      r.plans.includes(plan.id),
    );
    // One per result, its newest version; critical ones waiting for an acknowledgement have their own items.
    const waiting = new Set(critical.map((r) => r.resultId));
    const seen = new Set<string>();
    const latest = filed.filter((r) => !seen.has(r.resultId) && seen.add(r.resultId) && !waiting.has(r.resultId));
    const items: OverviewItem[] = [];
    for (const r of latest.filter((r) => r.result.code.system === ENCOUNTER_SYSTEM))
      items.push({ kind: 'encounter', ...base, event: r.result.code.code, place: r.result.text ?? '', time: r.filed });
    const results = latest.filter((r) => r.result.code.system !== ENCOUNTER_SYSTEM);
    if (results.length > 0)
      items.push({
        kind: 'new-results',
        ...base,
        results: results.slice(0, RESULTS_NAMED).map(overviewResult),
        more: Math.max(0, results.length - RESULTS_NAMED),
      });
    return items;
  }

  /**
   * Others' changes to the plan since the person's last look (each author's last change per
   * section), and tasks handed over to their sector since (the summary's sector history).
   */
  private async sinceView(
    view: PlanView,
    userId: string,
    sector: Sector | null,
    summary: PlanSummary,
    changes: SectionChange[],
    base: { planId: string; planTitle: string; patient: NotifiedPatient },
  ): Promise<OverviewItem[]> {
    const since = changes.filter((c) => c.seq > view.seq && c.author !== userId);
    if (since.length === 0) return [];
    const items: OverviewItem[] = [];
    const byAuthor = new Map<string, SectionChange[]>();
    for (const c of since) byAuthor.set(c.author, [...(byAuthor.get(c.author) ?? []), c]);
    for (const [authorId, theirs] of byAuthor) {
      const author = await this.user(authorId);
      items.push({
        kind: 'plan-change',
        ...base,
        author: author ? { name: author.name, role: author.role } : null,
        sections: [...new Set(theirs.map((c) => c.section))].sort(),
        time: theirs.reduce((last, c) => (c.time > last ? c.time : last), ''),
      });
    }
    // A handover comes from another sector: tasks only the person's own sector touched are not one.
    let fromElsewhere = false;
    for (const c of since)
      if (c.section === 'tasks' && (await this.sectorOf(c.author)) !== sector) fromElsewhere = true;
    if (sector && fromElsewhere) {
      for (const t of summary.tasks) {
        const was = sectorAt(t, view.seq);
        if (t.sector === sector && was !== sector)
          items.push({ kind: 'handover', ...base, taskId: t.id, title: t.title, from: was ?? null });
      }
    }
    return items;
  }

  private readonly sectors = new Map<string, Sector | null>();

  /** The sector of a person's organisation; null for none (or an unknown person). */
  private async sectorOf(userId: string): Promise<Sector | null> {
    const user = await this.user(userId);
    if (!user?.organisationId) return null;
    if (!this.sectors.has(user.organisationId))
      this.sectors.set(user.organisationId, (await this.store.getOrganisation(user.organisationId))?.sector ?? null);
    return this.sectors.get(user.organisationId) ?? null;
  }

  private async user(id: string): Promise<User | null> {
    if (!id) return null;
    if (!this.users.has(id)) this.users.set(id, await this.store.getUser(id));
    return this.users.get(id) ?? null;
  }
}

function dueTasks(
  tasks: SummaryTask[],
  sector: Sector | null,
  today: string,
  base: { planId: string; planTitle: string; patient: NotifiedPatient },
): OverviewItem[] {
  return tasks.flatMap((t) =>
    t.sector === sector && t.due && t.due <= today
      ? [{ kind: 'task-due' as const, ...base, taskId: t.id, title: t.title, due: t.due, overdue: t.due < today }]
      : [],
  );
}

/** When an item happened, for ordering: newest first after the critical ones. */
function itemTime(i: OverviewItem): string {
  switch (i.kind) {
    case 'critical-result':
      return i.result.filed;
    case 'new-results':
      return i.results[0]?.filed ?? '';
    case 'encounter':
    case 'plan-change':
      return i.time;
    case 'task-due':
      return i.due;
    case 'handover':
      return '';
  }
}

const RANK: Readonly<Record<OverviewItem['kind'], number>> = {
  'critical-result': 0,
  'task-due': 1,
  encounter: 2,
  handover: 2,
  'new-results': 2,
  'plan-change': 3,
};

/** ISO times and dates compare as plain strings (localeCompare costs much more over thousands of items). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Critical results first (oldest waiting first), overdue and due tasks next, then the rest newest first. */
function ordered(items: OverviewItem[]): OverviewItem[] {
  return [...items].sort((a, b) => {
    const rank = RANK[a.kind] - RANK[b.kind];
    if (rank !== 0) return rank;
    if (a.kind === 'critical-result' || a.kind === 'task-due') return byCodePoint(itemTime(a), itemTime(b));
    return byCodePoint(itemTime(b), itemTime(a));
  });
}

/** The items counted per patient: what the patient list shows beside each. */
export function signalsByPatient(items: OverviewItem[]): Map<string, PatientSignals> {
  const signals = new Map<string, PatientSignals>();
  for (const i of items) {
    const s = signals.get(i.patient.id) ?? {
      critical: 0,
      newResults: 0,
      tasksDue: 0,
      overdue: 0,
      handovers: 0,
      changes: 0,
      encounters: 0,
    };
    if (i.kind === 'critical-result') s.critical++;
    else if (i.kind === 'new-results') s.newResults += i.results.length + i.more;
    else if (i.kind === 'task-due') i.overdue ? s.overdue++ : s.tasksDue++;
    else if (i.kind === 'handover') s.handovers++;
    else if (i.kind === 'plan-change') s.changes++;
    else if (i.kind === 'encounter') s.encounters++;
    signals.set(i.patient.id, s);
  }
  return signals;
}
