import { Suspense, lazy, useCallback, useEffect, useRef, useState } from 'react';
import { logout, setUnauthorizedHandler } from './api.ts';
import { AppHeader } from './components/AppHeader.tsx';
import { getLanguage, putLanguage } from './api-language.ts';
import { setLanguageKeeper, useI18n, type MessageKey } from './i18n/index.tsx';
import { navigate, routes, useHashRoute } from './router.ts';
import { SessionSocketProvider } from './realtime/SessionSocket.tsx';
import { UpdateBanner } from './components/UpdateBanner.tsx';
import { deviceOwner, setDeviceOwner, totalPending, wipeDevice } from './offline/device.ts';
import { onSendRequest } from './offline/register-sw.ts';
import { clearSession, isExpired, loadSession, saveSession, type Session } from './session.ts';
import { PatientsView } from './views/PatientsView.tsx';
import { SignInView } from './views/SignInView.tsx';
import { SignedInView, SignInRefusedView } from './views/SignInOutcome.tsx';

/** Sends the changes waiting on the device (collab/sendWaiting.ts); the CRDT stack loads only when needed. */
async function sendWaiting(token: string, userId: string, opts: { includeOpen?: boolean } = {}): Promise<number> {
  const { sendWaiting: send } = await import('./collab/sendWaiting.ts');
  return send(token, userId, opts);
}

// The plan page brings the editor and the CRDT stack: load it only when a plan is opened.
const PlanView = lazy(() => import('./views/PlanView.tsx').then((m) => ({ default: m.PlanView })));
// Citizens read their plan through REST (no live copy): their page needs no editor or CRDT.
const CitizenPlanView = lazy(() => import('./views/CitizenPlanView.tsx').then((m) => ({ default: m.CitizenPlanView })));
const HistoryView = lazy(() => import('./views/HistoryView.tsx').then((m) => ({ default: m.HistoryView })));
const CitizenHomeView = lazy(() => import('./views/CitizenHomeView.tsx').then((m) => ({ default: m.CitizenHomeView })));
const AccessLogView = lazy(() => import('./views/AccessLogView.tsx').then((m) => ({ default: m.AccessLogView })));
const InboxView = lazy(() => import('./inbox/InboxView.tsx').then((m) => ({ default: m.InboxView })));
const VisitsView = lazy(() => import('./visits/VisitsView.tsx').then((m) => ({ default: m.VisitsView })));
const OverviewView = lazy(() => import('./overview/OverviewView.tsx').then((m) => ({ default: m.OverviewView })));
const CareTeamView = lazy(() => import('./patients/CareTeamView.tsx').then((m) => ({ default: m.CareTeamView })));
const AdminView = lazy(() => import('./admin/AdminView.tsx').then((m) => ({ default: m.AdminView })));

export function App() {
  const { t, applyLang } = useI18n();
  const route = useHashRoute();
  // An expired session is still used offline: the plans kept on the device stay workable, and
  // the server's 401 once the network is back asks for a new sign-in (session.ts).
  const [session, setSession] = useState<Session | null>(() => {
    const kept = loadSession();
    return kept && isExpired(kept) && navigator.onLine ? null : kept;
  });
  const [signInNotice, setSignInNotice] = useState<MessageKey | null>(() => {
    const kept = loadSession();
    return kept && isExpired(kept) && navigator.onLine ? 'signIn.expired' : null;
  });

  /**
   * The session ended (expired or refused). Edits kept on the device wait for the next sign-in
   * (only a signed-in person can send them); with none waiting, the patient data is removed at
   * once, as at sign-out, so that it does not stay on a shared tablet (issue 16).
   */
  const sessionEnded = useCallback((notice: MessageKey | null = null) => {
    clearSession();
    setSession(null);
    setSignInNotice(notice);
    if (notice !== null && totalPending() === 0) void wipeDevice();
  }, []);

  // Opened online with a session that expired meanwhile (see the state above): the same.
  const [openedExpired] = useState(() => {
    const kept = loadSession();
    return kept !== null && isExpired(kept) && navigator.onLine;
  });
  useEffect(() => {
    if (openedExpired && totalPending() === 0) void wipeDevice();
  }, [openedExpired]);

  /**
   * Signing out on a shared tablet removes every patient's data from the device (issues 6, 16):
   * first what waits is sent (online), and if some still waits (offline, or the server did not
   * confirm) the person is warned and asked. Signed in through an identity provider that offers
   * logout, the browser then signs out there too (RP-initiated logout).
   */
  const [signingOut, setSigningOut] = useState(false);
  const signOut = useCallback(async () => {
    if (!session || signingOut) return;
    let pending = totalPending();
    if (pending > 0 && navigator.onLine) {
      setSigningOut(true);
      try {
        pending = await sendWaiting(session.token, session.user.id, { includeOpen: true });
      } finally {
        setSigningOut(false);
      }
    }
    if (pending > 0) {
      const question = navigator.onLine ? 'signOut.confirmPending' : 'signOut.confirmOffline';
      if (!window.confirm(t(question, { count: pending }))) return;
    }
    const providerLogout = session.endSessionUrl;
    // The server ends the session first: a copy of its token on this device is then worthless.
    await logout(session.token);
    sessionEnded(null);
    void wipeDevice().finally(() => {
      if (providerLogout) window.location.assign(providerLogout);
    });
  }, [sessionEnded, session, signingOut, t]);

  // Changes waiting on the device for plans not open now go up when the app opens, on every
  // reconnect, and when the service worker's Background Sync asks (issue 16).
  useEffect(() => {
    if (!session) return;
    const send = () => sendWaiting(session.token, session.user.id);
    if (totalPending() > 0) void send();
    const onOnline = () => void send();
    window.addEventListener('online', onOnline);
    const stopAnswering = onSendRequest(send);
    return () => {
      window.removeEventListener('online', onOnline);
      stopAnswering();
    };
  }, [session]);

  // Any authenticated REST call answering 401 ends the session and shows the sign-in page,
  // on the same route so that signing in again returns to where the person was.
  useEffect(() => {
    setUnauthorizedHandler(() => sessionEnded('signIn.expired'));
  }, [sessionEnded]);

  // The person's language is kept on the server: applied at sign-in on every device, and a
  // change made while signed in is kept there. (A choice on the sign-in page stays on the device:
  // on a shared tablet it is not the next person's.)
  const token = session?.token ?? null;
  useEffect(() => {
    if (!token) return;
    setLanguageKeeper((next) => void putLanguage(token, next).catch(() => {}));
    const controller = new AbortController();
    getLanguage(token, controller.signal)
      .then((choice) => {
        if (choice.chosen) applyLang(choice.language);
      })
      .catch(() => {});
    return () => {
      controller.abort();
      setLanguageKeeper(null);
    };
  }, [token, applyLang]);

  // A signed-in person on a sign-in route goes to their landing page: Overblik for staff.
  useEffect(() => {
    if (session && (route.name === 'signIn' || route.name === 'signedIn' || route.name === 'signInRefused'))
      navigate(session.user.role === 'citizen' || session.user.role === 'admin' ? routes.patients : routes.overview);
  }, [session, route.name]);

  // After a change of page (not on first load), move focus to the new page's content so that
  // keyboard and screen-reader users start there rather than on the vanished element.
  const routeKey = session
    ? `${route.name}:${route.name === 'plan' || route.name === 'history' || route.name === 'visit' || route.name === 'careTeam' ? route.planId : route.name === 'admin' ? route.tab : ''}`
    : 'signIn';
  const firstRoute = useRef(true);
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [routeKey]);

  const onSignedIn = async (next: Session) => {
    // Someone else's patients never stay on the device for the next person (shared tablets).
    const owner = deviceOwner();
    if (owner !== null && owner !== next.user.id) await wipeDevice();
    setDeviceOwner(next.user.id);
    saveSession(next);
    setSignInNotice(null);
    setSession(next);
  };

  let content: React.ReactNode;
  const role = session?.user.role;
  if (!session && route.name === 'signedIn')
    content = <SignedInView code={route.code} onSignedIn={(next) => void onSignedIn(next)} />;
  else if (!session && route.name === 'signInRefused') content = <SignInRefusedView reason={route.reason} />;
  else if (!session) content = <SignInView notice={signInNotice} onSignedIn={onSignedIn} />;
  else if (role === 'admin')
    content = <AdminView session={session} tab={route.name === 'admin' ? route.tab : 'audit'} />;
  else if (route.name === 'plan' && role === 'citizen')
    content = <CitizenPlanView key={route.planId} session={session} planId={route.planId} />;
  else if (role === 'citizen' && route.name === 'accessLog') content = <AccessLogView session={session} />;
  else if (role === 'citizen') content = <CitizenHomeView session={session} />;
  else if (route.name === 'plan')
    content = (
      <PlanView
        key={route.planId}
        session={session}
        planId={route.planId}
        {...(route.at ? { at: route.at } : {})}
        onSessionExpired={() => sessionEnded('signIn.expired')}
      />
    );
  else if (route.name === 'visit')
    content = (
      <PlanView
        key={`visit:${route.planId}`}
        session={session}
        planId={route.planId}
        visit
        onSessionExpired={() => sessionEnded('signIn.expired')}
      />
    );
  else if (route.name === 'visits') content = <VisitsView session={session} />;
  else if (route.name === 'overview') content = <OverviewView session={session} />;
  else if (route.name === 'careTeam')
    content = <CareTeamView key={route.planId} session={session} planId={route.planId} />;
  else if (route.name === 'inbox') content = <InboxView session={session} />;
  else if (route.name === 'history')
    content = <HistoryView key={route.planId} session={session} planId={route.planId} />;
  else content = <PatientsView session={session} />;

  const page = (
    <>
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is an anchor to #main; the handler only moves focus there too */}
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('app.skipToContent')}
      </a>
      <AppHeader session={session} route={route} onSignOut={() => void signOut()} />
      <UpdateBanner />
      {signingOut && (
        <p className="notice notice--info" role="status" data-testid="signing-out">
          {t('signOut.sending')}
        </p>
      )}
      <main id="main" tabIndex={-1} className="page">
        <Suspense fallback={<p role="status">{t('plan.loading')}</p>}>{content}</Suspense>
      </main>
    </>
  );
  // One Socket.IO connection for the whole session: notifications, results, refusals.
  return session ? (
    <SessionSocketProvider token={session.token} onEnded={() => sessionEnded('signIn.expired')}>
      {page}
    </SessionSocketProvider>
  ) : (
    page
  );
}
