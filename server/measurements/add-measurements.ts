import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { measurementProblem } from '../../shared/measurements.ts';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { MeasurementEntry, Performer } from '../../shared/plan.ts';
import { replacedVersion } from '../collab/measurement-stamps.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';

/**
 * Measurements the server adds itself: a MedCom HomeCareObservation it files, a device feed.
 * They go into the plan's `measurements` section through the room as one server-origin change
 * (stored before any peer sees it, like a filed result), with the performer the caller names:
 * the server is who vouches for it, so the permission table of client updates does not apply,
 * but the same schema and plausible ranges do (shared/measurements.ts), and all entries or none
 * are written.
 */

/** One measurement to add; `id` makes the call idempotent (an entry with that id already there is left as it is). */
export const NewMeasurement = MeasurementEntry.pick({
  code: true,
  value: true,
  unit: true,
  effective: true,
  method: true,
  comment: true,
})
  .extend({ id: z.string().uuid().optional() })
  .strict();
export type NewMeasurement = z.input<typeof NewMeasurement>;

export class InvalidMeasurement extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/**
 * Adds `entries` to the plan, performed by `performer`, recorded in the plan's log as the
 * server's change for `performer.user` (or the server's own when null). Resolves with the
 * entries as written once they are stored; throws InvalidMeasurement (and writes nothing) when
 * one is not a measurement the plan accepts.
 */
export async function addMeasurements(
  rooms: PlanRooms,
  planId: string,
  entries: readonly NewMeasurement[],
  performer: Performer,
): Promise<MeasurementEntry[]> {
  const who = Performer.safeParse(performer);
  if (!who.success) throw new InvalidMeasurement('the performer is not valid', -1);
  const written = entries.map((raw, index) => {
    const parsed = NewMeasurement.safeParse(raw);
    if (!parsed.success)
      throw new InvalidMeasurement(`measurement ${index}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, index);
    const entry: MeasurementEntry = {
      ...parsed.data,
      id: parsed.data.id ?? randomUUID(),
      effective: new Date(parsed.data.effective).toISOString(),
      performer: who.data,
      status: 'final',
    };
    const problem = measurementProblem(entry);
    if (problem !== null)
      throw new InvalidMeasurement(`measurement ${index}: the ${problem} is not possible for its code`, index);
    return entry;
  });
  if (written.length === 0) return [];
  return rooms.withRoom(planId, async (room) => {
    const section = sectionOf(room.doc, 'measurements');
    const present = new Set(section.toArray().map((e) => e.get('id')));
    const fresh = written.filter((e) => !present.has(e.id));
    if (fresh.length > 0)
      room.applyServerChange((doc) => sectionOf(doc, 'measurements').push(fresh.map((e) => newEntry(e))), {
        origin: 'server',
        author: who.data.user,
      });
    await room.flushed();
    return written;
  });
}

/**
 * A change the server makes to a measurement it added: new values (`amended`) or withdrawn
 * (`entered-in-error`, the values as they were).
 */
export const MeasurementAmendment = z.discriminatedUnion('status', [
  MeasurementEntry.pick({ id: true, value: true, unit: true, effective: true, method: true, comment: true })
    .extend({ status: z.literal('amended') })
    .strict(),
  z.object({ id: MeasurementEntry.shape.id, status: z.literal('entered-in-error') }).strict(),
]);
export type MeasurementAmendment = z.input<typeof MeasurementAmendment>;

/** Who an entry's performer is, for "only the one who measured changes it": the user, or outside CareHub the person's organisation. */
const sameMeasurer = (a: Performer, b: Performer): boolean =>
  a.user !== null || b.user !== null ? a.user === b.user : a.organisation === b.organisation;

/**
 * Amends measurements of the plan by `performer`, as one server change, with the rules the
 * guard holds for a client (server/collab/plan-guard.ts, shared/permissions.ts): only the one
 * who measured (for someone outside CareHub: the same organisation) changes an entry; an
 * entry marked entered-in-error stays as it is; code and id never change; the new value must
 * be possible for its code. What was replaced is kept in `previous` and the entry marked
 * `amended` (or `entered-in-error`). An entry already holding exactly what an amendment says
 * is left alone, so a repeated call changes nothing. Throws InvalidMeasurement (and writes
 * nothing) when one amendment breaks a rule; resolves once the change is stored.
 */
export async function amendMeasurements(
  rooms: PlanRooms,
  planId: string,
  amendments: readonly MeasurementAmendment[],
  performer: Performer,
  now = new Date(),
): Promise<void> {
  const who = Performer.safeParse(performer);
  if (!who.success) throw new InvalidMeasurement('the performer is not valid', -1);
  const parsed = amendments.map((raw, index) => {
    const a = MeasurementAmendment.safeParse(raw);
    if (!a.success)
      throw new InvalidMeasurement(`amendment ${index}: ${a.error.issues[0]?.message ?? 'invalid'}`, index);
    return a.data.status === 'amended' ? { ...a.data, effective: new Date(a.data.effective).toISOString() } : a.data;
  });
  if (parsed.length === 0) return;
  await rooms.withRoom(planId, async (room) => {
    const section = sectionOf(room.doc, 'measurements');
    const byId = new Map(section.toArray().map((e) => [e.get('id'), e] as const));
    const changes = parsed.flatMap((a, index) => {
      const entry = byId.get(a.id);
      if (!entry) throw new InvalidMeasurement(`amendment ${index}: the plan has no measurement ${a.id}`, index);
      const before = entry.toJSON() as MeasurementEntry;
      if (!before.performer || !sameMeasurer(before.performer, who.data))
        throw new InvalidMeasurement(`amendment ${index}: only the one who measured changes a measurement`, index);
      if (before.status === 'entered-in-error') {
        if (a.status === 'entered-in-error') return [];
        throw new InvalidMeasurement(`amendment ${index}: the measurement is marked entered-in-error`, index);
      }
      if (a.status === 'amended') {
        const problem = measurementProblem({ code: before.code, value: a.value, unit: a.unit });
        if (problem !== null)
          throw new InvalidMeasurement(`amendment ${index}: the ${problem} is not possible for its code`, index);
        const same =
          before.status === 'amended' &&
          JSON.stringify(before.value) === JSON.stringify(a.value) &&
          before.unit === a.unit &&
          before.effective === a.effective &&
          before.method === a.method &&
          before.comment === a.comment;
        if (same) return [];
      }
      return [{ entry, before, amendment: a }];
    });
    if (changes.length > 0)
      room.applyServerChange(
        () => {
          for (const { entry, before, amendment } of changes) {
            entry.set('previous', [
              ...(before.previous ?? []),
              replacedVersion(before as unknown as Record<string, unknown>, now),
            ]);
            if (amendment.status === 'amended') {
              entry.set('value', amendment.value);
              entry.set('unit', amendment.unit);
              entry.set('effective', amendment.effective);
              for (const key of ['method', 'comment'] as const) {
                if (amendment[key] === undefined) entry.delete(key);
                else entry.set(key, amendment[key]);
              }
            }
            entry.set('status', amendment.status);
          }
        },
        { origin: 'server', author: who.data.user },
      );
    await room.flushed();
  });
}
