import { Router } from 'express';
import { z } from 'zod';
import { SorCode } from '../../../shared/organisation-codes.ts';
import { isStaff } from '../../../shared/roles.ts';
import { sendFhir, sendOperationOutcome } from '../../fhir/operation-outcome.ts';
import { apiKeyActor } from '../../results/api-keys.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, notFound } from '../errors.ts';
import type { SystemIntake } from './result-routes.ts';

const OutboxQuery = z.object({
  receiver: SorCode,
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * `/messages`: MedCom messages. The integration engine (an intake key) delivers with
 * `POST /` and collects the outbox with `GET /outbox?receiver=SOR` and
 * `POST /outbox/:id/delivered`; staff read their organisation's inbox and start a plan from
 * a message in it (a session).
 */
export function messageRoutes(deps: HttpDeps, intake: SystemIntake): Router {
  const router = Router();

  router.post('/', intake.auth('message.receive'), intake.rate, intake.body, async (req, res) => {
    const answer = await deps.messages.receive(
      { system: res.locals.system as string, keyId: res.locals.keyId as string },
      req.body,
    );
    sendFhir(res, answer.status, answer.body as object);
  });

  router.get('/outbox', intake.auth('message.collect'), async (req, res) => {
    const q = OutboxQuery.safeParse(req.query);
    if (!q.success) return sendOperationOutcome(res, 400, 'value', 'receiver: a SOR code (5 to 18 digits) is needed');
    const waiting = await deps.store.messages.listOutbox(q.data.receiver, q.data.limit);
    res.set('Cache-Control', 'no-store').json({
      messages: waiting.map((m) => ({
        id: m.id,
        messageId: m.messageId,
        event: m.event,
        sender: m.senderSor,
        receiver: m.receiverSor,
        created: m.created,
        bundle: JSON.parse(m.body) as unknown,
      })),
    });
  });

  router.post('/outbox/:id/delivered', intake.auth('message.collect'), async (req, res) => {
    const id = String(req.params.id);
    const message = await deps.store.messages.getMessage(id);
    const marked =
      message?.direction === 'out' && (await deps.store.messages.markDelivered(id, new Date().toISOString()));
    deps.audit.record({
      actorId: apiKeyActor(res.locals.keyId as string),
      action: 'message.deliver',
      patientId: message?.patientId ?? null,
      outcome: marked ? 'allowed' : 'refused',
      details: {
        system: res.locals.system as string,
        ...(message ? { messageId: message.messageId, event: message.event, receiver: message.receiverSor } : {}),
        ...(marked ? {} : { reason: message ? 'not waiting' : 'no such message' }),
      },
    });
    if (!marked) return sendOperationOutcome(res, 404, 'not-found', 'no outbound message with this id is waiting');
    res.json({ id, delivered: true });
  });
  router.use('/', intake.errors);

  const staff = requireAuth(deps.access);
  router.get('/inbox', staff, async (_req, res) => {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role) || !principal.user.organisationId)
      throw forbidden('an organisation’s inbox is for its staff');
    res.json(await deps.inbox.list(principal));
  });

  router.post('/inbox/:id/plan', staff, async (req, res) => {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role) || !principal.user.organisationId || principal.embed)
      throw forbidden('an organisation’s inbox is for its staff');
    const started = await deps.inbox.startPlan(principal, String(req.params.id));
    if (!started) throw notFound('no such message in your organisation’s inbox');
    res.status(201).json(started);
  });

  return router;
}
