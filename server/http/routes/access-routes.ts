import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { isStaff } from '../../../shared/roles.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { badRequest, conflict, forbidden, type HttpError, notFound, parse } from '../errors.ts';
import { RecordedReason } from '../../../shared/api.ts';
import { planAccessOrThrow } from './plan-access.ts';

// The reason is kept in the audit trail and told to the care team: RecordedReason refuses one
// holding a CPR number, however its digits are spaced.
const BreakGlassRequest = z.object({ reason: RecordedReason });

const ObjectionRequest = z
  .object({ organisationId: z.string().uuid().optional(), userId: z.string().uuid().optional() })
  .strict()
  .refine((v) => (v.organisationId ? 1 : 0) + (v.userId ? 1 : 0) === 1, {
    message: 'give exactly one of organisationId or userId',
  });

// Access beyond the care team: break-the-glass for staff in an emergency (time-limited,
// flagged, the team is told), and the citizen's objections to named organisations or persons
// (enforced like a removal from the care team, at once, on open sessions too).

/** Under `/plans`: `POST /:id/break-glass`, and `GET /:id/access` (what the caller's access rests on). */
export function planAccessRoutes(deps: HttpDeps): Router {
  const router = Router();
  const auth = requireAuth(deps.access);

  router.post('/:id/break-glass', auth, async (req, res) => {
    const principal = principalOf(res);
    const { user, organisation } = principal;
    // Every refusal is audited too, flagged as a break-the-glass attempt; the reason given is
    // not kept when refused (it may be what was refused: a CPR number in it).
    const refuse = (error: HttpError, patientId: string | null = null, planId: string | null = null) => {
      deps.audit.record({
        actorId: user.id,
        action: 'break-glass',
        planId,
        patientId,
        outcome: 'refused',
        details: { breakTheGlass: true, reason: error.message },
      });
      return error;
    };
    if (!isStaff(user.role) || principal.embed) throw refuse(forbidden('only care staff may break the glass'));
    const plan = await deps.store.getPlan(String(req.params.id));
    if (!plan) throw refuse(notFound('no such plan'));
    let reason: string;
    try {
      reason = parse(BreakGlassRequest, req.body).reason;
    } catch (err) {
      refuse(badRequest('the reason is missing or cannot be kept'), plan.patientId, plan.id);
      throw err;
    }
    const current = await deps.access.patientAccess(principal, plan.patientId);
    if (current.ok && current.via === 'care_team')
      throw refuse(conflict('you are on the care team already', 'care-team.already'), plan.patientId, plan.id);
    if (!current.ok && current.objected) throw refuse(forbidden(current.reason), plan.patientId, plan.id);
    const now = new Date();
    const grant = {
      id: randomUUID(),
      userId: user.id,
      patientId: plan.patientId,
      planId: plan.id,
      reason,
      created: now.toISOString(),
      expires: new Date(now.getTime() + deps.config.breakGlassMinutes * 60_000).toISOString(),
    };
    await deps.store.accessGrants.addBreakGlass(grant);
    deps.audit.record({
      actorId: user.id,
      action: 'break-glass',
      planId: plan.id,
      patientId: plan.patientId,
      outcome: 'allowed',
      details: { breakTheGlass: true, reason, expires: grant.expires },
    });
    await deps.notifier.notify(plan.patientId, {
      kind: 'break-glass',
      planId: plan.id,
      severity: 'warning',
      params: { person: user.name, organisation: organisation?.name ?? null, role: user.role, reason },
    });
    res.status(201).json({ id: grant.id, planId: plan.id, expires: grant.expires });
  });

  router.get('/:id/access', auth, async (req, res) => {
    // What the caller's access to this plan rests on (the UI shows break-the-glass sessions).
    const access = await planAccessOrThrow(deps, principalOf(res), String(req.params.id), 'plan.access.read');
    res.json({ via: access.via, readOnly: access.readOnly, expires: access.breakGlass?.expires ?? null });
  });
  return router;
}

/** `/me/objections`: the citizen's objections (list, add, withdraw). */
export function objectionRoutes(deps: HttpDeps): Router {
  const router = Router();
  const auth = requireAuth(deps.access);

  router.get('/', auth, async (_req, res) => {
    const { user } = principalOf(res);
    if (user.role !== 'citizen' || !user.patientId) throw forbidden('objections are the citizen’s own');
    res.json(await deps.store.accessGrants.listObjections(user.patientId));
  });

  router.post('/', auth, async (req, res) => {
    const { user } = principalOf(res);
    if (user.role !== 'citizen' || !user.patientId) throw forbidden('objections are the citizen’s own');
    const body = parse(ObjectionRequest, req.body);
    if (body.organisationId && !(await deps.store.getOrganisation(body.organisationId)))
      throw notFound('no such organisation');
    if (body.userId && !(await deps.store.getUser(body.userId))) throw notFound('no such person');
    const objection = {
      id: randomUUID(),
      patientId: user.patientId,
      organisationId: body.organisationId ?? null,
      userId: body.userId ?? null,
      created: new Date().toISOString(),
      withdrawn: null,
    };
    await deps.store.accessGrants.addObjection(objection);
    deps.audit.record({
      actorId: user.id,
      action: 'objection.add',
      patientId: user.patientId,
      outcome: 'allowed',
      details: { objectionId: objection.id, organisationId: objection.organisationId, userId: objection.userId },
    });
    await deps.accessChanged(user.patientId);
    res.status(201).json(objection);
  });

  router.delete('/:id', auth, async (req, res) => {
    const { user } = principalOf(res);
    if (user.role !== 'citizen' || !user.patientId) throw forbidden('objections are the citizen’s own');
    if (
      !(await deps.store.accessGrants.withdrawObjection(
        user.patientId,
        String(req.params.id),
        new Date().toISOString(),
      ))
    )
      throw notFound('no such objection');
    deps.audit.record({
      actorId: user.id,
      action: 'objection.withdraw',
      patientId: user.patientId,
      outcome: 'allowed',
      details: { objectionId: req.params.id },
    });
    res.status(204).end();
  });
  return router;
}
