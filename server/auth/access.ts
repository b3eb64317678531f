import type { UserView } from '../../shared/api.ts';
import { isStaff } from '../../shared/roles.ts';
import type { BreakGlassGrant } from '../store/access-store.ts';
import type { Store } from '../store/store.ts';
import type { Organisation, Patient, Plan, User } from '../store/records.ts';
import type { TokenService } from './tokens.ts';

/** An embed session's reach: one plan, read or edit, for as long as its link is valid. */
export interface EmbedScope {
  linkId: string;
  planId: string;
  access: 'edit' | 'read';
}

/** The authenticated caller, looked up afresh on every request and connection. */
export interface Principal {
  /**
   * The person. For an embed session, the person the link acts as (its creator, or the staff
   * member a practice system named), with their role and organisation: what they may do is
   * what that person may do now, on the link's one plan only.
   */
  user: User;
  organisation: Organisation | null;
  embed?: EmbedScope;
  /** When the credential ends (ms since the epoch): the token's expiry, or the embed link's when sooner. */
  expiresAt: number;
  /** A signed-in session's row (server/auth/signed-in-sessions.ts); none for an embed session. */
  sessionId?: string;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'missing' | 'expired' | 'invalid' | 'revoked' };

export type AccessVia = 'care_team' | 'citizen' | 'break_glass' | 'embed';

export type PatientAccess =
  | { ok: true; patient: Patient; via: AccessVia; breakGlass?: BreakGlassGrant }
  | { ok: false; status: 403 | 404; reason: string; objected?: boolean };

export type PlanAccess =
  | { ok: true; plan: Plan; patient: Patient; via: AccessVia; readOnly: boolean; breakGlass?: BreakGlassGrant }
  | { ok: false; status: 403 | 404; reason: string; patientId?: string };

export const OBJECTED = 'the citizen has objected to your access to their data';

export function userView(p: Pick<Principal, 'user' | 'organisation'>): UserView {
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
 * Who may reach which patient (docs/ARCHITECTURE.md, "The permission model"): staff whose
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
    if (!check.ok) return { ok: false, reason: check.reason };
    const claims = check.claims;
    if (claims.kind === 'embed-link') return { ok: false, reason: 'invalid' };
    if (claims.kind === 'embed-session') {
      const link = await this.store.accessGrants.getEmbedLink(claims.sub);
      if (!link || link.planId !== claims.plan) return { ok: false, reason: 'invalid' };
      if (link.revoked) return { ok: false, reason: 'revoked' };
      // A practice system's link lives only as long as the key that made it (fix-b, finding 2).
      if (link.createdByKey) {
        const key = await this.store.results.getApiKey(link.createdByKey);
        if (!key || key.revoked) return { ok: false, reason: 'revoked' };
      }
      const linkEnds = Date.parse(link.expires);
      if (!(linkEnds > Date.now())) return { ok: false, reason: 'expired' };
      // The session acts as one real person; a link naming nobody (or nobody who treats
      // patients) reaches nothing.
      const person = link.actsAs ? await this.store.getUser(link.actsAs) : null;
      if (!person || !isStaff(person.role)) return { ok: false, reason: 'invalid' };
      if (person.disabled) return { ok: false, reason: 'revoked' };
      const organisation = person.organisationId ? await this.store.getOrganisation(person.organisationId) : null;
      const embed: EmbedScope = {
        linkId: link.id,
        planId: link.planId,
        access: link.access === 'edit' && claims.access === 'edit' ? 'edit' : 'read',
      };
      return {
        ok: true,
        principal: { user: person, organisation, embed, expiresAt: Math.min(claims.exp * 1000, linkEnds) },
      };
    }
    // The session's row decides whether it still lives: signed out, or its identity provider
    // removed, it has ended, whatever the token's own expiry says (fails closed: no row, no session).
    const session = await this.store.identity.getSession(claims.sid);
    if (!session || session.userId !== claims.sub) return { ok: false, reason: 'invalid' };
    if (session.ended !== null) return { ok: false, reason: 'revoked' };
    const sessionEnds = Date.parse(session.expires);
    if (!(sessionEnds > Date.now())) return { ok: false, reason: 'expired' };
    const user = await this.store.getUser(claims.sub);
    if (!user) return { ok: false, reason: 'invalid' };
    // Switched off (their identity provider gives them no role any more): every session ends.
    if (user.disabled) return { ok: false, reason: 'revoked' };
    const organisation = user.organisationId ? await this.store.getOrganisation(user.organisationId) : null;
    return {
      ok: true,
      principal: { user, organisation, expiresAt: Math.min(claims.exp * 1000, sessionEnds), sessionId: session.id },
    };
  }

  async patientAccess(principal: Principal, patientId: string): Promise<PatientAccess> {
    const patient = await this.store.getPatient(patientId);
    if (!patient) return { ok: false, status: 404, reason: 'no such patient' };
    if (principal.embed) return { ok: false, status: 403, reason: 'an embedded session reaches its one plan only' };
    return this.personAccess(principal.user, patient);
  }

  /** A person's own access to a patient: the citizen to themselves, staff by care team or break-the-glass. */
  private async personAccess(user: User, patient: Patient): Promise<PatientAccess> {
    if (user.disabled) return { ok: false, status: 403, reason: 'this account has been switched off' };
    if (user.role === 'citizen') {
      return user.patientId === patient.id
        ? { ok: true, patient, via: 'citizen' }
        : { ok: false, status: 403, reason: 'a citizen sees only their own plans' };
    }
    if (!isStaff(user.role)) return { ok: false, status: 403, reason: 'this role does not treat patients' };
    const objections = await this.store.accessGrants.listObjections(patient.id);
    if (
      objections.some(
        (o) => o.userId === user.id || (o.organisationId !== null && o.organisationId === user.organisationId),
      )
    ) {
      return { ok: false, status: 403, reason: OBJECTED, objected: true };
    }
    const team = await this.store.listCareTeam(patient.id);
    if (
      team.some((m) => m.userId === user.id || (m.organisationId !== null && m.organisationId === user.organisationId))
    ) {
      return { ok: true, patient, via: 'care_team' };
    }
    const grant = await this.store.accessGrants.activeBreakGlass(user.id, patient.id, new Date().toISOString());
    // A grant whose end cannot be read is no grant (fails closed).
    if (grant && Date.parse(grant.expires) > Date.now())
      return { ok: true, patient, via: 'break_glass', breakGlass: grant };
    return { ok: false, status: 403, reason: 'you are not on this patient’s care team' };
  }

  async planAccess(principal: Principal, planId: string): Promise<PlanAccess> {
    const plan = await this.store.getPlan(planId);
    if (!plan) return { ok: false, status: 404, reason: 'no such plan' };
    const patient = await this.store.getPatient(plan.patientId);
    if (!patient) return { ok: false, status: 404, reason: 'no such patient' };
    if (principal.embed) {
      if (principal.embed.planId !== plan.id)
        return {
          ok: false,
          status: 403,
          reason: 'an embedded session reaches its one plan only',
          patientId: plan.patientId,
        };
      // An embed session has no more access than its person has now, through the care team:
      // removal, an objection or their account ending ends the link too. Break-the-glass is
      // personal and interactive; it never carries over into a link.
      const person = await this.personAccess(principal.user, patient);
      if (!person.ok) return { ...person, patientId: plan.patientId };
      if (person.via !== 'care_team')
        return {
          ok: false,
          status: 403,
          reason: 'the person this link acts as is no longer on the care team',
          patientId: plan.patientId,
        };
      return { ok: true, plan, patient, via: 'embed', readOnly: principal.embed.access === 'read' };
    }
    const access = await this.personAccess(principal.user, patient);
    if (!access.ok) return { ...access, patientId: plan.patientId };
    return {
      ok: true,
      plan,
      patient: access.patient,
      via: access.via,
      readOnly: access.via === 'citizen',
      breakGlass: access.breakGlass,
    };
  }
}

/**
 * When access on an open connection must be looked at again (ms since the epoch): the
 * credential's end, or the break-the-glass grant's, whichever comes first.
 */
export function accessDeadline(principal: Principal, access?: { breakGlass?: BreakGlassGrant }): number {
  if (!access?.breakGlass) return principal.expiresAt;
  const grantEnds = Date.parse(access.breakGlass.expires);
  // A grant whose end cannot be read is looked at again at once (and refused there).
  return Number.isNaN(grantEnds) ? 0 : Math.min(principal.expiresAt, grantEnds);
}
