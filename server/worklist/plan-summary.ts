import type * as Y from 'yjs';
import { z } from 'zod';
import { metaOf, sectionOf } from '../../shared/plan-doc.ts';
import { Sector } from '../../shared/roles.ts';

/** How many of a task's sector changes a summary keeps (the newest). */
const SECTOR_HISTORY = 8;

/** An open task as Overblik needs it; `sectors`: its sector from each seq on, oldest first. */
export const SummaryTask = z.object({
  id: z.string(),
  title: z.string(),
  sector: Sector.nullable(),
  /** YYYY-MM-DD: whether that is today or overdue is decided when the overview is read. */
  due: z.string().nullable(),
  sectors: z.array(z.object({ seq: z.number(), sector: Sector.nullable() })),
});
export type SummaryTask = z.infer<typeof SummaryTask>;

/**
 * What a plan's document says that Overblik needs, as of a seq of its log: no date-dependent
 * verdicts (those are the reader's, on the Copenhagen calendar of the moment it reads).
 */
export const PlanSummary = z.object({
  title: z.string().nullable(),
  tasks: z.array(SummaryTask),
});
export type PlanSummary = z.infer<typeof PlanSummary>;

/** A stored summary's body, or null when it does not read as one (it is then rebuilt). */
export function parseSummary(text: string): PlanSummary | null {
  try {
    const parsed = PlanSummary.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What the document says now, before the tasks' sector history is carried on. */
export type PlanReading = { title: string | null; tasks: Omit<SummaryTask, 'sectors'>[] };

/** The title and open tasks of a plan's document. */
export function readPlan(doc: Y.Doc): PlanReading {
  const title = metaOf(doc).get('title');
  const tasks: PlanReading['tasks'] = [];
  sectionOf(doc, 'tasks').forEach((t) => {
    const status = t.get('status');
    if (status === 'done' || status === 'cancelled') return;
    const id = t.get('id');
    const title = t.get('title');
    if (typeof id !== 'string' || typeof title !== 'string') return;
    const sector = Sector.safeParse(t.get('sector'));
    const due = t.get('due');
    tasks.push({ id, title, sector: sector.success ? sector.data : null, due: typeof due === 'string' ? due : null });
  });
  return { title: typeof title === 'string' ? title : null, tasks };
}

/**
 * The summary of a document that holds exactly the plan's log up to `seq`. A task whose sector
 * is not the one `previous` (the summary at an earlier seq) gave it got its sector at `seq`;
 * without `previous`, every task has had its sector from the start (seq 0).
 */
export function summarise(reading: PlanReading, seq: number, previous: PlanSummary | null): PlanSummary {
  const before = new Map(previous?.tasks.map((t) => [t.id, t]));
  return {
    title: reading.title,
    tasks: reading.tasks.map((t) => {
      const was = before.get(t.id);
      const sectors = !was
        ? [{ seq: previous ? seq : 0, sector: t.sector }]
        : was.sector === t.sector
          ? was.sectors
          : [...was.sectors, { seq, sector: t.sector }].slice(-SECTOR_HISTORY);
      return { ...t, sectors };
    }),
  };
}

/**
 * The task's sector as of `seq` (a person's last look); undefined when the summary knows it
 * from later only (a task new since).
 */
export function sectorAt(task: SummaryTask, seq: number): Sector | null | undefined {
  let sector: Sector | null | undefined;
  for (const s of task.sectors) if (s.seq <= seq) sector = s.sector;
  return sector;
}
