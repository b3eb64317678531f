import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import { z } from 'zod';
import {
  HANDOFF_PATH,
  SMART_BINDING_COOKIE,
  SMART_CALLBACK_PATH,
  SMART_LAUNCH_PATH,
  SmartSessionRequest,
} from '../../../shared/sign-in.ts';
import { SIGN_IN_MINUTES } from '../../identity/pending.ts';
import { SignInRefused } from '../../identity/oidc-sign-in.ts';
import type { SmartClient } from '../../store/records.ts';
import { addressRateLimit } from '../address-rate-limit.ts';
import { parse } from '../errors.ts';
import type { HttpDeps } from '../http-deps.ts';
import { allowFraming, publicBase } from '../public-base.ts';
import { refusedAnswer } from './sign-in-routes.ts';

const LaunchQuery = z.object({ iss: z.string().min(1).max(500), launch: z.string().min(1).max(2000).optional() });

/** The launched page of a practice system: `/smart/app/<client id>` (no id: a refusal nobody may frame). */
const appPage = (client: SmartClient | null) => `/smart/app${client ? `/${client.id}` : ''}`;

/** The launch's pages may be framed by the registered practice system's origin only. */
function framedBy(res: Response, client: SmartClient | null): void {
  allowFraming(res, client ? [client.frameOrigin] : null);
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * `/smart/launch`, `/smart/callback`, `/smart/app/:client`: SMART App Launch from a GP practice
 * system (server/identity/smart-launch.ts), inside the practice system's frame. Each step is a
 * redirect; the last lands on the app's launched page with a one-time code (or the refusal's
 * reason) in the fragment.
 */
export function smartPages(deps: HttpDeps, clientDist: string | undefined, hooks: { onThrottled: () => void }): Router {
  const router = Router();
  const rate = addressRateLimit({
    perMinute: deps.config.signInRatePerMinute,
    what: 'launches',
    onThrottled: hooks.onThrottled,
  });
  const callbackRate = addressRateLimit({
    perMinute: deps.config.signInRatePerMinute,
    what: 'launch callbacks',
    onThrottled: hooks.onThrottled,
  });
  const page = clientDist && existsSync(join(clientDist, 'index.html')) ? join(clientDist, 'index.html') : null;

  router.get(SMART_LAUNCH_PATH, rate, async (req, res) => {
    const query = LaunchQuery.safeParse(req.query);
    if (!query.success) {
      framedBy(res, null);
      res.redirect(303, `${appPage(null)}#refused=unknown_issuer`);
      return;
    }
    const base = publicBase(req, deps.config);
    // A standalone launch is top-level: its code is bound to this browser by a cookie (login
    // CSRF). An EHR launch runs in the practice system's frame, where cookies are not kept.
    const binding = query.data.launch === undefined ? randomBytes(32).toString('base64url') : null;
    const step = await deps.smart.launch(query.data.iss, query.data.launch, base, req.ip ?? 'unknown', binding);
    if (binding && step.kind === 'authorize')
      res.cookie(SMART_BINDING_COOKIE, binding, {
        httpOnly: true,
        sameSite: 'lax',
        secure: base.startsWith('https:'),
        path: HANDOFF_PATH,
        maxAge: SIGN_IN_MINUTES * 60_000,
      });
    framedBy(res, step.client);
    if (step.kind === 'authorize') res.redirect(302, step.url.href);
    else res.redirect(303, `${appPage(step.client)}#refused=${step.reason}`);
  });

  router.get(SMART_CALLBACK_PATH, callbackRate, async (req, res) => {
    const end = await deps.smart.finish(new URLSearchParams(req.originalUrl.split('?')[1] ?? ''), req.ip ?? 'unknown');
    framedBy(res, end.client);
    if (end.kind === 'plan') res.redirect(303, `${appPage(end.client)}#code=${end.code}`);
    // A standalone launch: the app itself, signed in, at the GP's patient list.
    else if (end.kind === 'session') res.redirect(303, `/#/signed-in/${end.code}`);
    else res.redirect(303, `${appPage(end.client)}#refused=${end.reason}`);
  });

  router.get(['/smart/app', '/smart/app/:clientId'], async (req, res, next) => {
    if (!page) return next();
    const id = typeof req.params.clientId === 'string' ? req.params.clientId : null;
    framedBy(res, id ? await deps.smart.clientById(id) : null);
    res.sendFile(page);
  });
  return router;
}

/** `POST /smart/session`: a launch's one-time code for its embedded session. */
export function smartSessionRoutes(deps: HttpDeps, hooks: { onThrottled: () => void }): Router {
  const router = Router();
  const rate = addressRateLimit({
    perMinute: deps.config.signInRatePerMinute,
    what: 'launch sessions',
    onThrottled: hooks.onThrottled,
  });
  router.post('/session', rate, async (req, res) => {
    const { code } = parse(SmartSessionRequest, req.body);
    try {
      res.setHeader('Cache-Control', 'no-store');
      res.json(await deps.smart.exchange(code));
    } catch (err) {
      throw err instanceof SignInRefused ? refusedAnswer(err.reason) : err;
    }
  });
  return router;
}
