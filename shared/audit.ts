import { z } from 'zod';
import type { Role } from './roles.ts';

/**
 * The audit trail's HTTP API (docs/ARCHITECTURE.md, "The permission model"): the administrator's
 * view of the audit log, and the citizen's view of who accessed their record.
 */

/** An empty query parameter (`?from=`) counts as absent, as HTML forms send them. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const isoTime = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time with a zone' });
const limit = (max: number, fallback: number) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(max).default(fallback));

/**
 * Paging, newest first: `before` is the `seq` of the last entry of the page before (the
 * answer's `X-Next-Before` header gives it; absent on the last page).
 */
const before = optional(z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER));
/** The response header that names the next page's `before`, when there is one. */
export const NEXT_PAGE_HEADER = 'X-Next-Before';

/** `GET /api/v1/audit?patientId=&from=&to=&limit=&before=`, for the administrator. */
export const AuditQuery = z
  .object({
    patientId: optional(z.string().uuid()),
    from: optional(isoTime),
    to: optional(isoTime),
    limit: limit(1000, 100),
    before,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type AuditQuery = z.infer<typeof AuditQuery>;

/** `GET /api/v1/me/access-log?limit=&before=`, for the citizen: a page at a time. */
export const AccessLogQuery = z.object({ limit: limit(1000, 200), before });

export interface AuditActorView {
  id: string;
  /** Null when the user no longer exists. */
  name: string | null;
  role: Role | null;
  organisation: string | null;
}

/** One audit entry as the administrator sees it; newest first. */
export interface AuditEntryView {
  seq: number;
  time: string;
  /** Null for the hub itself (results filed from a lab system, an unknown user's login). */
  actor: AuditActorView | null;
  action: string;
  outcome: 'allowed' | 'refused';
  patientId: string | null;
  planId: string | null;
  details: Record<string, unknown>;
}

/** One access to the citizen's record by someone else; newest first. */
export interface AccessLogEntry {
  /** The audit entry's position (newer entries have higher ones). */
  seq: number;
  time: string;
  /** The person's name. */
  person: string;
  role: Role | null;
  organisation: string | null;
  /** What they did, in plain (English) words: "opened your plan", "tried to open your plan". */
  action: string;
  /** The audit action behind it (`plan.read`), for a client that words it in its own language. */
  actionCode: string;
  planId: string | null;
  /** The access was by break-the-glass (emergency access with a stated reason). */
  breakTheGlass: boolean;
  /** The access was refused. */
  refused: boolean;
}
