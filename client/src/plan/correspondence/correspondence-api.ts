import { z } from 'zod';
import { call } from '../../api.ts';

/** The plan's MedCom correspondence as GET /correspondence/:planId/… answers it (server/messaging). */

const State = z.enum(['sent', 'received', 'refused']).nullable();

const Segment = z.object({
  text: z.string().nullable(),
  attachment: z
    .object({ index: z.number(), title: z.string(), url: z.string().nullable(), stored: z.boolean() })
    .nullable(),
  writtenAt: z.string().nullable(),
  author: z.string().nullable(),
  role: z.string().nullable(),
});
export const Message = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out']),
  sentAt: z.string(),
  sender: z.object({ sor: z.string(), name: z.string().nullable() }),
  segments: z.array(Segment),
  state: State,
  refusal: z.string().nullable(),
});
export const Thread = z.object({
  communicationId: z.string(),
  topic: z.string().nullable(),
  category: z.string(),
  priority: z.string().nullable(),
  messages: z.array(Message),
});
export type Thread = z.infer<typeof Thread>;
export type Message = z.infer<typeof Message>;

export const Recipient = z.object({
  id: z.string(),
  name: z.string(),
  sector: z.string(),
  sor: z.string().nullable(),
  careCommunication: z.boolean(),
  homeCareObservation: z.boolean(),
});
export type Recipient = z.infer<typeof Recipient>;

const Measured = z
  .union([z.number(), z.object({ systolic: z.number(), diastolic: z.number() }), z.string()])
  .nullable();
export const HomeCareReport = z.object({
  id: z.string(),
  messageId: z.string(),
  sentAt: z.string(),
  receiver: z.object({ sor: z.string(), name: z.string().nullable() }),
  measurements: z.array(
    z.object({
      kind: z.string().nullable(),
      code: z.string(),
      display: z.string().nullable(),
      value: Measured,
      unit: z.string().nullable(),
      effective: z.string().nullable(),
    }),
  ),
  state: State,
  refusal: z.string().nullable(),
});
export type HomeCareReport = z.infer<typeof HomeCareReport>;

/** MedCom's CareCommunication categories (medcom-careCommunication-categories; the server checks them). */
export const CATEGORIES = [
  'other',
  'carecoordination',
  'nursing',
  'medicine',
  'examination-results',
  'discharge',
  'healthcare',
  'home-care-assessment',
  'assistive-devices',
  'training',
  'telemedicine',
  'outpatient',
  'acute-ambulant',
  'regarding-referral',
  'extended-care-responsibility',
  'psychiatry-social-disability',
  'alcohol-and-drug-treatment',
  'decease',
] as const;

const base = (planId: string) => `/correspondence/${encodeURIComponent(planId)}`;
const Sent = z.object({ id: z.string(), messageId: z.string() });

export interface Correspondence {
  threads: Thread[];
  reports: HomeCareReport[];
  recipients: Recipient[];
}

export async function loadCorrespondence(token: string, planId: string, signal?: AbortSignal): Promise<Correspondence> {
  const [threads, reports, recipients] = await Promise.all([
    call(base(planId), z.array(Thread), { token, signal }),
    call(`${base(planId)}/home-care-reports`, z.array(HomeCareReport), { token, signal }),
    call(`${base(planId)}/recipients`, z.array(Recipient), { token, signal }),
  ]);
  return { threads, reports, recipients };
}

export function sendCareCommunication(
  token: string,
  planId: string,
  body: { replyTo: string } | { organisationId: string; topic?: string; category: string },
  text: string,
  phone: string,
) {
  return call(base(planId), Sent, { method: 'POST', token, body: { ...body, text, phone } });
}

export function sendToGp(
  token: string,
  planId: string,
  body: { measurementIds: string[]; organisationId: string; phone: string; comment?: string },
) {
  return call(`${base(planId)}/home-care-reports`, Sent, { method: 'POST', token, body });
}
