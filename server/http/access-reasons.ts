import type { ErrorReason } from '../../shared/error-reasons.ts';
import { OBJECTED } from '../auth/access.ts';

/**
 * The access control's refusals (server/auth/access.ts), which routes pass on as they are, as
 * codes the client words: a person never reads the English sentence.
 */
const ACCESS_REASONS: Readonly<Record<string, ErrorReason>> = {
  [OBJECTED]: 'access.objected',
  'you are not on this patient’s care team': 'access.not-care-team',
  'a citizen sees only their own plans': 'access.citizen-own',
  'an embedded session reaches its one plan only': 'access.embed-one-plan',
  'this account has been switched off': 'access.switched-off',
  'this role does not treat patients': 'access.role',
  'the person this link acts as is no longer on the care team': 'access.link-person-gone',
  'no such patient': 'access.no-such-patient',
  'no such plan': 'access.no-such-plan',
  'only care staff may do this': 'staff-only',
  'administrators only': 'admin-only',
  'objections are the citizen’s own': 'objection.citizen-only',
};

export function accessReason(message: string): { reason: ErrorReason } | undefined {
  const reason = ACCESS_REASONS[message];
  return reason ? { reason } : undefined;
}
