import { useEffect, useState } from 'react';
import type { VisitsResponse } from '../../../shared/api.ts';
import { ApiError, describeError, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { keepVisits, keptVisits } from '../offline/device.ts';
import { todayIsoDate } from '../plan/entry.ts';
import { getTodaysVisits } from './api-visits.ts';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';
import './visits.css';

/**
 * `#/visits`: a municipal nurse's visits today, in visit order (server: overdue first, then by
 * name). Each opens the plan at the visit's tasks and the quick form. The last list is kept on
 * the device, so the round can be followed without a network.
 */
export function VisitsView({ session }: { session: Session }) {
  const { t, formatDate } = useI18n();
  const [visits, setVisits] = useState<VisitsResponse | null>(null);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const kept = keptVisits();
    if (kept && !navigator.onLine) {
      setVisits(kept);
      setOffline(true);
      return;
    }
    getTodaysVisits(session.token, todayIsoDate(), controller.signal)
      .then((fresh) => {
        keepVisits(fresh);
        setVisits(fresh);
        setOffline(false);
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        if (kept && err instanceof ApiError && err.kind === 'network') {
          setVisits(kept);
          setOffline(true);
        } else setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token]);

  return (
    <div className="visits" data-testid="visits-view">
      <h1>{t('visits.title')}</h1>
      {visits && <p className="visits__date">{t('visits.date', { date: formatDate(visits.date) })}</p>}
      {offline && (
        <p className="notice notice--info" role="status" data-testid="visits-offline">
          {t('visits.offlineKept')}
        </p>
      )}
      {error && <ErrorNotice message={error} testId="visits-error" />}
      {!visits && !error && <p role="status">{t('visits.loading')}</p>}
      {visits && visits.visits.length === 0 && <p data-testid="visits-none">{t('visits.none')}</p>}
      {visits && visits.visits.length > 0 && (
        <ol className="visits__list" aria-label={t('visits.listLabel')}>
          {visits.visits.map((visit, index) => (
            <li key={visit.planId} className="visit-card card" data-testid="visit-card" data-plan-id={visit.planId}>
              <div className="visit-card__head">
                <span className="visit-card__order" aria-hidden="true">
                  {index + 1}
                </span>
                <div>
                  <h2 className="visit-card__name">{visit.patientName}</h2>
                  <p className="visit-card__plan">{visit.planTitle}</p>
                  {visit.stay && (
                    <p className="visit-card__stay" data-testid="visit-stay">
                      {t(visit.stay.onLeave ? 'visits.onLeave' : 'visits.admitted', { place: visit.stay.place })}
                    </p>
                  )}
                </div>
              </div>
              <ul className="visit-card__tasks" aria-label={t('visits.tasks')}>
                {visit.tasks.map((task) => (
                  <li
                    key={task.id}
                    className={`visit-card__task${task.status === 'done' ? ' visit-card__task--done' : ''}`}
                    data-testid="visit-task"
                  >
                    <span>{task.title}</span>
                    {task.overdue && (
                      <span className="visit-card__overdue">{t('visits.overdue', { date: formatDate(task.due) })}</span>
                    )}
                    {task.status === 'done' && <span className="visit-card__done">{t('visit.done')}</span>}
                  </li>
                ))}
              </ul>
              <a
                className="button button--primary visit-card__open"
                href={routes.visit(visit.planId)}
                data-testid="visit-open"
              >
                {t('visits.open', { name: visit.patientName })}
              </a>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
