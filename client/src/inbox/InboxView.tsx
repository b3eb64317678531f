import { useEffect, useState } from 'react';
import { z } from 'zod';
import { InboxItem, InboxPlanStarted } from '../../../shared/api.ts';
import { call, describeError, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { navigate, routes } from '../router.ts';
import type { Session } from '../session.ts';

/**
 * `#/inbox`: MedCom hospital notifications about citizens with no plan at the organisation yet.
 * Starting a plan from one registers the citizen (when unknown), puts the organisation on the
 * care team, moves the waiting notifications into the plan and opens it.
 */
export function InboxView({ session }: { session: Session }) {
  const { t, formatDateTime } = useI18n();
  const [items, setItems] = useState<InboxItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    call('/messages/inbox', z.array(InboxItem), { token: session.token, signal: controller.signal })
      .then(setItems)
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token]);

  const startPlan = async (item: InboxItem) => {
    setBusy(item.id);
    setError(null);
    try {
      const started = await call(`/messages/inbox/${encodeURIComponent(item.id)}/plan`, InboxPlanStarted, {
        method: 'POST',
        token: session.token,
      });
      navigate(routes.plan(started.planId));
    } catch (err) {
      setError(describeError(err, t));
      setBusy(null);
    }
  };

  return (
    <div className="inbox" data-testid="inbox-view">
      <h1>{t('inbox.title')}</h1>
      <p className="muted">{t('inbox.intro')}</p>
      {error && <ErrorNotice message={error} testId="inbox-error" />}
      {!items && !error && <p role="status">{t('inbox.loading')}</p>}
      {items && items.length === 0 && <p data-testid="inbox-none">{t('inbox.none')}</p>}
      {items && items.length > 0 && (
        <ul className="inbox__list">
          {items.map((item) => (
            <li key={item.id} className="card" data-testid="inbox-item">
              <h2>{item.patientName}</h2>
              <p>{t('inbox.from', { code: item.code, place: item.place })}</p>
              {item.at && <p>{t('inbox.at', { time: formatDateTime(item.at) })}</p>}
              <p className="muted">{t('inbox.received', { time: formatDateTime(item.received) })}</p>
              {!item.knownPatient && <p className="notice notice--info">{t('inbox.unknownPatient')}</p>}
              <button
                type="button"
                className="button button--primary"
                disabled={busy !== null}
                onClick={() => void startPlan(item)}
                data-testid="inbox-start-plan"
              >
                {t('inbox.startPlan', { name: item.patientName })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
