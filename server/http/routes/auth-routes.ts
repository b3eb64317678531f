import { Router } from 'express';
import { LoginRequest, type LoginResponse } from '../../../shared/api.ts';
import { dummyPasswordHash, verifyPassword } from '../../auth/passwords.ts';
import { userView } from '../../auth/access.ts';
import type { HttpDeps } from '../http-deps.ts';
import { forbidden, HttpError, parse, unauthorized } from '../errors.ts';
import { LoginThrottle } from '../../auth/login-throttle.ts';
import { redactCprNumbers } from '../../../shared/cpr-in-text.ts';
import type { User } from '../../store/records.ts';
import { RefusalCoalescer } from '../../audit/refusal-coalescer.ts';
import { addressRateLimit } from '../address-rate-limit.ts';
import { signInRoutes } from './sign-in-routes.ts';

/** `/auth`: signing in (no session yet): with a local password, or through an identity provider (sign-in-routes.ts). */
export function authRoutes(deps: HttpDeps, hooks: { onThrottled: () => void }): Router {
  const router = Router();
  router.use(signInRoutes(deps, hooks));
  const throttle = new LoginThrottle(
    deps.config.loginMaxFailuresPerAccount,
    deps.config.loginMaxFailuresPerAddress,
    deps.config.loginThrottleWindowSeconds * 1000,
  );

  // With password sign-in off, every attempt is an unauthenticated refusal: limited per
  // address like the providers' sign-ins, and its audit rows coalesced.
  const offRate = addressRateLimit({
    perMinute: deps.config.signInRatePerMinute,
    what: 'password sign-ins',
    onThrottled: hooks.onThrottled,
  });
  const offRefusals = new RefusalCoalescer();
  router.post('/login', (req, res, next) => (deps.config.passwordLogin === 'off' ? offRate(req, res, next) : next()));

  router.post('/login', async (req, res) => {
    const { username, password } = parse(LoginRequest, req.body);
    const address = req.ip ?? 'unknown';
    // People type their CPR number into the username field: it must not reach the audit log.
    const typed = redactCprNumbers(username);
    if (deps.config.passwordLogin === 'off') {
      const left = offRefusals.admit(address);
      if (left !== null)
        deps.audit.record({
          actorId: null,
          action: 'login',
          outcome: 'refused',
          details: { username: typed, address, reason: 'password_login_off', ...(left > 0 ? { coalesced: left } : {}) },
        });
      throw forbidden(
        'signing in with a password is switched off here: sign in through your organisation',
        'sign-in.password-off',
      );
    }
    // Counted as a failure before the password check; taken back if the password is right.
    const attempt = throttle.attempt(username, address);
    if (!attempt.ok) {
      deps.audit.record({
        actorId: null,
        action: 'login',
        outcome: 'refused',
        details: { username: typed, address, throttled: true },
      });
      res.setHeader('Retry-After', String(attempt.retryAfterSeconds));
      throw new HttpError(
        429,
        'rate_limited',
        `too many failed sign-ins; try again in ${attempt.retryAfterSeconds} s`,
        undefined,
        { reason: 'sign-in.throttled', params: { seconds: attempt.retryAfterSeconds } },
      );
    }
    let user: User | null;
    let ok: boolean;
    try {
      user = await deps.store.getUserByUsername(username);
      // Verify against a dummy hash for unknown users so the answer time does not reveal them.
      ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    } catch (err) {
      attempt.failed();
      throw err;
    }
    if (!user || !ok) {
      attempt.failed();
      deps.audit.record({
        actorId: user?.id ?? null,
        action: 'login',
        outcome: 'refused',
        details: { username: typed, address: req.ip },
      });
      throw unauthorized('wrong username or password', 'sign-in.wrong-password');
    }
    attempt.succeeded();
    if (user.disabled) {
      deps.audit.record({
        actorId: user.id,
        action: 'login',
        outcome: 'refused',
        details: { address, reason: 'account_switched_off' },
      });
      throw unauthorized('this account has been switched off', 'sign-in.switched-off');
    }
    const organisation = user.organisationId ? await deps.store.getOrganisation(user.organisationId) : null;
    const { token, expiresAt } = await deps.sessions.start(user.id, null);
    deps.audit.record({ actorId: user.id, action: 'login', outcome: 'allowed', details: { address: req.ip } });
    const body: LoginResponse = { token, expiresAt: expiresAt.toISOString(), user: userView({ user, organisation }) };
    res.json(body);
  });

  /**
   * `POST /auth/logout`: ends the caller's signed-in session on the server, so its token is
   * worth nothing from now on, and closes its open connections on every node. Signing out
   * twice is not an error (204 both times); a token that is not a live session is 401.
   */
  router.post('/logout', async (req, res) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const result = await deps.access.authenticate(match?.[1]);
    if (!result.ok || !result.principal.sessionId)
      throw unauthorized(result.ok ? 'an embedded session ends with its link' : 'sign in first');
    const { user, sessionId } = result.principal;
    await deps.sessions.end(sessionId, user.id, 'signed_out');
    deps.audit.record({ actorId: user.id, action: 'logout', outcome: 'allowed', details: { address: req.ip } });
    res.status(204).end();
  });

  return router;
}
