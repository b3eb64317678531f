import { z } from 'zod';
import { ErrorParams } from './error-reasons.ts';

/** The body of every REST error: `{"error":{"code","message","details"}}` (docs/ARCHITECTURE.md, "Interfaces"). */
export const ErrorCode = z.enum([
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'internal',
  'unavailable',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    /** For developers and outside systems, in English; the UI words `reason` (or `code`) instead. */
    message: z.string(),
    /** Why, as a code the client words (shared/error-reasons.ts); unknown codes are kept as text. */
    reason: z.string().optional(),
    params: ErrorParams.optional(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
