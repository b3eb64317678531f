import { isClinicalRole, type Role } from '../../shared/roles.ts';
import type { AuditEntry } from '../store/records.ts';

/**
 * The administrator in the audit log (issue 14): what an administrator's creation of an account
 * records, and what the administrator may read of others' entries.
 */

/**
 * The details of an `admin.user.create` entry. A clinical account (care staff, a citizen) is
 * flagged with the stated reason, so that it stands out when the log is read.
 */
export function userCreatedDetails(
  user: { id: string; role: Role; organisationId: string | null },
  reason: string | undefined,
  via?: 'cli',
): Record<string, unknown> {
  return {
    userId: user.id,
    role: user.role,
    organisationId: user.organisationId,
    ...(isClinicalRole(user.role) ? { clinicalAccount: true } : {}),
    ...(reason ? { reason } : {}),
    ...(via ? { via } : {}),
  };
}

export const REASON_RECORDED = 'reason recorded';

/** Keys of details that may hold clinical free text written by a person. */
const FREE_TEXT = ['reason', 'text', 'note', 'comment', 'body'] as const;

/**
 * An entry's details as the administrator sees them. Administration is not care: clinical
 * free text (a break-the-glass reason) is replaced by "reason recorded". What stays readable
 * is the server's own wording: the reason of a refusal, and the administrators' own reasons
 * (`admin.*`). A break-the-glass entry is redacted whatever its outcome.
 */
export function detailsForAdministrator(
  entry: Pick<AuditEntry, 'action' | 'outcome' | 'details'>,
): Record<string, unknown> {
  const glass = entry.action === 'break-glass' || entry.details.breakTheGlass === true;
  const ownWords = entry.action.startsWith('admin.') || entry.outcome === 'refused';
  if (ownWords && !glass) return entry.details;
  const details = { ...entry.details };
  for (const key of FREE_TEXT) if (key in details) details[key] = REASON_RECORDED;
  return details;
}
