import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { HistoryEntry, PlanPerson, PlanView as PlanHeader } from '../../../shared/api.ts';
import type { PlanDocumentJson } from '../../../shared/plan.ts';
import { describeError, getPlan, getPlanDocument, getPlanHistory, getPlanPeople, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { HistoryList } from '../history/HistoryList.tsx';
import { PlanSnapshot } from '../history/PlanSnapshot.tsx';
import { useI18n } from '../i18n/index.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';
import '../plan/plan.css';
import '../history/history.css';

/** A `datetime-local` value (local time, seconds) for an ISO time. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  date.setMinutes(date.getMinutes() - date.getTimezoneOffset());
  return date.toISOString().slice(0, 19);
}

/** `#/plans/<id>/history`: who changed which section when, and the plan as it was at a moment. */
export function HistoryView({ session, planId }: { session: Session; planId: string }) {
  const { t, formatDateTime } = useI18n();
  const inputId = useId();
  const [plan, setPlan] = useState<PlanHeader | null>(null);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [people, setPeople] = useState<PlanPerson[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [moment, setMoment] = useState<{ at: string; seq: number | null } | null>(null);
  const [momentInput, setMomentInput] = useState('');
  const [snapshot, setSnapshot] = useState<{ at: string; plan: PlanDocumentJson } | null>(null);
  const [snapshotError, setSnapshotError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    Promise.all([getPlan(session.token, planId, signal), getPlanHistory(session.token, planId, signal)])
      .then(([header, entries]) => {
        setPlan(header);
        setHistory(entries);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    getPlanPeople(session.token, planId, signal)
      .then(setPeople)
      .catch(() => setPeople([]));
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, planId]);

  useEffect(() => {
    if (!moment) return;
    const controller = new AbortController();
    setSnapshotError(null);
    getPlanDocument(session.token, planId, moment.at, controller.signal)
      .then((doc) => setSnapshot({ at: moment.at, plan: doc }))
      .catch((err: unknown) => {
        if (!isAbort(err)) setSnapshotError(describeError(err, t));
      });
    return () => controller.abort();
  }, [session.token, planId, moment]);

  const changes = useMemo(() => [...(history ?? [])].sort((a, b) => b.seq - a.seq), [history]);
  const names = useMemo(() => new Map(people.map((p) => [p.id, p.name])), [people]);
  const index = moment?.seq === null || !moment ? -1 : changes.findIndex((c) => c.seq === moment.seq);

  const choose = (change: HistoryEntry | undefined) => {
    if (!change) return;
    setMoment({ at: change.time, seq: change.seq });
    setMomentInput(toLocalInput(change.time));
  };
  const submitMoment = (event: FormEvent) => {
    event.preventDefault();
    const date = new Date(momentInput);
    if (!Number.isNaN(date.getTime())) setMoment({ at: date.toISOString(), seq: null });
  };
  const loadingSnapshot = moment !== null && snapshot?.at !== moment.at && !snapshotError;

  return (
    <div className="history-page">
      <p className="back-link">
        <a href={routes.plan(planId)} data-testid="back-to-plan">
          {t('history.back')}
        </a>
      </p>
      <header className="plan-header">
        <p className="plan-header__eyebrow">{t('history.heading')}</p>
        <h1 className="plan-header__patient">{plan ? plan.patientName : t('history.title')}</h1>
        {plan && <p className="muted">{plan.title}</p>}
      </header>
      {error && <ErrorNotice message={error} testId="history-error" />}
      {!history && !error && <p role="status">{t('history.loading')}</p>}
      {history && (
        <div className="history-layout">
          <section className="card history-changes" aria-labelledby="history-changes-title">
            <h2 id="history-changes-title">{t('history.changes')}</h2>
            <form className="history-moment" onSubmit={submitMoment}>
              <div className="field">
                <label htmlFor={inputId}>{t('history.momentLabel')}</label>
                <input
                  id={inputId}
                  type="datetime-local"
                  step={1}
                  value={momentInput}
                  onChange={(e) => setMomentInput(e.target.value)}
                  data-testid="history-moment"
                />
              </div>
              <button
                type="submit"
                className="button button--small"
                disabled={!momentInput}
                data-testid="history-moment-show"
              >
                {t('history.showMoment')}
              </button>
            </form>
            <HistoryList changes={changes} selected={moment?.seq ?? null} onSelect={choose} />
          </section>
          <section
            className="card history-snapshot"
            aria-labelledby="history-snapshot-title"
            aria-busy={loadingSnapshot}
          >
            <div className="history-snapshot__head">
              <h2 id="history-snapshot-title" data-testid="snapshot-heading">
                {moment ? t('history.asAt', { time: formatDateTime(moment.at) }) : t('history.pickMoment')}
              </h2>
              {index >= 0 && (
                <div className="history-snapshot__nav">
                  <button
                    type="button"
                    className="button button--quiet button--small"
                    disabled={index >= changes.length - 1}
                    onClick={() => choose(changes[index + 1])}
                    data-testid="history-earlier"
                  >
                    {t('history.earlier')}
                  </button>
                  <button
                    type="button"
                    className="button button--quiet button--small"
                    disabled={index <= 0}
                    onClick={() => choose(changes[index - 1])}
                    data-testid="history-later"
                  >
                    {t('history.later')}
                  </button>
                </div>
              )}
            </div>
            {snapshotError && <ErrorNotice message={snapshotError} testId="snapshot-error" />}
            {loadingSnapshot && <p role="status">{t('history.loadingSnapshot')}</p>}
            {!moment && <p className="muted">{t('history.pickHint')}</p>}
            {snapshot && moment && snapshot.at === moment.at && <PlanSnapshot plan={snapshot.plan} names={names} />}
          </section>
        </div>
      )}
    </div>
  );
}
