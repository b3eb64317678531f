import express, { Router } from 'express';
import type { HttpDeps } from './http-deps.ts';
import { notFoundHandler } from './errors.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { correspondenceRoutes } from './routes/correspondence-routes.ts';
import { embedLinkRoutes, embedSessionRoutes } from './routes/embed-routes.ts';
import { meRoutes } from './routes/me-routes.ts';
import { organisationRoutes } from './routes/organisation-routes.ts';
import { overviewRoutes } from './routes/overview-routes.ts';
import { messageRoutes } from './routes/message-routes.ts';
import { patientRoutes } from './routes/patient-routes.ts';
import { planRoutes } from './routes/plan-routes.ts';
import { encounterRoutes, notificationRoutes, resultRoutes, systemIntake } from './routes/result-routes.ts';
import { smartSessionRoutes } from './routes/smart-routes.ts';
import { visitRoutes } from './routes/visit-routes.ts';

/** Ordinary JSON request bodies; the systems' results and encounters have their own limit. */
const BODY_LIMIT = '256kb';

export interface ApiHooks {
  /** A result or encounter submission refused over its API key's rate. */
  onResultsThrottled(): void;
  /** A POST /embed/session with something that is not one of our links: counted, not audited. */
  onEmbedLinkInvalid(): void;
  /** POST /embed/session refused over the per-address rate. */
  onEmbedSessionThrottled(): void;
  /** A sign-in, one-time code exchange or SMART launch refused over the per-address rate. */
  onSignInThrottled(): void;
}

/**
 * The REST API (mounted at /api/v1), one router per path, Medplum style. Each router
 * authenticates and parses only what it answers (a session, a practice system's key, a lab's
 * intake key; FHIR answers with OperationOutcomes), so no router catches another's requests
 * and the order of mounting does not matter. What no router answers is a 404.
 */
export function apiRoutes(deps: HttpDeps, hooks: ApiHooks): Router {
  const api = Router();
  const json = express.json({ limit: BODY_LIMIT });
  const intake = systemIntake(deps, { onThrottled: hooks.onResultsThrottled });
  api.use('/auth', json, authRoutes(deps, { onThrottled: hooks.onSignInThrottled }));
  api.use('/smart', json, smartSessionRoutes(deps, { onThrottled: hooks.onSignInThrottled }));
  api.use('/me', json, meRoutes(deps));
  api.use('/patients', json, patientRoutes(deps));
  api.use('/plans', json, planRoutes(deps));
  api.use('/embed-links', json, embedLinkRoutes(deps));
  api.use(
    '/embed',
    json,
    embedSessionRoutes(deps, { onInvalidLink: hooks.onEmbedLinkInvalid, onThrottled: hooks.onEmbedSessionThrottled }),
  );
  api.use('/audit', json, auditRoutes(deps));
  api.use('/admin', json, adminRoutes(deps));
  api.use('/visits', json, visitRoutes(deps));
  api.use('/results', resultRoutes(deps, intake));
  api.use('/encounters', encounterRoutes(deps, intake));
  api.use('/messages', messageRoutes(deps, intake));
  api.use('/correspondence', json, correspondenceRoutes(deps));
  api.use('/notifications', notificationRoutes(deps));
  api.use('/overview', json, overviewRoutes(deps));
  api.use('/organisations', organisationRoutes(deps));
  api.use(notFoundHandler);
  return api;
}
