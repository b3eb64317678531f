import type { AuditAction } from '../../../shared/audit-actions.ts';
import type { ErrorReason } from '../../../shared/error-reasons.ts';
import { Router, type Response } from 'express';
import {
  AddCareTeamMemberRequest,
  CreatePlanRequest,
  type CareTeamMember,
  type PlanView,
} from '../../../shared/api.ts';
import { setPlanMeta } from '../../../shared/plan-doc.ts';
import { isStaff } from '../../../shared/roles.ts';
import type { Principal } from '../../auth/access.ts';
import type { CareTeamEntry } from '../../store/records.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireAuth, principalOf } from '../authenticate.ts';
import { badRequest, conflict, forbidden, notFound, parse } from '../errors.ts';
import { planAccessRoutes } from './access-routes.ts';
import { planEmbedLinkRoutes } from './embed-routes.ts';
import { fhirRoutes } from './fhir-routes.ts';
import { historyRoutes } from './history-routes.ts';
import { offlineCopyRoutes } from './offline-copy-routes.ts';
import { auditDetails, planAccessOrThrow, type GrantedPlan } from './plan-access.ts';
import { selfReportRoutes } from './self-report-routes.ts';

/**
 * `/plans`: a plan and its care team here; its history, self-reports, break-the-glass and
 * access basis, the copy a tablet keeps offline, FHIR export and embed links from their own files. The FHIR export answers
 * everything under its path with OperationOutcomes, and embed links take a practice system's
 * API key as well as a session: each sits under its own path with its own authentication.
 * Every other route checks the session itself, so no part catches another's requests and
 * the order below does not matter.
 */
export function planRoutes(deps: HttpDeps): Router {
  const router = Router();
  const auth = requireAuth(deps.access);
  router.use('/:id/fhir', fhirRoutes(deps));
  router.use('/:id/embed-links', planEmbedLinkRoutes(deps));
  router.use(historyRoutes(deps), selfReportRoutes(deps), planAccessRoutes(deps), offlineCopyRoutes(deps));

  const plan = (principal: Principal, planId: string, action: AuditAction): Promise<GrantedPlan> =>
    planAccessOrThrow(deps, principal, planId, action);

  async function memberView(m: CareTeamEntry): Promise<CareTeamMember> {
    const org = m.organisationId ? await deps.store.getOrganisation(m.organisationId) : null;
    const user = m.userId ? await deps.store.getUser(m.userId) : null;
    return {
      id: m.id,
      organisation: org ? { id: org.id, name: org.name, sector: org.sector } : null,
      user: user ? { id: user.id, name: user.name, role: user.role } : null,
      added: m.added,
    };
  }

  /**
   * Care-team changes are made by members, through the care team: never through a
   * break-the-glass grant (which would outlive itself by adding the user's organisation) nor
   * an embed session. Refusals are audited under the change's own action.
   */
  async function teamMember(principal: Principal, planId: string, action: AuditAction): Promise<GrantedPlan> {
    const access = await deps.access.planAccess(principal, planId);
    if (access.ok && access.via === 'care_team') return access;
    const reason = access.ok
      ? 'only care-team members change the care team; break-the-glass access does not'
      : access.reason;
    const patientId = access.ok ? access.patient.id : (access.patientId ?? null);
    const status = access.ok ? 403 : access.status;
    deps.audit.record({
      actorId: principal.user.id,
      action,
      planId: status === 404 ? null : planId,
      patientId,
      outcome: 'refused',
      details: { reason, ...(access.ok ? auditDetails(access) : {}) },
    });
    throw status === 404 ? notFound(reason) : forbidden(reason);
  }

  function staffOnly(res: Response): Principal {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role)) throw forbidden('only care staff may do this');
    return principal;
  }

  // A plan is made by the patient's care team: not under a break-the-glass grant (emergency
  // access is for reading and acting in the plan there is), not from an embed session. Every
  // refusal is audited, flagged when the caller held a grant.
  router.post('/', auth, async (req, res) => {
    const principal = principalOf(res);
    const refuse = (
      status: 400 | 403 | 404,
      reason: string,
      patientId: string | null,
      details = {},
      why?: ErrorReason,
    ) => {
      deps.audit.record({
        actorId: principal.user.id,
        action: 'plan.create',
        patientId,
        outcome: 'refused',
        details: { reason, ...details },
      });
      return status === 404
        ? notFound(reason, why)
        : status === 400
          ? badRequest(reason, undefined, why)
          : forbidden(reason, why);
    };
    if (!isStaff(principal.user.role) || principal.embed) throw refuse(403, 'only care staff may do this', null);
    let body: ReturnType<typeof CreatePlanRequest.parse>;
    try {
      body = parse(CreatePlanRequest, req.body);
    } catch (err) {
      refuse(400, 'invalid request body', null);
      throw err;
    }
    const access = await deps.access.patientAccess(principal, body.patientId);
    if (!access.ok) throw refuse(access.status, access.reason, access.status === 404 ? null : body.patientId);
    if (access.via !== 'care_team')
      throw refuse(
        403,
        'only care-team members start a plan: break-the-glass access does not',
        access.patient.id,
        auditDetails(access),
        'access.not-care-team',
      );
    const created = await deps.store.createPlan({ patientId: body.patientId, title: body.title, status: 'active' });
    await deps.rooms.withRoom(created.id, async (room) => {
      room.applyServerChange((doc) => setPlanMeta(doc, { title: body.title, status: 'active', conditions: [] }), {
        origin: 'server',
        author: principal.user.id,
      });
      await room.flushed();
    });
    deps.audit.record({
      actorId: principal.user.id,
      action: 'plan.create',
      planId: created.id,
      patientId: body.patientId,
      outcome: 'allowed',
      details: {},
    });
    const view: PlanView = { ...created, patientName: access.patient.name };
    res.status(201).json(view);
  });

  router.get('/:id', auth, async (req, res) => {
    const access = await plan(principalOf(res), String(req.params.id), 'plan.read');
    const view: PlanView = { ...access.plan, patientName: access.patient.name, patientCpr: access.patient.cpr };
    res.json(view);
  });

  router.get('/:id/care-team', auth, async (req, res) => {
    const access = await plan(principalOf(res), String(req.params.id), 'care-team.read');
    const team = await deps.store.listCareTeam(access.patient.id);
    res.json(await Promise.all(team.map(memberView)));
  });

  router.post('/:id/care-team', auth, async (req, res) => {
    const principal = staffOnly(res);
    const access = await teamMember(principal, String(req.params.id), 'care-team.add');
    const body = parse(AddCareTeamMemberRequest, req.body);
    if (body.organisationId && !(await deps.store.getOrganisation(body.organisationId)))
      throw badRequest('no such organisation', undefined, 'care-team.no-organisation');
    if (body.userId) {
      const user = await deps.store.getUser(body.userId);
      if (!user || !isStaff(user.role)) throw badRequest('no such care-staff user');
    }
    const team = await deps.store.listCareTeam(access.patient.id);
    if (
      team.some(
        (m) =>
          (body.organisationId && m.organisationId === body.organisationId) ||
          (body.userId && m.userId === body.userId),
      )
    )
      throw conflict('already on the care team', 'care-team.already');
    const entry = await deps.store.addCareTeamMember({
      patientId: access.patient.id,
      organisationId: body.organisationId ?? null,
      userId: body.userId ?? null,
      addedBy: principal.user.id,
    });
    deps.audit.record({
      actorId: principal.user.id,
      action: 'care-team.add',
      patientId: access.patient.id,
      planId: access.plan.id,
      outcome: 'allowed',
      details: { memberId: entry.id },
    });
    res.status(201).json(await memberView(entry));
  });

  router.delete('/:id/care-team/:memberId', auth, async (req, res) => {
    const principal = staffOnly(res);
    const access = await teamMember(principal, String(req.params.id), 'care-team.remove');
    const removed = await deps.store.removeCareTeamMember(access.patient.id, String(req.params.memberId));
    if (!removed) throw notFound('no such care-team member', 'care-team.no-member');
    deps.audit.record({
      actorId: principal.user.id,
      action: 'care-team.remove',
      patientId: access.patient.id,
      planId: access.plan.id,
      outcome: 'allowed',
      details: { memberId: req.params.memberId },
    });
    // Removal takes effect at once: open sessions of those who lost access are closed.
    await deps.accessChanged(access.patient.id);
    res.status(204).end();
  });

  return router;
}
