import { useCallback, useEffect, useRef, useState } from 'react';
import type { PlanView as PlanHeader } from '../../../shared/api.ts';
import type { SignInRefusal } from '../../../shared/sign-in.ts';
import { openEmbedSession, openLaunchSession, type EmbedSession } from '../api-care.ts';
import { ApiError, describeError, getPlan, setUnauthorizedHandler } from '../api.ts';
import { refusalFrom, refusalOf } from '../api-sign-in.ts';
import { SignInRefusalNotice } from '../components/SignInRefusalNotice.tsx';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { PlanWorkspace } from '../plan/PlanWorkspace.tsx';
import { SessionSocketProvider } from '../realtime/SessionSocket.tsx';
import './embed.css';

/** What opened the page: an embed link (`/embed#<link>`), or a SMART launch (`/smart/app/<system>#code=…`). */
export type EmbedSource =
  | { kind: 'link'; link: string | null }
  | { kind: 'launch'; code: string | null; refused: string | null };

type State =
  | { phase: 'opening' }
  | { phase: 'ready'; session: EmbedSession; plan: PlanHeader }
  /** The link is missing, expired, revoked or not a link: nothing to retry. */
  | { phase: 'refused'; message: MessageKey }
  /** A launch the hub refused (the practice is not on the care team, …): why, in words. */
  | { phase: 'launchRefused'; reason: SignInRefusal }
  /** The session ended while open (expired token): the practice system must open the plan again. */
  | { phase: 'ended' }
  | { phase: 'failed'; message: string };

function firstState(source: EmbedSource): State {
  if (source.kind === 'link') return source.link ? { phase: 'opening' } : { phase: 'refused', message: 'embed.noLink' };
  if (source.refused !== null || !source.code) return { phase: 'launchRefused', reason: refusalFrom(source.refused) };
  return { phase: 'opening' };
}

/**
 * One care plan inside the GP's practice system (an iframe): opened by an embed link, or
 * launched by the practice system (SMART App Launch) as the GP. The link or the launch's
 * one-time code is exchanged for a session token that lives in this page's memory only: no
 * cookies (blocked in third-party frames) and no web storage. Then the same live plan as in
 * the full app, with compact chrome and no way to navigate elsewhere.
 */
export default function EmbedApp({ source }: { source: EmbedSource }) {
  const { t } = useI18n();
  const [state, setState] = useState<State>(() => firstState(source));
  const [attempt, setAttempt] = useState(0);
  // One exchange per link or code, even when React runs the effect twice.
  const exchange = useRef<Promise<EmbedSession> | null>(null);
  const secret = source.kind === 'link' ? source.link : source.refused === null ? source.code : null;

  useEffect(() => {
    setUnauthorizedHandler(() => setState({ phase: 'ended' }));
  }, []);

  useEffect(() => {
    if (!secret) return;
    let live = true;
    exchange.current ??= source.kind === 'link' ? openEmbedSession(secret) : openLaunchSession(secret);
    exchange.current
      .then(async (session) => {
        const plan = await getPlan(session.token, session.planId);
        if (live) setState({ phase: 'ready', session, plan });
      })
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.kind === 'http' && err.status >= 400 && err.status < 500) {
          if (source.kind === 'launch')
            setState({ phase: 'launchRefused', reason: refusalOf(err) ?? 'sign_in_expired' });
          else setState({ phase: 'refused', message: err.status === 400 ? 'embed.invalidLink' : 'embed.linkRefused' });
        } else if (source.kind === 'launch') {
          // The one-time code was sent; whether it was taken is unknown: the practice system opens the plan again.
          setState({ phase: 'failed', message: describeError(err, t) });
        } else {
          // A network fault: the link may still be good; let the person try again.
          exchange.current = null;
          setState({ phase: 'failed', message: describeError(err, t) });
        }
      });
    return () => {
      live = false;
    };
    // Deliberately not on `t`: a change of language needs no new session.
  }, [secret, attempt]);

  const ended = useCallback(() => setState({ phase: 'ended' }), []);

  if (state.phase === 'ready') {
    const { session, plan } = state;
    return (
      <SessionSocketProvider token={session.token} onEnded={ended}>
        <main className="embed-page" data-testid="embed-app" data-access={session.access}>
          <PlanWorkspace
            plan={plan}
            token={session.token}
            user={session.user}
            onSessionExpired={ended}
            variant="embed"
            readOnly={session.access === 'read'}
          />
        </main>
      </SessionSocketProvider>
    );
  }

  return (
    <main className="embed-page embed-page--message" data-testid="embed-app" data-phase={state.phase}>
      <p className="embed-page__brand">
        <span aria-hidden="true">✚ </span>
        {t('app.name')}
      </p>
      {state.phase === 'opening' && (
        <p role="status">{t(source.kind === 'launch' ? 'smart.opening' : 'embed.opening')}</p>
      )}
      {state.phase === 'refused' && (
        <div className="notice notice--error embed-page__notice" role="alert" data-testid="embed-refused">
          <p>{t(state.message)}</p>
          <p>{t('embed.askForNewLink')}</p>
        </div>
      )}
      {state.phase === 'launchRefused' && (
        <SignInRefusalNotice reason={state.reason} title="smart.refusedTitle" next={<p>{t('smart.reopen')}</p>} />
      )}
      {state.phase === 'ended' && (
        <div className="notice notice--error embed-page__notice" role="alert" data-testid="embed-ended">
          <p>{t('embed.sessionEnded')}</p>
        </div>
      )}
      {state.phase === 'failed' && (
        <div className="notice notice--error embed-page__notice" role="alert" data-testid="embed-failed">
          <p>{state.message}</p>
          {source.kind === 'link' ? (
            <button type="button" className="button button--small" onClick={() => setAttempt((n) => n + 1)}>
              {t('embed.retry')}
            </button>
          ) : (
            <p>{t('smart.reopen')}</p>
          )}
        </div>
      )}
    </main>
  );
}
