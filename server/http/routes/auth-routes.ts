import { Router } from 'express';
import { LoginRequest, type LoginResponse } from '../../../shared/api.ts';
import { dummyPasswordHash, verifyPassword } from '../../auth/passwords.ts';
import { userView } from '../../auth/access.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireAuth, principalOf } from '../authenticate.ts';
import { parse, unauthorized } from '../errors.ts';

export function authRoutes(deps: HttpDeps): Router {
  const router = Router();

  router.post('/auth/login', async (req, res) => {
    const { username, password } = parse(LoginRequest, req.body);
    const user = await deps.store.getUserByUsername(username);
    // Verify against a dummy hash for unknown users so the answer time does not reveal them.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !ok) {
      deps.audit.record({ actorId: user?.id ?? null, action: 'login', outcome: 'refused', details: { username, address: req.ip } });
      throw unauthorized('wrong username or password');
    }
    const organisation = user.organisationId ? await deps.store.getOrganisation(user.organisationId) : null;
    const { token, expiresAt } = await deps.tokens.issueSession(user.id);
    deps.audit.record({ actorId: user.id, action: 'login', outcome: 'allowed', details: { address: req.ip } });
    const body: LoginResponse = { token, expiresAt: expiresAt.toISOString(), user: userView({ user, organisation }) };
    res.json(body);
  });

  router.get('/me', requireAuth(deps.access), (_req, res) => {
    res.json(userView(principalOf(res)));
  });

  return router;
}
