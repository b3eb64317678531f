import { z } from 'zod';
import { Sector } from './roles.ts';

/**
 * The care-plan document model (docs/ARCHITECTURE.md, "The care plan document"). One Yjs
 * document per plan; each root type is a section. Key names are the contract: tests and outside
 * clients write entries with exactly these keys.
 */
export const SECTIONS = [
  'meta',
  'goals',
  'tasks',
  'medications',
  'notes',
  'selfReports',
  'measurements',
  'results',
] as const;
export type SectionName = (typeof SECTIONS)[number];
/** Sections that are Y.Arrays of Y.Map entries (all but `meta`). */
export const LIST_SECTIONS = [
  'goals',
  'tasks',
  'medications',
  'notes',
  'selfReports',
  'measurements',
  'results',
] as const;
export type ListSectionName = (typeof LIST_SECTIONS)[number];

export function isSectionName(name: string): name is SectionName {
  return (SECTIONS as readonly string[]).includes(name);
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO 8601 date (YYYY-MM-DD)');
const isoTime = z.string().datetime({ offset: true });
const id = z.string().uuid();

export const Coding = z.object({ system: z.string().min(1), code: z.string().min(1), display: z.string() });
export type Coding = z.infer<typeof Coding>;

export const PlanMeta = z.object({
  title: z.string().max(300),
  status: z.enum(['draft', 'active', 'completed', 'revoked']),
  conditions: z.array(Coding),
});

/** Rich-text keys hold a Y.XmlFragment; in JSON they appear as its text. */
export const RICH_TEXT_KEYS: Readonly<Record<ListSectionName, readonly string[]>> = {
  goals: ['description'],
  tasks: ['details'],
  medications: [],
  notes: ['body'],
  selfReports: [],
  measurements: [],
  results: [],
};

/**
 * Clinical values where a silent merge would be dangerous. They are atomic map values (never
 * text); when two people set one concurrently, the server keeps the CRDT winner and records a
 * conflict naming both values and authors under the entry's `conflicts` key, until someone
 * allowed to change the field sets it again (confirms a value).
 */
export const CONFLICT_FIELDS: Readonly<Partial<Record<ListSectionName, readonly string[]>>> = {
  medications: ['dose', 'frequency'],
  tasks: ['due', 'status'],
};

export const ConflictValue = z.object({
  value: z.unknown(),
  author: z.string().nullable(),
  authorName: z.string().nullable(),
});
export const FieldConflict = z.object({
  /** The value the plan kept (the CRDT winner) first, then the concurrent one it replaced. */
  values: z.array(ConflictValue).min(2),
  detected: z.string(),
});
export type FieldConflict = z.infer<typeof FieldConflict>;
const Conflicts = z.record(z.string(), FieldConflict).optional();

export const GoalEntry = z.object({
  id,
  description: z.string(),
  target: z.string().max(500).optional(),
  due: isoDate.optional(),
  status: z.enum(['proposed', 'active', 'achieved', 'cancelled']),
  sector: Sector,
});

/**
 * How often a recurring task comes back ("daily weighing": every 1 day). Each occurrence is a
 * task entry of its own, done separately; when one is done or cancelled the server adds the
 * next (shared/recurrence.ts), until its owning sector removes the recurrence.
 */
export const Recurrence = z
  .object({ every: z.number().int().min(1).max(365), unit: z.enum(['day', 'week', 'month']) })
  .strict();
export type Recurrence = z.infer<typeof Recurrence>;

export const TaskEntry = z.object({
  id,
  title: z.string().min(1).max(300),
  details: z.string().optional(),
  sector: Sector,
  assignee: z.string().max(100).optional(),
  due: isoDate.optional(),
  status: z.enum(['planned', 'in-progress', 'done', 'cancelled']),
  recurrence: Recurrence.optional(),
  /** The id of the series' first occurrence, on every later one. */
  series: id.optional(),
  conflicts: Conflicts,
});

export const MedicationEntry = z.object({
  id,
  drug: z.string().min(1).max(200),
  dose: z.string().max(100).optional(),
  route: z.string().max(100).optional(),
  frequency: z.string().max(100).optional(),
  start: isoDate.optional(),
  stop: isoDate.optional(),
  note: z.string().max(2000).optional(),
  conflicts: Conflicts,
});

/**
 * A journal note. Its author signs it (`signed`: when), explicitly or on leaving it; a signed
 * note is locked for everyone. A correction is a note of its own that `amends` the original,
 * which stays as it was signed.
 */
export const NoteEntry = z.object({
  id,
  author: z.string().min(1),
  sector: Sector,
  created: isoTime,
  body: z.string(),
  signed: isoTime.optional(),
  amends: id.optional(),
});

export const SelfReportEntry = z.object({
  id,
  kind: z.string().min(1).max(50),
  value: z.union([z.string().max(100), z.number()]),
  unit: z.string().max(30).optional(),
  taken: isoTime,
  comment: z.string().max(2000).optional(),
});

/**
 * What a MedCom HospitalNotification says of the stay (POST /api/v1/messages): the plan shows
 * it with the notification. Times as the hospital sent them (with their zone).
 */
export const EncounterDetails = z.object({
  /** STIN, RE_STIN, AN_STIN, STAA, STOR, SLOR, SLHJ, MORS, … */
  code: z.string().max(20),
  status: z.enum(['in-progress', 'onleave', 'finished', 'entered-in-error']),
  /** IMP inpatient, EMER acute ambulant. */
  class: z.enum(['IMP', 'EMER']),
  periodStart: z.string().max(40),
  periodEnd: z.string().max(40).nullable(),
  leaveStart: z.string().max(40).nullable(),
  leaveEnd: z.string().max(40).nullable(),
  serviceProvider: z.object({ name: z.string().max(500).nullable(), sor: z.string().max(18).nullable() }).nullable(),
  /** The stay's episode-of-care identifier, `system|value`. */
  episodeOfCare: z.string().max(600),
  deceased: z.boolean(),
});
export type EncounterDetails = z.infer<typeof EncounterDetails>;

/** Who measured: stamped by the server from the signed-in user (or given by the server for a message it files). */
export const Performer = z.object({
  /** The CareHub user; null for someone outside CareHub (named by a MedCom message). */
  user: z.string().max(100).nullable(),
  name: z.string().max(200),
  role: z.string().max(50).nullable(),
  /** The organisation's name. */
  organisation: z.string().max(200).nullable(),
  sector: Sector.nullable(),
});
export type Performer = z.infer<typeof Performer>;

const MeasuredValue = z.union([z.number(), z.object({ systolic: z.number(), diastolic: z.number() }).strict()]);

/** Versions a measurement keeps in `previous`: 99 amendments, then the place of its entered-in-error. */
export const MAX_MEASUREMENT_VERSIONS = 100;

/** What an amendment or an entered-in-error replaced, oldest first (kept by the server). */
export const MeasurementVersion = z.object({
  value: MeasuredValue,
  unit: z.string().max(30),
  effective: isoTime,
  status: z.enum(['final', 'amended']),
  method: z.string().max(200).optional(),
  comment: z.string().max(2000).optional(),
  replaced: isoTime,
});

/**
 * A measurement taken by care staff (shared/measurements.ts: codes as MedCom's
 * HomeCareObservation, UCUM units, plausible ranges). Any clinician on the care team adds; only
 * its performer amends it or marks it entered-in-error; nobody removes it.
 */
export const MeasurementEntry = z.object({
  id,
  // Nothing beside the code's three parts (a client chooses every key it writes).
  code: Coding.strict(),
  value: MeasuredValue,
  unit: z.string().min(1).max(30),
  effective: isoTime,
  /** Stamped by the server when the entry arrives: absent only in the writer's copy before that. */
  performer: Performer.optional(),
  method: z.string().max(200).optional(),
  comment: z.string().max(2000).optional(),
  status: z.enum(['final', 'amended', 'entered-in-error']),
  previous: z.array(MeasurementVersion).max(MAX_MEASUREMENT_VERSIONS).optional(),
});

export const ResultEntry = z.object({
  /** The result's id in the hub (stable across amendments). */
  id,
  kind: z.enum(['lab', 'imaging', 'notification']),
  code: Coding,
  value: z.union([z.string(), z.number()]).optional(),
  unit: z.string().optional(),
  interpretation: z.string().optional(),
  /** As text for reading ("3.5–4.6"); the numbers below for drawing trend charts. */
  referenceRange: z.string().optional(),
  referenceLow: z.number().optional(),
  referenceHigh: z.number().optional(),
  effective: isoTime.optional(),
  status: z.string(),
  text: z.string().optional(),
  category: z.enum(['laboratory', 'pathology', 'imaging', 'hospital-notification']).optional(),
  /** HH, LL or AA: needs a clinician's acknowledgement. */
  critical: z.boolean().optional(),
  acknowledgedBy: z.string().optional(),
  acknowledgedAt: isoTime.optional(),
  /** When the citizen may see it (release delay, or released early by a clinician). */
  releaseAt: isoTime.optional(),
  filed: isoTime.optional(),
  /** Values an amendment or correction replaced, oldest first. */
  previous: z
    .array(
      z.object({
        value: z.union([z.string(), z.number()]).optional(),
        unit: z.string().optional(),
        status: z.string(),
        replaced: isoTime,
      }),
    )
    .optional(),
  /** A MedCom hospital notification's account of the stay (admission, leave, discharge, death). */
  encounter: EncounterDetails.optional(),
});

export const SECTION_ENTRY_SCHEMAS = {
  goals: GoalEntry,
  tasks: TaskEntry,
  medications: MedicationEntry,
  notes: NoteEntry,
  selfReports: SelfReportEntry,
  measurements: MeasurementEntry,
  results: ResultEntry,
} as const;

export type GoalEntry = z.infer<typeof GoalEntry>;
export type TaskEntry = z.infer<typeof TaskEntry>;
export type MedicationEntry = z.infer<typeof MedicationEntry>;
export type NoteEntry = z.infer<typeof NoteEntry>;
export type SelfReportEntry = z.infer<typeof SelfReportEntry>;
export type ResultEntry = z.infer<typeof ResultEntry>;
export type MeasurementEntry = z.infer<typeof MeasurementEntry>;

export const PlanDocumentJson = z.object({
  meta: PlanMeta.partial(),
  goals: z.array(z.record(z.string(), z.unknown())),
  tasks: z.array(z.record(z.string(), z.unknown())),
  medications: z.array(z.record(z.string(), z.unknown())),
  notes: z.array(z.record(z.string(), z.unknown())),
  selfReports: z.array(z.record(z.string(), z.unknown())),
  /** Defaulted: a document cached on a device before the section existed has none. */
  measurements: z.array(z.record(z.string(), z.unknown())).default([]),
  results: z.array(z.record(z.string(), z.unknown())),
});
export type PlanDocumentJson = z.infer<typeof PlanDocumentJson>;
