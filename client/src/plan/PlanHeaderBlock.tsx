import type { PlanStatus, PlanView as PlanHeader } from '../../../shared/api.ts';
import { PlanStatusBadge } from '../components/PlanStatusBadge.tsx';
import { useI18n } from '../i18n/index.tsx';
import { routes } from '../router.ts';
import { BreakGlassBanner } from './BreakGlassBanner.tsx';

/** The full app's plan header: the patient, the plan's status, its history, emergency access. */
export function PlanHeaderBlock({ plan, status, token }: { plan: PlanHeader; status: PlanStatus; token: string }) {
  const { t, formatDateTime } = useI18n();
  return (
    <header className="plan-header">
      <p className="plan-header__eyebrow">{t('plan.heading')}</p>
      <h1 className="plan-header__patient" data-testid="plan-patient">
        {plan.patientName}
      </h1>
      <dl className="plan-header__facts">
        <div>
          <dt>{t('plan.status')}</dt>
          <dd>
            <PlanStatusBadge status={status} />
          </dd>
        </div>
        <div>
          <dt>{t('plan.created')}</dt>
          <dd>
            <time dateTime={plan.created}>{formatDateTime(plan.created)}</time>
          </dd>
        </div>
      </dl>
      <BreakGlassBanner token={token} planId={plan.id} />
      <p className="plan-header__links">
        <a href={routes.history(plan.id)} data-testid="history-link">
          {t('plan.historyLink')}
        </a>
      </p>
    </header>
  );
}
