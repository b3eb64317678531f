import { useCallback, useEffect, useState } from 'react';
import { formatCpr } from '../../../shared/cpr.ts';
import type { Overview, OverviewItem } from '../../../shared/overview.ts';
import { describeError, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useSessionSocket } from '../realtime/SessionSocket.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';
import { getOverview } from './api-overview.ts';
import { sectionOfItem, wordItem } from './overview-words.ts';
import './overview.css';

function itemKey(item: OverviewItem, index: number): string {
  switch (item.kind) {
    case 'critical-result':
      return `c:${item.result.id}`;
    case 'task-due':
    case 'handover':
      return `${item.kind}:${item.taskId}`;
    default:
      return `${item.kind}:${item.planId}:${index}`;
  }
}

/**
 * `#/overview`, Overblik: what needs the staff member across their patients, critical results
 * first with the patient named. Fetched again when a notification arrives or is resolved, so a
 * result filed or acknowledged elsewhere shows here without a reload.
 */
export function OverviewView({ session }: { session: Session }) {
  const i18n = useI18n();
  const { t } = i18n;
  const socket = useSessionSocket();
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    getOverview(session.token, controller.signal)
      .then((o) => {
        setOverview(o);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, version]);

  useEffect(() => {
    if (!socket) return;
    socket.on('notification', refresh);
    socket.on('notification:resolved', refresh);
    socket.io.on('reconnect', refresh);
    return () => {
      socket.off('notification', refresh);
      socket.off('notification:resolved', refresh);
      socket.io.off('reconnect', refresh);
    };
  }, [socket, refresh]);

  const items = overview?.items ?? [];
  return (
    <section aria-labelledby="overview-title" className="overview" data-testid="overview">
      <div className="overview__head">
        <h1 id="overview-title">{t('overview.title')}</h1>
        <button type="button" className="button button--quiet" onClick={refresh} data-testid="overview-refresh">
          {t('overview.refresh')}
        </button>
      </div>
      <p className="muted">{t('overview.intro')}</p>
      {error && <ErrorNotice message={error} />}
      {!overview && !error && <p role="status">{t('overview.loading')}</p>}
      {overview && (
        <>
          <p className="muted" role="status" data-testid="overview-count" data-count={items.length}>
            {items.length === 1 ? t('overview.count.one') : t('overview.count.other', { count: items.length })}
          </p>
          {items.length === 0 ? (
            <p>{t('overview.empty')}</p>
          ) : (
            <ul className="overview__list">
              {items.map((item, index) => (
                <li
                  key={itemKey(item, index)}
                  className={`card overview-item overview-item--${item.kind}`}
                  data-testid="overview-item"
                  data-kind={item.kind}
                  data-plan-id={item.planId}
                >
                  <p className="overview-item__patient">
                    <strong data-testid="overview-patient">{item.patient.name}</strong>{' '}
                    <span className="mono">{formatCpr(item.patient.cpr)}</span>
                  </p>
                  <p className="overview-item__text">
                    {item.kind === 'critical-result' && (
                      <span className="overview-item__badge">{t('overview.criticalBadge')}</span>
                    )}
                    {wordItem(item, i18n)}
                  </p>
                  <p className="overview-item__meta muted">{t('overview.plan', { title: item.planTitle })}</p>
                  <p className="overview-item__actions">
                    <a href={routes.plan(item.planId, sectionOfItem(item) ?? undefined)} data-testid="overview-open">
                      {t('overview.open')}
                      <span className="visually-hidden">
                        {' '}
                        – {item.patient.name}, {wordItem(item, i18n)}
                      </span>
                    </a>
                  </p>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
