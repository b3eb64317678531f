import { z } from 'zod';
import { Role } from './roles.ts';

/**
 * Signing in through identity providers (OpenID Connect) and SMART App Launch (issue 19): what
 * the sign-in page asks and is told, and why a sign-in was refused. The browser never sees a
 * token in an address a server reads: a finished sign-in sends it to `/#/signed-in/<code>`
 * (the fragment stays in the browser), and the page exchanges that one-time code by POST.
 */

/** `GET /auth/options` (public): what the sign-in page offers. */
export const AuthOptions = z.object({
  /** Local usernames and passwords (PASSWORD_LOGIN). */
  passwordLogin: z.boolean(),
  /** Identity providers by display name: "Log ind med <name>". */
  providers: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['staff', 'citizen']) })),
});
export type AuthOptions = z.infer<typeof AuthOptions>;

/**
 * The browser's proof that it began the sign-in it finishes (against login CSRF): a random
 * value kept in the tab's sessionStorage, sent when beginning and again with the one-time code.
 */
export const Binding = z.string().regex(/^[A-Za-z0-9_-]{32,128}$/, 'a random value of 32–128 base64url characters');

/** `POST /auth/oidc/start`: begins a sign-in; the page then navigates to `url` (the provider). */
export const StartSignInRequest = z.object({ providerId: z.string().min(1).max(100), binding: Binding }).strict();
export const StartSignInResponse = z.object({ url: z.string().url() });

/** A one-time code from a finished sign-in or launch (in the page's address fragment). */
export const HandoffCode = z.string().regex(/^[A-Za-z0-9_-]{32,128}$/, 'a one-time code');

/** `POST /auth/handoff`: the one-time code for the session (answer: LoginResponse). */
export const HandoffRequest = z.object({ code: HandoffCode, binding: Binding.optional() }).strict();

/** `POST /smart/session`: a launch's one-time code for its embedded session. */
export const SmartSessionRequest = z.object({ code: HandoffCode }).strict();

/**
 * Why a sign-in or launch did not give a session. The page shows it in the reader's language;
 * the audit log records it with the refusal.
 */
export const SignInRefusal = z.enum([
  /** The sign-in began too long ago, was finished already, or was never begun here. */
  'sign_in_expired',
  /** The person cancelled at the provider, or the provider would not sign them in. */
  'access_denied',
  /** The provider (or the practice system) did not answer. */
  'provider_unavailable',
  /** The provider refused to finish the sign-in (an expired or already used code). */
  'provider_refused',
  /** The provider's answer did not pass the checks (issuer, audience, signature, nonce, expiry). */
  'invalid_token',
  /** The person's claims give no CareHub role. */
  'no_role',
  /** The person's claims give more than one CareHub role. */
  'ambiguous_role',
  /** The provider does not say the person belongs to this organisation. */
  'wrong_organisation',
  /** The person's account here is of another kind (a citizen signing in as staff, or another patient). */
  'account_conflict',
  /** The citizens' login gave no valid CPR number. */
  'no_cpr',
  /** No patient here has that CPR number. */
  'no_patient',
  /** The provider or practice system is not (or no longer) registered. */
  'unknown_provider',
  /** A launch named a practice system that is not registered. */
  'unknown_issuer',
  /**
   * The practice system's ID token names no Practitioner (or PractitionerRole) of its own FHIR
   * server as its user (`fhirUser`): a portal patient, a relative, or nobody is no GP.
   */
  'not_a_practitioner',
  /** A launch from the practice system named no patient. */
  'no_patient_context',
  /** The patient has no active care plan. */
  'no_plan',
  /** The practice is not on the patient's care team. */
  'not_on_care_team',
  /** The citizen has objected to the practice or the person. */
  'objected',
  /** Anything else went wrong: nothing was signed in. */
  'sign_in_failed',
]);
export type SignInRefusal = z.infer<typeof SignInRefusal>;

/** An identity provider as the administrator sees it (never a secret: only its variable's name). */
export const IdentityProviderView = z.object({
  id: z.string(),
  organisationId: z.string().nullable(),
  organisationName: z.string().nullable(),
  name: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  clientSecretEnv: z.string().nullable(),
  scopes: z.string(),
  roleClaim: z.string().nullable(),
  roleMap: z.record(z.string(), Role),
  cprClaim: z.string().nullable(),
  organisationClaim: z.string().nullable(),
  organisationValue: z.string().nullable(),
  /** Its role map may give the hub-wide admin role. */
  allowAdmin: z.boolean(),
  created: z.string(),
});
export type IdentityProviderView = z.infer<typeof IdentityProviderView>;

export const SmartClientView = z.object({
  id: z.string(),
  organisationId: z.string(),
  organisationName: z.string().nullable(),
  name: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  clientSecretEnv: z.string().nullable(),
  frameOrigin: z.string(),
  /** Its authorization server's issuer, pinned at registration or its first launch. */
  authIssuer: z.string().nullable(),
  created: z.string(),
});
export type SmartClientView = z.infer<typeof SmartClientView>;

/** The redirect URIs to register at a provider (shown by the CLI and the admin page). */
export const SIGN_IN_CALLBACK_PATH = '/api/v1/auth/oidc/callback';
export const SMART_LAUNCH_PATH = '/smart/launch';
export const SMART_CALLBACK_PATH = '/smart/callback';
/**
 * The cookie binding a standalone SMART launch to the browser that began it (HttpOnly,
 * SameSite=Lax, for the handoff only): its one-time code is good only with it.
 */
export const SMART_BINDING_COOKIE = 'carehub_smart_binding';
export const HANDOFF_PATH = '/api/v1/auth/handoff';
