import { Router } from 'express';
import { isStaff } from '../../../shared/roles.ts';
import { NewCorrespondence } from '../../messaging/correspondence.ts';
import { NewHomeCareReport } from '../../messaging/home-care-reports.ts';
import { CorrespondenceError } from '../../messaging/outbound-state.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, HttpError, notFound, parse } from '../errors.ts';
import { planAccessOrThrow } from './plan-access.ts';

/**
 * `/correspondence/:planId`: the plan's MedCom correspondence (CareCommunication) for care
 * staff who may reach the plan: the threads (`GET`), an attachment (`GET
 * …/messages/:id/attachments/:index`), and a reply or a new message to an organisation on the
 * care team (`POST`, staff of an organisation on the care team), which goes to the outbox;
 * "Send til egen læge": the HomeCareObservations sent from the plan (`GET …/home-care-reports`)
 * and a new one of chosen measurements to the GP practice (`POST …/home-care-reports`, the
 * municipality's staff on the care team). Nothing is queued when the request is refused.
 */

/** A refusal of the messaging code as an HTTP error with its body. */
function refused(err: unknown): never {
  if (err instanceof CorrespondenceError)
    throw new HttpError(
      err.status,
      err.status === 409
        ? 'conflict'
        : err.status === 404
          ? 'not_found'
          : err.status === 403
            ? 'forbidden'
            : 'bad_request',
      err.message,
    );
  throw err;
}
export function correspondenceRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.use(requireAuth(deps.access));
  const staff = (res: Parameters<typeof principalOf>[0]) => {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role)) throw forbidden('correspondence is for care staff');
    return principal;
  };

  router.get('/:planId', async (req, res) => {
    const access = await planAccessOrThrow(deps, staff(res), String(req.params.planId), 'correspondence.read');
    res.set('Cache-Control', 'no-store').json(await deps.correspondence.threads(access.patient));
  });

  /** The organisations on the care team a new message or the measurements can go to (not the writer's own). */
  router.get('/:planId/recipients', async (req, res) => {
    const principal = staff(res);
    const access = await planAccessOrThrow(deps, principal, String(req.params.planId), 'correspondence.read');
    if (access.via !== 'care_team' || !principal.organisation) return res.json([]);
    res
      .set('Cache-Control', 'no-store')
      .json(await deps.correspondence.recipients(access.patient, principal.organisation));
  });

  router.get('/:planId/messages/:id/attachments/:index', async (req, res) => {
    const access = await planAccessOrThrow(deps, staff(res), String(req.params.planId), 'correspondence.attachment');
    const found = await deps.correspondence.attachment(access.patient, String(req.params.id), Number(req.params.index));
    if (!found) throw notFound('no such attachment');
    const name = found.title.replace(/[^\p{L}\p{N} ._-]/gu, '_').slice(0, 100) || 'bilag';
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
      .type(found.contentType)
      .send(found.data);
  });

  router.post('/:planId', async (req, res) => {
    const principal = staff(res);
    const access = await planAccessOrThrow(deps, principal, String(req.params.planId), 'correspondence.send');
    if (access.via !== 'care_team' || !principal.organisation)
      throw forbidden('only staff of an organisation on the care team write to the other organisations');
    const body = parse(NewCorrespondence, req.body);
    try {
      const sent = await deps.correspondence.send(
        { user: principal.user, organisation: principal.organisation },
        access.patient,
        body,
      );
      res.status(201).json({ id: sent.id, messageId: sent.messageId });
    } catch (err) {
      refused(err);
    }
  });

  router.get('/:planId/home-care-reports', async (req, res) => {
    const access = await planAccessOrThrow(deps, staff(res), String(req.params.planId), 'correspondence.read');
    res.set('Cache-Control', 'no-store').json(await deps.homeCareReports.list(access.patient));
  });

  router.post('/:planId/home-care-reports', async (req, res) => {
    const principal = staff(res);
    const planId = String(req.params.planId);
    const access = await planAccessOrThrow(deps, principal, planId, 'correspondence.send');
    if (access.via !== 'care_team' || !principal.organisation)
      throw forbidden('only staff of an organisation on the care team send measurements to the GP');
    const body = parse(NewHomeCareReport, req.body);
    try {
      const sent = await deps.homeCareReports.send(
        { user: principal.user, organisation: principal.organisation },
        access.patient,
        planId,
        body,
      );
      res.status(201).json({ id: sent.id, messageId: sent.messageId });
    } catch (err) {
      refused(err);
    }
  });

  return router;
}
