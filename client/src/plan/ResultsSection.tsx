import { useId, useMemo } from 'react';
import { isStaff } from '../../../shared/roles.ts';
import { useI18n } from '../i18n/index.tsx';
import { PlanSection } from './PlanSection.tsx';
import { usePlanTeam } from './PlanTeamContext.tsx';
import { CumulativeTable } from './results/CumulativeTable.tsx';
import { nameOf } from './results/model.ts';
import { MeasurementActions } from './results/MeasurementActions.tsx';
import { ResultActions } from './results/ResultActions.tsx';
import { ResultTimeline } from './results/ResultTimeline.tsx';
import { TrendCharts } from './results/TrendCharts.tsx';
import { useArrivals, useNow } from './results/useArrivals.ts';
import { useResultItems } from './results/useResultItems.ts';
import './results/results.css';

/**
 * Results filed by lab and imaging systems and hospital notifications, live from the plan's
 * `results` section: lab results as a cumulative table (a row opens its trend, a sample's
 * results are released to the citizen together), imaging and pathology reports and hospital
 * notifications as a timeline of reports, newest first; every lab result one by one (with the
 * values an amendment replaced) behind a disclosure. Results that arrive while the page is
 * open are highlighted; clinicians acknowledge critical ones.
 */
export function ResultsSection() {
  const { t } = useI18n();
  const { doc, plain, user, token, loading, embedded } = usePlanTeam();
  const items = useResultItems(doc);
  const { arrivals, seen } = useArrivals(items, !loading);
  const now = useNow();
  const mayAct = isStaff(user.role) && !embedded;
  const arrived = useMemo(() => items.filter((i) => arrivals.get(i.id)?.kind === 'new'), [items, arrivals]);
  const lab = useMemo(() => items.filter((i) => i.kind === 'lab'), [items]);
  const reports = useMemo(() => items.filter((i) => i.kind !== 'lab'), [items]);
  // Measurements (home care's and the citizen's) as trends; lab trends open from the table.
  const measured = useMemo(() => items.filter((i) => i.kind === 'measurement'), [items]);
  const trendsTitle = useId();
  // The performer's own measurements: amend or mark entered-in-error (MeasurementActions decides who).
  const actions = (item: (typeof items)[number]) =>
    item.kind === 'measurement' ? (
      <MeasurementActions item={item} />
    ) : mayAct ? (
      <ResultActions item={item} token={token} now={now} />
    ) : null;

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
      <CumulativeTable items={lab} token={token} mayAct={mayAct} />
      <TrendCharts items={measured} titleId={trendsTitle} />
      <h3 className="results__subheading">{t('results.reports')}</h3>
      {reports.length === 0 ? (
        <p className="muted">{t('results.noReports')}</p>
      ) : (
        <div data-testid="result-reports">
          <ResultTimeline items={reports} arrivals={arrivals} onSeen={seen} actions={actions} />
        </div>
      )}
      {lab.length > 0 && (
        <details className="results__each" data-testid="results-each">
          <summary>{t('results.eachLab', { count: lab.length })}</summary>
          <ResultTimeline items={lab} arrivals={arrivals} onSeen={seen} actions={actions} filters={false} />
        </details>
      )}
    </PlanSection>
  );
}
