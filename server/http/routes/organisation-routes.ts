import { Router } from 'express';
import { isStaff } from '../../../shared/roles.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden } from '../errors.ts';

/**
 * `GET /organisations`: the organisations a care team may be given (name and sector), for care
 * staff choosing one: nothing about patients.
 */
export function organisationRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.get('/', requireAuth(deps.access), async (_req, res) => {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role) || principal.embed) throw forbidden('only care staff may do this', 'staff-only');
    const orgs = await deps.store.listOrganisations();
    res.json(
      orgs
        .map((o) => ({ id: o.id, name: o.name, sector: o.sector }))
        .sort((a, b) => a.name.localeCompare(b.name, 'da')),
    );
  });
  return router;
}
