import { z } from 'zod';
import { NEXT_PAGE_HEADER, type AccessLogEntry } from '../../shared/audit.ts';
import { ReceivedNotification } from '../../shared/notifications.ts';
import { UserView } from '../../shared/api.ts';
import { Role } from '../../shared/roles.ts';
import { call } from './api.ts';

/**
 * REST calls around results, notifications, embed links and the citizen's access log
 * (api.ts holds the plan and patient calls). Answers are checked against these shapes.
 */
export const StoredNotification = ReceivedNotification.extend({
  id: z.string(),
  created: z.string(),
  seen: z.string().nullable().optional(),
});
export type StoredNotification = z.infer<typeof StoredNotification>;

const id = (value: string) => encodeURIComponent(value);

/** A clinician acknowledges a critical result; the plan shows who and when through the document. */
export function acknowledgeResult(
  token: string,
  resultId: string,
): Promise<{ acknowledgedBy: string; acknowledgedAt: string }> {
  return call(
    `/results/${id(resultId)}/acknowledge`,
    z.object({ acknowledgedBy: z.string(), acknowledgedAt: z.string() }),
    { method: 'POST', token, body: {} },
  );
}

/** A clinician releases a result to the citizen before the release delay has passed. */
export function releaseResult(token: string, resultId: string): Promise<{ releaseAt: string }> {
  return call(`/results/${id(resultId)}/release`, z.object({ releaseAt: z.string() }), {
    method: 'POST',
    token,
    body: {},
  });
}

/** The signed-in staff member's notifications they have not seen yet. */
export function listNotifications(token: string, signal?: AbortSignal): Promise<StoredNotification[]> {
  return call('/notifications', z.array(StoredNotification), { token, signal });
}

export function markNotificationsSeen(token: string, ids: readonly string[]): Promise<unknown> {
  return call('/notifications/seen', z.unknown(), { method: 'POST', token, body: { ids } });
}

export const EmbedLink = z.object({ id: z.string(), url: z.string(), link: z.string(), expiresAt: z.string() });
export type EmbedLink = z.infer<typeof EmbedLink>;

/** A link that opens one plan inside the GP's practice system (an iframe). */
export function createEmbedLink(
  token: string,
  planId: string,
  access: 'edit' | 'read',
  expiresInMinutes: number,
): Promise<EmbedLink> {
  return call(`/plans/${id(planId)}/embed-links`, EmbedLink, {
    method: 'POST',
    token,
    body: { access, expiresInMinutes },
  });
}

export function revokeEmbedLink(token: string, linkId: string): Promise<unknown> {
  return call(`/embed-links/${id(linkId)}`, z.unknown(), { method: 'DELETE', token });
}

const AccessLogRow = z.object({
  seq: z.number(),
  time: z.string(),
  person: z.string(),
  role: Role.nullable(),
  organisation: z.string().nullable(),
  action: z.string(),
  actionCode: z.string(),
  planId: z.string().nullable(),
  breakTheGlass: z.boolean(),
  refused: z.boolean(),
}) satisfies z.ZodType<AccessLogEntry>;

/** Entries of the access log one request asks for. */
export const ACCESS_LOG_PAGE = 200;

/**
 * Who accessed the citizen's record, newest first (the citizen's own view of the audit log),
 * a page at a time: `before` is the previous page's `next`; `next` null on the last page.
 */
export async function getAccessLog(
  token: string,
  before: number | null,
  signal?: AbortSignal,
): Promise<{ entries: AccessLogEntry[]; next: number | null }> {
  let next: number | null = null;
  const query = `limit=${ACCESS_LOG_PAGE}${before === null ? '' : `&before=${before}`}`;
  const entries = await call(`/me/access-log?${query}`, z.array(AccessLogRow), {
    token,
    signal,
    onResponse: (r) => {
      const header = Number(r.headers.get(NEXT_PAGE_HEADER));
      next = Number.isSafeInteger(header) && header > 0 ? header : null;
    },
  });
  return { entries, next };
}

export const EmbedSession = z.object({
  token: z.string(),
  planId: z.string(),
  access: z.enum(['edit', 'read']),
  user: UserView.extend({ username: z.string().default(''), patientId: z.string().nullable().default(null) }),
});
export type EmbedSession = z.infer<typeof EmbedSession>;

/** Exchanges an embed link (from the address's fragment) for a session token kept in memory only. */
export function openEmbedSession(link: string, signal?: AbortSignal): Promise<EmbedSession> {
  return call('/embed/session', EmbedSession, { method: 'POST', body: { link }, signal });
}

/** Exchanges a SMART launch's one-time code (from the address's fragment) for its session, kept in memory only. */
export function openLaunchSession(code: string, signal?: AbortSignal): Promise<EmbedSession> {
  return call('/smart/session', EmbedSession, { method: 'POST', body: { code }, signal });
}
