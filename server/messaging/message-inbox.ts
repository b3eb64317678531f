import type { InboxItem, InboxPlanStarted } from '../../shared/api.ts';
import { setPlanMeta } from '../../shared/plan-doc.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Principal } from '../auth/access.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import {
  type CareCommunication,
  type HomeCareObservation,
  type HospitalNotification,
  parseMedcomMessage,
} from '../medcom/index.ts';
import type { CareTeamNotifier } from '../results/care-team-notifier.ts';
import { tellCorrespondence } from './correspondence.ts';
import type { ResultFiling } from '../results/result-filing.ts';
import type { StoredMessage } from '../store/message-store.ts';
import type { Store } from '../store/store.ts';
import { fileNotification } from './file-notification.ts';
import { fileObservations } from './home-care-observations.ts';
import { placeOf } from './hospital-notifications.ts';

export interface MessageInboxDeps {
  store: Store;
  filing: ResultFiling;
  audit: AuditLog;
  rooms: PlanRooms;
  notifier: CareTeamNotifier;
}

/** "Given Family" from the message's Patient. */
type Waiting = HospitalNotification | CareCommunication | HomeCareObservation;

const nameOf = (n: Waiting): string =>
  n.patient.name ? [...n.patient.name.given, n.patient.name.family].filter(Boolean).join(' ') : '';

const messageOf = (m: StoredMessage): Waiting | null => {
  const parsed = parseMedcomMessage(JSON.parse(m.body));
  return parsed.kind === 'hospital-notification' ||
    parsed.kind === 'care-communication' ||
    parsed.kind === 'home-care-observation'
    ? parsed
    : null;
};

/**
 * The receiving organisation's inbox: hospital notifications, care communications and home-care
 * observations (measurements) about a patient who has no plan
 * with the organisation (or whom CareHub does not know). A nurse starts a plan from one: the
 * patient is registered from the message's Patient when unknown, the organisation joins the
 * care team, a plan is made, and every waiting notification about that patient moves into it.
 */
export class MessageInbox {
  constructor(private readonly deps: MessageInboxDeps) {}

  async list(principal: Principal): Promise<InboxItem[]> {
    const organisationId = principal.user.organisationId as string;
    const items: InboxItem[] = [];
    for (const m of await this.deps.store.messages.listInbox(organisationId)) {
      const n = messageOf(m);
      if (!n) continue;
      const patient = await this.deps.store.getPatientByCpr(n.patient.cpr);
      const hn = n.kind === 'hospital-notification';
      const hco = n.kind === 'home-care-observation';
      items.push({
        id: m.id,
        messageId: m.messageId,
        received: m.created,
        code: hn ? n.code : hco ? 'HomeCareObservation' : 'CareCommunication',
        activity: n.activity,
        at: hn
          ? (n.encounter.leavePeriod?.start ?? n.encounter.period.end ?? n.encounter.period.start)
          : hco
            ? (n.observations[0]?.effectiveAt ?? n.sentAt)
            : n.sentAt,
        place: hn ? placeOf(n) : (n.sender.name ?? `SOR ${n.sender.sor}`),
        patientName: patient?.name ?? (nameOf(n) || '–'),
        knownPatient: patient !== null,
      });
    }
    this.deps.audit.record({
      actorId: principal.user.id,
      action: 'message.inbox.read',
      outcome: 'allowed',
      details: { organisationId, messages: items.length },
    });
    return items;
  }

  /** Null when the message is not waiting in the caller's organisation's inbox. */
  async startPlan(principal: Principal, id: string): Promise<InboxPlanStarted | null> {
    const { store } = this.deps;
    const organisationId = principal.user.organisationId as string;
    const message = await store.messages.getMessage(id);
    if (message?.status !== 'inbox' || message.organisationId !== organisationId) return null;
    const n = messageOf(message);
    if (!n) return null;
    const patient =
      (await store.getPatientByCpr(n.patient.cpr)) ??
      (await store.createPatient({ cpr: n.patient.cpr, name: nameOf(n) || 'Ukendt navn' }));
    const team = await store.listCareTeam(patient.id);
    if (!team.some((t) => t.organisationId === organisationId))
      await store.addCareTeamMember({
        patientId: patient.id,
        organisationId,
        userId: null,
        addedBy: principal.user.id,
      });
    let plan = (await store.listPlansForPatient(patient.id)).find((p) => p.status === 'active');
    if (!plan) {
      const title = 'Forløbsplan';
      plan = await store.createPlan({ patientId: patient.id, title, status: 'active' });
      await this.deps.rooms.withRoom(plan.id, async (room) => {
        room.applyServerChange((doc) => setPlanMeta(doc, { title, status: 'active', conditions: [] }), {
          origin: 'server',
          author: principal.user.id,
        });
        await room.flushed();
      });
    }
    const receiver = await store.getOrganisation(organisationId);
    if (!receiver) return null;
    // Every notification about this patient waiting in the inbox moves into the plan, oldest first.
    let filed = 0;
    for (const waiting of await store.messages.listInbox(organisationId)) {
      const w = messageOf(waiting);
      if (!w || w.patient.cpr !== n.patient.cpr) continue;
      if (w.kind === 'care-communication') {
        if (await store.messages.fileFromInbox(waiting.id, { patientId: patient.id, entryKey: w.communicationId })) {
          filed++;
          await tellCorrespondence(this.deps, w, receiver, patient.id);
        }
        continue;
      }
      if (w.kind === 'home-care-observation') {
        const outcome = await fileObservations(this.deps, w, receiver, patient);
        if (
          outcome.ok &&
          (await store.messages.fileFromInbox(waiting.id, { patientId: patient.id, entryKey: outcome.entryKey }))
        )
          filed++;
        continue;
      }
      const outcome = await fileNotification(this.deps, w, receiver);
      if (!outcome.ok) continue;
      if (await store.messages.fileFromInbox(waiting.id, { patientId: patient.id, entryKey: outcome.entryKey }))
        filed++;
    }
    this.deps.audit.record({
      actorId: principal.user.id,
      action: 'message.inbox.plan',
      patientId: patient.id,
      planId: plan.id,
      outcome: 'allowed',
      details: { messageId: message.messageId, filed },
    });
    return { patientId: patient.id, planId: plan.id, filed };
  }
}
