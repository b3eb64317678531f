import { z } from 'zod';
import { Coding, EncounterDetails } from './plan.ts';

export { EncounterDetails };

/**
 * Results and hospital notifications as CareHub files them (issue: results stream into the
 * plan). The FHIR intake turns Observations, DiagnosticReports and Bundles into these; the
 * plan's `results` section holds one entry per filed result.
 */
export const Interpretation = z.enum(['N', 'H', 'L', 'HH', 'LL', 'A', 'AA']);
export type Interpretation = z.infer<typeof Interpretation>;
const CRITICAL_FLAGS: ReadonlySet<string> = new Set<Interpretation>(['HH', 'LL', 'AA']);

/**
 * Whether an interpretation flag makes a result critical: it needs a clinician's acknowledgement,
 * is told to the care team at once and escalated if nobody acknowledges it. The server files by
 * this rule and the browser colours by it.
 */
export function isCriticalFlag(flag: string | null | undefined): boolean {
  return !!flag && CRITICAL_FLAGS.has(flag);
}

export const ResultStatus = z.enum([
  'registered',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'cancelled',
  'entered-in-error',
]);
export type ResultStatus = z.infer<typeof ResultStatus>;

/** Governs the release delay to the citizen: pathology and imaging wait longer. */
export const ResultCategory = z.enum(['laboratory', 'pathology', 'imaging', 'hospital-notification']);
export type ResultCategory = z.infer<typeof ResultCategory>;

export const ReferenceRange = z.object({
  low: z.number().optional(),
  high: z.number().optional(),
  text: z.string().optional(),
});
export type ReferenceRange = z.infer<typeof ReferenceRange>;

/** One result as parsed from a submission, before it is stored. */
export const IncomingResult = z.object({
  /** The submitting system's identifier of this result (Observation/DiagnosticReport identifier, `system|value`). */
  identifier: z.string().min(1).max(300),
  /** The patient's CPR number, normalised to ten characters. */
  cpr: z.string().min(10).max(10),
  /** `notification`: a hospital notification (admission, leave, discharge), filed through /encounters. */
  kind: z.enum(['lab', 'imaging', 'notification']),
  category: ResultCategory,
  code: Coding,
  value: z.union([z.number(), z.string()]).optional(),
  /** UCUM code of the value's unit (e.g. `mmol/L`). */
  unit: z.string().optional(),
  interpretation: Interpretation.optional(),
  referenceRange: ReferenceRange.optional(),
  /** When the result is clinically relevant (ISO time with zone). */
  effective: z.string().optional(),
  status: ResultStatus,
  /** Narrative: an imaging report's conclusion or presented form, a lab comment. */
  text: z.string().max(100_000).optional(),
  /** A MedCom hospital notification's account of the stay. */
  encounter: EncounterDetails.optional(),
});
export type IncomingResult = z.infer<typeof IncomingResult>;

/** `death`: MedCom's MORS (the citizen died during the stay); `cancelled`: a notification the hospital took back (AN_*). */
export const EncounterEvent = z.enum(['admission', 'leave-start', 'leave-end', 'discharge', 'death', 'cancelled']);
export type EncounterEvent = z.infer<typeof EncounterEvent>;

/** `POST /api/v1/encounters`: the content of a MedCom HospitalNotification. */
export const EncounterNotification = z.object({
  /** The sending system's identifier of this notification (idempotency). */
  identifier: z.string().min(1).max(300),
  cpr: z.string().min(1).max(20),
  event: EncounterEvent,
  time: z.string().datetime({ offset: true }),
  hospital: z.string().trim().min(1).max(200),
  department: z.string().trim().min(1).max(200),
});
export type EncounterNotification = z.infer<typeof EncounterNotification>;

export const ENCOUNTER_SYSTEM = 'urn:carehub:hospital-notification';

/** The answer to a filed result or notification: its id and the plans it went into. */
export const FiledResponse = z.object({
  /** The first filed result's id (for a single result: its id). */
  id: z.string(),
  /**
   * Every result of the submission, in order. Alike whether or not a patient is registered
   * with the CPR number (one that is not is held, unmatched, for an administrator), and no
   * plan is named: the answer tells the sender nothing about who is registered in CareHub.
   */
  results: z.array(z.object({ id: z.string(), identifier: z.string(), replay: z.boolean() })),
});
export type FiledResponse = z.infer<typeof FiledResponse>;
