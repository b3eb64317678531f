import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isStaff, Role, STAFF_ROLE_SECTOR } from '../../shared/roles.ts';
import type { IdentityProvider, SmartClient } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/**
 * Registering identity providers and SMART clients: the checks both ways of doing it share
 * (`carehub idp add` / `smart-client add` and the admin API). A registration that would let
 * anyone in who should not be is refused here, before anything is stored.
 */

/** An environment variable's name (the secret itself is never given to CareHub's store). */
const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name (A–Z, 0–9, _)');
/** A claim's name, or a dotted path into nested claims (`realm_access.roles`). */
const ClaimName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7E]+$/, 'a claim name without spaces');

export const NewIdentityProviderInput = z
  .object({
    /** Null: the citizens' login. */
    organisationId: z.string().min(1).max(100).nullable(),
    name: z.string().trim().min(2).max(100).optional(),
    issuer: z.string().trim().url().max(500),
    clientId: z.string().trim().min(1).max(200),
    clientSecretEnv: EnvName.optional(),
    /** Space-separated; `openid` is always asked for. Default: `openid profile`. */
    scopes: z.string().trim().max(500).optional(),
    roleClaim: ClaimName.optional(),
    /** `claim value=role,…`, e.g. `doctor=hospital_doctor,nurse=hospital_nurse`. */
    roleMap: z.string().trim().max(2000).optional(),
    cprClaim: ClaimName.optional(),
    organisationClaim: ClaimName.optional(),
    organisationValue: z.string().trim().min(1).max(200).optional(),
    /** The role map may give `admin` (hub-wide): only when asked for explicitly. */
    allowAdmin: z.boolean().optional(),
  })
  .strict();
export type NewIdentityProviderInput = z.infer<typeof NewIdentityProviderInput>;

export const NewSmartClientInput = z
  .object({
    organisationId: z.string().min(1).max(100),
    name: z.string().trim().min(2).max(100).optional(),
    /** The practice system's FHIR base URL: the `iss` of its launches. */
    issuer: z.string().trim().url().max(500),
    clientId: z.string().trim().min(1).max(200),
    clientSecretEnv: EnvName.optional(),
    /** The origin whose pages may frame CareHub's launch pages; default: the issuer's origin. */
    frameOrigin: z.string().trim().url().max(300).optional(),
  })
  .strict();
export type NewSmartClientInput = z.infer<typeof NewSmartClientInput>;

/** A registration that cannot be made, and why (a sentence for the administrator). */
export class RegistrationError extends Error {}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** `value=role,…` → the map; each role one the organisation's sector may hold (or `admin`). */
export function parseRoleMap(text: string, allowed: (role: Role) => boolean): Record<string, Role> {
  const map: Record<string, Role> = Object.create(null) as Record<string, Role>;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.lastIndexOf('=');
    const value = part.slice(0, at).trim();
    const role = Role.safeParse(part.slice(at + 1).trim());
    if (at <= 0 || !value) throw new RegistrationError(`role map: "${part}" is not claim-value=role`);
    if (!role.success)
      throw new RegistrationError(`role map: "${part.slice(at + 1).trim()}" is no role (${Role.options.join(', ')})`);
    if (!allowed(role.data))
      throw new RegistrationError(`role map: ${role.data} is not a role of this organisation's sector`);
    if (Object.hasOwn(map, value)) throw new RegistrationError(`role map: "${value}" is mapped twice`);
    map[value] = role.data;
  }
  return { ...map };
}

/** An http(s) address without query, fragment or credentials; plain http only when allowed. */
function checkedUrl(raw: string, what: string, allowInsecureHttp: boolean): URL {
  const url = new URL(raw);
  if (url.protocol !== 'https:' && !(allowInsecureHttp && url.protocol === 'http:')) {
    throw new RegistrationError(
      `${what} must be an https address (plain http only with OIDC_ALLOW_INSECURE_HTTP=on, for tests)`,
    );
  }
  if (url.search || url.hash || url.username || url.password)
    throw new RegistrationError(`${what} must have no query, fragment or credentials`);
  return url;
}

/**
 * An OpenID issuer as CareHub stores and compares it: scheme and host in lower case, no default
 * port (`new URL(…).href`), and no trailing slash on a root path (`https://idp.example/` is
 * `https://idp.example`). A path's own trailing slash is kept: it is part of the issuer. Not a
 * URL: returned as given (it matches nothing registered).
 */
export function normaliseOidcIssuer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return raw;
  }
  const href = url.href;
  return url.pathname === '/' && !url.search && !url.hash ? href.slice(0, -1) : href;
}

/** A FHIR base URL as launches name it: normalised as an issuer, and without a trailing slash. */
export function normaliseIssuer(iss: string): string {
  return normaliseOidcIssuer(iss).replace(/\/+$/, '');
}

/**
 * Why a practice system's authorization server may not be used, or null: its issuer is an
 * identity provider's (its ID tokens would speak for that provider's people) or another
 * practice system's (one server for several practices would let a GP pick the practice by
 * `iss`; CareHub has no tenant claim for that, so it is refused).
 */
export async function authIssuerConflict(
  store: Store,
  authIssuer: string,
  smartClientId: string | null,
): Promise<string | null> {
  const wanted = normaliseOidcIssuer(authIssuer);
  if ((await store.identity.listProviders()).some((p) => normaliseOidcIssuer(p.issuer) === wanted))
    return 'its authorization server’s issuer is a registered identity provider’s';
  if (
    (await store.identity.listSmartClients()).some(
      (c) => c.id !== smartClientId && c.authIssuer !== null && normaliseOidcIssuer(c.authIssuer) === wanted,
    )
  )
    return 'its authorization server serves another registered practice system (one authorization server per practice system)';
  return null;
}

/** Checks a new identity provider against the store; returns it ready to be added. */
export async function checkNewProvider(
  store: Store,
  rawInput: NewIdentityProviderInput,
  opts: { allowInsecureHttp: boolean },
): Promise<IdentityProvider> {
  checkedUrl(rawInput.issuer, 'the issuer', opts.allowInsecureHttp);
  const input = { ...rawInput, issuer: normaliseOidcIssuer(rawInput.issuer) };
  if (
    (await store.identity.listSmartClients()).some(
      (c) => c.authIssuer !== null && normaliseOidcIssuer(c.authIssuer) === input.issuer,
    )
  )
    throw new RegistrationError('this issuer is a registered practice system’s authorization server');
  const scopes = new Set(['openid', ...(input.scopes ?? 'openid profile').split(/\s+/).filter(Boolean)]);
  for (const scope of scopes) if (!SCOPE_TOKEN.test(scope)) throw new RegistrationError(`"${scope}" is not a scope`);
  if ((input.organisationClaim === undefined) !== (input.organisationValue === undefined)) {
    throw new RegistrationError('an organisation claim needs the value that names this organisation (both or neither)');
  }
  const base = {
    id: randomUUID(),
    issuer: input.issuer,
    clientId: input.clientId,
    clientSecretEnv: input.clientSecretEnv ?? null,
    scopes: [...scopes].join(' '),
    organisationClaim: input.organisationClaim ?? null,
    organisationValue: input.organisationValue ?? null,
    allowAdmin: false,
    created: new Date().toISOString(),
    removed: null,
  };
  const others = (await store.identity.listProviders()).filter((p) => normaliseOidcIssuer(p.issuer) === input.issuer);

  if (input.organisationId === null) {
    if (!input.cprClaim)
      throw new RegistrationError('the citizens’ login needs the claim that holds the CPR number (--cpr-claim)');
    if (input.roleClaim || input.roleMap)
      throw new RegistrationError('the citizens’ login gives the citizen role: no role claim or role map');
    if (!input.name) throw new RegistrationError('the citizens’ login needs a name to show (--name, e.g. MitID)');
    if (others.some((p) => p.organisationId === null))
      throw new RegistrationError('this issuer is the citizens’ login already');
    return { ...base, organisationId: null, name: input.name, roleClaim: null, roleMap: {}, cprClaim: input.cprClaim };
  }

  const organisation = await store.getOrganisation(input.organisationId);
  if (!organisation) throw new RegistrationError(`no organisation ${input.organisationId}`);
  if (input.cprClaim) throw new RegistrationError('a CPR claim is for the citizens’ login (no organisation) only');
  if (!input.roleClaim || !input.roleMap)
    throw new RegistrationError(
      'an organisation’s provider needs the role claim and the role map (--role-claim, --role-map)',
    );
  const roleMap = parseRoleMap(
    input.roleMap,
    (role) => role === 'admin' || (isStaff(role) && STAFF_ROLE_SECTOR[role] === organisation.sector),
  );
  if (Object.keys(roleMap).length === 0) throw new RegistrationError('the role map maps nothing');
  // An administrator reaches every organisation: one organisation's provider gives that role
  // only when the administrator registering it says so.
  const givesAdmin = Object.values(roleMap).includes('admin');
  if (givesAdmin && !input.allowAdmin)
    throw new RegistrationError(
      'the role map gives the hub-wide admin role: an organisation’s provider may do so only when registered with --allow-admin',
    );
  if (others.some((p) => p.organisationId === organisation.id))
    throw new RegistrationError('this issuer is registered for this organisation already');
  // A provider several organisations share (a broker) must say which one a person belongs to,
  // or a person of one organisation could sign in as staff of the other.
  const shared = others.filter((p) => p.organisationId !== null);
  if (shared.length > 0 && (!base.organisationClaim || shared.some((p) => !p.organisationClaim))) {
    throw new RegistrationError(
      'this issuer serves another organisation already: a provider shared by several organisations needs --organisation-claim and --organisation-value on each of them',
    );
  }
  return {
    ...base,
    organisationId: organisation.id,
    name: input.name ?? organisation.name,
    roleClaim: input.roleClaim,
    roleMap,
    cprClaim: null,
    allowAdmin: givesAdmin,
  };
}

/** Checks a new SMART client (a GP practice system) against the store; returns it ready to be added. */
export async function checkNewSmartClient(
  store: Store,
  input: NewSmartClientInput,
  opts: {
    allowInsecureHttp: boolean;
    /** Its authorization server's issuer, from its smart-configuration; null when it did not answer. */
    authIssuerOf?: (fhirBase: string) => Promise<string | null>;
  },
): Promise<SmartClient> {
  const issuer = normaliseIssuer(
    checkedUrl(input.issuer, 'the issuer (the FHIR base URL)', opts.allowInsecureHttp).href,
  );
  const organisation = await store.getOrganisation(input.organisationId);
  if (!organisation) throw new RegistrationError(`no organisation ${input.organisationId}`);
  if (organisation.sector !== 'general_practice')
    throw new RegistrationError('a SMART practice system belongs to a general practice: its users sign in as its GPs');
  const frameOrigin = checkedUrl(input.frameOrigin ?? issuer, 'the frame origin', opts.allowInsecureHttp).origin;
  if ((await store.identity.listSmartClients()).some((c) => normaliseIssuer(c.issuer) === issuer))
    throw new RegistrationError('a practice system with this issuer is registered already');
  // Pinned now when the practice system answers; else at its first launch (the same checks then).
  const found = opts.authIssuerOf ? await opts.authIssuerOf(issuer) : null;
  const authIssuer = found === null ? null : normaliseOidcIssuer(found);
  const conflict = authIssuer === null ? null : await authIssuerConflict(store, authIssuer, null);
  if (conflict) throw new RegistrationError(`this practice system cannot be registered: ${conflict}`);
  return {
    id: randomUUID(),
    organisationId: organisation.id,
    name: input.name ?? organisation.name,
    issuer,
    clientId: input.clientId,
    clientSecretEnv: input.clientSecretEnv ?? null,
    frameOrigin,
    authIssuer,
    created: new Date().toISOString(),
    removed: null,
  };
}
