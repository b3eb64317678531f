import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { newEntry, sectionOf } from '../../../shared/plan-doc.ts';
import { NewSelfReportRequest } from '../../../shared/api.ts';
import { decide } from '../../../shared/permissions.ts';
import { refusalText } from '../../../shared/refusals.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, parse } from '../errors.ts';
import { planAccessOrThrow } from './plan-access.ts';

/**
 * Under `/plans`: the citizen adds a self-reported measurement (blood pressure, weight, a symptom). It goes
 * into the plan's `selfReports` section as a change by the citizen, through the same
 * permission table as every other write, and reaches the care team live.
 */
export function selfReportRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.post('/:id/self-reports', requireAuth(deps.access), async (req, res) => {
    const principal = principalOf(res);
    const access = await planAccessOrThrow(deps, principal, req.params.id as string, 'plan.self-report');
    const body = parse(NewSelfReportRequest, req.body);
    const entry = {
      ...body,
      id: randomUUID(),
      taken: body.taken ? new Date(body.taken).toISOString() : new Date().toISOString(),
    };
    const decision = decide({ userId: principal.user.id, role: principal.user.role, sector: null }, 'selfReports', {
      op: 'add',
      entry,
    });
    if (!decision.allowed) throw forbidden(refusalText(decision.refusal));
    await deps.rooms.withRoom(access.plan.id, async (room) => {
      room.applyServerChange((doc) => sectionOf(doc, 'selfReports').push([newEntry(entry)]), {
        origin: 'client',
        author: principal.user.id,
      });
      await room.flushed();
    });
    res.status(201).json(entry);
  });
  return router;
}
