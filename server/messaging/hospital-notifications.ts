import { ENCOUNTER_SYSTEM, type EncounterEvent, type IncomingResult } from '../../shared/results.ts';
import type { HospitalNotification } from '../medcom/index.ts';
import type { Organisation, Patient } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/**
 * A MedCom HospitalNotification as the plan keeps it: one encounter entry per step of a stay
 * (admission, start of leave, end of leave, discharge, death), filed through the result filing
 * (a hospital notification as POST /encounters files one) under the source system `medcom`
 * and an identifier made of the stay's episode-of-care key and the step. A correction (RE_*)
 * files a new version of the entry it corrects, a cancellation (AN_*) one marked
 * entered-in-error (the plan strikes it through and keeps it). The entry corrected is the one
 * the Provenance chain names when CareHub has that message, else the stay's step: never a
 * resource id, which MedCom mints afresh in every message.
 */
export const MEDCOM_SOURCE = 'medcom';

type Step = 'admission' | 'leave-start' | 'leave-end' | 'discharge' | 'death';

function stepOf(n: HospitalNotification): Step {
  if (n.patient.deceased && !n.cancellation) return 'death';
  const a = n.activity.replace(/^(revise|cancel)-/, '');
  if (a.startsWith('admit-')) return 'admission';
  if (a.startsWith('start-leave')) return 'leave-start';
  if (a.startsWith('end-leave')) return 'leave-end';
  return 'discharge';
}

const WHEN: Record<Step, (n: HospitalNotification) => string | null> = {
  admission: (n) => n.encounter.period.start,
  'leave-start': (n) => n.encounter.leavePeriod?.start ?? null,
  'leave-end': (n) => n.encounter.leavePeriod?.end ?? null,
  discharge: (n) => n.encounter.period.end,
  death: (n) => n.patient.deceasedAt ?? n.encounter.period.end,
};

/** The key of the entry a notification is about, before any chain lookup. */
export function entryKeyOf(n: HospitalNotification): string {
  return `${n.episodeOfCare.key}|${stepOf(n)}`;
}

/** Where the stay is: the service provider (a ward) by name, else the sending hospital. */
export function placeOf(n: HospitalNotification): string {
  const ward = n.encounter.serviceProvider?.name;
  const hospital = n.sender.name ?? `SOR ${n.sender.sor}`;
  return ward && ward !== hospital ? `${hospital}, ${ward}` : hospital;
}

/** The notification as the result it is filed as; `amends` when an earlier version of its entry is stored. */
export function notificationResult(n: HospitalNotification, entryKey: string, amends: boolean): IncomingResult {
  const step = stepOf(n);
  const event: EncounterEvent = n.cancellation ? 'cancelled' : step;
  const when = WHEN[step](n) ?? n.activityAt ?? n.encounter.period.start;
  const at = new Date(when);
  return {
    identifier: entryKey,
    cpr: n.patient.cpr,
    kind: 'notification',
    category: 'hospital-notification',
    // A cancellation keeps the step it cancels as its code: the entry stays what it was, struck through.
    code: { system: ENCOUNTER_SYSTEM, code: n.cancellation ? step : event, display: n.code },
    effective: Number.isNaN(at.getTime()) ? undefined : at.toISOString(),
    status: n.cancellation ? 'entered-in-error' : amends ? 'corrected' : 'final',
    text: placeOf(n),
    encounter: {
      code: n.code,
      status: n.encounter.status,
      class: n.encounter.class,
      periodStart: n.encounter.period.start,
      periodEnd: n.encounter.period.end,
      leaveStart: n.encounter.leavePeriod?.start ?? null,
      leaveEnd: n.encounter.leavePeriod?.end ?? null,
      serviceProvider: n.encounter.serviceProvider
        ? { name: n.encounter.serviceProvider.name, sor: n.encounter.serviceProvider.sor }
        : null,
      episodeOfCare: `${n.episodeOfCare.system}|${n.episodeOfCare.value}`,
      deceased: n.patient.deceased,
    },
  };
}

/**
 * Where a notification goes: the patient (by CPR) has an active plan and the receiving
 * organisation is on the care team → file it; otherwise the organisation's inbox.
 */
export async function destinationOf(
  store: Store,
  n: { patient: { cpr: string } },
  receiver: Organisation,
): Promise<{ kind: 'plan'; patient: Patient } | { kind: 'inbox'; patient: Patient | null }> {
  const patient = await store.getPatientByCpr(n.patient.cpr);
  if (!patient) return { kind: 'inbox', patient: null };
  const team = await store.listCareTeam(patient.id);
  if (!team.some((m) => m.organisationId === receiver.id)) return { kind: 'inbox', patient };
  const plans = await store.listPlansForPatient(patient.id);
  return plans.some((p) => p.status === 'active') ? { kind: 'plan', patient } : { kind: 'inbox', patient };
}

/** The entry a notification corrects or cancels: the one its previous message became, when CareHub has it. */
export async function chainedEntryKey(store: Store, n: HospitalNotification): Promise<string> {
  // Every message of a stay points at the one before it; only a correction or a cancellation is about that one's entry.
  if ((n.correction || n.cancellation) && n.previous?.kind === 'fhir') {
    const earlier = await store.messages.getIncoming(n.previous.messageId);
    if (earlier?.entryKey) return earlier.entryKey;
  }
  return entryKeyOf(n);
}
