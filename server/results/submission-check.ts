import { createHash, randomUUID } from 'node:crypto';
import { isCriticalFlag, type IncomingResult } from '../../shared/results.ts';
import type { Config } from '../config.ts';
import type { HeldResult, StoredResult } from '../store/result-store.ts';
import type { Store } from '../store/store.ts';
import type { Patient } from '../store/records.ts';

/** A submission refused whole: nothing of it is stored. */
export type FilingRefusal = { ok: false; status: 409 | 422; message: string };

/**
 * A submission checked against what is stored: every result of a registered patient, and those
 * to store (new versions); the held ones (no patient registered with the CPR number) and those
 * of them to store; and the answer for each result, in the submission's order.
 */
export interface CheckedSubmission {
  all: { stored: StoredResult; replay: boolean }[];
  fresh: StoredResult[];
  freshHeld: HeldResult[];
  answers: { id: string; identifier: string; replay: boolean }[];
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
  // A CPR number no patient is registered with is answered like any other (fix-b, finding 1):
  // refusing it ("unknown patient") told any key holder who is registered in CareHub. Such a
  // result is held, unmatched, in no plan (held_results), with the same replay and conflict
  // rules, so that not even a second submission tells the two apart.
  const patients = new Map<string, Patient | null>();
  for (const r of incoming) if (!patients.has(r.cpr)) patients.set(r.cpr, await store.getPatientByCpr(r.cpr));
  const filed = new Date().toISOString();
  const fresh: StoredResult[] = [];
  const freshHeld: HeldResult[] = [];
  const all: CheckedSubmission['all'] = [];
  const answers: CheckedSubmission['answers'] = [];
  const conflict = (identifier: string): FilingRefusal => ({
    ok: false,
    status: 409,
    message: `${identifier} was filed before with other content; send it with status amended or corrected`,
  });
  for (const r of incoming) {
    const hash = payloadHash(r);
    const patient = patients.get(r.cpr);
    if (!patient) {
      const held = await store.results.latestHeldResult(system, r.identifier);
      if (held && held.payloadHash === hash) {
        answers.push({ id: held.heldId, identifier: r.identifier, replay: true });
        continue;
      }
      if (held && !AMENDING.has(r.status)) return conflict(r.identifier);
      const row: HeldResult = {
        id: randomUUID(),
        heldId: held?.heldId ?? randomUUID(),
        sourceSystem: system,
        identifier: r.identifier,
        version: (held?.version ?? 0) + 1,
        payloadHash: hash,
        result: r,
        received: filed,
      };
      freshHeld.push(row);
      answers.push({ id: row.heldId, identifier: r.identifier, replay: false });
      continue;
    }
    const latest = await store.results.latestResultVersion(system, r.identifier);
    if (latest && latest.payloadHash === hash) {
      all.push({ stored: latest, replay: true });
      answers.push({ id: latest.resultId, identifier: r.identifier, replay: true });
      continue;
    }
    if (latest && !AMENDING.has(r.status)) return conflict(r.identifier);
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
    answers.push({ id: stored.resultId, identifier: r.identifier, replay: false });
  }
  return { all, fresh, freshHeld, answers };
}
