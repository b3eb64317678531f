import { Router, type Response } from 'express';
import { z } from 'zod';
import { RecordedReason } from '../../../shared/api.ts';
import { EanCode, OrganisationCodesInput, SorCode, Ydernummer } from '../../../shared/organisation-codes.ts';
import { isClinicalRole, Role, Sector } from '../../../shared/roles.ts';
import { userCreatedDetails } from '../../audit/admin-audit.ts';
import { hashPassword } from '../../auth/passwords.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { DuplicateSorError } from '../../store/store.ts';
import { badRequest, conflict, forbidden, HttpError, notFound, parse } from '../errors.ts';
import { adminIdentityRoutes } from './admin-identity-routes.ts';

const NewOrganisation = z
  .object({
    name: z.string().trim().min(2).max(200),
    sector: Sector,
    region: z.string().trim().max(100).optional(),
    sor: SorCode.optional(),
    ean: EanCode.optional(),
    ydernummer: Ydernummer.optional(),
  })
  .strict()
  .refine((o) => o.ean === undefined || o.sor !== undefined, {
    message: 'an EAN number needs the SOR code',
    path: ['sor'],
  })
  .refine((o) => o.ydernummer === undefined || o.sector === 'general_practice', {
    message: 'only a general practice has a ydernummer',
    path: ['ydernummer'],
  });
const NewUser = z
  .object({
    username: z
      .string()
      .trim()
      .min(2)
      .max(50)
      .regex(/^[a-z0-9._-]+$/i, 'letters, digits, dot, dash and underscore'),
    name: z.string().trim().min(1).max(200),
    role: Role,
    organisationId: z.string().uuid().optional(),
    password: z.string().min(8, 'at least 8 characters').max(200),
    /** Why this account is created: required for clinical accounts (see isClinicalRole). */
    reason: RecordedReason.optional(),
  })
  .strict();

/** Held results the administrator's list shows at most (newest first). */
const HELD_RESULTS_SHOWN = 500;

/** `/admin`: users, organisations, identity providers and SMART practice systems, for administrators (who see no patient data). */
export function adminRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.use(requireAuth(deps.access));
  router.use(adminIdentityRoutes(deps));
  const admin = (res: Response) => {
    const p = principalOf(res);
    if (p.user.role !== 'admin') throw forbidden('administrators only');
    return p;
  };

  // Results for a CPR number no patient is registered with (fix-b, finding 1): which system
  // sent what and when, unmatched. Neither the CPR number nor the value: the administrator sees
  // no patient data; matching them to a patient registered later is a clinical task.
  router.get('/held-results', async (_req, res) => {
    const p = admin(res);
    const held = await deps.store.results.listHeldResults(HELD_RESULTS_SHOWN);
    deps.audit.record({ actorId: p.user.id, action: 'admin.held-results.read', outcome: 'allowed', details: {} });
    res.json(
      held.map((h) => ({
        id: h.heldId,
        version: h.version,
        system: h.sourceSystem,
        identifier: h.identifier,
        received: h.received,
        kind: h.result.kind,
        category: h.result.category ?? null,
      })),
    );
  });

  router.get('/organisations', async (_req, res) => {
    admin(res);
    res.json(await deps.store.listOrganisations());
  });

  router.post('/organisations', async (req, res) => {
    const p = admin(res);
    const body = parse(NewOrganisation, req.body);
    const org = await deps.store
      .createOrganisation({
        name: body.name,
        sector: body.sector,
        region: body.region ?? null,
        sor: body.sor ?? null,
        ean: body.ean ?? null,
        ydernummer: body.ydernummer ?? null,
      })
      .catch(sorTaken);
    deps.audit.record({
      actorId: p.user.id,
      action: 'admin.organisation.create',
      outcome: 'allowed',
      details: { organisationId: org.id, sor: org.sor, ean: org.ean, ydernummer: org.ydernummer },
    });
    res.status(201).json(org);
  });

  /** The SOR code, EAN number and (a practice's) ydernummer: set, changed or cleared (null) together. */
  router.put('/organisations/:id/codes', async (req, res) => {
    const p = admin(res);
    const codes = parse(OrganisationCodesInput, req.body);
    const id = String(req.params.id);
    const org = await deps.store.getOrganisation(id);
    if (!org) throw notFound('no such organisation');
    if (codes.ydernummer !== null && org.sector !== 'general_practice')
      throw badRequest('only a general practice has a ydernummer');
    if (!(await deps.store.updateOrganisationCodes(id, codes).catch(sorTaken))) throw notFound('no such organisation');
    deps.audit.record({
      actorId: p.user.id,
      action: 'admin.organisation.codes',
      outcome: 'allowed',
      details: { organisationId: id, sor: codes.sor, ean: codes.ean, ydernummer: codes.ydernummer },
    });
    res.json(await deps.store.getOrganisation(id));
  });

  router.get('/users', async (_req, res) => {
    admin(res);
    const orgs = await deps.store.listOrganisations();
    const users = await deps.store.listUsersRelatedTo({
      organisationIds: orgs.map((o) => o.id),
      userIds: [],
      patientId: null,
    });
    res.json(
      users.map((u) => ({
        id: u.id,
        username: u.username,
        name: u.name,
        role: u.role,
        organisationId: u.organisationId,
        disabled: u.disabled,
      })),
    );
  });

  router.post('/users', async (req, res) => {
    const p = admin(res);
    const body = parse(NewUser, req.body);
    const staff = body.role !== 'citizen' && body.role !== 'admin';
    const clinical = isClinicalRole(body.role);
    // A clinical account sees patients: one administrator alone may create it only with a
    // stated reason, kept in the audit log where it stands out (details.clinicalAccount).
    if (clinical && !body.reason)
      throw new HttpError(400, 'validation_failed', 'a clinical account needs a recorded reason', [
        { path: 'reason', message: 'state why this account is created' },
      ]);
    if (staff && !body.organisationId) throw badRequest('care staff belong to an organisation');
    if (body.role === 'citizen') throw badRequest('citizens are registered with their patient record, not here');
    if (body.organisationId && !(await deps.store.getOrganisation(body.organisationId)))
      throw badRequest('no such organisation');
    if (await deps.store.getUserByUsername(body.username)) throw conflict('that username is taken');
    const user = await deps.store.createUser({
      username: body.username,
      name: body.name,
      role: body.role,
      organisationId: body.organisationId ?? null,
      patientId: null,
      passwordHash: await hashPassword(body.password),
    });
    deps.audit.record({
      actorId: p.user.id,
      action: 'admin.user.create',
      outcome: 'allowed',
      details: userCreatedDetails(user, body.reason),
    });
    res.status(201).json({
      id: user.id,
      username: user.username,
      name: user.name,
      role: user.role,
      organisationId: user.organisationId,
    });
  });

  return router;
}

function sorTaken(err: unknown): never {
  throw err instanceof DuplicateSorError ? conflict('another organisation has this SOR code') : err;
}
