import type { AuditAction } from '../../../shared/audit-actions.ts';
import type { Request } from 'express';
import { isStaff } from '../../../shared/roles.ts';
import type { Principal } from '../../auth/access.ts';
import { apiKeyActor, isApiKey, verifyApiKey, type VerifiedKey } from '../../results/api-keys.ts';
import type { EmbedLink } from '../../store/access-store.ts';
import type { HttpDeps } from '../http-deps.ts';
import { badRequest, forbidden, notFound, unauthorized } from '../errors.ts';

/**
 * Who may make and revoke embed links (issue 14, findings 2 and 3): a care-team member for
 * themselves, through the care team (not break-the-glass, not an embed session); or a practice
 * system's API key (scope `practice`) for its organisation's patients, naming one of its own
 * staff to act as. A lab's intake key reaches none of this. Every refusal is audited, and
 * what a key does is recorded under the key (`api-key:<id>`) with the system named.
 */
export type Grantor =
  | { kind: 'person'; principal: Principal; actorId: string }
  | { kind: 'system'; key: VerifiedKey; actorId: string };

export type RefuseFn = (
  status: 403 | 404,
  reason: string,
  action: AuditAction,
  plan: { id: string; patientId: string } | null,
) => never;

export function embedGrantors(deps: HttpDeps) {
  /** The caller, by session token or API key; 401 when neither is valid. Refusals name the caller in the audit trail. */
  async function identify(req: Request): Promise<Grantor> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (isApiKey(bearer)) {
      const key = await verifyApiKey(deps.store.results, bearer);
      if (!key.ok) throw unauthorized(key.reason);
      return { kind: 'system', key, actorId: apiKeyActor(key.keyId) };
    }
    const auth = await deps.access.authenticate(bearer);
    if (!auth.ok)
      throw unauthorized(auth.reason === 'missing' ? 'sign in first' : `the session token is ${auth.reason}`);
    return { kind: 'person', principal: auth.principal, actorId: auth.principal.user.id };
  }

  function refuser(who: Grantor): RefuseFn {
    return (status, reason, action, plan) => {
      deps.audit.record({
        actorId: who.actorId,
        action,
        planId: plan?.id ?? null,
        patientId: plan?.patientId ?? null,
        outcome: 'refused',
        details: { reason, ...(who.kind === 'system' ? { system: who.key.system } : {}) },
      });
      throw status === 404 ? notFound(reason) : forbidden(reason);
    };
  }

  /**
   * Checks that `who` may make a link to the plan and says whom its session acts as. `actsAs`
   * is the body's: required of a practice key, and a person's link acts as that person only.
   */
  async function mayCreate(
    who: Grantor,
    planId: string,
    actsAs: string | undefined,
  ): Promise<{ actsAs: string; patientId: string }> {
    const refuse: RefuseFn = refuser(who);
    const plan = await deps.store.getPlan(planId);
    const target = plan ? { id: plan.id, patientId: plan.patientId } : null;
    if (who.kind === 'system') {
      const { key } = who;
      // Decided before anything about the plan is said: an intake key learns nothing here.
      const practice = key.scope === 'practice' ? key.organisationId : null;
      if (!practice)
        refuse(
          403,
          'this API key has the intake scope: it files results and encounters only',
          'embed-link.create',
          target,
        );
      if (!actsAs) throw badRequest('a practice system names the staff member the session acts as (actsAs)');
      if (!plan || !target) throw notFound('no such plan');
      const team = await deps.store.listCareTeam(plan.patientId);
      if (!team.some((m) => m.organisationId === practice))
        refuse(403, 'the care team does not hold this practice', 'embed-link.create', target);
      const person = await deps.store.getUser(actsAs);
      if (!person || !isStaff(person.role) || person.organisationId !== practice) {
        refuse(403, 'actsAs must be a staff member of this practice', 'embed-link.create', target);
      }
      const organisation = await deps.store.getOrganisation(practice);
      const access = await deps.access.planAccess(
        { user: person, organisation, expiresAt: Number.POSITIVE_INFINITY },
        planId,
      );
      if (!access.ok || access.via !== 'care_team')
        refuse(
          403,
          access.ok ? 'the named person is not on the care team' : access.reason,
          'embed-link.create',
          target,
        );
      return { actsAs: person.id, patientId: plan.patientId };
    }
    const { principal } = who;
    if (!isStaff(principal.user.role) || principal.embed)
      refuse(403, 'only care-team staff create embed links', 'embed-link.create', target);
    if (actsAs !== undefined && actsAs !== principal.user.id)
      refuse(403, 'a link acts as the person who makes it', 'embed-link.create', target);
    const access = await deps.access.planAccess(principal, planId);
    if (!access.ok) refuse(access.status, access.reason, 'embed-link.create', access.status === 404 ? null : target);
    if (access.via !== 'care_team')
      refuse(
        403,
        'only care-team members create embed links (not through break-the-glass)',
        'embed-link.create',
        target,
      );
    return { actsAs: principal.user.id, patientId: access.patient.id };
  }

  /** An intake key is refused before anything is looked up (it learns nothing, not even whether a link exists). */
  function refuseIntakeKey(who: Grantor, action: AuditAction): void {
    if (who.kind === 'system' && who.key.scope !== 'practice')
      refuser(who)(403, 'this API key has the intake scope: it files results and encounters only', action, null);
  }

  /** Any care-team member may end a link to their patient's plan; a practice key only links its organisation's keys made. */
  async function mayRevoke(who: Grantor, link: EmbedLink): Promise<{ patientId: string | null }> {
    const refuse: RefuseFn = refuser(who);
    refuseIntakeKey(who, 'embed-link.revoke');
    const plan = await deps.store.getPlan(link.planId);
    const target = plan ? { id: plan.id, patientId: plan.patientId } : null;
    if (who.kind === 'system') {
      const { key } = who;
      const maker = link.createdByKey ? await deps.store.results.getApiKey(link.createdByKey) : null;
      if (!maker || maker.scope !== 'practice' || maker.organisationId !== key.organisationId)
        refuse(403, 'a practice system revokes only the links its own keys made', 'embed-link.revoke', target);
      return { patientId: plan?.patientId ?? null };
    }
    const { principal } = who;
    if (!isStaff(principal.user.role) || principal.embed)
      refuse(403, 'only care-team staff revoke embed links', 'embed-link.revoke', target);
    const access = await deps.access.planAccess(principal, link.planId);
    if (!access.ok) refuse(access.status === 404 ? 404 : 403, access.reason, 'embed-link.revoke', target);
    if (access.via !== 'care_team')
      refuse(403, 'only care-team members revoke embed links', 'embed-link.revoke', target);
    return { patientId: access.patient.id };
  }

  return { identify, refuseIntakeKey, mayCreate, mayRevoke };
}
