import { z } from 'zod';
import type { AuditEntryView } from '../../shared/audit.ts';
import { OrganisationRef } from '../../shared/api.ts';
import { IdentityProviderView, SmartClientView } from '../../shared/sign-in.ts';
import { Role, Sector } from '../../shared/roles.ts';
import { call } from './api.ts';

/**
 * The administrator's REST calls: the audit log, organisations and users. The answers are read
 * leniently (extra fields are ignored) so that the page keeps working as the server grows.
 */
const AuditActor = z.object({
  id: z.string(),
  name: z.string().nullable(),
  role: Role.nullable(),
  organisation: z.string().nullable(),
});
const AuditRow = z.object({
  seq: z.number(),
  time: z.string(),
  actor: AuditActor.nullable(),
  action: z.string(),
  outcome: z.enum(['allowed', 'refused']),
  patientId: z.string().nullable(),
  planId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<AuditEntryView>;

export interface AuditFilter {
  patientId?: string;
  /** ISO 8601 times with a zone. */
  from?: string;
  to?: string;
  limit: number;
}

export function getAudit(token: string, filter: AuditFilter, signal?: AbortSignal): Promise<AuditEntryView[]> {
  const query = new URLSearchParams();
  if (filter.patientId) query.set('patientId', filter.patientId);
  if (filter.from) query.set('from', filter.from);
  if (filter.to) query.set('to', filter.to);
  query.set('limit', String(filter.limit));
  return call(`/audit?${query.toString()}`, z.array(AuditRow), { token, signal });
}

export const AdminOrganisation = z.object({
  id: z.string(),
  name: z.string(),
  sector: Sector,
  region: z.string().nullable().optional(),
  sor: z.string().nullable().optional(),
  ean: z.string().nullable().optional(),
  ydernummer: z.string().nullable().optional(),
});
export type AdminOrganisation = z.infer<typeof AdminOrganisation>;

export const AdminUser = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: Role,
  organisation: OrganisationRef.nullable().optional(),
  organisationId: z.string().nullable().optional(),
  /** Switched off (their identity provider gives them no role any more): when. */
  disabled: z.string().nullable().optional(),
});
export type AdminUser = z.infer<typeof AdminUser>;

export function listOrganisations(token: string, signal?: AbortSignal): Promise<AdminOrganisation[]> {
  return call('/admin/organisations', z.array(AdminOrganisation), { token, signal });
}

export function createOrganisation(
  token: string,
  org: { name: string; sector: Sector; region?: string; sor?: string; ean?: string; ydernummer?: string },
): Promise<AdminOrganisation> {
  return call('/admin/organisations', AdminOrganisation, { method: 'POST', token, body: org });
}

/** Sets, changes or clears (null) an organisation's SOR code, EAN location number and (a practice's) ydernummer. */
export function setOrganisationCodes(
  token: string,
  id: string,
  codes: { sor: string | null; ean: string | null; ydernummer: string | null },
): Promise<AdminOrganisation> {
  return call(`/admin/organisations/${encodeURIComponent(id)}/codes`, AdminOrganisation, {
    method: 'PUT',
    token,
    body: codes,
  });
}

export function listUsers(token: string, signal?: AbortSignal): Promise<AdminUser[]> {
  return call('/admin/users', z.array(AdminUser), { token, signal });
}

export interface NewUser {
  username: string;
  name: string;
  role: Role;
  organisationId?: string;
  password: string;
  /** Why the account is created; required for clinical accounts (care staff, citizens). */
  reason?: string;
}

export function createUser(token: string, user: NewUser): Promise<AdminUser> {
  return call('/admin/users', AdminUser, { method: 'POST', token, body: user });
}

/** An identity provider as the admin page sends it (shared with `carehub idp add`; see README). */
export interface NewIdentityProvider {
  organisationId: string | null;
  name?: string;
  issuer: string;
  clientId: string;
  clientSecretEnv?: string;
  scopes?: string;
  roleClaim?: string;
  roleMap?: string;
  cprClaim?: string;
  organisationClaim?: string;
  organisationValue?: string;
}

export function listIdentityProviders(token: string, signal?: AbortSignal): Promise<IdentityProviderView[]> {
  return call('/admin/identity-providers', z.array(IdentityProviderView), { token, signal });
}

export function addIdentityProvider(token: string, provider: NewIdentityProvider): Promise<IdentityProviderView> {
  return call('/admin/identity-providers', IdentityProviderView, { method: 'POST', token, body: provider });
}

export async function removeIdentityProvider(token: string, id: string): Promise<void> {
  await call(`/admin/identity-providers/${encodeURIComponent(id)}`, z.unknown(), { method: 'DELETE', token });
}

export interface NewSmartClient {
  organisationId: string;
  name?: string;
  issuer: string;
  clientId: string;
  clientSecretEnv?: string;
  frameOrigin?: string;
}

export function listSmartClients(token: string, signal?: AbortSignal): Promise<SmartClientView[]> {
  return call('/admin/smart-clients', z.array(SmartClientView), { token, signal });
}

export function addSmartClient(token: string, client: NewSmartClient): Promise<SmartClientView> {
  return call('/admin/smart-clients', SmartClientView, { method: 'POST', token, body: client });
}

export async function removeSmartClient(token: string, id: string): Promise<void> {
  await call(`/admin/smart-clients/${encodeURIComponent(id)}`, z.unknown(), { method: 'DELETE', token });
}
