import { z } from 'zod';
import { containsCprNumber } from './cpr-in-text.ts';
import { PatientSignals } from './overview.ts';
import { Role, Sector } from './roles.ts';

/** REST request and response shapes under /api/v1 (docs/ARCHITECTURE.md, "Interfaces"). */
export const API_PREFIX = '/api/v1';

/**
 * A stated reason that is kept in the audit trail (and may be told to a care team): a
 * sentence, and never a CPR number, however its digits are spaced (shared/cpr-in-text.ts).
 */
export const RecordedReason = z
  .string()
  .trim()
  .min(10, 'state the reason in a sentence')
  .max(500)
  .refine((r) => !containsCprNumber(r), 'the reason must not contain a CPR number (nor ten digits that could be one)');

export const LoginRequest = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const OrganisationRef = z.object({ id: z.string(), name: z.string(), sector: Sector });
export type OrganisationRef = z.infer<typeof OrganisationRef>;

export const UserView = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: Role,
  organisation: OrganisationRef.nullable(),
  /** For a citizen: the patient record that is theirs. */
  patientId: z.string().nullable(),
});
export type UserView = z.infer<typeof UserView>;

export const LoginResponse = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: UserView,
  /** Signed in through an identity provider that offers logout: where signing out sends the browser (shared/sign-in.ts). */
  endSessionUrl: z.string().url().optional(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const PlanStatus = z.enum(['draft', 'active', 'completed', 'revoked']);
export type PlanStatus = z.infer<typeof PlanStatus>;

export const PlanSummary = z.object({ id: z.string(), title: z.string(), status: PlanStatus });
export type PlanSummary = z.infer<typeof PlanSummary>;

export const PatientView = z.object({
  id: z.string(),
  cpr: z.string(),
  name: z.string(),
  plans: z.array(PlanSummary),
  /** For staff: what needs them about this patient, counted as on their Overblik (shared/overview.ts). */
  signals: PatientSignals.optional(),
});
export type PatientView = z.infer<typeof PatientView>;

export const CreatePatientRequest = z.object({
  cpr: z.string().min(1).max(20),
  name: z.string().trim().min(1).max(200),
});

export const CreatePlanRequest = z.object({
  patientId: z.string().uuid(),
  title: z.string().trim().min(1).max(300),
});

export const PlanView = z.object({
  id: z.string(),
  patientId: z.string(),
  patientName: z.string(),
  title: z.string(),
  status: PlanStatus,
  created: z.string(),
});
export type PlanView = z.infer<typeof PlanView>;

export const CareTeamMember = z.object({
  id: z.string(),
  organisation: OrganisationRef.nullable(),
  user: z.object({ id: z.string(), name: z.string(), role: Role }).nullable(),
  added: z.string(),
});
export type CareTeamMember = z.infer<typeof CareTeamMember>;

export const AddCareTeamMemberRequest = z
  .object({ organisationId: z.string().uuid().optional(), userId: z.string().uuid().optional() })
  .refine((v) => (v.organisationId ? 1 : 0) + (v.userId ? 1 : 0) === 1, {
    message: 'give exactly one of organisationId or userId',
  });

export const PatientsQuery = z.object({ query: z.string().max(100).optional() });

/** Someone who may appear in a plan (care-team staff, the citizen): to show names for user ids. */
export const PlanPerson = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  organisation: z.string().nullable(),
  sector: Sector.nullable(),
});
export type PlanPerson = z.infer<typeof PlanPerson>;

/** One entry of `GET /plans/:id/history`: one stored update. */
export const HistoryEntry = z.object({
  seq: z.number(),
  time: z.string(),
  author: z.object({ id: z.string(), name: z.string(), role: Role }).nullable(),
  origin: z.enum(['client', 'server', 'seed', 'result']),
  sections: z.array(z.string()),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** `POST /patients/search`: the search term travels in the body, never in a URL (it may be a CPR number). */
export const PatientSearchRequest = z.object({ query: z.string().trim().max(100) });

/** `POST /plans/:id/self-reports`: a measurement the citizen adds (shared/plan.ts SelfReportEntry without id; taken defaults to now). */
export const NewSelfReportRequest = z
  .object({
    kind: z.string().min(1).max(50),
    value: z.union([z.string().max(100), z.number()]),
    unit: z.string().max(30).optional(),
    taken: z.string().datetime({ offset: true }).optional(),
    comment: z.string().max(2000).optional(),
  })
  .strict();
export type NewSelfReportRequest = z.infer<typeof NewSelfReportRequest>;

/**
 * `GET /visits/today[?date=YYYY-MM-DD]`: a municipal nurse's home visits for one day (the
 * tablet's own calendar day, sent by the client; the server's date when absent). A visit is one
 * active plan of a patient on the caller's care team with municipality-owned tasks due that day
 * (any status, so ticked-off ones stay visible) or overdue and still open.
 */
export const VisitsQuery = z
  .object({
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
      .optional(),
  })
  .strict();

export const VisitTask = z.object({
  id: z.string(),
  title: z.string(),
  due: z.string(),
  status: z.enum(['planned', 'in-progress', 'done', 'cancelled']),
  assignee: z.string().nullable(),
  /** Due before `date` and not done or cancelled. */
  overdue: z.boolean(),
});
export type VisitTask = z.infer<typeof VisitTask>;

export const Visit = z.object({
  patientId: z.string(),
  patientName: z.string(),
  planId: z.string(),
  planTitle: z.string(),
  tasks: z.array(VisitTask),
  /**
   * The citizen is in hospital (a MedCom hospital notification says so): admitted, or on
   * leave from the stay, at `place`. Null at home. Optional for answers from before it.
   */
  stay: z.object({ place: z.string(), onLeave: z.boolean() }).nullable().optional(),
});
export type Visit = z.infer<typeof Visit>;

/** Visits in visit order: those with overdue open tasks first, then by the patient's name (Danish collation). */
export const VisitsResponse = z.object({ date: z.string(), visits: z.array(Visit) });
export type VisitsResponse = z.infer<typeof VisitsResponse>;

/** One MedCom message waiting in an organisation's inbox (GET /messages/inbox): a hospital notification about a patient with no plan there. */
export const InboxItem = z.object({
  id: z.string(),
  messageId: z.string(),
  received: z.string(),
  /** STIN, SLHJ, …: what the hospital says happened. */
  code: z.string(),
  activity: z.string().nullable(),
  /** When it happened (the stay's start, leave, discharge). */
  at: z.string().nullable(),
  place: z.string(),
  patientName: z.string(),
  /** CareHub knows the patient (a plan with another organisation), or starting a plan registers them. */
  knownPatient: z.boolean(),
});
export type InboxItem = z.infer<typeof InboxItem>;

/** `POST /messages/inbox/:id/plan`: the plan started (or found) and how many waiting notifications moved into it. */
export const InboxPlanStarted = z.object({ patientId: z.string(), planId: z.string(), filed: z.number() });
export type InboxPlanStarted = z.infer<typeof InboxPlanStarted>;
