import { useEffect, useState } from 'react';

/**
 * Hash routes: `#/sign-in`, `#/overview` (staff's landing page), `#/patients`, `#/plans/<planId>`
 * (optionally `?at=<section>`: opened at that section), `#/plans/<planId>/history`,
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
  /** Overblik: the staff landing page (`#/` for staff). */
  | { name: 'overview' }
  | { name: 'plan'; planId: string; at?: string }
  | { name: 'visits' }
  | { name: 'inbox' }
  | { name: 'visit'; planId: string }
  | { name: 'history'; planId: string }
  /** The patient's care team, from one of their plans. */
  | { name: 'careTeam'; planId: string }
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
  overview: '#/overview',
  plan: (planId: string, at?: string) =>
    `#/plans/${encodeURIComponent(planId)}${at ? `?at=${encodeURIComponent(at)}` : ''}`,
  visits: '#/visits',
  inbox: '#/inbox',
  visit: (planId: string) => `#/plans/${encodeURIComponent(planId)}/visit`,
  history: (planId: string) => `#/plans/${encodeURIComponent(planId)}/history`,
  careTeam: (planId: string) => `#/plans/${encodeURIComponent(planId)}/care-team`,
  accessLog: '#/access-log',
  admin: (tab: AdminTab = 'audit') => `#/admin/${tab}`,
} as const;

function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/overview') return { name: 'overview' };
  if (path === '/patients') return { name: 'patients' };
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
  const plan = /^\/plans\/([^/?#]+)(?:\?at=([A-Za-z]+))?$/.exec(path);
  if (plan?.[1]) return { name: 'plan', planId: decodeURIComponent(plan[1]), ...(plan[2] ? { at: plan[2] } : {}) };
  const careTeam = /^\/plans\/([^/?#]+)\/care-team$/.exec(path);
  if (careTeam?.[1]) return { name: 'careTeam', planId: decodeURIComponent(careTeam[1]) };
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
