import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { isStaff } from '../../../shared/roles.ts';
import { userView } from '../../auth/access.ts';
import { verifyApiKey } from '../../results/api-keys.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, notFound, parse, unauthorized } from '../errors.ts';
import { planAccessOrThrow } from './plan-access.ts';

const NewEmbedLink = z
  .object({ access: z.enum(['edit', 'read']).default('edit'), expiresInMinutes: z.number().int().min(1).max(90 * 24 * 60).default(7 * 24 * 60) })
  .strict();
const SessionRequest = z.object({ link: z.string().min(20).max(2000) }).strict();

/** Embed sessions last at most this long (and never beyond their link). */
const SESSION_MS = 12 * 3_600_000;

/**
 * Embed links for GPs: signed, scoped to one plan, expiring, revocable. The practice system
 * opens `/embed#<link>` in an iframe; the page exchanges the link for an in-memory session
 * token (no cookies: third-party cookies are blocked in iframes) that reaches that plan only.
 */
export function embedRoutes(deps: HttpDeps): Router {
  const router = Router();

  /** A care-team member's session, or the GP's practice system with its API key. */
  async function creator(req: Request, planId: string): Promise<{ userId: string | null; system: string | null; actsAs: string | null }> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer?.startsWith('chk_')) {
      const key = await verifyApiKey(deps.store.results, bearer);
      if (!key.ok) throw unauthorized(key.reason);
      if (!(await deps.store.getPlan(planId))) throw notFound('no such plan');
      return { userId: null, system: key.system, actsAs: null };
    }
    const auth = await deps.access.authenticate(bearer);
    if (!auth.ok) throw unauthorized(auth.reason === 'missing' ? 'sign in first' : `the session token is ${auth.reason}`);
    const principal = auth.principal;
    if (!isStaff(principal.user.role) || principal.embed) throw forbidden('only care-team staff create embed links');
    const access = await planAccessOrThrow(deps, principal, planId, 'embed-link.create');
    if (access.via !== 'care_team') throw forbidden('only care-team members create embed links');
    return { userId: principal.user.id, system: null, actsAs: principal.user.role === 'gp' ? principal.user.id : null };
  }

  router.post('/plans/:id/embed-links', async (req, res) => {
    const planId = String(req.params.id);
    const who = await creator(req, planId);
    const body = parse(NewEmbedLink, req.body ?? {});
    const now = new Date();
    const expires = new Date(now.getTime() + body.expiresInMinutes * 60_000);
    const link = { id: randomUUID(), planId, access: body.access, createdBy: who.userId, createdBySystem: who.system, actsAs: who.actsAs, created: now.toISOString(), expires: expires.toISOString(), revoked: null };
    await deps.store.accessGrants.addEmbedLink(link);
    const plan = await deps.store.getPlan(planId);
    deps.audit.record({ actorId: who.userId, action: 'embed-link.create', planId, patientId: plan?.patientId ?? null, outcome: 'allowed', details: { linkId: link.id, access: link.access, system: who.system } });
    const token = await deps.tokens.issueEmbed('embed-link', link.id, planId, expires);
    // The link rides in the URL's fragment, which browsers never send to a server or a log.
    res.status(201).json({ id: link.id, url: `${req.protocol}://${req.get('host')}/embed#${token}`, link: token, expiresAt: link.expires });
  });

  router.delete('/embed-links/:id', async (req, res) => {
    const link = await deps.store.accessGrants.getEmbedLink(String(req.params.id));
    if (!link) throw notFound('no such embed link');
    const who = await creator(req, link.planId);
    await deps.store.accessGrants.revokeEmbedLink(link.id, new Date().toISOString());
    const plan = await deps.store.getPlan(link.planId);
    deps.audit.record({ actorId: who.userId, action: 'embed-link.revoke', planId: link.planId, patientId: plan?.patientId ?? null, outcome: 'allowed', details: { linkId: link.id } });
    if (plan) await deps.accessChanged(plan.patientId);
    res.status(204).end();
  });

  router.post('/embed/session', async (req, res) => {
    const { link } = parse(SessionRequest, req.body);
    const check = await deps.tokens.verify(link);
    const claims = check.ok && check.claims.kind === 'embed-link' ? check.claims : null;
    const stored = claims ? await deps.store.accessGrants.getEmbedLink(claims.sub) : null;
    const refusal = !check.ok && check.reason === 'expired' ? 'this embed link has expired' : !stored || stored.planId !== claims?.plan ? 'this is not a valid embed link' : stored.revoked ? 'this embed link has been revoked' : Date.parse(stored.expires) <= Date.now() ? 'this embed link has expired' : null;
    if (refusal || !stored) {
      deps.audit.record({ actorId: null, action: 'embed-link.use', planId: stored?.planId ?? null, outcome: 'refused', details: { reason: refusal, linkId: stored?.id ?? null } });
      throw unauthorized(refusal ?? 'this is not a valid embed link');
    }
    const expires = new Date(Math.min(Date.parse(stored.expires), Date.now() + SESSION_MS));
    const token = await deps.tokens.issueEmbed('embed-session', stored.id, stored.planId, expires, stored.access);
    const auth = await deps.access.authenticate(token);
    if (!auth.ok) throw unauthorized('this embed link cannot be used');
    const plan = await deps.store.getPlan(stored.planId);
    deps.audit.record({ actorId: auth.principal.user.id, action: 'embed-link.use', planId: stored.planId, patientId: plan?.patientId ?? null, outcome: 'allowed', details: { linkId: stored.id, embed: true } });
    res.json({ token, planId: stored.planId, access: stored.access, expiresAt: expires.toISOString(), user: userView(auth.principal) });
  });

  return router;
}
