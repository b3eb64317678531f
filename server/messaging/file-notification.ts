import { randomUUID } from 'node:crypto';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import type { HospitalNotification } from '../medcom/index.ts';
import type { ResultFiling } from '../results/result-filing.ts';
import type { Organisation } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { chainedEntryKey, MEDCOM_SOURCE, notificationResult } from './hospital-notifications.ts';

export interface NotificationFilingDeps {
  store: Store;
  filing: ResultFiling;
  rooms: PlanRooms;
}

/**
 * Files a HospitalNotification into the active plans of its patient (the patient exists): a new
 * entry, or a new version of the entry it corrects or cancels. The care team is told as for
 * any hospital notification (municipality and GP at once). An admission that asks for a
 * report of admission becomes a task for the receiving municipality in those plans.
 */
export async function fileNotification(
  deps: NotificationFilingDeps,
  n: HospitalNotification,
  receiver: Organisation,
): Promise<{ ok: true; entryKey: string } | { ok: false; message: string }> {
  const entryKey = await chainedEntryKey(deps.store, n);
  const latest = await deps.store.results.latestResultVersion(MEDCOM_SOURCE, entryKey);
  const outcome = await deps.filing.file(MEDCOM_SOURCE, [notificationResult(n, entryKey, latest !== null)], true);
  if (!outcome.ok) return { ok: false, message: outcome.message };
  if (n.reportOfAdmission.requested && !n.correction && !n.cancellation && receiver.sector === 'municipality') {
    const hospital = n.sender.name ?? `SOR ${n.sender.sor}`;
    const today = new Date().toISOString().slice(0, 10);
    for (const planId of outcome.plans) {
      await deps.rooms.withRoom(planId, async (room) => {
        room.applyServerChange(
          (doc) =>
            sectionOf(doc, 'tasks').push([
              newEntry({
                id: randomUUID(),
                title: `Send indlæggelsesrapport til ${hospital}`.slice(0, 300),
                sector: 'municipality',
                assignee: receiver.name.slice(0, 100),
                due: today,
                status: 'planned',
              }),
            ]),
          { origin: 'server', author: null },
        );
        await room.flushed();
      });
    }
  }
  return { ok: true, entryKey };
}
