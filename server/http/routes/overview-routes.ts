import { Router } from 'express';
import { z } from 'zod';
import { isStaff } from '../../../shared/roles.ts';
import { OverviewBuilder } from '../../worklist/overview.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, notFound, parse } from '../errors.ts';

const SeenRequest = z.object({ planId: z.string().uuid() }).strict();

/**
 * `/overview`: "Overblik", what needs the signed-in staff member across their patients
 * (server/worklist/overview.ts), and `POST /overview/seen`, which records that they looked at
 * a plan: what is new to them is counted from there, on every device.
 */
export function overviewRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.use(requireAuth(deps.access));

  router.get('/', async (_req, res) => {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role) || principal.embed) throw forbidden('only care staff have an overview');
    const { patients, ...overview } = await new OverviewBuilder(deps.store, deps.summaries).build(principal);
    // What it shows of each patient (results, tasks, changes) is a read of their record.
    const shown = new Map<string, number>();
    for (const item of overview.items) shown.set(item.patient.id, (shown.get(item.patient.id) ?? 0) + 1);
    for (const p of patients)
      if (shown.has(p.id))
        deps.audit.record({
          actorId: principal.user.id,
          action: 'overview.read',
          patientId: p.id,
          outcome: 'allowed',
          details: { items: shown.get(p.id) },
        });
    res.json(overview);
  });

  router.post('/seen', async (req, res) => {
    const principal = principalOf(res);
    const { planId } = parse(SeenRequest, req.body);
    if (!isStaff(principal.user.role) || principal.embed) throw forbidden('only care staff have an overview');
    const access = await deps.access.planAccess(principal, planId);
    if (!access.ok) {
      deps.audit.record({
        actorId: principal.user.id,
        action: 'plan.seen',
        planId: access.status === 404 ? null : planId,
        patientId: access.patientId ?? null,
        outcome: 'refused',
        details: { reason: access.reason },
      });
      throw access.status === 404 ? notFound(access.reason) : forbidden(access.reason);
    }
    const view = { time: new Date().toISOString(), seq: await deps.store.latestSeq(planId) };
    await deps.store.personal.markPlanSeen(principal.user.id, planId, view);
    res.json(view);
  });

  return router;
}
