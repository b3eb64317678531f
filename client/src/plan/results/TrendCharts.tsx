import { useMemo } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { trendsOf, type ResultItem } from './model.ts';
import { TrendChart } from './TrendChart.tsx';

/** A trend chart for every lab code with two or more numeric results. */
export function TrendCharts({ items, titleId }: { items: readonly ResultItem[]; titleId: string }) {
  const { t } = useI18n();
  const trends = useMemo(() => trendsOf(items), [items]);
  if (trends.length === 0) return null;
  return (
    <section className="trends" aria-labelledby={titleId} data-testid="trends">
      <h3 id={titleId} className="trends__title">
        {t('trend.title')}
      </h3>
      <div className="trends__grid">
        {trends.map((trend) => (
          <TrendChart key={trend.key} trend={trend} />
        ))}
      </div>
    </section>
  );
}
