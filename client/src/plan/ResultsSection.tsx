import { useId, useMemo } from 'react';
import { isStaff } from '../../../shared/roles.ts';
import { useI18n } from '../i18n/index.tsx';
import { PlanSection } from './PlanSection.tsx';
import { usePlanTeam } from './PlanTeamContext.tsx';
import { nameOf } from './results/model.ts';
import { ResultActions } from './results/ResultActions.tsx';
import { ResultTimeline } from './results/ResultTimeline.tsx';
import { TrendCharts } from './results/TrendCharts.tsx';
import { useArrivals, useNow } from './results/useArrivals.ts';
import { useResultItems } from './results/useResultItems.ts';
import './results/results.css';

/**
 * Results filed by lab and imaging systems and hospital notifications, live from the plan's
 * `results` section: trend charts per lab code, then a timeline, newest first. Results that
 * arrive while the page is open are highlighted; clinicians acknowledge critical ones and may
 * release a result to the citizen early.
 */
export function ResultsSection() {
  const { t } = useI18n();
  const { doc, plain, user, token, loading, embedded } = usePlanTeam();
  const items = useResultItems(doc);
  const { arrivals, seen } = useArrivals(items, !loading);
  const now = useNow();
  const trendsTitle = useId();
  const mayAct = isStaff(user.role) && !embedded;
  const arrived = useMemo(() => items.filter((i) => arrivals.get(i.id)?.kind === 'new'), [items, arrivals]);

  return (
    <PlanSection name="results" title={t('results.title')} hint={t(plain ? 'results.plainHint' : 'results.hint')}>
      <p className="visually-hidden" aria-live="polite" data-testid="result-announcer">
        {arrived.length > 0
          ? t('results.arrivedAnnouncement', {
              count: arrived.length,
              names: arrived.slice(0, 3).map(nameOf).join(', '),
            })
          : ''}
      </p>
      <TrendCharts items={items} titleId={trendsTitle} />
      <ResultTimeline
        items={items}
        arrivals={arrivals}
        onSeen={seen}
        actions={mayAct ? (item) => <ResultActions item={item} token={token} now={now} /> : undefined}
      />
    </PlanSection>
  );
}
