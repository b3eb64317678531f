import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import type { HistoryEntry } from '../../../shared/api.ts';

const PAGE = 50;

interface Props {
  /** The changes, newest first (the server folds one person's burst of updates into one). */
  changes: readonly HistoryEntry[];
  /** The seq of the change whose moment is shown, if one is. */
  selected: number | null;
  onSelect: (change: HistoryEntry) => void;
}

/** Who changed which sections when, newest first; choosing one shows the plan right after it. */
export function HistoryList({ changes, selected, onSelect }: Props) {
  const { t, tDynamic, formatDateTime } = useI18n();
  const [shown, setShown] = useState(PAGE);
  if (changes.length === 0) return <p className="muted">{t('history.empty')}</p>;
  return (
    <>
      <ol className="history-list" data-testid="history-list">
        {changes.slice(0, shown).map((change) => {
          const author = change.author;
          const who = author ? author.name : t(`history.origin.${change.origin}`);
          const sections = change.sections.map((s) => tDynamic(`section.${s}`, 'section.unknown')).join(', ');
          return (
            <li key={change.seq}>
              <button
                type="button"
                className="history-change"
                aria-pressed={selected === change.seq}
                onClick={() => onSelect(change)}
                data-testid="history-change"
                data-seq={change.seq}
                data-author={author?.id ?? ''}
                data-sections={change.sections.join(' ')}
              >
                <span className="history-change__time">
                  <time dateTime={change.time}>{formatDateTime(change.time)}</time>
                </span>
                <span className="history-change__who">
                  {who}
                  {author && (
                    <span className="history-change__role"> · {tDynamic(`role.${author.role}`, 'role.unknown')}</span>
                  )}
                </span>
                <span className="history-change__what">{sections || t('history.noSections')}</span>
                <span className="visually-hidden">{t('history.showAfter')}</span>
              </button>
            </li>
          );
        })}
      </ol>
      {changes.length > shown && (
        <button type="button" className="button button--quiet history-more" onClick={() => setShown((n) => n + PAGE)}>
          {t('history.showOlder', { count: Math.min(PAGE, changes.length - shown) })}
        </button>
      )}
    </>
  );
}
