import { useEffect, useState } from 'react';

/**
 * Hash routes: `#/sign-in`, `#/patients`, `#/plans/<planId>`, `#/plans/<planId>/history`,
 * `#/access-log` (the citizen's), `#/admin/<tab>` (the administrator's), `#/visits` (today's
 * home visits of municipal staff), `#/inbox` (MedCom messages waiting for a plan), `#/plans/<planId>/visit` (a plan opened for a visit), and
 * `#/signed-in/<code>` / `#/sign-in-refused/<reason>` (back from an identity provider).
 * Only opaque ids go in the hash; never a CPR number or a patient's name.
 */
export type AdminTab = 'audit' | 'users' | 'organisations' | 'sign-in';
export const ADMIN_TABS: readonly AdminTab[] = ['audit', 'users', 'organisations', 'sign-in'];

export type Route =
  | { name: 'signIn' }
  | { name: 'patients' }
  | { name: 'plan'; planId: string }
  | { name: 'visits' }
  | { name: 'inbox' }
  | { name: 'visit'; planId: string }
  | { name: 'history'; planId: string }
  | { name: 'accessLog' }
  | { name: 'admin'; tab: AdminTab }
  /** Back from an identity provider: the one-time code to exchange for the session. */
  | { name: 'signedIn'; code: string }
  /** Back from an identity provider without a session: why (shared/sign-in.ts SignInRefusal). */
  | { name: 'signInRefused'; reason: string }
  | { name: 'notFound' };

export const routes = {
  signIn: '#/sign-in',
  patients: '#/patients',
  plan: (planId: string) => `#/plans/${encodeURIComponent(planId)}`,
  visits: '#/visits',
  inbox: '#/inbox',
  visit: (planId: string) => `#/plans/${encodeURIComponent(planId)}/visit`,
  history: (planId: string) => `#/plans/${encodeURIComponent(planId)}/history`,
  accessLog: '#/access-log',
  admin: (tab: AdminTab = 'audit') => `#/admin/${tab}`,
} as const;

function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/patients';
  if (path === '/' || path === '/patients') return { name: 'patients' };
  if (path === '/sign-in') return { name: 'signIn' };
  const signedIn = /^\/signed-in\/([A-Za-z0-9_-]+)$/.exec(path);
  if (signedIn?.[1]) return { name: 'signedIn', code: signedIn[1] };
  const refused = /^\/sign-in-refused\/([a-z_]+)$/.exec(path);
  if (refused?.[1]) return { name: 'signInRefused', reason: refused[1] };
  if (path === '/access-log') return { name: 'accessLog' };
  if (path === '/visits') return { name: 'visits' };
  if (path === '/inbox') return { name: 'inbox' };
  const visit = /^\/plans\/([^/?#]+)\/visit$/.exec(path);
  if (visit?.[1]) return { name: 'visit', planId: decodeURIComponent(visit[1]) };
  if (path === '/admin') return { name: 'admin', tab: 'audit' };
  const admin = /^\/admin\/([a-z-]+)$/.exec(path);
  if (admin && (ADMIN_TABS as readonly string[]).includes(admin[1] ?? ''))
    return { name: 'admin', tab: admin[1] as AdminTab };
  const plan = /^\/plans\/([^/?#]+)$/.exec(path);
  if (plan?.[1]) return { name: 'plan', planId: decodeURIComponent(plan[1]) };
  const history = /^\/plans\/([^/?#]+)\/history$/.exec(path);
  if (history?.[1]) return { name: 'history', planId: decodeURIComponent(history[1]) };
  return { name: 'notFound' };
}

export function navigate(hash: string): void {
  if (window.location.hash !== hash) window.location.hash = hash;
}

export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
