import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PlanPerson, PlanView as PlanHeader } from '../../../shared/api.ts';
import type { PlanDocumentJson } from '../../../shared/plan.ts';
import { addSelfReport, describeError, getPlan, getPlanDocument, getPlanPeople, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { PlanStatusBadge } from '../components/PlanStatusBadge.tsx';
import { PlanSnapshot } from '../history/PlanSnapshot.tsx';
import { SnapshotSelfReports } from '../history/SnapshotTables.tsx';
import { useI18n } from '../i18n/index.tsx';
import { SelfReportComposer, type NewSelfReport } from '../plan/SelfReportComposer.tsx';
import { routes } from '../router.ts';
import { useSessionSocket } from '../realtime/SessionSocket.tsx';
import type { Session } from '../session.ts';
import { CitizenResults } from './CitizenResults.tsx';
import '../plan/plan.css';
import '../history/history.css';

/** How often the citizen's page fetches the plan again while it is visible. */
const REFRESH_MS = 30_000;

/**
 * `#/plans/<id>` for the citizen: their plan in plain language, read through REST (results
 * only once released to them), and a form for their own measurements. Citizens get no live
 * copy of the plan: Yjs cannot sync part of a document, and the whole holds unreleased results.
 */
export function CitizenPlanView({ session, planId }: { session: Session; planId: string }) {
  const { t, formatDateTime } = useI18n();
  const { token } = session;
  const [header, setHeader] = useState<PlanHeader | null>(null);
  const [plan, setPlan] = useState<PlanDocumentJson | null>(null);
  const [people, setPeople] = useState<PlanPerson[]>([]);
  const [loadedAt, setLoadedAt] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const doc = await getPlanDocument(token, planId, null, signal);
        setPlan(doc);
        setLoadedAt(new Date().toISOString());
        setError(null);
      } catch (err) {
        if (!isAbort(err)) setError(describeError(err, t));
      }
    },
    // Deliberately not on `t`: a change of language needs no refetch.
    [token, planId],
  );

  useEffect(() => {
    const controller = new AbortController();
    getPlan(token, planId, controller.signal)
      .then(setHeader)
      .catch(() => setHeader(null));
    getPlanPeople(token, planId, controller.signal)
      .then(setPeople)
      .catch(() => setPeople([]));
    void load(controller.signal);
    const refresh = () => {
      if (document.visibilityState === 'visible') void load();
    };
    const timer = window.setInterval(refresh, REFRESH_MS);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      controller.abort();
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, [token, planId, load]);

  // The server says when the plan changed (`plan:changed`, at most about once a second): then
  // the page reads it again at once instead of waiting for the next refresh.
  const socket = useSessionSocket();
  useEffect(() => {
    if (!socket) return;
    const watch = () => socket.emit('plan:watch', { planId });
    const onChanged = (msg: { planId: string }) => {
      if (msg.planId === planId) void load();
    };
    socket.on('connect', watch);
    socket.on('plan:changed', onChanged);
    if (socket.connected) watch();
    return () => {
      socket.off('connect', watch);
      socket.off('plan:changed', onChanged);
      if (socket.connected) socket.emit('plan:unwatch', { planId });
    };
  }, [socket, planId, load]);

  const names = useMemo(() => new Map(people.map((p) => [p.id, p.name])), [people]);

  const save = async (report: NewSelfReport) => {
    try {
      await addSelfReport(token, planId, report);
    } catch (err) {
      throw new Error(describeError(err, t));
    }
    await load();
  };

  return (
    <div className="citizen-plan" data-testid="citizen-plan" data-loaded={plan ? 'true' : 'false'}>
      <p className="back-link">
        <a href={routes.patients}>{t('plan.backCitizen')}</a>
      </p>
      <header className="plan-header">
        <p className="plan-header__eyebrow">{t('plan.headingCitizen')}</p>
        <h1 className="plan-header__patient" data-testid="plan-patient">
          {header?.patientName ?? session.user.name}
        </h1>
        {plan?.meta.status && (
          <p className="plan-header__facts">
            <PlanStatusBadge status={plan.meta.status} />
          </p>
        )}
      </header>
      <p className="notice notice--info citizen-intro" data-testid="citizen-intro">
        {t('citizen.intro')}
      </p>
      <p className="citizen-plan__access">
        <a href={routes.accessLog} className="link-target">
          {t('accessLog.open')}
        </a>
      </p>
      {error && <ErrorNotice message={error} testId="citizen-error" />}

      <div className="citizen-plan__body">
        <section className="card plan-section" aria-labelledby="citizen-measurements-title">
          <h2 id="citizen-measurements-title" className="plan-section__title">
            {t('selfReports.titleCitizen')}
          </h2>
          <p className="plan-section__hint">{t('selfReports.plainHint')}</p>
          <SelfReportComposer onSave={save} />
          {plan && <SnapshotSelfReports rows={plan.selfReports} title={t('selfReports.yourLatest')} />}
        </section>

        {plan && <CitizenResults results={plan.results} />}

        <section className="card plan-section" aria-labelledby="citizen-plan-title" aria-busy={!plan && !error}>
          <div className="history-snapshot__head">
            <h2 id="citizen-plan-title" className="plan-section__title">
              {t('citizen.planTitle')}
            </h2>
            <div className="citizen-plan__refresh">
              {loadedAt && <span className="muted">{t('citizen.updated', { time: formatDateTime(loadedAt) })}</span>}
              <button type="button" className="button button--quiet button--small" onClick={() => void load()}>
                {t('citizen.refresh')}
              </button>
            </div>
          </div>
          {!plan && !error && <p role="status">{t('plan.loading')}</p>}
          {plan && <PlanSnapshot plan={plan} names={names} citizen />}
        </section>
      </div>
    </div>
  );
}
