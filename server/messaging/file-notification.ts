import type { HospitalNotification } from '../medcom/index.ts';
import type { ResultFiling } from '../results/result-filing.ts';
import type { Store } from '../store/store.ts';
import { chainedEntryKey, MEDCOM_SOURCE, notificationResult } from './hospital-notifications.ts';

/**
 * Files a HospitalNotification into the active plans of its patient (the patient exists): a new
 * entry, or a new version of the entry it corrects or cancels. The care team is told as for
 * any hospital notification (municipality and GP at once).
 */
export async function fileNotification(
  deps: { store: Store; filing: ResultFiling },
  n: HospitalNotification,
): Promise<{ ok: true; entryKey: string } | { ok: false; message: string }> {
  const entryKey = await chainedEntryKey(deps.store, n);
  const latest = await deps.store.results.latestResultVersion(MEDCOM_SOURCE, entryKey);
  const outcome = await deps.filing.file(MEDCOM_SOURCE, [notificationResult(n, entryKey, latest !== null)], true);
  return outcome.ok ? { ok: true, entryKey } : { ok: false, message: outcome.message };
}
