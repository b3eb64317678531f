import { z } from 'zod';
import type { AuditEntryView } from '../../shared/audit.ts';
import { OrganisationRef } from '../../shared/api.ts';
import { Role, Sector } from '../../shared/roles.ts';
import { call } from './api.ts';

/**
 * The administrator's REST calls: the audit log, organisations and users. The answers are read
 * leniently (extra fields are ignored) so that the page keeps working as the server grows.
 */
const AuditActor = z.object({ id: z.string(), name: z.string().nullable(), role: Role.nullable(), organisation: z.string().nullable() });
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
});
export type AdminOrganisation = z.infer<typeof AdminOrganisation>;

export const AdminUser = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: Role,
  organisation: OrganisationRef.nullable().optional(),
  organisationId: z.string().nullable().optional(),
});
export type AdminUser = z.infer<typeof AdminUser>;

export function listOrganisations(token: string, signal?: AbortSignal): Promise<AdminOrganisation[]> {
  return call('/admin/organisations', z.array(AdminOrganisation), { token, signal });
}

export function createOrganisation(token: string, org: { name: string; sector: Sector; region?: string }): Promise<AdminOrganisation> {
  return call('/admin/organisations', AdminOrganisation, { method: 'POST', token, body: org });
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
