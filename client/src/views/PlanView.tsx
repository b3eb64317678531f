import { useEffect, useState } from 'react';
import type { PlanView as PlanHeader } from '../../../shared/api.ts';
import { describeError, getPlan, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { PlanWorkspace } from '../plan/PlanWorkspace.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';

interface Props {
  session: Session;
  planId: string;
  onSessionExpired: () => void;
}

/** `#/plans/<planId>`: the header from REST, then the live document. */
export function PlanView({ session, planId, onSessionExpired }: Props) {
  const { t } = useI18n();
  const [plan, setPlan] = useState<PlanHeader | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getPlan(session.token, planId, controller.signal)
      .then(setPlan)
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, planId]);

  return (
    <div className="plan-page">
      <p className="back-link">
        <a href={routes.patients}>{t('plan.back')}</a>
      </p>
      {error && <ErrorNotice message={error} testId="plan-error" />}
      {!plan && !error && <p role="status">{t('plan.loading')}</p>}
      {plan && <PlanWorkspace plan={plan} token={session.token} user={session.user} onSessionExpired={onSessionExpired} />}
    </div>
  );
}
