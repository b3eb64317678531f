import { Router } from 'express';
import { z } from 'zod';
import { DEFAULT_LANGUAGE, Language } from '../../../shared/language.ts';
import { userView } from '../../auth/access.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, parse } from '../errors.ts';
import { objectionRoutes } from './access-routes.ts';
import { accessLogRoutes } from './audit-routes.ts';

const LanguageRequest = z.object({ language: Language }).strict();

/** A device's kept plans, asked about at once (a tablet keeps a day or two of visits). */
export const MAX_KEPT_PLANS_ASKED = 500;
const KeptPlansRequest = z.object({ planIds: z.array(z.string().uuid()).max(MAX_KEPT_PLANS_ASKED) }).strict();

/**
 * `/me`: the signed-in person's own: who they are, the language they chose (Danish unless they
 * chose otherwise, whatever their browser says; kept on the server, so it follows them), and a
 * citizen's objections and access log.
 */
export function meRoutes(deps: HttpDeps): Router {
  const router = Router();
  const auth = requireAuth(deps.access);
  router.get('/', auth, (_req, res) => {
    res.json(userView(principalOf(res)));
  });
  router.get('/language', auth, async (_req, res) => {
    const chosen = await deps.store.personal.getLanguage(principalOf(res).user.id);
    res.json({ language: chosen ?? DEFAULT_LANGUAGE, chosen: chosen !== null });
  });
  router.put('/language', auth, async (req, res) => {
    const principal = principalOf(res);
    // A practice system's embedded page is the practice's: its language is not the person's choice.
    if (principal.embed) throw forbidden('an embedded session does not keep a language', 'access.embed-one-plan');
    const { language } = parse(LanguageRequest, req.body);
    await deps.store.personal.setLanguage(principal.user.id, language);
    res.json({ language, chosen: true });
  });
  /**
   * `POST /me/kept-plans {planIds}`: which of the plans a device keeps offline this person may
   * still open (issue 16, the attacker's finding 9): a plan whose access was lost while it was
   * not open is removed from the device at once, not after the visits list's grace. Answers
   * only yes or no per plan the device already names (no content; nothing to audit); an
   * unknown plan is simply not reachable.
   */
  router.post('/kept-plans', auth, async (req, res) => {
    const principal = principalOf(res);
    const { planIds } = parse(KeptPlansRequest, req.body);
    const reachable: string[] = [];
    for (const planId of new Set(planIds)) {
      const access = await deps.access.planAccess(principal, planId);
      if (access.ok) reachable.push(planId);
    }
    res.json({ reachable });
  });
  router.use('/objections', objectionRoutes(deps));
  router.use('/access-log', accessLogRoutes(deps));
  return router;
}
