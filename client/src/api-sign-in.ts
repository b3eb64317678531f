import { LoginResponse } from '../../shared/api.ts';
import { AuthOptions, SignInRefusal, StartSignInResponse } from '../../shared/sign-in.ts';
import { ApiError, call } from './api.ts';

/**
 * Signing in through an identity provider (shared/sign-in.ts). The tab proves it began the
 * sign-in it finishes: a random binding value kept in this tab's sessionStorage goes with the
 * start and again with the one-time code (a code sent to someone else's browser is worthless).
 */
const BINDING_KEY = 'carehub.signInBinding';

export function getAuthOptions(signal?: AbortSignal): Promise<AuthOptions> {
  return call('/auth/options', AuthOptions, { signal });
}

function randomBinding(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Begins a sign-in through `providerId`; returns the provider's address to go to. */
export async function startSignIn(providerId: string): Promise<string> {
  const binding = randomBinding();
  sessionStorage.setItem(BINDING_KEY, binding);
  return (await call('/auth/oidc/start', StartSignInResponse, { method: 'POST', body: { providerId, binding } })).url;
}

/** Exchanges the one-time code the provider's return left in the address for the session. */
export function finishSignIn(code: string): Promise<LoginResponse> {
  const binding = sessionStorage.getItem(BINDING_KEY) ?? undefined;
  sessionStorage.removeItem(BINDING_KEY);
  return call('/auth/handoff', LoginResponse, { method: 'POST', body: binding ? { code, binding } : { code } });
}

/** Why the server refused a sign-in step, when it said (`details.reason`). */
export function refusalOf(err: unknown): SignInRefusal | null {
  if (!(err instanceof ApiError)) return null;
  const reason = SignInRefusal.safeParse((err.details as { reason?: unknown } | undefined)?.reason);
  return reason.success ? reason.data : null;
}

/** A refusal's reason as it arrives in an address (`/#/sign-in-refused/<reason>`, `#refused=<reason>`): a known one, or the generic one. */
export function refusalFrom(text: string | null | undefined): SignInRefusal {
  const reason = SignInRefusal.safeParse(text);
  return reason.success ? reason.data : 'sign_in_failed';
}
