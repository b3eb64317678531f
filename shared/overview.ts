import { z } from 'zod';
import { NotifiedPatient, NotifiedResult } from './notifications.ts';
import { StaffRole, Sector } from './roles.ts';

/**
 * "Overblik", the staff landing page (GET /api/v1/overview): what needs the signed-in staff
 * member across their patients. Items carry codes and values, never sentences: the client
 * words them. "Seen" is kept per person on the server (POST /api/v1/plans/:id/seen), so it
 * follows them from device to device.
 */

/** A result as an item names it: its hub id, test, value, unit and flag, and when it was filed. */
export const OverviewResult = NotifiedResult.extend({
  id: z.string(),
  interpretation: z.string().optional(),
  filed: z.string(),
});
export type OverviewResult = z.infer<typeof OverviewResult>;

const base = { planId: z.string(), planTitle: z.string(), patient: NotifiedPatient };

export const OverviewItem = z.discriminatedUnion('kind', [
  /** A critical result (HH, LL, AA) nobody has acknowledged yet. */
  z.object({ kind: z.literal('critical-result'), ...base, result: OverviewResult }),
  /** Results filed since this person last looked at the plan. */
  z.object({ kind: z.literal('new-results'), ...base, results: z.array(OverviewResult).min(1), more: z.number() }),
  /** A hospital notification (admission, leave, discharge) filed since this person last looked. */
  z.object({
    kind: z.literal('encounter'),
    ...base,
    event: z.string(),
    place: z.string(),
    time: z.string(),
  }),
  /** A task of this person's sector, not done, due today or before (Europe/Copenhagen). */
  z.object({
    kind: z.literal('task-due'),
    ...base,
    taskId: z.string(),
    title: z.string(),
    due: z.string(),
    overdue: z.boolean(),
  }),
  /** A task handed over to this person's sector since they last looked (new, or moved from another sector). */
  z.object({
    kind: z.literal('handover'),
    ...base,
    taskId: z.string(),
    title: z.string(),
    from: Sector.nullable(),
  }),
  /** Changes of the plan by others since this person last looked: who, and which sections. */
  z.object({
    kind: z.literal('plan-change'),
    ...base,
    author: z.object({ name: z.string(), role: StaffRole.or(z.string()) }).nullable(),
    sections: z.array(z.string()),
    time: z.string(),
  }),
]);
export type OverviewItem = z.infer<typeof OverviewItem>;
export type OverviewKind = OverviewItem['kind'];

/** What needs one patient's care team member, counted: the patient list shows these beside each patient. */
export const PatientSignals = z.object({
  critical: z.number(),
  newResults: z.number(),
  tasksDue: z.number(),
  overdue: z.number(),
  handovers: z.number(),
  changes: z.number(),
  encounters: z.number(),
});
export type PatientSignals = z.infer<typeof PatientSignals>;

export const Overview = z.object({
  /** Critical results first (oldest waiting first), then the rest, newest first. */
  items: z.array(OverviewItem),
  /** The day "due today" means (YYYY-MM-DD, Europe/Copenhagen). */
  today: z.string(),
});
export type Overview = z.infer<typeof Overview>;
