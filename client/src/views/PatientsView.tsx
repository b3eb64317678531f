import { useEffect, useState } from 'react';
import type { PatientView } from '../../../shared/api.ts';
import { formatCpr } from '../../../shared/cpr.ts';
import { isStaff } from '../../../shared/roles.ts';
import { describeError, isAbort, listPatients, searchPatients } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EmergencyAccess } from './EmergencyAccess.tsx';
import { PlanStatusBadge } from '../components/PlanStatusBadge.tsx';
import { useI18n } from '../i18n/index.tsx';
import { PatientSignalList } from '../overview/PatientSignalList.tsx';
import { NewPatient } from '../patients/NewPatient.tsx';
import { StartPlan } from '../patients/StartPlan.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';

const SEARCH_DELAY_MS = 250;

export function PatientsView({ session }: { session: Session }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [patients, setPatients] = useState<PatientView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const term = query.trim();
  const citizen = session.user.role === 'citizen';

  // A search term (a name or a CPR number) is sent in a POST body, never in the URL, so it
  // stays out of addresses, history and access logs.
  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(
      () => {
        const request = term
          ? searchPatients(session.token, term, controller.signal)
          : listPatients(session.token, controller.signal);
        request
          .then((list) => {
            setPatients(list);
            setError(null);
          })
          .catch((err: unknown) => {
            if (!isAbort(err)) setError(describeError(err, t));
          });
      },
      term ? SEARCH_DELAY_MS : 0,
    );
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, term]);

  const shown = patients;

  return (
    <section aria-labelledby="patients-title" className="patients">
      <h1 id="patients-title">{t(citizen ? 'patients.titleCitizen' : 'patients.title')}</h1>
      {!citizen && (
        <div className="field field--search">
          <label htmlFor="patient-search">{t('patients.searchLabel')}</label>
          <input
            id="patient-search"
            type="search"
            value={query}
            autoComplete="off"
            aria-describedby="patient-search-hint"
            onChange={(e) => setQuery(e.target.value)}
            data-testid="patient-search"
          />
          <p id="patient-search-hint" className="hint">
            {t('patients.searchHint')}
          </p>
        </div>
      )}
      {isStaff(session.user.role) && <EmergencyAccess session={session} />}
      {isStaff(session.user.role) && (
        <NewPatient session={session} onCreated={(p) => setPatients((list) => [p, ...(list ?? [])])} />
      )}
      {error && <ErrorNotice message={error} />}
      {!shown && !error && <p role="status">{t('patients.loading')}</p>}
      {shown && (
        <>
          <p className="muted" role="status">
            {t(shown.length === 1 ? 'patients.count.one' : 'patients.count.other', { count: shown.length })}
          </p>
          {shown.length === 0 ? (
            <p>{query ? t('patients.empty') : t('patients.none')}</p>
          ) : (
            <ul className="patient-list">
              {shown.map((patient) => (
                <li key={patient.id} className="card patient-card" data-testid="patient-card">
                  <h2 className="patient-card__name">{patient.name}</h2>
                  <p className="patient-card__cpr">
                    <span className="muted">{t('patients.cpr')} </span>
                    <span className="mono">{formatCpr(patient.cpr)}</span>
                  </p>
                  {patient.signals && <PatientSignalList signals={patient.signals} />}
                  <h3 className="visually-hidden">{t('patients.plans')}</h3>
                  {patient.plans.length === 0 ? (
                    <p className="muted">{t('patients.noPlans')}</p>
                  ) : (
                    <ul className="plan-links">
                      {patient.plans.map((plan) => (
                        <li key={plan.id}>
                          <a href={routes.plan(plan.id)} data-testid="plan-link">
                            {plan.title}
                          </a>
                          <PlanStatusBadge status={plan.status} />
                          {isStaff(session.user.role) && (
                            <a
                              href={routes.careTeam(plan.id)}
                              className="plan-links__team"
                              data-testid="care-team-link"
                            >
                              {t('careTeam.link')}
                              <span className="visually-hidden"> – {patient.name}</span>
                            </a>
                          )}
                        </li>
                      ))}
                    </ul>
                  )}
                  {isStaff(session.user.role) && (
                    <StartPlan session={session} patientId={patient.id} patientName={patient.name} />
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
