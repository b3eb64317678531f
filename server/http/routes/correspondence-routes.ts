import { Router } from 'express';
import { isStaff } from '../../../shared/roles.ts';
import { CorrespondenceError, NewCorrespondence } from '../../messaging/correspondence.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, HttpError, notFound, parse } from '../errors.ts';
import { planAccessOrThrow } from './plan-access.ts';

/**
 * `/correspondence/:planId`: the plan's MedCom correspondence (CareCommunication) for care
 * staff who may reach the plan: the threads (`GET`), an attachment (`GET
 * …/messages/:id/attachments/:index`), and a reply or a new message to an organisation on the
 * care team (`POST`, staff of an organisation on the care team), which goes to the outbox.
 */
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
      if (err instanceof CorrespondenceError)
        throw new HttpError(
          err.status,
          err.status === 409 ? 'conflict' : err.status === 404 ? 'not_found' : 'bad_request',
          err.message,
        );
      throw err;
    }
  });

  return router;
}
