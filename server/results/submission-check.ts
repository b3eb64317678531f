import { createHash, randomUUID } from 'node:crypto';
import { isCriticalFlag, type IncomingResult } from '../../shared/results.ts';
import type { Config } from '../config.ts';
import type { StoredResult } from '../store/result-store.ts';
import type { Store } from '../store/store.ts';
import type { Patient } from '../store/records.ts';

/** A submission refused whole: nothing of it is stored. */
export type FilingRefusal = { ok: false; status: 409 | 422; message: string };

/** A submission checked against what is stored: every result, and those to store (new versions). */
export interface CheckedSubmission {
  all: { stored: StoredResult; replay: boolean }[];
  fresh: StoredResult[];
}

export type ReleaseDelays = Pick<Config, 'resultReleaseDays' | 'resultReleaseDaysPathologyImaging'>;

const AMENDING = new Set(['amended', 'corrected', 'cancelled', 'entered-in-error']);
const DAY_MS = 86_400_000;

function payloadHash(r: IncomingResult): string {
  return createHash('sha256').update(JSON.stringify(r)).digest('hex');
}

/**
 * Checks a submission against what is stored: each result is a replay (the same content under
 * its identifier: answered as the first time), an amendment (a new version), a conflict (other
 * content without an amending status: the whole submission is refused) or new. Everything is
 * checked before anything is stored: a submission is filed whole or not at all.
 */
export async function checkSubmission(
  store: Store,
  delays: ReleaseDelays,
  system: string,
  incoming: IncomingResult[],
): Promise<FilingRefusal | CheckedSubmission> {
  const seen = new Set<string>();
  for (const r of incoming) {
    if (seen.has(r.identifier))
      return { ok: false, status: 422, message: `the identifier ${r.identifier} appears twice in one submission` };
    seen.add(r.identifier);
  }
  const patients = new Map<string, Patient>();
  for (const [i, r] of incoming.entries()) {
    const patient = patients.get(r.cpr) ?? (await store.getPatientByCpr(r.cpr));
    // The message names the position, never the CPR number (it may end up in a log).
    if (!patient)
      return { ok: false, status: 422, message: `result ${i + 1}: no patient is registered with this CPR number` };
    patients.set(r.cpr, patient);
  }
  const filed = new Date().toISOString();
  const fresh: StoredResult[] = [];
  const all: CheckedSubmission['all'] = [];
  for (const r of incoming) {
    const latest = await store.results.latestResultVersion(system, r.identifier);
    const hash = payloadHash(r);
    if (latest && latest.payloadHash === hash) {
      all.push({ stored: latest, replay: true });
      continue;
    }
    if (latest && !AMENDING.has(r.status)) {
      return {
        ok: false,
        status: 409,
        message: `${r.identifier} was filed before with other content; send it with status amended or corrected`,
      };
    }
    const patient = patients.get(r.cpr) as Patient;
    const plans = (await store.listPlansForPatient(patient.id)).filter((p) => p.status === 'active').map((p) => p.id);
    const special = r.category === 'pathology' || r.category === 'imaging';
    const delayDays =
      r.category === 'hospital-notification'
        ? 0
        : special
          ? delays.resultReleaseDaysPathologyImaging
          : delays.resultReleaseDays;
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
      critical: isCriticalFlag(r.interpretation),
      // An amendment is a value no clinician has seen yet: its delay counts from now, as for a
      // new result of its category, even when the first version was released (by its delay
      // or early by a clinician). Keeping the first version's time showed an amended critical
      // value to the citizen at once.
      releaseAt: new Date(Date.now() + delayDays * DAY_MS).toISOString(),
      plans,
    };
    fresh.push(stored);
    all.push({ stored, replay: false });
  }
  return { all, fresh };
}
