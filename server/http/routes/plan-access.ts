import type { AuditAction } from '../../../shared/audit-actions.ts';
import type { AccessVia, PlanAccess, Principal } from '../../auth/access.ts';
import type { HttpDeps } from '../http-deps.ts';
import { forbidden, notFound } from '../errors.ts';

export type GrantedPlan = Extract<PlanAccess, { ok: true }>;

/**
 * Checks the caller may reach the plan. Both outcomes are audited (the Danish rules on
 * access to health records require a log of every look-up, and of every refused one).
 */
export async function planAccessOrThrow(
  deps: HttpDeps,
  principal: Principal,
  planId: string,
  action: AuditAction,
): Promise<GrantedPlan> {
  const access = await deps.access.planAccess(principal, planId);
  if (!access.ok) {
    deps.audit.record({
      actorId: principal.user.id,
      action,
      planId: access.status === 404 ? null : planId,
      patientId: access.patientId ?? null,
      outcome: 'refused',
      details: { reason: access.reason },
    });
    throw access.status === 404 ? notFound(access.reason) : forbidden(access.reason);
  }
  deps.audit.record({
    actorId: principal.user.id,
    action,
    planId,
    patientId: access.patient.id,
    outcome: 'allowed',
    details: auditDetails(access),
  });
  return access;
}

/**
 * Access through break-the-glass or an embed link is flagged on every audit entry it causes
 * (to a plan or to a patient), and so in the citizen's access log.
 */
export function auditDetails(access: { via: AccessVia }): Record<string, unknown> {
  if (access.via === 'break_glass') return { breakTheGlass: true };
  if (access.via === 'embed') return { embed: true };
  return {};
}
