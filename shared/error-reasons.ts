import { z } from 'zod';

/**
 * Why a REST call was refused, as a code the client words in the reader's language
 * (client/src/i18n/error-words.ts): the error body's `reason`, with `params` for the words.
 * The body's `message` stays an English sentence for developers and outside systems; the UI
 * never shows it. A refusal without a reason is worded by its `code` (shared/errors.ts).
 */
export const ErrorReason = z.enum([
  // Signing in
  'sign-in.wrong-password',
  'sign-in.password-off',
  /** params: seconds */
  'sign-in.throttled',
  'sign-in.switched-off',
  'sign-in.required',
  // CPR numbers and patients
  'cpr.shape',
  'cpr.date',
  'patient.exists',
  'patient.not-registered',
  // Access to a patient or plan
  'access.not-care-team',
  'access.objected',
  'access.citizen-own',
  'access.embed-one-plan',
  'access.switched-off',
  'access.role',
  'access.link-person-gone',
  'access.no-such-patient',
  'access.no-such-plan',
  // Who may do what
  'staff-only',
  'admin-only',
  'objection.citizen-only',
  // Care teams and plans
  'care-team.already',
  'care-team.no-organisation',
  'care-team.no-member',
  'care-team.last-member',
  'result.not-critical',
  /** params: seconds */
  'rate.too-many',
]);
export type ErrorReason = z.infer<typeof ErrorReason>;

/** Parameters of a reason's words: plain values only. */
export const ErrorParams = z.record(z.string(), z.union([z.string(), z.number()]));
export type ErrorParams = z.infer<typeof ErrorParams>;
