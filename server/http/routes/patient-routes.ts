import { Router } from 'express';
import { z } from 'zod';
import {
  CreatePatientRequest,
  PatientSearchRequest,
  PatientsQuery,
  type PatientView,
  type PlanSummary,
} from '../../../shared/api.ts';
import type { Principal } from '../../auth/access.ts';
import { parseCpr } from '../../../shared/cpr.ts';
import { isStaff } from '../../../shared/roles.ts';
import type { Patient, Plan } from '../../store/records.ts';
import { OverviewBuilder, signalsByPatient } from '../../worklist/overview.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireAuth, principalOf } from '../authenticate.ts';
import { badRequest, conflict, forbidden, HttpError, notFound, parse } from '../errors.ts';
import { auditDetails } from './plan-access.ts';

/** Any kind of number character, before or after compatibility normalisation (¹, ①, ５ are digits there). */
const NUMBER = /\p{N}/u;
const hasDigit = (q: string): boolean => NUMBER.test(q) || NUMBER.test(q.normalize('NFKC'));

/**
 * The search term as the store matches it: a CPR number typed with separators ("120345-1237",
 * "120345 1237", full-width digits) becomes its digits, as stored; a name stays as typed.
 */
function searchTerm(query: string | undefined): string | undefined {
  const q = query?.normalize('NFKC').trim();
  if (!q) return undefined;
  return /^[\d\s./-]+$/.test(q) ? q.replace(/\D/g, '') : q;
}

const EmergencyLookupRequest = z.object({ cpr: z.string().min(10).max(11) }).strict();

export const planSummary = (p: Plan): PlanSummary => ({ id: p.id, title: p.title, status: p.status });

/** `/patients`: the patients the caller may see, search (CPR numbers by POST only), registration, and the emergency look-up. */
export function patientRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.use(requireAuth(deps.access));

  async function view(patient: Patient): Promise<PatientView> {
    const plans = await deps.store.listPlansForPatient(patient.id);
    return { id: patient.id, cpr: patient.cpr, name: patient.name, plans: plans.map(planSummary) };
  }

  /** The patients the caller may see, optionally filtered; each listing is audited. */
  async function list(principal: Principal, query: string | undefined): Promise<PatientView[]> {
    const { user } = principal;
    let patients: Patient[];
    if (user.role === 'citizen') {
      const own = user.patientId ? await deps.store.getPatient(user.patientId) : null;
      patients = own ? [own] : [];
    } else if (isStaff(user.role)) {
      // Objected-to staff get nothing about the patient: the store leaves such patients out.
      patients = await deps.store.listPatientsForStaff(user.id, user.organisationId, searchTerm(query));
    } else {
      patients = [];
    }
    const views = await Promise.all(patients.map(view));
    if (isStaff(user.role) && !principal.embed) {
      // The same signals as the person's Overblik, counted per patient; titles as the plans say now.
      const { items } = await new OverviewBuilder(deps.store, deps.summaries).build(principal, patients);
      const signals = signalsByPatient(items);
      const titles = new Map(items.map((i) => [i.planId, i.planTitle]));
      for (const v of views) {
        const s = signals.get(v.id);
        if (s) v.signals = s;
        v.plans = v.plans.map((p) => ({ ...p, title: titles.get(p.id) ?? p.title }));
      }
    }
    for (const p of views)
      deps.audit.record({ actorId: user.id, action: 'patient.list', patientId: p.id, outcome: 'allowed', details: {} });
    return views;
  }

  router.get('/', async (req, res) => {
    const { query } = parse(PatientsQuery, req.query, 'query');
    // A name may be searched by GET; anything with a digit may be (part of) a CPR number, which
    // must not travel in a URL. The answer never repeats the query (nor does the request log).
    if (query !== undefined && hasDigit(query)) {
      throw badRequest(
        'search by CPR number with POST /api/v1/patients/search {"query": …}; CPR numbers never travel in a URL',
      );
    }
    res.json(await list(principalOf(res), query));
  });

  // The search term may be a CPR number, which must never travel in a URL (URLs end up in
  // proxy logs and browser history): searches are POSTed.
  router.post('/search', async (req, res) => {
    const { query } = parse(PatientSearchRequest, req.body);
    res.json(await list(principalOf(res), query));
  });

  router.post('/', async (req, res) => {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role) || principal.embed)
      throw forbidden('only care staff register patients', 'staff-only');
    const body = parse(CreatePatientRequest, req.body);
    const cpr = parseCpr(body.cpr);
    if (!cpr.ok)
      throw new HttpError(400, 'validation_failed', 'invalid CPR number', [{ path: 'cpr', message: cpr.reason }], {
        reason: cpr.code,
      });
    const existing = await deps.store.getPatientByCpr(cpr.cpr);
    if (existing) {
      // The answer confirms that this CPR number is registered here: a look-up, on record
      // (and in that citizen's access log).
      deps.audit.record({
        actorId: principal.user.id,
        action: 'patient.create',
        patientId: existing.id,
        outcome: 'refused',
        details: { reason: 'already registered' },
      });
      throw conflict('a patient with this CPR number is already registered', 'patient.exists');
    }
    const patient = await deps.store.createPatient({ cpr: cpr.cpr, name: body.name });
    // Whoever registers a patient treats them: their organisation joins the care team.
    await deps.store.addCareTeamMember({
      patientId: patient.id,
      organisationId: principal.user.organisationId,
      userId: principal.user.organisationId ? null : principal.user.id,
      addedBy: principal.user.id,
    });
    deps.audit.record({
      actorId: principal.user.id,
      action: 'patient.create',
      patientId: patient.id,
      outcome: 'allowed',
      details: {},
    });
    res.status(201).json(await view(patient));
  });

  router.get('/:id/plans', async (req, res) => {
    const principal = principalOf(res);
    const access = await deps.access.patientAccess(principal, req.params.id);
    if (!access.ok) {
      deps.audit.record({
        actorId: principal.user.id,
        action: 'patient.plans',
        patientId: access.status === 404 ? null : req.params.id,
        outcome: 'refused',
        details: { reason: access.reason },
      });
      throw access.status === 404 ? notFound(access.reason) : forbidden(access.reason);
    }
    deps.audit.record({
      actorId: principal.user.id,
      action: 'patient.plans',
      patientId: access.patient.id,
      outcome: 'allowed',
      details: auditDetails(access),
    });
    const plans = await deps.store.listPlansForPatient(access.patient.id);
    res.json(plans.map(planSummary));
  });

  // Before breaking the glass, staff find the patient by CPR. The answer reveals nothing but
  // ids (no name, no plan titles) and whether the citizen has objected; the look-up is audited.
  router.post('/emergency-lookup', async (req, res) => {
    const principal = principalOf(res);
    if (!isStaff(principal.user.role) || principal.embed) throw forbidden('only care staff may break the glass');
    const { cpr } = parse(EmergencyLookupRequest, req.body);
    const parsed = parseCpr(cpr, { allowReplacement: true });
    if (!parsed.ok) throw badRequest(parsed.reason, undefined, parsed.code);
    const patient = await deps.store.getPatientByCpr(parsed.cpr);
    if (!patient) {
      // A miss tells that a CPR number is not registered here: on record too.
      deps.audit.record({
        actorId: principal.user.id,
        action: 'patient.emergency-lookup',
        outcome: 'refused',
        details: { reason: 'no such patient' },
      });
      throw notFound('no patient is registered with this CPR number', 'patient.not-registered');
    }
    const access = await deps.access.patientAccess(principal, patient.id);
    const objected = !access.ok && access.objected === true;
    deps.audit.record({
      actorId: principal.user.id,
      action: 'patient.emergency-lookup',
      patientId: patient.id,
      outcome: 'allowed',
      details: objected ? { objected: true } : {},
    });
    // An objection blocks break-the-glass too (README, "Who may see what"): no plan to open is named.
    const plans = objected
      ? []
      : (await deps.store.listPlansForPatient(patient.id))
          .filter((p) => p.status === 'active')
          .map((p) => ({ id: p.id }));
    res.json({ patientId: patient.id, plans, access: access.ok ? access.via : objected ? 'objected' : 'none' });
  });

  return router;
}
