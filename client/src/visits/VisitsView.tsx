import { useEffect, useMemo, useState } from 'react';
import type { Visit, VisitsResponse } from '../../../shared/api.ts';
import { ApiError, describeError, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { keepVisits, keptVisits, onPendingChange, readiness, totalPending } from '../offline/device.ts';
import { forgetPlansThatLeft, prefetchDay, type ReadyState } from '../offline/prefetch.ts';
import { requestPersistentStorage } from '../offline/storage.ts';
import { todayIsoDate } from '../plan/entry.ts';
import type { Session } from '../session.ts';
import { getTodaysVisits } from './api-visits.ts';
import { VisitCard } from './VisitCard.tsx';
import './visits.css';

/** The changes waiting on this device, kept current. */
function usePendingTotal(): number {
  const [total, setTotal] = useState(totalPending);
  useEffect(() => onPendingChange(() => setTotal(totalPending())), []);
  return total;
}

function planIdsOf(visits: VisitsResponse): string[] {
  return [...new Set([...visits.visits, ...(visits.tomorrow?.visits ?? [])].map((v) => v.planId))];
}

/** What the device holds already, before (or without) fetching. */
function keptStates(planIds: readonly string[]): Record<string, ReadyState | null> {
  return Object.fromEntries(planIds.map((id) => [id, readiness(id) ? 'ready' : null]));
}

/**
 * `#/visits`: a municipal nurse's visits today and tomorrow (Danish calendar), in visit order
 * (server: overdue first, then by name). Each opens the plan at the visit's tasks and the quick
 * form. While online, every plan on the list is kept on the device in the background (issue 16),
 * and each visit says whether it is ready offline and when it was last synchronised; the list
 * says how many changes wait to be sent. The last list is kept too, so the round can be
 * followed without a network.
 */
export function VisitsView({ session }: { session: Session }) {
  const { t, formatDate } = useI18n();
  const [visits, setVisits] = useState<VisitsResponse | null>(null);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState<Record<string, ReadyState | null>>({});
  const [full, setFull] = useState(false);
  const [notPersistent, setNotPersistent] = useState(false);
  const pending = usePendingTotal();

  useEffect(() => {
    const controller = new AbortController();
    const show = (list: VisitsResponse, fromDevice: boolean) => {
      setVisits(list);
      setOffline(fromDevice);
      setReady(keptStates(planIdsOf(list)));
    };
    const kept = keptVisits();
    if (kept && !navigator.onLine) {
      show(kept, true);
      return;
    }
    getTodaysVisits(session.token, todayIsoDate(), controller.signal)
      .then(async (fresh) => {
        keepVisits(fresh);
        show(fresh, false);
        const planIds = planIdsOf(fresh);
        const storage = await requestPersistentStorage();
        if (controller.signal.aborted) return;
        setNotPersistent(storage.persisted === false);
        const outcome = await prefetchDay({
          token: session.token,
          userId: session.user.id,
          planIds,
          signal: controller.signal,
          onState: (planId, state) => setReady((now) => ({ ...now, [planId]: state })),
        });
        if (controller.signal.aborted) return;
        setFull(outcome === 'full');
        await forgetPlansThatLeft(session.user.id, planIds, { token: session.token, signal: controller.signal });
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        if (kept && err instanceof ApiError && err.kind === 'network') show(kept, true);
        else setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, session.user.id]);

  const allPlans = useMemo(() => (visits ? planIdsOf(visits) : []), [visits]);
  const readyCount = allPlans.filter((id) => ready[id] === 'ready').length;
  const list = (items: Visit[], label: string) => (
    <ol className="visits__list" aria-label={label}>
      {items.map((visit, index) => (
        <VisitCard
          key={visit.planId}
          visit={visit}
          order={index + 1}
          ready={ready[visit.planId] ?? null}
          syncedAt={readiness(visit.planId)?.syncedAt ?? null}
          offline={offline}
        />
      ))}
    </ol>
  );

  return (
    <div className="visits" data-testid="visits-view">
      <h1>{t('visits.title')}</h1>
      {visits && <p className="visits__date">{t('visits.date', { date: formatDate(visits.date) })}</p>}
      {visits && allPlans.length > 0 && (
        <div className="visits__status" role="status">
          <p data-testid="visits-ready-summary" data-ready={readyCount} data-total={allPlans.length}>
            {readyCount === allPlans.length
              ? t('visits.allReady', { count: allPlans.length })
              : t('visits.someReady', { ready: readyCount, count: allPlans.length })}
          </p>
          <p data-testid="visits-pending" data-count={pending}>
            {pending === 0
              ? t('visits.noPending')
              : pending === 1
                ? t('visits.pendingOne')
                : t('visits.pending', { count: pending })}
          </p>
        </div>
      )}
      {full && (
        <p className="notice notice--error" role="alert" data-testid="storage-full">
          {t('storage.full')}
        </p>
      )}
      {notPersistent && !full && (
        <p className="notice notice--info" data-testid="storage-not-persistent">
          {t('storage.notPersistent')}
        </p>
      )}
      {offline && (
        <p className="notice notice--info" role="status" data-testid="visits-offline">
          {t('visits.offlineKept')}
        </p>
      )}
      {error && <ErrorNotice message={error} testId="visits-error" />}
      {!visits && !error && <p role="status">{t('visits.loading')}</p>}
      {visits && visits.visits.length === 0 && <p data-testid="visits-none">{t('visits.none')}</p>}
      {visits && visits.visits.length > 0 && list(visits.visits, t('visits.listLabel'))}
      {visits?.tomorrow && (
        <section className="visits__tomorrow" aria-labelledby="visits-tomorrow" data-testid="visits-tomorrow">
          <h2 id="visits-tomorrow">
            {t('visits.tomorrowTitle')} · {formatDate(visits.tomorrow.date)}
          </h2>
          {visits.tomorrow.visits.length === 0 ? (
            <p>{t('visits.tomorrowNone')}</p>
          ) : (
            list(visits.tomorrow.visits, t('visits.tomorrowTitle'))
          )}
        </section>
      )}
    </div>
  );
}
