import { Router } from 'express';
import {
  Binding,
  HANDOFF_PATH,
  HandoffRequest,
  SMART_BINDING_COOKIE,
  StartSignInRequest,
  type SignInRefusal,
} from '../../../shared/sign-in.ts';
import { SignInRefused } from '../../identity/oidc-sign-in.ts';
import { addressRateLimit } from '../address-rate-limit.ts';
import { HttpError, parse } from '../errors.ts';
import type { HttpDeps } from '../http-deps.ts';
import { publicBase } from '../public-base.ts';

/** A cookie's value from the Cookie header, if it is a well-formed binding value. */
function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      const value = part.slice(at + 1).trim();
      return Binding.safeParse(value).success ? value : null;
    }
  }
  return null;
}

/** The HTTP answer to a refused sign-in step asked by the page (JSON; the page words the reason). */
export function refusedAnswer(reason: SignInRefusal): HttpError {
  switch (reason) {
    case 'unknown_provider':
      return new HttpError(404, 'not_found', 'no such identity provider', { reason });
    case 'provider_unavailable':
      return new HttpError(503, 'unavailable', 'the identity provider did not answer; try again later', { reason });
    case 'sign_in_expired':
      return new HttpError(401, 'unauthorized', 'this sign-in has expired or was used already; sign in again', {
        reason,
      });
    case 'not_on_care_team':
    case 'objected':
      return new HttpError(403, 'forbidden', 'the practice is not on this patient’s care team', { reason });
    default:
      return new HttpError(401, 'unauthorized', 'the sign-in was refused', { reason });
  }
}

/**
 * `/auth/options`, `/auth/oidc/start`, `/auth/oidc/callback`, `/auth/handoff`: signing in
 * through an organisation's identity provider (server/identity/oidc-sign-in.ts). The callback
 * is where the provider sends the browser; it answers with a redirect to the app's page and a
 * one-time code in the fragment, never a token in an address.
 */
export function signInRoutes(deps: HttpDeps, hooks: { onThrottled: () => void }): Router {
  const router = Router();
  // Beginning and finishing are counted apart: a sign-in takes one of each.
  const startRate = addressRateLimit({
    perMinute: deps.config.signInRatePerMinute,
    what: 'sign-ins',
    onThrottled: hooks.onThrottled,
  });
  // A callback with a garbage state costs nothing to send: limited like the rest.
  const callbackRate = addressRateLimit({
    perMinute: deps.config.signInRatePerMinute,
    what: 'sign-in callbacks',
    onThrottled: hooks.onThrottled,
  });
  const handoffRate = addressRateLimit({
    perMinute: deps.config.signInRatePerMinute,
    what: 'sign-in codes',
    onThrottled: hooks.onThrottled,
  });

  router.get('/options', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.signIn.options());
  });

  router.post('/oidc/start', startRate, async (req, res) => {
    const { providerId, binding } = parse(StartSignInRequest, req.body);
    try {
      const url = await deps.signIn.begin(providerId, binding, publicBase(req, deps.config), req.ip ?? 'unknown');
      res.setHeader('Cache-Control', 'no-store');
      res.json({ url: url.href });
    } catch (err) {
      throw err instanceof SignInRefused ? refusedAnswer(err.reason) : err;
    }
  });

  router.get('/oidc/callback', callbackRate, async (req, res) => {
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const finished = await deps.signIn.finish(query, req.ip ?? 'unknown');
    res.setHeader('Cache-Control', 'no-store');
    // The app's page finishes it: the code (or the reason) in the fragment, which no server sees.
    res.redirect(303, finished.ok ? `/#/signed-in/${finished.code}` : `/#/sign-in-refused/${finished.reason}`);
  });

  router.post('/handoff', handoffRate, async (req, res) => {
    const { code, binding } = parse(HandoffRequest, req.body);
    // A standalone SMART launch's binding is in its cookie (the page never saw it); used once.
    const cookie = cookieValue(req.headers.cookie, SMART_BINDING_COOKIE);
    if (cookie) res.clearCookie(SMART_BINDING_COOKIE, { path: HANDOFF_PATH });
    try {
      res.setHeader('Cache-Control', 'no-store');
      res.json(await deps.signIn.exchange(code, binding ?? cookie ?? undefined, req.ip ?? 'unknown'));
    } catch (err) {
      throw err instanceof SignInRefused ? refusedAnswer(err.reason) : err;
    }
  });

  return router;
}
