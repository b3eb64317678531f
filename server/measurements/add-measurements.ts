import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { measurementProblem } from '../../shared/measurements.ts';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { MeasurementEntry, Performer } from '../../shared/plan.ts';
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
