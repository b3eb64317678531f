import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.ts';
import {
  buildCareCommunication,
  CARE_COMMUNICATION_CATEGORIES,
  type CareCommunication,
  earlierPayloads,
  EVENT,
  MedcomBuildError,
  parseMedcomMessage,
} from '../medcom/index.ts';
import type { CareTeamNotifier } from '../results/care-team-notifier.ts';
import type { StoredMessage } from '../store/message-store.ts';
import type { Organisation, Patient, User } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { CorrespondenceError, type OutboundState, outboundState, outboxRow } from './outbound-state.ts';

export { CorrespondenceError } from './outbound-state.ts';

/**
 * CareCommunication in the plan (issue 18): the correspondence between the sectors about a
 * patient, threaded by the Communication identifier MedCom keeps through replies. Incoming
 * messages are kept as received (POST /messages stores them); the thread shows each message's
 * new segments (a reply repeats the thread so far), its sender and author, and for CareHub's own
 * messages the receiver's acknowledgement: sent, received, or refused with why.
 */

const categories = Object.keys(CARE_COMMUNICATION_CATEGORIES) as [string, ...string[]];

export const NewCorrespondence = z
  .object({
    /** A message of the thread to answer (its id in GET …/correspondence), or none: a new message. */
    replyTo: z.string().uuid().optional(),
    /** The organisation on the care team a new message goes to. */
    organisationId: z.string().uuid().optional(),
    topic: z.string().trim().min(1).max(60).optional(),
    category: z.enum(categories).default('other'),
    text: z.string().trim().min(1).max(20_000),
    /** The author's telephone number (MedCom requires a way to call back). */
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 -]{3,30}$/),
  })
  .strict()
  .refine((b) => (b.replyTo === undefined) !== (b.organisationId === undefined), {
    message: 'either replyTo (a reply) or organisationId (a new message)',
  });
export type NewCorrespondence = z.infer<typeof NewCorrespondence>;

export interface CorrespondenceSegment {
  text: string | null;
  attachment: {
    index: number;
    title: string;
    contentType: string | null;
    size: number | null;
    url: string | null;
    /** Its content came with the message: GET …/attachments/:index serves it. */
    stored: boolean;
  } | null;
  writtenAt: string | null;
  author: string | null;
  role: string | null;
}

export interface CorrespondenceMessage {
  id: string;
  direction: 'in' | 'out';
  messageId: string;
  activity: string | null;
  sentAt: string;
  sender: { sor: string; name: string | null };
  receiver: { sor: string; name: string | null };
  segments: CorrespondenceSegment[];
  /** Ours: `sent` (waiting or collected), `received` (ok acknowledgement), `refused` (with why). */
  state: OutboundState;
  refusal: string | null;
}

export interface Recipient {
  id: string;
  name: string;
  sector: Organisation['sector'];
  sor: string | null;
  /** Has a SOR code and an EAN number: a CareCommunication can be addressed to it. */
  careCommunication: boolean;
  /** A GP practice with SOR, EAN and ydernummer: measurements can be sent to it (HomeCareObservation). */
  homeCareObservation: boolean;
}

export interface CorrespondenceThread {
  communicationId: string;
  topic: string | null;
  category: string;
  priority: string | null;
  messages: CorrespondenceMessage[];
}

const careCommunicationOf = (m: StoredMessage): CareCommunication | null => {
  const parsed = parseMedcomMessage(JSON.parse(m.body));
  return parsed.kind === 'care-communication' ? parsed : null;
};

export class Correspondence {
  constructor(
    private readonly deps: {
      store: Store;
      audit: AuditLog;
      /** The patient's correspondence changed: told to the staff watching their plans. */
      changed: (patientId: string) => void;
    },
  ) {}

  /** The patient's threads, newest activity first. */
  async threads(patient: Patient): Promise<CorrespondenceThread[]> {
    const threads = new Map<string, CorrespondenceThread>();
    for (const m of await this.deps.store.messages.listForPatient(patient.id, EVENT.careCommunication)) {
      if (m.direction === 'in' && m.status !== 'filed') continue;
      const cc = careCommunicationOf(m);
      if (!cc) continue;
      const own = m.direction === 'out';
      const segments = cc.payloads
        .map((p, index) => ({ p, index }))
        .filter(({ p }) => p.isNew || own)
        .map(
          ({ p, index }): CorrespondenceSegment => ({
            text: p.content.type === 'text' ? p.content.text : null,
            attachment:
              p.content.type === 'attachment'
                ? {
                    index,
                    title: p.content.title,
                    contentType: p.content.contentType,
                    size: p.content.size,
                    url: p.content.url,
                    stored: p.content.data !== null,
                  }
                : null,
            writtenAt: p.writtenAt,
            author: p.author?.name?.text ?? null,
            role: p.author?.role ?? null,
          }),
        );
      const thread = threads.get(cc.communicationId) ?? {
        communicationId: cc.communicationId,
        topic: cc.topic,
        category: cc.category.code,
        priority: cc.priority,
        messages: [],
      };
      thread.messages.push({
        id: m.id,
        direction: m.direction,
        messageId: m.messageId,
        activity: cc.activity,
        sentAt: cc.sentAt ?? m.created,
        sender: { sor: cc.sender.sor, name: cc.sender.name },
        receiver: { sor: cc.receiver.sor, name: cc.receiver.name },
        segments,
        ...outboundState(m),
      });
      threads.set(cc.communicationId, thread);
    }
    const last = (t: CorrespondenceThread) => t.messages.at(-1)?.sentAt ?? '';
    for (const t of threads.values()) t.messages.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
    return [...threads.values()].sort((a, b) => last(b).localeCompare(last(a)));
  }

  /**
   * The other organisations on the patient's care team a message can go to: a CareCommunication
   * to those with a SOR code and an EAN number, "Send til egen læge" to a GP practice that also
   * has its ydernummer. Those without are listed too, so the form can say why not.
   */
  async recipients(patient: Patient, own: Organisation): Promise<Recipient[]> {
    const { store } = this.deps;
    const ids = new Set(
      (await store.listCareTeam(patient.id)).map((t) => t.organisationId).filter((id): id is string => !!id),
    );
    ids.delete(own.id);
    const orgs = (await Promise.all([...ids].map((id) => store.getOrganisation(id)))).filter(
      (o): o is Organisation => o !== null,
    );
    return orgs
      .map((o) => ({
        id: o.id,
        name: o.name,
        sector: o.sector,
        sor: o.sor,
        careCommunication: !!(o.sor && o.ean),
        homeCareObservation: !!(o.sector === 'general_practice' && o.sor && o.ean && o.ydernummer),
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'da'));
  }

  /** One attachment of a message about the patient: its bytes and type; null when there is none. */
  async attachment(
    patient: Patient,
    id: string,
    index: number,
  ): Promise<{ data: Buffer; contentType: string; title: string } | null> {
    const m = await this.deps.store.messages.getMessage(id);
    if (!m || m.patientId !== patient.id) return null;
    const cc = careCommunicationOf(m);
    const content = cc?.payloads[index]?.content;
    if (content?.type !== 'attachment' || !content.data) return null;
    return {
      data: Buffer.from(content.data, 'base64'),
      contentType: content.contentType ?? 'application/octet-stream',
      title: content.title,
    };
  }

  /**
   * A reply in a thread, or a new message to an organisation on the care team: an outbound
   * CareCommunication from the writer's organisation, queued in the outbox. Both organisations
   * need a SOR code and an EAN number.
   */
  async send(
    writer: { user: User; organisation: Organisation },
    patient: Patient,
    input: NewCorrespondence,
  ): Promise<StoredMessage> {
    const { store } = this.deps;
    const sender = writer.organisation;
    if (!sender.sor || !sender.ean)
      throw new CorrespondenceError(409, 'your organisation has no SOR code and EAN number to write from');
    let receiver: { name: string; sor: string; ean: string };
    let replyTo: Parameters<typeof buildCareCommunication>[0]['replyTo'];
    let topic = input.topic;
    let category = input.category;
    if (input.replyTo) {
      const earlier = await store.messages.getMessage(input.replyTo);
      const cc = earlier && earlier.patientId === patient.id ? careCommunicationOf(earlier) : null;
      if (!earlier || !cc) throw new CorrespondenceError(404, 'no such message in this plan');
      const other = earlier.direction === 'in' ? cc.sender : cc.receiver;
      if (!other.ean) throw new CorrespondenceError(409, 'the other organisation sent no EAN number to answer to');
      receiver = { name: other.name ?? `SOR ${other.sor}`, sor: other.sor, ean: other.ean };
      replyTo = {
        messageId: cc.messageId,
        communicationId: cc.communicationId,
        earlierPayloads: earlierPayloads(cc.payloads),
      };
      topic = cc.topic ?? topic;
      category = cc.category.code;
    } else {
      const team = await store.listCareTeam(patient.id);
      const org = team.some((t) => t.organisationId === input.organisationId)
        ? await store.getOrganisation(input.organisationId as string)
        : null;
      if (!org) throw new CorrespondenceError(400, 'the organisation is not on the care team');
      if (!org.sor || !org.ean) throw new CorrespondenceError(409, 'that organisation has no SOR code and EAN number');
      receiver = { name: org.name, sor: org.sor, ean: org.ean };
    }
    const words = patient.name.trim().split(/\s+/);
    let built: ReturnType<typeof buildCareCommunication>;
    try {
      built = buildCareCommunication({
        sender: { name: sender.name, sor: sender.sor, ean: sender.ean },
        receiver,
        patient: { cpr: patient.cpr, name: { family: words.at(-1) ?? patient.name, given: words.slice(0, -1) } },
        category: category as never,
        ...(topic ? { topic } : {}),
        text: input.text,
        author: { name: writer.user.name, role: writer.user.role.replaceAll('_', ' '), phone: input.phone },
        ...(replyTo ? { replyTo } : {}),
      });
    } catch (err) {
      if (err instanceof MedcomBuildError) throw new CorrespondenceError(400, err.message);
      throw err;
    }
    const row = outboxRow({
      messageId: built.messageId,
      event: EVENT.careCommunication,
      activity: replyTo ? 'reply-message' : 'new-message',
      sender: { id: sender.id, sor: sender.sor },
      receiverSor: receiver.sor,
      patientId: patient.id,
      bundle: built.bundle,
      entryKey: built.communicationId,
    });
    await store.messages.recordMessages([row]);
    this.deps.audit.record({
      actorId: writer.user.id,
      action: 'message.send',
      patientId: patient.id,
      outcome: 'allowed',
      details: {
        messageId: row.messageId,
        event: row.event,
        activity: row.activity,
        sender: row.senderSor,
        receiver: row.receiverSor,
      },
    });
    this.deps.changed(patient.id);
    return row;
  }
}

/** The addressed organisation's staff on the care team hear of a new CareCommunication. */
export async function tellCorrespondence(
  deps: { store: Store; notifier: CareTeamNotifier },
  cc: CareCommunication,
  receiver: Organisation,
  patientId: string,
): Promise<void> {
  const plan = (await deps.store.listPlansForPatient(patientId)).find((p) => p.status === 'active');
  if (!plan) return;
  await deps.notifier.notify(
    patientId,
    {
      planId: plan.id,
      severity: cc.priority === 'asap' ? 'warning' : 'info',
      kind: 'correspondence',
      params: {
        from: cc.sender.name ?? `SOR ${cc.sender.sor}`,
        topic: cc.topic ?? cc.category.display ?? cc.category.code,
      },
    },
    { sectors: [receiver.sector] },
  );
}
