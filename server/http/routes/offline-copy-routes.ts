import { Router } from 'express';
import * as Y from 'yjs';
import { z } from 'zod';
import type { PlanView } from '../../../shared/api.ts';
import { encodeOfflineCopy, OFFLINE_COPY_TYPE } from '../../../shared/offline-copy.ts';
import { CoalescedAudit } from '../../audit/coalesced-audit.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { badRequest, forbidden, notFound, parse } from '../errors.ts';
import { auditDetails } from './plan-access.ts';
import { planPeople } from './plan-people.ts';

/** `?have=`: the state vector of the copy the device holds (base64url), so only what it lacks is sent. */
const OfflineCopyQuery = z
  .object({
    have: z
      .string()
      .max(65_536)
      .regex(/^[A-Za-z0-9_-]*$/, 'have must be base64url')
      .optional(),
  })
  .strict();

function stateVectorOf(have: string | undefined): Uint8Array | undefined {
  if (!have) return undefined;
  const bytes = new Uint8Array(Buffer.from(have, 'base64url'));
  try {
    Y.decodeStateVector(bytes);
  } catch {
    throw badRequest('have is not a Yjs state vector');
  }
  return bytes;
}

/** Repeated fetches of one plan by one person within this window are one audited access. */
export const PREFETCH_AUDIT_WINDOW_MS = 30 * 60_000;

/**
 * Under `/plans`: `GET /:id/offline-copy`, the plan as a tablet keeps it to open without a
 * network (shared/offline-copy.ts): the patient header, the plan's people and the whole
 * document, or with `?have=<state vector>` only what a copy with that state lacks. The same permission as opening the plan live (/collab): anyone who may open it,
 * staff only (citizens read their plan through the citizen view, never as a whole document).
 * A prefetch is an access to the patient's record: audited as `plan.prefetch`, coalesced per
 * person and plan (CoalescedAudit); every refusal is audited.
 */
export function offlineCopyRoutes(deps: HttpDeps): Router {
  const router = Router();
  const auth = requireAuth(deps.access);
  const prefetches = new CoalescedAudit(deps.audit, PREFETCH_AUDIT_WINDOW_MS);

  router.get('/:id/offline-copy', auth, async (req, res) => {
    const principal = principalOf(res);
    const { have } = parse(OfflineCopyQuery, req.query, 'query');
    const known = stateVectorOf(have);
    const planId = String(req.params.id);
    const access = await deps.access.planAccess(principal, planId);
    const refuse = (status: 403 | 404, reason: string, patientId: string | null) => {
      deps.audit.record({
        actorId: principal.user.id,
        action: 'plan.prefetch',
        planId: status === 404 ? null : planId,
        patientId,
        outcome: 'refused',
        details: { reason },
      });
      return status === 404 ? notFound(reason) : forbidden(reason);
    };
    if (!access.ok) throw refuse(access.status, access.reason, access.patientId ?? null);
    if (principal.user.role === 'citizen')
      throw refuse(
        403,
        'citizens follow their plan in Min plan, not in a copy of the whole document',
        access.patient.id,
      );
    const update = await deps.rooms.withRoom(access.plan.id, async (room) => {
      await room.flushed();
      return Y.encodeStateAsUpdate(room.doc, known);
    });
    const plan: PlanView = { ...access.plan, patientName: access.patient.name };
    const body = encodeOfflineCopy(
      { plan, people: await planPeople(deps, access.patient.id), at: new Date().toISOString() },
      update,
    );
    prefetches.record({
      actorId: principal.user.id,
      action: 'plan.prefetch',
      planId,
      patientId: access.patient.id,
      outcome: 'allowed',
      details: auditDetails(access),
    });
    res.setHeader('Cache-Control', 'no-store');
    res.type(OFFLINE_COPY_TYPE).send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });

  return router;
}
