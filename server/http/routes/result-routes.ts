import type { AuditAction } from '../../../shared/audit-actions.ts';
import type { ErrorReason } from '../../../shared/error-reasons.ts';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { parseCpr } from '../../../shared/cpr.ts';
import { isStaff } from '../../../shared/roles.ts';
import {
  ENCOUNTER_SYSTEM,
  EncounterNotification,
  type EncounterEvent,
  type IncomingResult,
} from '../../../shared/results.ts';
import { z } from 'zod';
import { FHIR_JSON, sendFhir, sendOperationOutcome } from '../../fhir/operation-outcome.ts';
import { apiKeyActor, verifyApiKey } from '../../results/api-keys.ts';
import { parseResultSubmission } from '../../results/fhir-intake.ts';
import { resultsRateLimit } from '../../results/results-rate-limit.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireAuth, principalOf } from '../authenticate.ts';
import { conflict, forbidden, notFound, parse } from '../errors.ts';
import type { StoredResult } from '../../store/result-store.ts';
import { auditDetails } from './plan-access.ts';

const EVENT_DISPLAY: Record<EncounterEvent, string> = {
  admission: 'Indlagt',
  'leave-start': 'Orlov fra indlæggelse',
  'leave-end': 'Tilbage fra orlov',
  discharge: 'Udskrevet',
  death: 'Død under indlæggelse',
  cancelled: 'Annulleret hospitalsmeddelelse',
};

const SeenRequest = z.object({ ids: z.array(z.string().uuid()).min(1).max(500) });

/**
 * What a sending system's submissions pass through before they are filed: its API key (an
 * intake key), one rate budget per key shared by results and encounters, and a body parser
 * of their own (systems send `application/fhir+json`, larger than ordinary requests). Each
 * refusal (key, rate, body) is an OperationOutcome.
 */
export function systemIntake(deps: HttpDeps, hooks: { onThrottled: () => void }) {
  const body = express.json({ limit: `${deps.config.resultsMaxBodyKb}kb`, type: ['application/json', FHIR_JSON] });
  const rate = resultsRateLimit({
    rate: deps.config.resultsRatePerSecond,
    burst: deps.config.resultsRateBurst,
    onThrottled: hooks.onThrottled,
  });

  /** Authenticates the sending system by its API key; answers 401 with an OperationOutcome. */
  const auth =
    (action: 'result.file' | 'encounter.file' | 'message.receive' | 'message.collect') =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      const check = await verifyApiKey(deps.store.results, match?.[1]);
      if (!check.ok) return sendOperationOutcome(res, 401, 'login', check.reason);
      // Only intake keys (labs, imaging, hospitals) file; a practice system's key reaches its embed links only.
      if (check.scope !== 'intake') {
        const reason = `this API key's scope is ${check.scope}: only intake keys file results, encounters and messages`;
        deps.audit.record({
          actorId: apiKeyActor(check.keyId),
          action,
          outcome: 'refused',
          details: { system: check.system, reason },
        });
        return sendOperationOutcome(res, 403, 'forbidden', reason);
      }
      res.locals.system = check.system;
      res.locals.keyId = check.keyId;
      next();
    };

  /** A body too large, JSON that does not parse: as OperationOutcomes. */
  const errors = (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.too.large')
      sendOperationOutcome(res, 413, 'too-long', `the body is larger than ${deps.config.resultsMaxBodyKb} KB`);
    else if (e.type === 'entity.parse.failed') sendOperationOutcome(res, 400, 'invalid', 'the body is not valid JSON');
    else next(err);
  };

  return { auth, rate, body, errors };
}

export type SystemIntake = ReturnType<typeof systemIntake>;

/**
 * `/results`: results from lab and imaging systems (`POST /`, an intake key), and what
 * clinicians do with them (acknowledge, release to the citizen; a session).
 */
export function resultRoutes(deps: HttpDeps, intake: SystemIntake): Router {
  const router = Router();

  router.post('/', intake.auth('result.file'), intake.rate, intake.body, async (req, res) => {
    const parsed = parseResultSubmission(req.body, { isRegisteredReplacementCpr: () => true });
    if (!parsed.ok) return sendFhir(res, parsed.status, parsed.outcome);
    const outcome = await deps.filing.file(res.locals.system as string, parsed.results);
    if (!outcome.ok)
      return sendOperationOutcome(
        res,
        outcome.status,
        outcome.status === 409 ? 'conflict' : 'invalid',
        outcome.message,
      );
    res.status(outcome.status).json(outcome.body);
  });
  router.use('/', intake.errors);

  const staff = requireAuth(deps.access);
  /**
   * The result, if the caller may act on it. Every outcome is audited once: refused (no
   * access, or `refusal` says why the action does not apply: answered 409), or allowed,
   * flagged when the access rests on break-the-glass.
   */
  async function resultForStaff(
    req: Request,
    res: Response,
    action: AuditAction,
    refusal: (stored: StoredResult) => string | null = () => null,
    refusalReason?: ErrorReason,
  ) {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role)) throw forbidden('only care staff may do this');
    const stored = await deps.store.results.getResult(String(req.params.id));
    if (!stored) throw notFound('no such result');
    const access = await deps.access.patientAccess(principal, stored.patientId);
    const refused = access.ok ? refusal(stored) : access.reason;
    deps.audit.record({
      actorId: principal.user.id,
      action,
      patientId: stored.patientId,
      outcome: refused === null ? 'allowed' : 'refused',
      details: {
        resultId: stored.resultId,
        ...(refused === null ? {} : { reason: refused }),
        ...(access.ok ? auditDetails(access) : {}),
      },
    });
    if (!access.ok) throw forbidden(access.reason);
    if (refused !== null) throw conflict(refused, refusalReason);
    return { principal, stored };
  }

  router.post('/:id/acknowledge', staff, async (req, res) => {
    const { principal, stored } = await resultForStaff(
      req,
      res,
      'result.acknowledge',
      (s) => (s.critical ? null : 'only critical results (HH, LL, AA) are acknowledged'),
      'result.not-critical',
    );
    res.json(await deps.filing.acknowledge(stored, { id: principal.user.id, name: principal.user.name }));
  });

  router.post('/:id/release', staff, async (req, res) => {
    const { principal, stored } = await resultForStaff(req, res, 'result.release');
    res.json({ releaseAt: await deps.filing.release(stored.resultId, principal.user.id) });
  });

  return router;
}

/** `POST /encounters`: hospital notifications (admission, leave, discharge), with an intake key. */
export function encounterRoutes(deps: HttpDeps, intake: SystemIntake): Router {
  const router = Router();

  router.post('/', intake.auth('encounter.file'), intake.rate, intake.body, async (req, res) => {
    const body = EncounterNotification.safeParse(req.body);
    if (!body.success) {
      const issue = body.error.issues[0];
      return sendOperationOutcome(
        res,
        400,
        'invalid',
        `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const cpr = parseCpr(body.data.cpr, { allowReplacement: true });
    if (!cpr.ok) return sendOperationOutcome(res, 422, 'invalid', `cpr: ${cpr.reason}`);
    const n = body.data;
    const result: IncomingResult = {
      identifier: n.identifier,
      cpr: cpr.cpr,
      kind: 'notification',
      category: 'hospital-notification',
      code: { system: ENCOUNTER_SYSTEM, code: n.event, display: EVENT_DISPLAY[n.event] },
      effective: new Date(n.time).toISOString(),
      status: 'final',
      text: `${n.hospital}, ${n.department}`,
    };
    const outcome = await deps.filing.file(res.locals.system as string, [result], true);
    if (!outcome.ok)
      return sendOperationOutcome(
        res,
        outcome.status,
        outcome.status === 409 ? 'conflict' : 'invalid',
        outcome.message,
      );
    res.status(outcome.status).json(outcome.body);
  });
  router.use('/', intake.errors);

  return router;
}

/** `/notifications`: a staff member's unseen notifications, and marking them seen. */
export function notificationRoutes(deps: HttpDeps): Router {
  const router = Router();
  const staff = requireAuth(deps.access);

  // Only notifications about plans the caller may still reach: one stored before an objection
  // or a removal from the care team says nothing about the patient any more.
  router.get('/', staff, async (_req, res) => {
    const principal = principalOf(res);
    const unseen = await deps.store.results.listUnseenNotifications(principal.user.id);
    const reachable = new Map<string, { id: string; name: string; cpr: string }>();
    for (const planId of new Set(unseen.map((n) => n.planId))) {
      const access = await deps.access.planAccess(principal, planId);
      if (!access.ok) continue;
      const { id, name, cpr } = access.patient;
      reachable.set(planId, { id, name, cpr });
      // Notifications carry result values and clinical text: reading them is a read of the plan.
      deps.audit.record({
        actorId: principal.user.id,
        action: 'notifications.read',
        planId,
        patientId: access.patient.id,
        outcome: 'allowed',
        details: { notifications: unseen.filter((n) => n.planId === planId).length, ...auditDetails(access) },
      });
    }
    // Each names its patient, as the bell shows it.
    res.json(unseen.flatMap((n) => (reachable.has(n.planId) ? [{ ...n, patient: reachable.get(n.planId) }] : [])));
  });

  router.post('/seen', staff, express.json(), async (req, res) => {
    const { ids } = parse(SeenRequest, req.body);
    res.json({
      seen: await deps.store.results.markNotificationsSeen(principalOf(res).user.id, ids, new Date().toISOString()),
    });
  });

  return router;
}
