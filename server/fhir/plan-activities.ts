import type { Annotation, Goal, GoalTarget, MedicationStatement, Period, Reference, Task } from 'fhir/r4';
import { annotation, compact, date, list, str } from './fhir-values.ts';
import type { EntryJson, MappingContext } from './mapping-context.ts';

/** Goals, tasks and medications of the plan (http://hl7.org/fhir/R4/goal.html, task.html, medicationstatement.html). */

const GOAL_ACHIEVEMENT = 'http://terminology.hl7.org/CodeSystem/goal-achievement';

/**
 * The plan's goal status to Goal.lifecycleStatus and, where it says something about progress,
 * Goal.achievementStatus. R4 has no lifecycle status "achieved": an achieved goal is completed.
 */
const GOAL_STATUS: Record<string, { lifecycle: Goal['lifecycleStatus']; achievement?: [string, string] }> = {
  proposed: { lifecycle: 'proposed' },
  active: { lifecycle: 'active', achievement: ['in-progress', 'In Progress'] },
  achieved: { lifecycle: 'completed', achievement: ['achieved', 'Achieved'] },
  cancelled: { lifecycle: 'cancelled' },
};

export function goalResource(entry: EntryJson, index: number, ctx: MappingContext): Goal {
  const id = ctx.ids.take(entry.id, ctx.planId, 'goals', String(index), String(entry.id ?? ''));
  const status = GOAL_STATUS[String(entry.status)] ?? { lifecycle: 'proposed' };
  const target = str(entry.target);
  const due = date(entry.due);
  let targets: GoalTarget[] | undefined;
  if (target !== undefined || due !== undefined) {
    // The plan's target is one free text ("6 minutters gangtest > 300 m"): it cannot be split
    // into what is measured and the value wanted, and gol-1 needs a measure beside a detail.
    targets = [
      compact({ measure: target === undefined ? undefined : { text: target }, detailString: target, dueDate: due }),
    ];
  }
  return compact<Goal>({
    resourceType: 'Goal',
    id,
    lifecycleStatus: status.lifecycle,
    achievementStatus: status.achievement
      ? { coding: [{ system: GOAL_ACHIEVEMENT, code: status.achievement[0], display: status.achievement[1] }] }
      : undefined,
    // Goal.description is required; a goal written without one still has to say something.
    description: { text: str(entry.description) ?? target ?? '(no description)' },
    subject: ctx.patient,
    target: targets,
  });
}

/** The plan's task status to Task.status (http://hl7.org/fhir/R4/valueset-task-status.html). */
const TASK_STATUS: Record<string, Task['status']> = {
  planned: 'requested',
  'in-progress': 'in-progress',
  done: 'completed',
  cancelled: 'cancelled',
};

/** Unconfirmed concurrent values (shared/plan.ts CONFLICT_FIELDS) travel as a note, never silently. */
function conflictNotes(entry: EntryJson): (Annotation | undefined)[] {
  const conflicts = entry.conflicts;
  if (typeof conflicts !== 'object' || conflicts === null) return [];
  return Object.entries(conflicts as Record<string, unknown>).map(([field, c]) => {
    const values = (c as { values?: unknown })?.values;
    if (!Array.isArray(values)) return undefined;
    const shown = values.map((v: { value?: unknown; authorName?: unknown }) => {
      const who = str(v?.authorName);
      return `${JSON.stringify(v?.value ?? null)}${who ? ` (${who})` : ''}`;
    });
    return annotation(`Unconfirmed conflicting values for ${field}: ${shown.join(' / ')}`);
  });
}

export interface TaskOwners {
  /** The care team's organisations: id, name and sector. */
  organisations: { id: string; name: string; sector: string; ref: Reference }[];
  /** People who may be named as assignee, by user id. */
  people: Map<string, Reference>;
}

/**
 * The task's owner: the care-team organisation of the task's (owning) sector — the one named as
 * assignee if the team has several of that sector — else whoever the assignee names.
 */
function taskOwner(entry: EntryJson, owners: TaskOwners): Reference | undefined {
  const assignee = str(entry.assignee);
  const named = (o: { id: string; name: string }) =>
    assignee !== undefined && (o.id === assignee || o.name.toLowerCase() === assignee.toLowerCase());
  const ofSector = owners.organisations.filter((o) => o.sector === entry.sector);
  const org = ofSector.find(named) ?? ofSector[0] ?? owners.organisations.find(named);
  if (org) return org.ref;
  if (assignee === undefined) return undefined;
  return owners.people.get(assignee) ?? { display: assignee };
}

export function taskResource(entry: EntryJson, index: number, ctx: MappingContext, owners: TaskOwners): Task {
  const id = ctx.ids.take(entry.id, ctx.planId, 'tasks', String(index), String(entry.id ?? ''));
  const due = date(entry.due);
  return compact<Task>({
    resourceType: 'Task',
    id,
    basedOn: [ctx.carePlan],
    status: TASK_STATUS[String(entry.status)] ?? 'requested',
    intent: 'plan',
    description: str(entry.title),
    for: ctx.patient,
    owner: taskOwner(entry, owners),
    restriction: due === undefined ? undefined : { period: { end: due } },
    note: list([annotation(str(entry.details)), ...conflictNotes(entry)]),
  });
}

/**
 * A medication on the plan. Its status follows its dates: stopped before today → completed,
 * not yet started → intended, otherwise active.
 */
export function medicationStatement(entry: EntryJson, index: number, ctx: MappingContext): MedicationStatement {
  const id = ctx.ids.take(entry.id, ctx.planId, 'medications', String(index), String(entry.id ?? ''));
  const start = date(entry.start);
  // per-1: a period never ends before it starts; a stop date before the start is left out.
  // Plan dates are full days (YYYY-MM-DD), so they compare as strings.
  const written = date(entry.stop);
  const stop = written !== undefined && (start === undefined || written >= start) ? written : undefined;
  const status: MedicationStatement['status'] =
    stop !== undefined && stop < ctx.today
      ? 'completed'
      : start !== undefined && start > ctx.today
        ? 'intended'
        : 'active';
  const period: Period | undefined =
    start !== undefined || stop !== undefined ? compact({ start, end: stop }) : undefined;
  const dose = str(entry.dose);
  const route = str(entry.route);
  const frequency = str(entry.frequency);
  const dosageText = [dose, route, frequency].filter((p) => p !== undefined).join(', ');
  return compact<MedicationStatement>({
    resourceType: 'MedicationStatement',
    id,
    status,
    // medication[x] is required; a medication written without a name still has to say so.
    medicationCodeableConcept: { text: str(entry.drug) ?? '(no drug name)' },
    subject: ctx.patient,
    effectivePeriod: period,
    dosage: dosageText
      ? [compact({ text: dosageText, route: route === undefined ? undefined : { text: route } })]
      : undefined,
    note: list([annotation(str(entry.note)), ...conflictNotes(entry)]),
  });
}
