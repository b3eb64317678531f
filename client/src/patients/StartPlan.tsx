import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { navigate, routes } from '../router.ts';
import type { Session } from '../session.ts';
import { createPlan } from './api-patients.ts';

/** Starts a plan for a patient on the person's care team, then opens it. */
export function StartPlan({
  session,
  patientId,
  patientName,
}: {
  session: Session;
  patientId: string;
  patientName: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const [title, setTitle] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const missing = tried && !title.trim();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!title.trim()) return document.getElementById(id)?.focus();
    setBusy(true);
    setError(null);
    try {
      const plan = await createPlan(session.token, { patientId, title: title.trim() });
      navigate(routes.plan(plan.id));
    } catch (err) {
      setError(describeError(err, t));
      setBusy(false);
    }
  };

  return (
    <details className="start-plan" data-testid="start-plan">
      <summary data-testid="start-plan-toggle">
        {t('newPlan.open')}
        <span className="visually-hidden"> – {patientName}</span>
      </summary>
      <form className="start-plan__form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={id}>{t('newPlan.title')}</label>
          <input
            id={id}
            type="text"
            maxLength={300}
            value={title}
            aria-invalid={missing ? true : undefined}
            aria-describedby={missing ? `${id}-error` : undefined}
            onChange={(e) => setTitle(e.target.value)}
            data-testid="start-plan-title"
          />
          {missing && (
            <p id={`${id}-error`} className="field-error">
              {t('newPlan.titleRequired')}
            </p>
          )}
        </div>
        <button type="submit" className="button button--primary" disabled={busy} data-testid="start-plan-submit">
          {t('newPlan.submit')}
        </button>
      </form>
      {error && <ErrorNotice message={error} testId="start-plan-error" />}
    </details>
  );
}
