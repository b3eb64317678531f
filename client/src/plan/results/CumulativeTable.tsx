import { Fragment, useId, useMemo, useState } from 'react';
import { isCriticalFlag } from '../../../../shared/results.ts';
import { releaseResult } from '../../api-care.ts';
import { describeError } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ucumDisplay } from '../../i18n/units.ts';
import { flagLabel } from '../resultFlags.ts';
import { cumulativeTable, type Column } from './cumulative.ts';
import { awaitsAcknowledgement, valueText, type ResultItem } from './model.ts';
import { TrendChart } from './TrendChart.tsx';
import { useColumnLabels } from '../../components/useColumnLabels.ts';

function tone(flag: string): 'critical' | 'abnormal' | 'normal' {
  return isCriticalFlag(flag) ? 'critical' : flag && flag !== 'N' ? 'abnormal' : 'normal';
}

/**
 * The plan's lab results as a cumulative table: analytes in rows, samples (one report each) in
 * columns, newest first; flags coloured, critical results marked; a row opens the analyte's
 * trend; a clinician releases a sample's results to the citizen together.
 */
export function CumulativeTable({
  items,
  token,
  mayAct,
}: {
  items: readonly ResultItem[];
  token: string;
  mayAct: boolean;
}) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  const { t, formatNumber, formatDateTime, lang } = useI18n();
  const { columns, rows } = useMemo(() => cumulativeTable(items), [items]);
  const [open, setOpen] = useState<string | null>(null);
  const trendId = useId();
  if (rows.length === 0) return <p className="muted">{t('results.noLab')}</p>;
  const trend = rows.find((r) => r.key === open)?.trend ?? null;
  return (
    <>
      <section
        className="cumulative"
        aria-label={t('results.table')}
        // A scrolling region is reached by keyboard too.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the table scrolls sideways on a narrow screen
        tabIndex={0}
        data-testid="cumulative-table"
      >
        <table ref={columnLabels} className="cumulative__table">
          <caption className="visually-hidden">{t('results.tableCaption')}</caption>
          <thead>
            <tr>
              <th scope="col" className="cumulative__analyte">
                {t('results.analyte')}
              </th>
              {columns.map((c) => (
                <th scope="col" key={c.key} className="cumulative__sample" data-testid="cumulative-sample">
                  <time dateTime={c.iso}>{formatDateTime(c.iso)}</time>
                  {mayAct && <ReleaseColumn column={c} token={token} />}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <Fragment key={row.key}>
                <tr data-testid="cumulative-row" data-code={row.key.split('|')[1]}>
                  <th scope="row" className="cumulative__analyte">
                    <span className="cumulative__name">{row.name}</span>
                    <span className="cumulative__ref">
                      {[
                        ucumDisplay(row.unit, lang === 'da' ? ',' : '.'),
                        row.referenceRange && `${t('results.referenceShort')} ${row.referenceRange}`,
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                    {row.trend && (
                      <button
                        type="button"
                        className="button button--quiet button--small cumulative__trend"
                        aria-expanded={open === row.key}
                        aria-controls={open === row.key ? trendId : undefined}
                        onClick={() => setOpen(open === row.key ? null : row.key)}
                        data-testid="cumulative-trend-toggle"
                      >
                        {open === row.key ? t('results.hideTrend') : t('results.showTrend', { name: row.name })}
                      </button>
                    )}
                  </th>
                  {columns.map((c) => {
                    const item = row.cells.get(c.key);
                    if (!item) return <td key={c.key} className="cumulative__cell cumulative__cell--empty" />;
                    const flagTone = tone(item.interpretation);
                    const unacknowledged = awaitsAcknowledgement(item);
                    return (
                      <td
                        key={c.key}
                        className={`cumulative__cell cumulative__cell--${flagTone}`}
                        data-testid="cumulative-cell"
                        data-result-id={item.id}
                        data-flag={item.interpretation || undefined}
                      >
                        <span className="cumulative__value">{valueText(item.value, formatNumber)}</span>
                        {item.interpretation && item.interpretation !== 'N' && (
                          <abbr className="cumulative__flag" title={flagLabel(item.interpretation, t)}>
                            {item.interpretation}
                          </abbr>
                        )}
                        {(item.critical || flagTone === 'critical') && (
                          <span
                            className={`cumulative__critical${unacknowledged ? ' cumulative__critical--open' : ''}`}
                            data-testid="cumulative-critical"
                          >
                            <span aria-hidden="true">!</span>
                            <span className="visually-hidden">
                              {unacknowledged ? t('results.criticalUnacknowledged') : t('results.critical')}
                            </span>
                          </span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              </Fragment>
            ))}
          </tbody>
        </table>
      </section>
      {trend && (
        <div className="cumulative__trend-chart" id={trendId} data-testid="cumulative-trend">
          <TrendChart trend={trend} />
        </div>
      )}
    </>
  );
}

/** Releases a sample's results (one report) to the citizen before their delay is over. */
function ReleaseColumn({ column, token }: { column: Column; token: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const waiting = column.items.filter((i) => i.releaseAt !== '' && Date.parse(i.releaseAt) > Date.now());
  const released = column.items.some((i) => i.releaseAt !== '') && waiting.length === 0;
  if (released)
    return (
      <span className="cumulative__released" data-testid="cumulative-released">
        {t('results.releasedReport')}
      </span>
    );
  if (waiting.length === 0) return null;
  return (
    <>
      <button
        type="button"
        className="button button--quiet button--small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            for (const item of waiting) await releaseResult(token, item.id);
          } catch (err) {
            setError(t('results.releaseFailed', { reason: describeError(err, t) }));
          } finally {
            setBusy(false);
          }
        }}
        data-testid="cumulative-release"
      >
        {t('results.releaseReport')}
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
