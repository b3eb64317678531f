import { randomUUID } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { planToJson } from '../../../shared/plan-doc.ts';
import { performerOf } from '../../../shared/permissions.ts';
import { citizenView } from '../../../shared/release.ts';
import { isStaff } from '../../../shared/roles.ts';
import { isUuid } from '../../../shared/uuid.ts';
import { issueTypeFor, sendFhir, sendOperationOutcome } from '../../fhir/operation-outcome.ts';
import { planToFhirBundle, type FhirOrganisationData, type FhirPersonData } from '../../fhir/plan-bundle.ts';
import type { Organisation, User } from '../../store/records.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { HttpError, redactedError } from '../errors.ts';

/** For the log: where this router is mounted. */
const FHIR_PATH = '/plans/:id/fhir';
const ACTION = 'plan.fhir.read';

/**
 * `GET /plans/:id/fhir`: the plan as a FHIR R4 Bundle (server/fhir/plan-bundle.ts), for whoever
 * may read the plan. Everything under this path, its authentication's errors included, is
 * answered with an OperationOutcome, by this router alone.
 */
export function fhirRoutes(deps: HttpDeps): Router {
  const router = Router({ mergeParams: true });
  router.use(requireAuth(deps.access));

  router.get<'/', { id: string }>('/', async (req, res) => {
    const principal = principalOf(res);
    const planId = req.params.id;
    const access = await deps.access.planAccess(principal, planId);
    if (!access.ok) {
      deps.audit.record({
        actorId: principal.user.id,
        action: ACTION,
        planId: access.status === 404 ? null : planId,
        outcome: 'refused',
        details: { reason: access.reason },
      });
      sendOperationOutcome(res, access.status, access.status === 404 ? 'not-found' : 'forbidden', access.reason);
      return;
    }
    deps.audit.record({
      actorId: principal.user.id,
      action: ACTION,
      planId,
      patientId: access.patient.id,
      outcome: 'allowed',
      details: {},
    });

    const whole = await deps.rooms.withRoom(access.plan.id, async (room) => {
      await room.flushed();
      return planToJson(room.doc);
    });
    // The citizen's export holds only results released to them.
    const document = access.via === 'citizen' ? citizenView(whole) : whole;
    const team = await deps.store.listCareTeam(access.patient.id);

    // Everyone the plan names: care-team members, note authors, assignees given by user id, who measured.
    const userIds = new Set<string>();
    for (const m of team) if (m.userId) userIds.add(m.userId);
    for (const n of document.notes) if (isUuid(n.author)) userIds.add(n.author);
    for (const t of document.tasks) if (isUuid(t.assignee)) userIds.add(t.assignee);
    for (const m of document.measurements) {
      const by = performerOf(m);
      if (isUuid(by)) userIds.add(by);
    }
    const users = (await Promise.all([...userIds].map((id) => deps.store.getUser(id)))).filter(
      (u): u is User => u !== null && isStaff(u.role),
    );
    const orgIds = new Set<string>();
    for (const m of team) if (m.organisationId) orgIds.add(m.organisationId);
    for (const u of users) if (u.organisationId) orgIds.add(u.organisationId);
    const orgs = (await Promise.all([...orgIds].map((id) => deps.store.getOrganisation(id)))).filter(
      (o): o is Organisation => o !== null,
    );

    const organisations: FhirOrganisationData[] = orgs.map((o) => ({
      id: o.id,
      name: o.name,
      sector: o.sector,
      region: o.region,
    }));
    // Only what the export needs: never the password hash or the username.
    const people: FhirPersonData[] = users.map((u) => ({
      id: u.id,
      name: u.name,
      role: u.role,
      organisationId: u.organisationId,
    }));
    const bundle = planToFhirBundle({
      plan: access.plan,
      patient: access.patient,
      document,
      careTeam: team.map((m) => ({ organisationId: m.organisationId, userId: m.userId })),
      organisations,
      people,
      exportedAt: new Date().toISOString(),
      bundleId: randomUUID(),
    });
    sendFhir(res, 200, bundle);
  });

  router.all('/', (req, res) => {
    res.set('Allow', 'GET, HEAD');
    sendOperationOutcome(res, 405, 'not-supported', `${req.method} is not supported here; use GET`);
  });
  router.use((req, res) => {
    // The path is not echoed: it may hold a CPR number.
    sendOperationOutcome(res, 404, 'not-found', `no such route for ${req.method}`);
  });

  // Errors on this path leave as an OperationOutcome, never as the generic REST error body.
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof HttpError) {
      sendOperationOutcome(res, err.status, issueTypeFor(err.code), err.message);
      return;
    }
    deps.log.error(
      { err: redactedError(err), reqId: res.locals.reqId, method: req.method, route: FHIR_PATH },
      'FHIR export failed',
    );
    sendOperationOutcome(res, 500, 'exception', 'something went wrong on our side; nothing was changed');
  });

  return router;
}
