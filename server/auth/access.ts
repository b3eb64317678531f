import type { UserView } from '../../shared/api.ts';
import { isStaff } from '../../shared/roles.ts';
import type { BreakGlassGrant } from '../store/access-store.ts';
import type { Organisation, Patient, Plan, Store, User } from '../store/store.ts';
import type { TokenService } from './tokens.ts';

/** The authenticated caller, looked up afresh on every request and connection. */
export interface Principal {
  user: User;
  organisation: Organisation | null;
  /** An embedded GP session: reaches `planId` only. */
  embed?: { linkId: string; planId: string; access: 'edit' | 'read' };
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'expired' | 'invalid' | 'revoked' };

export type AccessVia = 'care_team' | 'citizen' | 'break_glass' | 'embed';

export type PatientAccess =
  | { ok: true; patient: Patient; via: AccessVia; breakGlass?: BreakGlassGrant }
  | { ok: false; status: 403 | 404; reason: string; objected?: boolean };

export type PlanAccess =
  | { ok: true; plan: Plan; patient: Patient; via: AccessVia; readOnly: boolean; breakGlass?: BreakGlassGrant }
  | { ok: false; status: 403 | 404; reason: string; patientId?: string };

export const OBJECTED = 'the citizen has objected to your access to their data';

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
 * organisation, or who themselves, are on the patient's care team, unless the citizen has
 * objected to them (Danish health law lets patients refuse look-ups); staff with an active
 * break-the-glass grant; the citizen for their own record; an embed session for its one plan.
 * Everyone else is refused, the administrator included: administration is not care.
 */
export class AccessControl {
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
  ) {}

  async authenticate(token: string | undefined | null): Promise<AuthResult> {
    const check = await this.tokens.verify(token);
    if (!check.ok) return check;
    const claims = check.claims;
    if (claims.kind === 'embed-link') return { ok: false, reason: 'invalid' };
    if (claims.kind === 'embed-session') {
      const link = await this.store.accessGrants.getEmbedLink(claims.sub);
      if (!link || link.planId !== claims.plan) return { ok: false, reason: 'invalid' };
      if (link.revoked) return { ok: false, reason: 'revoked' };
      if (Date.parse(link.expires) <= Date.now()) return { ok: false, reason: 'expired' };
      const embed = { linkId: link.id, planId: link.planId, access: link.access };
      const actsAs = link.actsAs ? await this.store.getUser(link.actsAs) : null;
      if (actsAs) {
        const organisation = actsAs.organisationId ? await this.store.getOrganisation(actsAs.organisationId) : null;
        return { ok: true, principal: { user: actsAs, organisation, embed } };
      }
      // A link made by a practice system acts as that system's GP seat.
      const system = link.createdBySystem ?? 'practice system';
      const user: User = { id: `embed:${link.id}`, username: `embed:${link.id}`, name: `${system} (embedded)`, role: 'gp', organisationId: null, patientId: null, passwordHash: '', created: link.created };
      return { ok: true, principal: { user, organisation: { id: `embed:${system}`, name: system, sector: 'general_practice', region: null }, embed } };
    }
    const user = await this.store.getUser(claims.sub);
    if (!user) return { ok: false, reason: 'invalid' };
    const organisation = user.organisationId ? await this.store.getOrganisation(user.organisationId) : null;
    return { ok: true, principal: { user, organisation } };
  }

  async patientAccess(principal: Principal, patientId: string): Promise<PatientAccess> {
    const patient = await this.store.getPatient(patientId);
    if (!patient) return { ok: false, status: 404, reason: 'no such patient' };
    if (principal.embed) return { ok: false, status: 403, reason: 'an embedded session reaches its one plan only' };
    const { user } = principal;
    if (user.role === 'citizen') {
      return user.patientId === patient.id ? { ok: true, patient, via: 'citizen' } : { ok: false, status: 403, reason: 'a citizen sees only their own plans' };
    }
    if (!isStaff(user.role)) return { ok: false, status: 403, reason: 'this role does not treat patients' };
    const objections = await this.store.accessGrants.listObjections(patient.id);
    if (objections.some((o) => o.userId === user.id || (o.organisationId !== null && o.organisationId === user.organisationId))) {
      return { ok: false, status: 403, reason: OBJECTED, objected: true };
    }
    const team = await this.store.listCareTeam(patient.id);
    if (team.some((m) => m.userId === user.id || (m.organisationId !== null && m.organisationId === user.organisationId))) {
      return { ok: true, patient, via: 'care_team' };
    }
    const grant = await this.store.accessGrants.activeBreakGlass(user.id, patient.id, new Date().toISOString());
    if (grant) return { ok: true, patient, via: 'break_glass', breakGlass: grant };
    return { ok: false, status: 403, reason: 'you are not on this patient’s care team' };
  }

  async planAccess(principal: Principal, planId: string): Promise<PlanAccess> {
    const plan = await this.store.getPlan(planId);
    if (!plan) return { ok: false, status: 404, reason: 'no such plan' };
    if (principal.embed) {
      if (principal.embed.planId !== plan.id) return { ok: false, status: 403, reason: 'an embedded session reaches its one plan only', patientId: plan.patientId };
      const patient = await this.store.getPatient(plan.patientId);
      if (!patient) return { ok: false, status: 404, reason: 'no such patient' };
      return { ok: true, plan, patient, via: 'embed', readOnly: principal.embed.access === 'read' };
    }
    const access = await this.patientAccess(principal, plan.patientId);
    if (!access.ok) return { ...access, patientId: plan.patientId };
    return { ok: true, plan, patient: access.patient, via: access.via, readOnly: access.via === 'citizen', breakGlass: access.breakGlass };
  }
}
