import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { containsCprNumber } from '../../shared/cpr-in-text.ts';
import { isClinicalRole, isStaff, type Role } from '../../shared/roles.ts';
import type { SignInRefusal } from '../../shared/sign-in.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Organisation, User } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { normaliseOidcIssuer } from './registration.ts';

/**
 * Who a person signing in through a provider is here: a returning person by (issuer, subject);
 * a first-time one created just in time with the role their claims give, in the provider's
 * organisation. What the claims say at each sign-in is what holds: a changed role or
 * organisation takes effect, and a person whose claims give no role any more is switched off
 * and their live sessions are closed.
 */

/** A provider's account has no password: password sign-in can never match this. */
export const NO_PASSWORD = '!external-identity';

/** (issuer, subject), and through what it arrived (recorded in the audit log). */
export interface ExternalPerson {
  issuer: string;
  subject: string;
  via: { kind: 'oidc'; providerId: string } | { kind: 'smart'; smartClientId: string };
  /** A display name from the claims, if any. */
  name: string | null;
  /** A username hint from the claims (preferred_username, email), if any. */
  usernameHint: string | null;
}

export type Mapped =
  | { ok: true; user: User; organisation: Organisation | null }
  | { ok: false; reason: SignInRefusal; userId: string | null };

export interface AccountDeps {
  store: Store;
  audit: AuditLog;
  log: Logger;
  /** Live sessions on this patient's plans are looked at again, on every node. */
  accessChanged(patientId: string): Promise<void>;
  /** The person's own Socket.IO connections end, on every node. */
  endSocketsOf(userId: string): void;
}

/** The provider or practice system an identity arrives through, as `external_identities.source` keeps it. */
export const sourceOf = (p: ExternalPerson): string =>
  p.via.kind === 'oidc' ? `oidc:${p.via.providerId}` : `smart:${p.via.smartClientId}`;

const viaDetails = (p: ExternalPerson) =>
  p.via.kind === 'oidc'
    ? { via: 'oidc', providerId: p.via.providerId }
    : { via: 'smart', smartClientId: p.via.smartClientId };

export class IdentityAccounts {
  constructor(private readonly deps: AccountDeps) {}

  /**
   * The user (issuer, subject) is linked to, when it arrives through the provider or practice
   * system that linked it. Through another one it is a conflict: a practice system whose
   * authorization server names a hospital's issuer (or another practice's) must not reach the
   * accounts that issuer's people have here.
   */
  private async linkedUser(p: ExternalPerson): Promise<{ user: User | null } | { conflict: string | null }> {
    const { identity } = this.deps.store;
    const found = await identity.getExternalIdentity(p.issuer, p.subject);
    if (!found) return { user: null };
    const source = sourceOf(p);
    // From before sources were kept (the first registered provider to present it claims it),
    // or from a removed registration this one replaces.
    if (found.source !== source && (found.source === null || (await this.replaces(found.source, p)))) {
      if (!(await identity.claimIdentitySource(p.issuer, p.subject, found.source, source))) return this.linkedUser(p);
      return { user: await this.deps.store.getUser(found.userId) };
    }
    if (found.source !== source) {
      this.deps.audit.record({
        actorId: found.userId,
        action: 'user.identity-conflict',
        outcome: 'refused',
        details: { ...viaDetails(p), linkedThrough: found.source, userId: found.userId },
      });
      return { conflict: found.userId };
    }
    return { user: await this.deps.store.getUser(found.userId) };
  }

  /**
   * A provider registered again (settings changed: a new registration of the same issuer) takes
   * over the identities of the removed registration; so does a practice system registered
   * again with the same pinned authorization server. Never across kinds, and never from a
   * registration still in use.
   */
  private async replaces(old: string, p: ExternalPerson): Promise<boolean> {
    const { identity } = this.deps.store;
    const [kind, id] = [old.slice(0, old.indexOf(':')), old.slice(old.indexOf(':') + 1)];
    if (kind === 'oidc' && p.via.kind === 'oidc') {
      const [before, now] = await Promise.all([identity.getProvider(id), identity.getProvider(p.via.providerId)]);
      return (
        before?.removed != null &&
        now !== null &&
        now.removed === null &&
        normaliseOidcIssuer(before.issuer) === normaliseOidcIssuer(now.issuer)
      );
    }
    if (kind === 'smart' && p.via.kind === 'smart') {
      const [before, now] = await Promise.all([
        identity.getSmartClient(id),
        identity.getSmartClient(p.via.smartClientId),
      ]);
      return (
        before?.removed != null &&
        before.authIssuer !== null &&
        now?.removed === null &&
        now.authIssuer !== null &&
        normaliseOidcIssuer(before.authIssuer) === normaliseOidcIssuer(now.authIssuer)
      );
    }
    return false;
  }

  private async withOrganisation(user: User): Promise<Mapped> {
    const organisation = user.organisationId ? await this.deps.store.getOrganisation(user.organisationId) : null;
    return { ok: true, user, organisation };
  }

  /**
   * Staff: `given` is the role and organisation the claims give now, or why they give none.
   * A refusal for want of a role switches a known person off.
   */
  async staff(
    p: ExternalPerson,
    given: { role: Role; organisationId: string | null } | { refused: SignInRefusal },
  ): Promise<Mapped> {
    const { store, audit } = this.deps;
    const linked = await this.linkedUser(p);
    if ('conflict' in linked) return { ok: false, reason: 'account_conflict', userId: linked.conflict };
    const user = linked.user;
    if (user && user.role === 'citizen') return { ok: false, reason: 'account_conflict', userId: user.id };
    if ('refused' in given) {
      if (user && !user.disabled && (given.refused === 'no_role' || given.refused === 'ambiguous_role'))
        await this.switchOff(user, p, given.refused);
      return { ok: false, reason: given.refused, userId: user?.id ?? null };
    }
    const organisationId = given.role === 'admin' ? null : given.organisationId;
    if (user) {
      if (user.role === given.role && user.organisationId === organisationId && !user.disabled)
        return this.withOrganisation(user);
      const reach = await this.reachOf(user);
      await store.identity.updateUserAccess(user.id, { role: given.role, organisationId, disabled: null });
      audit.record({
        actorId: user.id,
        action: 'user.access-changed',
        outcome: 'allowed',
        details: {
          ...viaDetails(p),
          from: { role: user.role, organisationId: user.organisationId, disabled: user.disabled !== null },
          to: { role: given.role, organisationId },
        },
      });
      // What the person had open under the old role or organisation is looked at again.
      if (user.role !== given.role || user.organisationId !== organisationId) this.recheck(user.id, reach, false);
      return this.withOrganisation({ ...user, role: given.role, organisationId, disabled: null });
    }
    const username = await this.freeUsername(p, 'staff');
    const created = await store.identity.createLinkedUser(
      {
        username,
        name: p.name ?? username,
        role: given.role,
        organisationId,
        patientId: null,
        passwordHash: NO_PASSWORD,
      },
      { issuer: p.issuer, subject: p.subject, created: new Date().toISOString(), source: sourceOf(p) },
    );
    // Another node created them first: their sign-in there decided; this one looks again.
    if (!created.created) return this.staff(p, given);
    audit.record({
      actorId: created.user.id,
      action: 'user.create',
      outcome: 'allowed',
      details: {
        ...viaDetails(p),
        justInTime: true,
        userId: created.user.id,
        role: given.role,
        organisationId,
        ...(isClinicalRole(given.role) ? { clinicalAccount: true } : {}),
      },
    });
    return this.withOrganisation(created.user);
  }

  /** A citizen, by the CPR number their login gives (null: none usable). */
  async citizen(p: ExternalPerson, cpr: string | null): Promise<Mapped> {
    const { store, audit } = this.deps;
    if (!cpr) return { ok: false, reason: 'no_cpr', userId: null };
    const patient = await store.getPatientByCpr(cpr);
    const linked = await this.linkedUser(p);
    if ('conflict' in linked) return { ok: false, reason: 'account_conflict', userId: linked.conflict };
    const user = linked.user;
    if (!patient) return { ok: false, reason: 'no_patient', userId: user?.id ?? null };
    if (user) {
      if (user.role !== 'citizen' || user.patientId !== patient.id || user.disabled)
        return { ok: false, reason: 'account_conflict', userId: user.id };
      return { ok: true, user, organisation: null };
    }
    const created = new Date().toISOString();
    // The patient's own account, when there is one, is theirs through this login too: one
    // citizen, one account (their access log leaves out what they did themselves).
    const own = (await store.listUsersRelatedTo({ organisationIds: [], userIds: [], patientId: patient.id })).filter(
      (u) => u.role === 'citizen' && u.patientId === patient.id && !u.disabled,
    );
    const existing = own.sort((a, b) => a.created.localeCompare(b.created))[0];
    if (existing) {
      if (
        !(await store.identity.linkIdentity({
          issuer: p.issuer,
          subject: p.subject,
          userId: existing.id,
          created,
          source: sourceOf(p),
        }))
      )
        return this.citizen(p, cpr);
      audit.record({
        actorId: existing.id,
        action: 'user.identity-linked',
        patientId: patient.id,
        outcome: 'allowed',
        details: { ...viaDetails(p), userId: existing.id },
      });
      return { ok: true, user: existing, organisation: null };
    }
    const username = await this.freeUsername(p, 'citizen');
    const made = await store.identity.createLinkedUser(
      {
        username,
        name: patient.name,
        role: 'citizen',
        organisationId: null,
        patientId: patient.id,
        passwordHash: NO_PASSWORD,
      },
      { issuer: p.issuer, subject: p.subject, created, source: sourceOf(p) },
    );
    if (!made.created) return this.citizen(p, cpr);
    audit.record({
      actorId: made.user.id,
      action: 'user.create',
      patientId: patient.id,
      outcome: 'allowed',
      details: { ...viaDetails(p), justInTime: true, userId: made.user.id, role: 'citizen', clinicalAccount: true },
    });
    return { ok: true, user: made.user, organisation: null };
  }

  /** The claims give no role any more: the account is switched off and what it holds open ends. */
  private async switchOff(user: User, p: ExternalPerson, reason: SignInRefusal): Promise<void> {
    const reach = await this.reachOf(user);
    await this.deps.store.identity.updateUserAccess(user.id, {
      role: user.role,
      organisationId: user.organisationId,
      disabled: new Date().toISOString(),
    });
    this.deps.audit.record({
      actorId: user.id,
      action: 'user.access-ended',
      outcome: 'allowed',
      details: { ...viaDetails(p), userId: user.id, reason },
    });
    this.recheck(user.id, reach, true);
  }

  /** Every patient the person may have open now: their care teams, their break-the-glass grants, their own record. */
  private async reachOf(user: User): Promise<string[]> {
    const { store } = this.deps;
    const ids = new Set<string>();
    if (user.patientId) ids.add(user.patientId);
    if (isStaff(user.role))
      for (const id of await store.identity.careTeamPatientIds(user.id, user.organisationId)) ids.add(id);
    for (const grant of await store.accessGrants.activeBreakGlassOf(user.id, new Date().toISOString()))
      ids.add(grant.patientId);
    return [...ids];
  }

  /**
   * Live sessions on these patients' plans are looked at again, on every node (and, when the
   * account ended, its own sockets close). In the background: the change itself is stored
   * already, so every later use of the person's sessions is refused meanwhile.
   */
  private recheck(userId: string, patientIds: string[], ended: boolean): void {
    if (ended) this.deps.endSocketsOf(userId);
    void (async () => {
      for (const patientId of patientIds) await this.deps.accessChanged(patientId);
    })().catch((err: unknown) =>
      this.deps.log.error({ err: (err as Error).message, userId }, 'closing the sessions of a changed account failed'),
    );
  }

  /** A username nobody has: from the claims' hint when it is a plain name, with a suffix from the identity. */
  private async freeUsername(p: ExternalPerson, kind: 'staff' | 'citizen'): Promise<string> {
    const digest = createHash('sha256').update(`${p.issuer}\n${p.subject}`).digest('hex');
    let base = kind === 'citizen' ? 'citizen' : usernameBase(p.usernameHint ?? p.name);
    if (containsCprNumber(base)) base = 'user';
    for (const suffix of [digest.slice(0, 6), digest.slice(0, 12), randomBytes(6).toString('hex')]) {
      const candidate = `${base}-${suffix}`;
      if (!(await this.deps.store.getUserByUsername(candidate))) return candidate;
    }
    return `${base}-${randomBytes(12).toString('hex')}`;
  }
}

/** Letters, digits, `.`, `-`, `_` (the admin page's username rule), at most 30; `user` when nothing is left. */
export function usernameBase(hint: string | null): string {
  const local = (hint ?? '').split('@')[0] ?? '';
  const plain = local
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'oe')
    .replace(/å/g, 'aa')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 30);
  return plain.length >= 2 ? plain : 'user';
}
