import { useId, useState, type FormEvent } from 'react';
import type { PatientView } from '../../../shared/api.ts';
import { parseCpr } from '../../../shared/cpr.ts';
import { describeError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import type { Session } from '../session.ts';
import { createPatient } from './api-patients.ts';
import './patients.css';

/**
 * Registers a patient: the CPR number checked by the CPR rules as it is typed (the server checks
 * again), the name; the registrar's organisation joins the care team. Same API, same audit.
 */
export function NewPatient({ session, onCreated }: { session: Session; onCreated: (p: PatientView) => void }) {
  const { t } = useI18n();
  const ids = { cpr: useId(), name: useId() };
  const [cpr, setCpr] = useState('');
  const [name, setName] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const parsed = parseCpr(cpr);
  const cprProblem = tried && !parsed.ok ? t(`error.reason.${parsed.code}`) : null;
  const nameProblem = tried && !name.trim() ? t('newPatient.nameRequired') : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setCreated(null);
    if (!parsed.ok) return document.getElementById(ids.cpr)?.focus();
    if (!name.trim()) return document.getElementById(ids.name)?.focus();
    setBusy(true);
    setError(null);
    try {
      const patient = await createPatient(session.token, { cpr: parsed.cpr, name: name.trim() });
      setCreated(patient.name);
      setCpr('');
      setName('');
      setTried(false);
      onCreated(patient);
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="card new-patient" data-testid="new-patient">
      <summary data-testid="new-patient-toggle">{t('newPatient.open')}</summary>
      <form className="new-patient__form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={ids.cpr}>{t('newPatient.cpr')}</label>
          <input
            id={ids.cpr}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            maxLength={11}
            value={cpr}
            aria-invalid={cprProblem ? true : undefined}
            aria-describedby={`${ids.cpr}-hint${cprProblem ? ` ${ids.cpr}-error` : ''}`}
            onChange={(e) => setCpr(e.target.value)}
            data-testid="new-patient-cpr"
          />
          <p id={`${ids.cpr}-hint`} className="hint">
            {t('newPatient.cprHint')}
          </p>
          {cprProblem && (
            <p id={`${ids.cpr}-error`} className="field-error" data-testid="new-patient-cpr-error">
              {cprProblem}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={ids.name}>{t('newPatient.name')}</label>
          <input
            id={ids.name}
            type="text"
            autoComplete="off"
            maxLength={200}
            value={name}
            aria-invalid={nameProblem ? true : undefined}
            aria-describedby={nameProblem ? `${ids.name}-error` : undefined}
            onChange={(e) => setName(e.target.value)}
            data-testid="new-patient-name"
          />
          {nameProblem && (
            <p id={`${ids.name}-error`} className="field-error">
              {nameProblem}
            </p>
          )}
        </div>
        <button type="submit" className="button button--primary" disabled={busy} data-testid="new-patient-submit">
          {t('newPatient.submit')}
        </button>
      </form>
      {error && <ErrorNotice message={error} testId="new-patient-error" />}
      <p role="status" className="muted">
        {created ? t('newPatient.created', { name: created }) : ''}
      </p>
    </details>
  );
}
