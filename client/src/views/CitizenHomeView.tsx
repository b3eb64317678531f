import { useEffect, useState } from 'react';
import type { PatientView } from '../../../shared/api.ts';
import { describeError, isAbort, listPatients } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { CitizenObjections } from './CitizenObjections.tsx';
import { PlanStatusBadge } from '../components/PlanStatusBadge.tsx';
import { useI18n } from '../i18n/index.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';

/**
 * The citizen's start page ("Min plan"): their care plans, shared by the hospital, the
 * municipality and their GP, the way to see who has looked at their data, and their objections.
 */
export function CitizenHomeView({ session }: { session: Session }) {
  const { t } = useI18n();
  const [own, setOwn] = useState<PatientView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    listPatients(session.token, controller.signal)
      .then((list) => {
        setOwn(list);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token]);

  return (
    <section aria-labelledby="citizen-home-title" className="citizen-home">
      <h1 id="citizen-home-title">{t('patients.titleCitizen')}</h1>
      <p className="citizen-home__intro">{t('citizen.homeIntro')}</p>
      {error && <ErrorNotice message={error} />}
      {!own && !error && <p role="status">{t('patients.loading')}</p>}
      {own && own.length === 0 && <p>{t('citizen.noRecord')}</p>}
      <div className="citizen-home__grid">
        {own?.map((patient) => (
          <article
            key={patient.id}
            className="card patient-card"
            data-testid="patient-card"
            aria-labelledby={`citizen-${patient.id}`}
          >
            <h2 id={`citizen-${patient.id}`} className="patient-card__name">
              {patient.name}
            </h2>
            <h3 className="citizen-home__subtitle">{t('citizen.yourPlans')}</h3>
            {patient.plans.length === 0 ? (
              <p className="muted">{t('citizen.noPlans')}</p>
            ) : (
              <ul className="plan-links">
                {patient.plans.map((plan) => (
                  <li key={plan.id}>
                    <a href={routes.plan(plan.id)} data-testid="plan-link">
                      {plan.title}
                    </a>
                    <PlanStatusBadge status={plan.status} />
                  </li>
                ))}
              </ul>
            )}
            <p className="hint">{t('citizen.plansHint')}</p>
          </article>
        ))}
        <article className="card citizen-home__access" aria-labelledby="citizen-access-title">
          <h2 id="citizen-access-title">{t('accessLog.title')}</h2>
          <p>{t('accessLog.teaser')}</p>
          <p>
            <a href={routes.accessLog} className="button" data-testid="access-log-link">
              {t('accessLog.open')}
            </a>
          </p>
        </article>
        {own && <CitizenObjections session={session} planIds={own.flatMap((p) => p.plans.map((plan) => plan.id))} />}
      </div>
    </section>
  );
}
