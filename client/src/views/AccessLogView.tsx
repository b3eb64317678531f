import { useEffect, useId, useMemo, useState } from 'react';
import type { AccessLogEntry } from '../../../shared/audit.ts';
import { getAccessLog } from '../api-care.ts';
import { describeError, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import type { Session } from '../session.ts';
import { useColumnLabels } from '../components/useColumnLabels.ts';

type Show = 'all' | 'breakTheGlass' | 'refused';
const SHOW: readonly Show[] = ['all', 'breakTheGlass', 'refused'];

/**
 * "Who has looked at my data": every access to the citizen's record by someone else, newest
 * first, from the audit log. Emergency (break-the-glass) accesses and refused attempts are
 * marked in words, not only by colour.
 */
export function AccessLogView({ session }: { session: Session }) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  const { t } = useI18n();
  const [entries, setEntries] = useState<AccessLogEntry[] | null>(null);
  /** Where the next (older) page starts; null: no more. */
  const [next, setNext] = useState<number | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [show, setShow] = useState<Show>('all');
  const name = useId();

  useEffect(() => {
    const controller = new AbortController();
    getAccessLog(session.token, null, controller.signal)
      .then((page) => {
        setEntries(page.entries);
        setNext(page.next);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token]);

  const loadOlder = () => {
    if (next === null || loadingMore) return;
    setLoadingMore(true);
    getAccessLog(session.token, next)
      .then((page) => {
        setEntries((shown) => [...(shown ?? []), ...page.entries]);
        setNext(page.next);
        setError(null);
      })
      .catch((err: unknown) => setError(describeError(err, t)))
      .finally(() => setLoadingMore(false));
  };

  const counts = useMemo(
    () => ({
      all: entries?.length ?? 0,
      breakTheGlass: entries?.filter((e) => e.breakTheGlass).length ?? 0,
      refused: entries?.filter((e) => e.refused).length ?? 0,
    }),
    [entries],
  );
  const shown = useMemo(
    () => (entries ?? []).filter((e) => show === 'all' || (show === 'breakTheGlass' ? e.breakTheGlass : e.refused)),
    [entries, show],
  );

  return (
    <section
      aria-labelledby="access-log-title"
      className="access-log"
      data-testid="access-log"
      data-loaded={entries ? 'true' : 'false'}
    >
      <h1 id="access-log-title">{t('accessLog.title')}</h1>
      <p className="access-log__intro">{t('accessLog.intro')}</p>
      {error && <ErrorNotice message={error} />}
      {!entries && !error && <p role="status">{t('accessLog.loading')}</p>}
      {entries && (
        <>
          <fieldset className="segmented">
            <legend className="visually-hidden">{t('accessLog.filter')}</legend>
            {SHOW.map((s) => (
              <label key={s} className={`segmented__option${show === s ? ' segmented__option--on' : ''}`}>
                <input
                  type="radio"
                  name={name}
                  value={s}
                  checked={show === s}
                  onChange={() => setShow(s)}
                  data-testid={`access-filter-${s}`}
                />
                <span>{t(`accessLog.show.${s}`)}</span>
                <span className="segmented__count">{counts[s]}</span>
              </label>
            ))}
          </fieldset>
          {shown.length === 0 ? (
            <p className="muted">{t(entries.length === 0 ? 'accessLog.empty' : 'accessLog.emptyFiltered')}</p>
          ) : (
            <div className="table-scroll card access-log__table">
              <table ref={columnLabels} className="data-table">
                <caption className="visually-hidden">{t('accessLog.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('accessLog.time')}</th>
                    <th scope="col">{t('accessLog.person')}</th>
                    <th scope="col">{t('accessLog.what')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((entry) => (
                    <AccessRow key={entry.seq} entry={entry} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {next !== null && (
            <button
              type="button"
              className="button"
              data-testid="access-log-older"
              onClick={loadOlder}
              disabled={loadingMore}
            >
              {t(loadingMore ? 'accessLog.loading' : 'accessLog.older')}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function AccessRow({ entry }: { entry: AccessLogEntry }) {
  const { t, tDynamic, formatDateTime } = useI18n();
  // The action in the page's language from its code; the server's English words otherwise.
  const done = tDynamic(`access.done.${entry.actionCode}`, 'access.done.unknown');
  const tried = tDynamic(`access.tried.${entry.actionCode}`, 'access.tried.unknown');
  const sentence = entry.refused ? t('access.refusedSentence', { what: tried }) : done;
  const what = sentence.charAt(0).toUpperCase() + sentence.slice(1);
  const classes = ['access-row'];
  if (entry.breakTheGlass) classes.push('access-row--glass');
  if (entry.refused) classes.push('access-row--refused');
  return (
    <tr
      className={classes.join(' ')}
      data-testid="access-entry"
      data-action-code={entry.actionCode}
      data-break-glass={entry.breakTheGlass}
      data-refused={entry.refused}
    >
      <td className="data-table__nowrap">
        <time dateTime={entry.time}>{formatDateTime(entry.time)}</time>
      </td>
      <td>
        <span className="data-table__primary" data-testid="access-person">
          {entry.person}
        </span>
        <span className="data-table__secondary">
          {[entry.role ? tDynamic(`role.${entry.role}`, 'role.unknown') : '', entry.organisation ?? '']
            .filter(Boolean)
            .join(' · ')}
        </span>
      </td>
      <td>
        <span className="access-row__what" data-testid="access-what">
          {what}
        </span>
        {entry.breakTheGlass && (
          <span className="access-mark access-mark--glass" data-testid="access-break-glass">
            {t('accessLog.breakTheGlass')}
          </span>
        )}
        {entry.refused && (
          <span className="access-mark access-mark--refused" data-testid="access-refused">
            {t('accessLog.refused')}
          </span>
        )}
        {entry.breakTheGlass && <span className="data-table__secondary">{t('accessLog.breakTheGlassHint')}</span>}
      </td>
    </tr>
  );
}
