import { z } from 'zod';

/** Staff roles, the citizen and the administrator (docs/ARCHITECTURE.md, "The care plan document"). */
export const StaffRole = z.enum(['hospital_doctor', 'hospital_nurse', 'municipal_nurse', 'gp']);
export type StaffRole = z.infer<typeof StaffRole>;

export const Role = z.enum(['hospital_doctor', 'hospital_nurse', 'municipal_nurse', 'gp', 'citizen', 'admin']);
export type Role = z.infer<typeof Role>;

/** The sector an organisation belongs to; every staff user has one through their organisation. */
export const Sector = z.enum(['hospital', 'municipality', 'general_practice']);
export type Sector = z.infer<typeof Sector>;

/** The sector each staff role works in: a role fits an organisation of its sector only. */
export const STAFF_ROLE_SECTOR: Readonly<Record<StaffRole, Sector>> = {
  hospital_doctor: 'hospital',
  hospital_nurse: 'hospital',
  municipal_nurse: 'municipality',
  gp: 'general_practice',
};

export function isStaff(role: Role): role is StaffRole {
  return StaffRole.safeParse(role).success;
}

/**
 * Roles whose accounts reach patient data (care staff, and the citizen their own): creating
 * one is a clinical act, which an administrator records with a reason.
 */
export function isClinicalRole(role: Role): boolean {
  return isStaff(role) || role === 'citizen';
}
