import { useId, useMemo } from 'react';
import { isStaff } from '../../../../shared/roles.ts';
import { useI18n } from '../../i18n/index.tsx';
import { focusSection } from '../PlanSection.tsx';
import { usePlanTeam } from '../PlanTeamContext.tsx';
import { awaitsAcknowledgement, nameOf, valueText } from './model.ts';
import { ResultActions } from './ResultActions.tsx';
import { ResultFlag } from './ResultFlag.tsx';
import { useNow } from './useArrivals.ts';
import { useResultItems } from './useResultItems.ts';
import { ucumDisplay } from '../../i18n/units.ts';

/**
 * Critical results (HH, LL, AA) nobody has acknowledged yet, at the top of the plan for the
 * whole team until a clinician acknowledges them; then they take their place in the timeline
 * with who acknowledged them and when.
 */
export function CriticalResultsBanner() {
  const { t, lang, formatDateTime, formatNumber } = useI18n();
  const { doc, user, token, embedded } = usePlanTeam();
  const items = useResultItems(doc);
  const now = useNow();
  const titleId = useId();
  const waiting = useMemo(() => items.filter(awaitsAcknowledgement), [items]);
  if (waiting.length === 0) return null;
  const mayAct = isStaff(user.role) && !embedded;

  return (
    <section className="critical-banner" aria-labelledby={titleId} data-testid="critical-results">
      <h2 id={titleId} className="critical-banner__title">
        <span className="critical-banner__icon" aria-hidden="true">
          !
        </span>
        {t('critical.title', { count: waiting.length })}
      </h2>
      <ul className="critical-banner__list" aria-live="polite">
        {waiting.map((item) => {
          const value = valueText(item.value, formatNumber);
          const unit = ucumDisplay(item.unit, lang === 'da' ? ',' : '.');
          const when = item.effective || item.filed;
          return (
            <li key={item.id} className="critical-banner__item" data-testid="critical-result" data-result-id={item.id}>
              <p className="critical-banner__what">
                <strong>{nameOf(item)}</strong>{' '}
                <span className="critical-banner__value">{[value, unit].filter(Boolean).join(' ')}</span>
                <ResultFlag flag={item.interpretation} />
                {when && (
                  <time className="critical-banner__time" dateTime={when}>
                    {formatDateTime(when)}
                  </time>
                )}
              </p>
              {mayAct ? (
                <ResultActions item={item} token={token} now={now} compact />
              ) : (
                <p className="muted">{t('results.awaitingAck')}</p>
              )}
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className="button button--quiet button--small critical-banner__jump"
        onClick={() => focusSection('results')}
      >
        {t('critical.toResults')}
      </button>
    </section>
  );
}
