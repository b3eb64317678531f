import { z } from 'zod';
import { MEASUREMENTS, type MeasurementKind, measurementKindOf } from '../../shared/measurements.ts';
import { sectionOf } from '../../shared/plan-doc.ts';
import { MeasurementEntry } from '../../shared/plan.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import {
  buildHomeCareObservation,
  EVENT,
  type HomeCareObservationInput,
  MedcomBuildError,
  parseMedcomMessage,
} from '../medcom/index.ts';
import type { StoredMessage } from '../store/message-store.ts';
import type { Organisation, Patient, User } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import {
  CorrespondenceError,
  type OutboundState,
  outboundState,
  outboxRow,
  professionalRole,
} from './outbound-state.ts';

/**
 * "Send til egen læge" (issue 18): a home-care nurse sends chosen measurements of the plan to
 * the citizen's GP practice as an outbound MedCom HomeCareObservation (new-message), queued in
 * the outbox like a CareCommunication and marked by the practice's Acknowledgement the same way
 * ("sendt", "modtaget", "afvist: …").
 *
 * What MedCom's profiles require, and where CareHub takes it from:
 * - the sender (MedComProducerOrganization): the nurse's organisation, a municipality, with SOR
 *   and EAN, and a ProducentID; MedCom's ProducentID value set holds one code, `KAF`, which the
 *   builder writes;
 * - the receiver (MedComRequesterOrganization): the GP practice on the care team, with SOR, EAN
 *   and its ydernummer (`urn:oid:1.2.208.176.1.4`); the requesting doctor's initials are not
 *   known to CareHub, so the contact says data-absent-reason `unknown` (medcom-homecareObservation-4);
 * - the performer (medcom-homecareReport-1..3): the nurse's name, role and telephone number.
 * Nothing is queued unless the whole message could be built.
 */

export const NewHomeCareReport = z
  .object({
    /** Measurement entries of the plan to send (their ids); each at most once. */
    measurementIds: z
      .array(z.string().uuid())
      .min(1)
      .max(200)
      .refine((ids) => new Set(ids).size === ids.length, 'a measurement is named twice'),
    /** The GP practice on the care team; may be left out when the care team holds exactly one. */
    organisationId: z.string().uuid().optional(),
    /** The nurse's telephone number: MedCom requires a way to call the performer back. */
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 -]{3,30}$/),
    /** A few words to the doctor (DiagnosticReport.conclusion). */
    comment: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();
export type NewHomeCareReport = z.infer<typeof NewHomeCareReport>;

export interface ReportedMeasurement {
  kind: MeasurementKind | null;
  code: string;
  display: string | null;
  value: number | { systolic: number; diastolic: number } | string | null;
  unit: string | null;
  effective: string | null;
}

export interface HomeCareReportView {
  id: string;
  messageId: string;
  sentAt: string;
  receiver: { sor: string; name: string | null };
  measurements: ReportedMeasurement[];
  state: OutboundState;
  refusal: string | null;
}

type Observations = HomeCareObservationInput['observations'];

/** One measurement entry as an observation of MedCom's message (codes and units of shared/measurements.ts). */
function observationOf(entry: MeasurementEntry): Observations[number] {
  const kind = measurementKindOf(entry.code);
  if (!kind) throw new CorrespondenceError(400, `measurement ${entry.id}: not one MedCom's home-care codes name`);
  const def = MEASUREMENTS[kind];
  const code = {
    system: def.code.system,
    code: def.code.code,
    ...(def.code.display ? { display: def.code.display } : {}),
  };
  const v = entry.value;
  const value: Observations[number]['value'] =
    typeof v === 'number'
      ? { quantity: v, unit: entry.unit }
      : {
          components: (['systolic', 'diastolic'] as const).map((part) => {
            const c = def.components?.[part].code;
            if (!c) throw new CorrespondenceError(400, `measurement ${entry.id}: its value has parts its code has not`);
            return {
              code: { system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) },
              value: { quantity: v[part], unit: entry.unit },
            };
          }),
        };
  return { code, value, effectiveAt: new Date(entry.effective), ...(entry.comment ? { comment: entry.comment } : {}) };
}

export class HomeCareReports {
  constructor(
    private readonly deps: {
      store: Store;
      audit: AuditLog;
      rooms: PlanRooms;
      /** The patient's correspondence changed: told to the staff watching their plans. */
      changed: (patientId: string) => void;
    },
  ) {}

  /** The HomeCareObservations sent from the patient's plans, newest first, with the practice's answer. */
  async list(patient: Patient): Promise<HomeCareReportView[]> {
    const sent = (await this.deps.store.messages.listForPatient(patient.id, EVENT.homeCareObservation)).filter(
      (m) => m.direction === 'out',
    );
    return sent
      .map((m): HomeCareReportView | null => {
        const parsed = parseMedcomMessage(JSON.parse(m.body));
        if (parsed.kind !== 'home-care-observation') return null;
        return {
          id: m.id,
          messageId: m.messageId,
          sentAt: m.created,
          receiver: { sor: parsed.receiver.sor, name: parsed.receiver.name },
          measurements: parsed.observations.map((o) => {
            const kind = measurementKindOf(o.code);
            const v = o.value;
            let value: ReportedMeasurement['value'] = null;
            let unit: string | null = null;
            if (v?.type === 'quantity') [value, unit] = [v.value, v.ucum ?? v.unit];
            else if (v?.type === 'string') value = v.value;
            else if (v?.type === 'components') {
              const part = (i: number) => v.components[i]?.value;
              const [s, d] = [part(0), part(1)];
              if (s?.type === 'quantity' && d?.type === 'quantity')
                [value, unit] = [{ systolic: s.value, diastolic: d.value }, s.ucum ?? s.unit];
            }
            return { kind, code: o.code.code, display: o.code.display, value, unit, effective: o.effectiveAt };
          }),
          ...outboundState(m),
        };
      })
      .filter((r): r is HomeCareReportView => r !== null)
      .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  }

  /** Builds the message from the plan's measurements and queues it in the outbox; all or nothing. */
  async send(
    writer: { user: User; organisation: Organisation },
    patient: Patient,
    planId: string,
    input: NewHomeCareReport,
  ): Promise<StoredMessage> {
    const { store } = this.deps;
    const sender = writer.organisation;
    if (sender.sector !== 'municipality')
      throw new CorrespondenceError(403, 'measurements are sent to the GP by the municipality’s home care');
    if (!sender.sor || !sender.ean)
      throw new CorrespondenceError(409, 'your organisation has no SOR code and EAN number to write from');
    const practice = await this.practice(patient, input.organisationId);
    if (!practice.sor || !practice.ean || !practice.ydernummer)
      throw new CorrespondenceError(409, 'the GP practice has no SOR code, EAN number and ydernummer to address');

    const entries = await this.deps.rooms.withRoom(planId, async (room) =>
      sectionOf(room.doc, 'measurements')
        .toArray()
        .map((e) => MeasurementEntry.safeParse(e.toJSON()))
        .flatMap((r) => (r.success ? [r.data] : [])),
    );
    const byId = new Map(entries.map((e) => [e.id, e]));
    const chosen = input.measurementIds.map((id) => {
      const entry = byId.get(id);
      if (!entry) throw new CorrespondenceError(400, `no measurement ${id} in this plan`);
      if (entry.status === 'entered-in-error')
        throw new CorrespondenceError(400, `measurement ${id} is marked entered-in-error`);
      return entry;
    });

    const words = patient.name.trim().split(/\s+/);
    let built: ReturnType<typeof buildHomeCareObservation>;
    try {
      built = buildHomeCareObservation({
        sender: { name: sender.name, sor: sender.sor, ean: sender.ean },
        receiver: { name: practice.name, sor: practice.sor, ean: practice.ean, providerNumber: practice.ydernummer },
        patient: { cpr: patient.cpr, name: { family: words.at(-1) ?? patient.name, given: words.slice(0, -1) } },
        performer: { name: writer.user.name, role: professionalRole(writer.user.role), phone: input.phone },
        observations: chosen.map(observationOf),
        ...(input.comment ? { conclusion: input.comment } : {}),
      });
    } catch (err) {
      if (err instanceof MedcomBuildError) throw new CorrespondenceError(400, err.message);
      throw err;
    }
    const row = outboxRow({
      messageId: built.messageId,
      event: EVENT.homeCareObservation,
      activity: 'new-message',
      sender: { id: sender.id, sor: sender.sor },
      receiverSor: practice.sor,
      patientId: patient.id,
      bundle: built.bundle,
      entryKey: null,
    });
    await store.messages.recordMessages([row]);
    this.deps.audit.record({
      actorId: writer.user.id,
      action: 'message.send',
      patientId: patient.id,
      planId,
      outcome: 'allowed',
      details: {
        messageId: row.messageId,
        event: row.event,
        activity: row.activity,
        sender: row.senderSor,
        receiver: row.receiverSor,
        observations: chosen.length,
      },
    });
    this.deps.changed(patient.id);
    return row;
  }

  /** The GP practice on the patient's care team: the one named, or the only one there is. */
  private async practice(patient: Patient, organisationId: string | undefined): Promise<Organisation> {
    const { store } = this.deps;
    const team = await store.listCareTeam(patient.id);
    const ids = [...new Set(team.map((t) => t.organisationId).filter((id): id is string => !!id))];
    const practices = (await Promise.all(ids.map((id) => store.getOrganisation(id)))).filter(
      (o): o is Organisation => o?.sector === 'general_practice',
    );
    if (organisationId) {
      const named = practices.find((p) => p.id === organisationId);
      if (!named) throw new CorrespondenceError(400, 'that organisation is not a GP practice on the care team');
      return named;
    }
    if (practices.length === 0) throw new CorrespondenceError(409, 'no GP practice is on the care team');
    if (practices.length > 1) throw new CorrespondenceError(400, 'name the GP practice: the care team holds several');
    return practices[0] as Organisation;
  }
}
