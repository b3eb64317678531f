import { LoginResponse } from '../../shared/api.ts';

/**
 * The signed-in session. Kept in localStorage (never in a cookie or URL; the token travels in
 * an Authorization header, and in the /collab query only because y-websocket needs it there)
 * so that the installed app, closed and opened again on a tablet without a network, still knows
 * who is signed in and opens the plans kept on the device (issue 6).
 *
 * An expired session is kept too: offline, the person goes on working on the plans kept on the
 * device; once the network is back the server refuses the token, the app asks them to sign in
 * again, and their unsent edits (in IndexedDB) are sent after that. Signing out removes the
 * session and everything kept about patients (offline/device.ts).
 */
export type Session = LoginResponse;

const SESSION_KEY = 'carehub.session';

export function isExpired(session: Session, now = Date.now()): boolean {
  const expires = Date.parse(session.expiresAt);
  return !Number.isNaN(expires) && expires <= now;
}

export function loadSession(): Session | null {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(SESSION_KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const parsed = LoginResponse.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  try {
    localStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(SESSION_KEY); // left by earlier versions, which kept it per tab
  } catch {
    // nothing stored
  }
}
