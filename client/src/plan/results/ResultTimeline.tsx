import { useId, useMemo, useState, type ReactNode } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { KIND_FILTERS, matchesKind, type ResultItem, type ResultKindFilter } from './model.ts';
import { ResultItemCard } from './ResultItemCard.tsx';
import type { Arrival } from './useArrivals.ts';

const PAGE = 25;

const FILTER_LABELS: Readonly<Record<ResultKindFilter, MessageKey>> = {
  all: 'results.filter.all',
  lab: 'results.filter.lab',
  measurement: 'results.filter.measurement',
  imaging: 'results.filter.imaging',
  notification: 'results.filter.notification',
};

interface Props {
  /** Newest first. */
  items: readonly ResultItem[];
  arrivals?: ReadonlyMap<string, { kind: Arrival }>;
  onSeen?: (id: string) => void;
  actions?: (item: ResultItem) => ReactNode;
  citizen?: boolean;
  /** The filter by kind (off for a list of one kind). */
  filters?: boolean;
}

/** The results as a timeline, newest first, filtered by kind (lab, measurements, imaging, hospital notifications). */
export function ResultTimeline({ items, arrivals, onSeen, actions, citizen = false, filters = true }: Props) {
  const { t } = useI18n();
  const name = useId();
  const [filter, setFilter] = useState<ResultKindFilter>('all');
  const [shown, setShown] = useState(PAGE);
  const counts = useMemo(() => {
    const c: Record<ResultKindFilter, number> = { all: 0, lab: 0, measurement: 0, imaging: 0, notification: 0 };
    for (const item of items) for (const f of KIND_FILTERS) if (matchesKind(item, f)) c[f] += 1;
    return c;
  }, [items]);
  const visible = useMemo(() => items.filter((i) => matchesKind(i, filter)), [items, filter]);

  return (
    <div className="result-timeline">
      {filters && (
        <fieldset className="segmented" data-testid="result-filter">
          <legend className="visually-hidden">{t('results.filterLegend')}</legend>
          {KIND_FILTERS.map((f) => (
            <label key={f} className={`segmented__option${filter === f ? ' segmented__option--on' : ''}`}>
              <input
                type="radio"
                name={name}
                value={f}
                checked={filter === f}
                onChange={() => {
                  setFilter(f);
                  setShown(PAGE);
                }}
                data-testid={`result-filter-${f}`}
              />
              <span>{t(FILTER_LABELS[f])}</span>
              <span className="segmented__count">{counts[f]}</span>
            </label>
          ))}
        </fieldset>
      )}
      {visible.length === 0 ? (
        <p className="muted">{t(filter === 'all' ? 'results.empty' : 'results.emptyFiltered')}</p>
      ) : (
        <ol className="result-list" aria-label={t('results.caption')} data-testid="result-list">
          {visible.slice(0, shown).map((item) => (
            <li key={item.id}>
              <ResultItemCard
                item={item}
                arrival={arrivals?.get(item.id)?.kind}
                onSeen={onSeen}
                actions={actions?.(item)}
                citizen={citizen}
              />
            </li>
          ))}
        </ol>
      )}
      {visible.length > shown && (
        <button
          type="button"
          className="button button--quiet result-timeline__more"
          onClick={() => setShown((n) => n + PAGE)}
        >
          {t('results.showMore', { count: Math.min(PAGE, visible.length - shown) })}
        </button>
      )}
    </div>
  );
}
