import { LoginResponse } from '../../shared/api.ts';

/** The signed-in session, kept per browser tab in sessionStorage (never in a cookie or URL). */
export type Session = LoginResponse;

const SESSION_KEY = 'carehub.session';

export function loadSession(): Session | null {
  let raw: string | null = null;
  try {
    raw = sessionStorage.getItem(SESSION_KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const parsed = LoginResponse.safeParse(JSON.parse(raw));
    if (!parsed.success) return null;
    const expires = Date.parse(parsed.data.expiresAt);
    if (!Number.isNaN(expires) && expires <= Date.now()) {
      clearSession();
      return null;
    }
    return parsed.data;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // nothing stored
  }
}
