import { z } from 'zod';
import { CareTeamMember } from '../../shared/api.ts';
import { call } from './api.ts';

/**
 * REST calls around access beyond the care team: the citizen's objections ("fravalg") and
 * staff's emergency access (break-the-glass). A CPR number only ever travels in a POST body.
 */
const id = (value: string) => encodeURIComponent(value);

export const Objection = z.object({
  id: z.string(),
  patientId: z.string(),
  organisationId: z.string().nullable(),
  userId: z.string().nullable(),
  created: z.string(),
  withdrawn: z.string().nullable(),
});
export type Objection = z.infer<typeof Objection>;

/** The citizen's objections in force. */
export function listObjections(token: string, signal?: AbortSignal): Promise<Objection[]> {
  return call('/me/objections', z.array(Objection), { token, signal });
}

export function addObjection(token: string, organisationId: string): Promise<Objection> {
  return call('/me/objections', Objection, { method: 'POST', token, body: { organisationId } });
}

export function withdrawObjection(token: string, objectionId: string): Promise<unknown> {
  return call(`/me/objections/${id(objectionId)}`, z.unknown(), { method: 'DELETE', token });
}

/** The care team of the plan's patient: organisations and named persons. */
export function getCareTeam(token: string, planId: string, signal?: AbortSignal): Promise<CareTeamMember[]> {
  return call(`/plans/${id(planId)}/care-team`, z.array(CareTeamMember), { token, signal });
}

export const EmergencyLookup = z.object({
  patientId: z.string(),
  plans: z.array(z.object({ id: z.string() })),
  access: z.enum(['care_team', 'break_glass', 'objected', 'none']),
});
export type EmergencyLookup = z.infer<typeof EmergencyLookup>;

/** Finds a patient by CPR number before breaking the glass (audited; answers ids only). */
export function emergencyLookup(token: string, cpr: string): Promise<EmergencyLookup> {
  return call('/patients/emergency-lookup', EmergencyLookup, { method: 'POST', token, body: { cpr } });
}

export const BreakGlassGrant = z.object({ id: z.string(), planId: z.string(), expires: z.string() });
export type BreakGlassGrant = z.infer<typeof BreakGlassGrant>;

export function breakGlass(token: string, planId: string, reason: string): Promise<BreakGlassGrant> {
  return call(`/plans/${id(planId)}/break-glass`, BreakGlassGrant, { method: 'POST', token, body: { reason } });
}

export const PlanAccess = z.object({ via: z.string(), readOnly: z.boolean(), expires: z.string().nullable() });
export type PlanAccess = z.infer<typeof PlanAccess>;

/** What the caller's access to the plan rests on (care team, break-the-glass, …). */
export function getPlanAccess(token: string, planId: string, signal?: AbortSignal): Promise<PlanAccess> {
  return call(`/plans/${id(planId)}/access`, PlanAccess, { token, signal });
}
