import { Router } from 'express';
import { userView } from '../../auth/access.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { objectionRoutes } from './access-routes.ts';
import { accessLogRoutes } from './audit-routes.ts';

/** `/me`: the signed-in person's own: who they are, and a citizen's objections and access log. */
export function meRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.get('/', requireAuth(deps.access), (_req, res) => {
    res.json(userView(principalOf(res)));
  });
  router.use('/objections', objectionRoutes(deps));
  router.use('/access-log', accessLogRoutes(deps));
  return router;
}
