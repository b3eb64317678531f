import type { UserView } from '../../shared/api.ts';
import { isStaff } from '../../shared/roles.ts';
import type { Organisation, Patient, Plan, Store, User } from '../store/store.ts';
import type { TokenService } from './tokens.ts';

/** The authenticated caller, looked up afresh on every request and connection. */
export interface Principal {
  user: User;
  organisation: Organisation | null;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'expired' | 'invalid' };

export type PatientAccess =
  | { ok: true; patient: Patient; via: 'care_team' | 'citizen' }
  | { ok: false; status: 403 | 404; reason: string };

export type PlanAccess =
  | { ok: true; plan: Plan; patient: Patient; via: 'care_team' | 'citizen'; readOnly: boolean }
  | { ok: false; status: 403 | 404; reason: string };

export function userView(p: Principal): UserView {
  const { user, organisation } = p;
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    role: user.role,
    organisation: organisation ? { id: organisation.id, name: organisation.name, sector: organisation.sector } : null,
    patientId: user.patientId,
  };
}

/**
 * Who may reach which patient (DESIGN.md, "Identity, access and audit"): staff whose
 * organisation, or who themselves, are on the patient's care team; the citizen for their own
 * record. Everyone else is refused, the administrator included: administration is not care.
 */
export class AccessControl {
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
  ) {}

  async authenticate(token: string | undefined | null): Promise<AuthResult> {
    const check = await this.tokens.verify(token);
    if (!check.ok) return check;
    const user = await this.store.getUser(check.claims.sub);
    if (!user) return { ok: false, reason: 'invalid' };
    const organisation = user.organisationId ? await this.store.getOrganisation(user.organisationId) : null;
    return { ok: true, principal: { user, organisation } };
  }

  async patientAccess(principal: Principal, patientId: string): Promise<PatientAccess> {
    const patient = await this.store.getPatient(patientId);
    if (!patient) return { ok: false, status: 404, reason: 'no such patient' };
    const { user } = principal;
    if (user.role === 'citizen') {
      return user.patientId === patient.id
        ? { ok: true, patient, via: 'citizen' }
        : { ok: false, status: 403, reason: 'a citizen sees only their own plans' };
    }
    if (!isStaff(user.role)) return { ok: false, status: 403, reason: 'this role does not treat patients' };
    const team = await this.store.listCareTeam(patient.id);
    const onTeam = team.some((m) => m.userId === user.id || (m.organisationId !== null && m.organisationId === user.organisationId));
    return onTeam
      ? { ok: true, patient, via: 'care_team' }
      : { ok: false, status: 403, reason: 'you are not on this patient’s care team' };
  }

  async planAccess(principal: Principal, planId: string): Promise<PlanAccess> {
    const plan = await this.store.getPlan(planId);
    if (!plan) return { ok: false, status: 404, reason: 'no such plan' };
    const access = await this.patientAccess(principal, plan.patientId);
    if (!access.ok) return access;
    return { ok: true, plan, patient: access.patient, via: access.via, readOnly: access.via === 'citizen' };
  }
}
