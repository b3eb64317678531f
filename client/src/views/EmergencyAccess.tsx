import { useState, type FormEvent } from 'react';
import { breakGlass, emergencyLookup, type EmergencyLookup } from '../api-access.ts';
import { describeError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { navigate, routes } from '../router.ts';
import type { Session } from '../session.ts';

const MIN_REASON = 10;

/**
 * Break-the-glass: staff find a patient outside their care team by CPR number (sent in a POST
 * body, never in the address) and, giving a reason, open the plan for a limited time.
 */
export function EmergencyAccess({ session }: { session: Session }) {
  const { t } = useI18n();
  const [cpr, setCpr] = useState('');
  const [found, setFound] = useState<EmergencyLookup | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const planId = found?.plans[0]?.id ?? null;

  const onLookup = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !cpr.trim()) return;
    setBusy(true);
    setError(null);
    setFound(null);
    try {
      const result = await emergencyLookup(session.token, cpr.trim());
      const first = result.plans[0]?.id;
      if (first && (result.access === 'care_team' || result.access === 'break_glass')) navigate(routes.plan(first));
      else setFound(result);
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  const onBreakGlass = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !planId) return;
    if (reason.trim().length < MIN_REASON) {
      setReasonError(true);
      document.getElementById('emergency-reason')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const grant = await breakGlass(session.token, planId, reason.trim());
      navigate(routes.plan(grant.planId));
    } catch (err) {
      setError(describeError(err, t));
      setBusy(false);
    }
  };

  const reset = () => {
    setFound(null);
    setReason('');
    setReasonError(false);
    setError(null);
  };

  return (
    <details className="card emergency" data-testid="emergency-access">
      <summary data-testid="emergency-toggle">{t('emergency.title')}</summary>
      <p className="hint">{t('emergency.intro')}</p>
      <form className="emergency__row" onSubmit={(e) => void onLookup(e)}>
        <div className="field">
          <label htmlFor="emergency-cpr">{t('emergency.cpr')}</label>
          <input
            id="emergency-cpr"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            maxLength={11}
            value={cpr}
            aria-describedby="emergency-cpr-hint"
            onChange={(e) => {
              setCpr(e.target.value);
              if (found) reset();
            }}
            data-testid="emergency-cpr"
          />
          <p id="emergency-cpr-hint" className="hint">
            {t('emergency.cprHint')}
          </p>
        </div>
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || !cpr.trim()}
          data-testid="emergency-lookup"
        >
          {t(busy && !found ? 'emergency.lookingUp' : 'emergency.lookup')}
        </button>
      </form>
      {error && <ErrorNotice message={error} testId="emergency-error" />}
      <div role="status">
        {found?.access === 'objected' && (
          <p className="notice notice--error" data-testid="emergency-objected">
            {t('emergency.objected')}
          </p>
        )}
        {found && found.access !== 'objected' && !planId && (
          <p className="notice notice--info" data-testid="emergency-no-plans">
            {t('emergency.noPlans')}
          </p>
        )}
        {found?.access === 'none' && planId && <p>{t('emergency.needReason')}</p>}
      </div>
      {found?.access === 'none' && planId && (
        <form className="emergency__reason" onSubmit={(e) => void onBreakGlass(e)} noValidate>
          <p id="emergency-explain" className="notice notice--warning">
            {t('emergency.explain')}
          </p>
          <div className="field">
            <label htmlFor="emergency-reason">{t('emergency.reason')}</label>
            <textarea
              id="emergency-reason"
              rows={3}
              value={reason}
              required
              minLength={MIN_REASON}
              maxLength={500}
              aria-invalid={reasonError}
              aria-describedby={`emergency-reason-hint emergency-explain${reasonError ? ' emergency-reason-error' : ''}`}
              onChange={(e) => {
                setReason(e.target.value);
                if (reasonError && e.target.value.trim().length >= MIN_REASON) setReasonError(false);
              }}
              data-testid="emergency-reason"
            />
            <p id="emergency-reason-hint" className="hint">
              {t('emergency.reasonHint')}
            </p>
            {reasonError && (
              <p id="emergency-reason-error" className="field-error">
                {t('emergency.reasonTooShort')}
              </p>
            )}
          </div>
          <div className="emergency__actions">
            <button type="submit" className="button button--primary" disabled={busy} data-testid="emergency-open">
              {t(busy ? 'emergency.opening' : 'emergency.open')}
            </button>
            <button type="button" className="button button--quiet" onClick={reset}>
              {t('emergency.cancel')}
            </button>
          </div>
        </form>
      )}
    </details>
  );
}
