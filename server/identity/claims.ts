import { redactCprNumbers } from '../../shared/cpr-in-text.ts';
import { parseCpr } from '../../shared/cpr.ts';
import type { Role } from '../../shared/roles.ts';
import type { SignInRefusal } from '../../shared/sign-in.ts';
import type { IdentityProvider } from '../store/records.ts';

/**
 * What a provider's claims say about a person, read strictly: a claim of an unexpected type
 * says nothing, and anything unclear ends in a refusal (never in a guess).
 */
export type Claims = Record<string, unknown>;

/**
 * The claim `name`: the claim of that exact name first (claim names may hold dots, such as
 * `https://data.gov.dk/model/core/eid/cprNumber`), else a dotted path into nested claims
 * (`realm_access.roles`). Own properties only.
 */
export function claimAt(claims: Claims, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let at: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** A claim's values: a string is one value, an array of strings several; anything else none. */
export function claimValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return [];
}

export type RoleFromClaims =
  | { ok: true; role: Role }
  | { ok: false; reason: Extract<SignInRefusal, 'no_role' | 'ambiguous_role'> };

/** The one role the role claim maps to; none or several is a refusal. */
export function roleFromClaims(
  provider: Pick<IdentityProvider, 'roleClaim' | 'roleMap'>,
  claims: Claims,
): RoleFromClaims {
  if (!provider.roleClaim) return { ok: false, reason: 'no_role' };
  const roles = new Set<Role>();
  for (const value of claimValues(claimAt(claims, provider.roleClaim))) {
    if (Object.hasOwn(provider.roleMap, value)) roles.add(provider.roleMap[value] as Role);
  }
  if (roles.size === 0) return { ok: false, reason: 'no_role' };
  if (roles.size > 1) return { ok: false, reason: 'ambiguous_role' };
  return { ok: true, role: [...roles][0] as Role };
}

/** A provider shared by several organisations must say the person belongs to this one. */
export function belongsToOrganisation(
  provider: Pick<IdentityProvider, 'organisationClaim' | 'organisationValue'>,
  claims: Claims,
): boolean {
  if (!provider.organisationClaim) return true;
  return claimValues(claimAt(claims, provider.organisationClaim)).includes(provider.organisationValue ?? '');
}

/** The citizens' login: the CPR number in its claim (ten digits, a real date), or null. */
export function cprFromClaims(provider: Pick<IdentityProvider, 'cprClaim'>, claims: Claims): string | null {
  if (!provider.cprClaim) return null;
  const values = claimValues(claimAt(claims, provider.cprClaim));
  if (values.length !== 1) return null;
  const parsed = parseCpr(values[0] as string);
  return parsed.ok ? parsed.cpr : null;
}

/** How far a provider's clock may run ahead of CareHub's. */
const CLOCK_TOLERANCE_SECONDS = 60;

/**
 * The ID token says it was issued in the future (beyond a minute of clock skew): refused, as a
 * token made in advance (or by a provider whose clock is wrong) is not to be trusted.
 */
export function issuedInFuture(claims: Claims, nowMs = Date.now()): boolean {
  const iat = claims.iat;
  return typeof iat !== 'number' || !Number.isFinite(iat) || iat > nowMs / 1000 + CLOCK_TOLERANCE_SECONDS;
}

/** A display name from the usual claims: anything like a CPR number blanked, at most 200 characters; null when none is usable. */
export function nameFromClaims(claims: Claims): string | null {
  for (const key of ['name', 'preferred_username', 'given_name']) {
    const value = claims[key];
    if (typeof value === 'string' && value.trim()) return redactCprNumbers(value.trim().slice(0, 2000)).slice(0, 200);
  }
  return null;
}
