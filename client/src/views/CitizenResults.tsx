import { useId, useMemo } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { newestFirst, resultFromJson } from '../plan/results/model.ts';
import { ResultTimeline } from '../plan/results/ResultTimeline.tsx';
import { TrendCharts } from '../plan/results/TrendCharts.tsx';
import '../plan/results/results.css';

/**
 * The citizen's results: only those released to them (the server leaves the others out), as
 * a timeline with trend charts, in plain words, read-only.
 */
export function CitizenResults({ results }: { results: readonly Record<string, unknown>[] }) {
  const { t } = useI18n();
  const titleId = useId();
  const trendsId = useId();
  const items = useMemo(() => newestFirst(results.map((r, i) => resultFromJson(r, i))), [results]);
  return (
    <section className="card plan-section" aria-labelledby={titleId} data-testid="citizen-results">
      <h2 id={titleId} className="plan-section__title">
        {t('citizen.resultsTitle')}
      </h2>
      <p className="plan-section__hint">{t('citizen.resultsHint')}</p>
      <TrendCharts items={items} titleId={trendsId} />
      <ResultTimeline items={items} citizen />
    </section>
  );
}
