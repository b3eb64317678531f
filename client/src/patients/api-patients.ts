import { z } from 'zod';
import { CareTeamMember, OrganisationRef, PatientView, PlanView } from '../../../shared/api.ts';
import { call } from '../api.ts';

const id = (value: string) => encodeURIComponent(value);

/** Registers a patient (CPR by the CPR rules, checked again by the server); the registrar's organisation joins the care team. */
export function createPatient(token: string, body: { cpr: string; name: string }): Promise<PatientView> {
  return call('/patients', PatientView, { method: 'POST', token, body });
}

/** Starts a plan for a patient on whose care team the person is. */
export function createPlan(token: string, body: { patientId: string; title: string }): Promise<PlanView> {
  return call('/plans', PlanView, { method: 'POST', token, body });
}

export function listCareTeam(token: string, planId: string, signal?: AbortSignal): Promise<CareTeamMember[]> {
  return call(`/plans/${id(planId)}/care-team`, z.array(CareTeamMember), { token, signal });
}

export function addOrganisationToTeam(token: string, planId: string, organisationId: string): Promise<CareTeamMember> {
  return call(`/plans/${id(planId)}/care-team`, CareTeamMember, { method: 'POST', token, body: { organisationId } });
}

export function removeFromTeam(token: string, planId: string, memberId: string): Promise<unknown> {
  return call(`/plans/${id(planId)}/care-team/${id(memberId)}`, z.unknown(), { method: 'DELETE', token });
}

export function listOrganisations(token: string, signal?: AbortSignal): Promise<OrganisationRef[]> {
  return call('/organisations', z.array(OrganisationRef), { token, signal });
}
