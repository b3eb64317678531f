import { z } from 'zod';
import { EncounterEvent } from './results.ts';
import { StaffRole } from './roles.ts';

/**
 * What a notification to the care team says, as a kind and its parameters: the browser words
 * it in the reader's language (client/src/i18n/notification-words.ts), so a server never
 * writes a sentence a reader of the other language gets. A string parameter that came from
 * free text (a reason, a lab's words) has had any CPR number taken out before it is stored.
 */

/** A result as a notification names it: the test (its code and the lab's name), value and unit. */
export const NotifiedResult = z.object({
  code: z.string(),
  display: z.string(),
  value: z.union([z.number(), z.string()]).optional(),
  /** UCUM code of the value's unit. */
  unit: z.string().optional(),
});
export type NotifiedResult = z.infer<typeof NotifiedResult>;

export const NotificationContent = z.discriminatedUnion('kind', [
  /** Ordinary results of one plan, filed together or gathered over a coalescing window. */
  z.object({
    kind: z.literal('result'),
    params: z.object({
      count: z.number().int().positive(),
      /** The tests' names, each once, at most four. */
      tests: z.array(z.string()).min(1).max(4),
      /** More tests were among them than `tests` names. */
      moreTests: z.boolean(),
    }),
  }),
  /** Critical results (HH, LL, AA) filed together: they need a clinician's acknowledgement. */
  z.object({ kind: z.literal('result-critical'), params: z.object({ results: z.array(NotifiedResult).min(1) }) }),
  /** A critical result nobody acknowledged in time (CRITICAL_ESCALATE_SECONDS). */
  z.object({ kind: z.literal('result-escalated'), params: NotifiedResult }),
  /** A hospital notification: the citizen was admitted, is on leave, back, or discharged. */
  z.object({
    kind: z.literal('encounter'),
    params: z.object({ event: EncounterEvent, /** Hospital and department. */ place: z.string() }),
  }),
  /** A MedCom CareCommunication to the reader's organisation: from whom, about what. */
  z.object({
    kind: z.literal('correspondence'),
    params: z.object({ from: z.string(), topic: z.string() }),
  }),
  /** Someone outside the care team opened the plan in an emergency. */
  z.object({
    kind: z.literal('break-glass'),
    params: z.object({ person: z.string(), organisation: z.string().nullable(), role: StaffRole, reason: z.string() }),
  }),
  /** Stored before notifications carried parameters (migration 006): the words the server wrote then. */
  z.object({ kind: z.literal('text'), params: z.object({ text: z.string() }) }),
]);
export type NotificationContent = z.infer<typeof NotificationContent>;
export type NotificationKind = NotificationContent['kind'];
export const NOTIFICATION_KINDS = NotificationContent.options.map((o) => o.shape.kind.value);

export const NotificationSeverity = z.enum(['info', 'warning', 'critical']);
export type NotificationSeverity = z.infer<typeof NotificationSeverity>;

/** The patient a notification is about, as the reader sees them elsewhere: name and CPR number. */
export const NotifiedPatient = z.object({ id: z.string(), name: z.string(), cpr: z.string() });
export type NotifiedPatient = z.infer<typeof NotifiedPatient>;

/** The `notification` event to a staff member's sessions, and what GET /notifications lists. */
export type Notification = {
  /** Stored notifications carry an id: mark them seen with POST /api/v1/notifications/seen. */
  id?: string;
  planId: string;
  /** Who it is about (looked up when sent or listed, never stored in the notification). */
  patient?: NotifiedPatient;
  severity: NotificationSeverity;
} & NotificationContent;

/**
 * A notification as it reaches the browser, checked field by field: a kind this client does not
 * know (a newer server) still arrives, to be shown in general words, rather than be dropped.
 */
export const ReceivedNotification = z.object({
  id: z.string().optional(),
  planId: z.string(),
  patient: NotifiedPatient.optional().catch(undefined),
  severity: NotificationSeverity.catch('info'),
  kind: z.string(),
  params: z.unknown(),
});

/**
 * `notification:resolved`: these notifications no longer ask anything of the reader (the
 * critical results they named were acknowledged, by anyone): they leave every device's bell.
 */
export const ResolvedNotifications = z.object({ ids: z.array(z.string()).max(500) });
export type ResolvedNotifications = z.infer<typeof ResolvedNotifications>;
