import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { userView } from '../../auth/access.ts';
import type { EmbedLink } from '../../store/access-store.ts';
import { addressRateLimit } from '../address-rate-limit.ts';
import type { HttpDeps } from '../http-deps.ts';
import { forbidden, notFound, parse, unauthorized } from '../errors.ts';
import { embedGrantors } from './embed-grantors.ts';

const NewEmbedLink = z
  .object({
    access: z.enum(['edit', 'read']).default('edit'),
    expiresInMinutes: z
      .number()
      .int()
      .min(1)
      .max(90 * 24 * 60)
      .default(7 * 24 * 60),
    /** A practice system's key names the staff member the session acts as; a person's link acts as them. */
    actsAs: z.string().min(1).max(100).optional(),
  })
  .strict();
const SessionRequest = z.object({ link: z.string().min(20).max(2000) }).strict();

/** Embed sessions last at most this long (and never beyond their link). */
const SESSION_MS = 12 * 3_600_000;

export interface EmbedRouteHooks {
  /** A POST /embed/session with something that is not one of our links (garbage, a forgery): counted, not audited. */
  onInvalidLink: () => void;
  /** POST /embed/session refused over the per-address rate. */
  onThrottled: () => void;
}

// Embed links: signed, scoped to one plan, expiring, revocable, acting as one person. The
// practice system opens `/embed#<link>` in an iframe; the page exchanges the link for an
// in-memory session token (no cookies: third-party cookies are blocked in iframes) that
// reaches that plan only, as that person, while that person may (server/auth/access.ts).
// Making and revoking a link takes a session or a practice system's API key (embed-grantors.ts).

/** `POST /plans/:id/embed-links`: a link to the plan. */
export function planEmbedLinkRoutes(deps: HttpDeps): Router {
  const router = Router({ mergeParams: true });
  const grantors = embedGrantors(deps);

  router.post<'/', { id: string }>('/', async (req, res) => {
    const planId = req.params.id;
    const who = await grantors.identify(req);
    const body = parse(NewEmbedLink, req.body ?? {});
    const { actsAs, patientId } = await grantors.mayCreate(who, planId, body.actsAs);
    const now = new Date();
    const expires = new Date(now.getTime() + body.expiresInMinutes * 60_000);
    const system = who.kind === 'system' ? who.key.system : null;
    const link: EmbedLink = {
      id: randomUUID(),
      planId,
      access: body.access,
      createdBy: who.kind === 'person' ? who.principal.user.id : null,
      createdBySystem: system,
      createdByKey: who.kind === 'system' ? who.key.keyId : null,
      actsAs,
      created: now.toISOString(),
      expires: expires.toISOString(),
      revoked: null,
    };
    await deps.store.accessGrants.addEmbedLink(link);
    deps.audit.record({
      actorId: who.actorId,
      action: 'embed-link.create',
      planId,
      patientId,
      outcome: 'allowed',
      details: { linkId: link.id, access: link.access, actsAs, ...(system ? { system } : {}) },
    });
    const token = await deps.tokens.issueEmbed('embed-link', link.id, planId, expires);
    // The link rides in the URL's fragment, which browsers never send to a server or a log.
    res.status(201).json({
      id: link.id,
      url: `${req.protocol}://${req.get('host')}/embed#${token}`,
      link: token,
      expiresAt: link.expires,
    });
  });
  return router;
}

/** `DELETE /embed-links/:id`: ends a link, and at once every session made with it. */
export function embedLinkRoutes(deps: HttpDeps): Router {
  const router = Router();
  const grantors = embedGrantors(deps);

  router.delete('/:id', async (req, res) => {
    const who = await grantors.identify(req);
    grantors.refuseIntakeKey(who, 'embed-link.revoke');
    const link = await deps.store.accessGrants.getEmbedLink(String(req.params.id));
    if (!link) throw notFound('no such embed link');
    const { patientId } = await grantors.mayRevoke(who, link);
    await deps.store.accessGrants.revokeEmbedLink(link.id, new Date().toISOString());
    deps.audit.record({
      actorId: who.actorId,
      action: 'embed-link.revoke',
      planId: link.planId,
      patientId,
      outcome: 'allowed',
      details: { linkId: link.id, ...(who.kind === 'system' ? { system: who.key.system } : {}) },
    });
    // Open embed sessions of this link are closed at once, on every node.
    if (patientId) await deps.accessChanged(patientId);
    res.status(204).end();
  });
  return router;
}

/**
 * `POST /embed/session`: exchanges a link for a session. Anyone may call this without signing
 * in, so it is rate-limited per address, and only a link whose signature verifies (ours:
 * expired, revoked, or its person lost access) leaves a permanent audit entry; garbage is
 * counted in a metric instead (issue 14, finding 13).
 */
export function embedSessionRoutes(deps: HttpDeps, hooks: EmbedRouteHooks): Router {
  const router = Router();
  const sessionRate = addressRateLimit({
    perMinute: deps.config.embedSessionRatePerMinute,
    what: 'embed-link exchanges',
    onThrottled: hooks.onThrottled,
  });

  router.post('/session', sessionRate, async (req, res) => {
    const invalid = () => {
      hooks.onInvalidLink();
      return unauthorized('this is not a valid embed link');
    };
    if (!SessionRequest.safeParse(req.body).success) hooks.onInvalidLink();
    const { link } = parse(SessionRequest, req.body);
    const check = await deps.tokens.verify(link);
    const claims = check.ok ? check.claims : check.reason === 'expired' ? check.claims : null;
    if (!claims || claims.kind !== 'embed-link') throw invalid();

    const stored = await deps.store.accessGrants.getEmbedLink(claims.sub);
    const plan = await deps.store.getPlan(claims.plan);
    const refuse = (reason: string, actorId: string | null = null) => {
      deps.audit.record({
        actorId,
        action: 'embed-link.use',
        planId: plan?.id ?? null,
        patientId: plan?.patientId ?? null,
        outcome: 'refused',
        details: { reason, linkId: claims.sub },
      });
      return unauthorized(reason);
    };
    if (!check.ok) throw refuse('this embed link has expired');
    if (!stored || stored.planId !== claims.plan || !plan) throw refuse('this is not a valid embed link');
    if (stored.revoked) throw refuse('this embed link has been revoked');
    if (stored.createdByKey) {
      const key = await deps.store.results.getApiKey(stored.createdByKey);
      if (!key || key.revoked) throw refuse('the API key that made this embed link has been revoked');
    }
    if (!(Date.parse(stored.expires) > Date.now())) throw refuse('this embed link has expired');

    const expires = new Date(Math.min(Date.parse(stored.expires), Date.now() + SESSION_MS));
    const token = await deps.tokens.issueEmbed('embed-session', stored.id, stored.planId, expires, stored.access);
    const auth = await deps.access.authenticate(token);
    if (!auth.ok) throw refuse('this embed link cannot be used: it acts as nobody who may treat patients');
    // The person the link acts as must still reach the plan: care team, no objection.
    const access = await deps.access.planAccess(auth.principal, stored.planId);
    if (!access.ok) {
      deps.audit.record({
        actorId: auth.principal.user.id,
        action: 'embed-link.use',
        planId: plan.id,
        patientId: plan.patientId,
        outcome: 'refused',
        details: { reason: access.reason, linkId: stored.id, embed: true },
      });
      throw forbidden(access.reason);
    }
    deps.audit.record({
      actorId: auth.principal.user.id,
      action: 'embed-link.use',
      planId: stored.planId,
      patientId: plan.patientId,
      outcome: 'allowed',
      details: { linkId: stored.id, embed: true },
    });
    res.json({
      token,
      planId: stored.planId,
      access: stored.access,
      expiresAt: expires.toISOString(),
      user: userView(auth.principal),
    });
  });

  return router;
}
