import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { isCriticalFlag } from '../../../../shared/results.ts';
import { flagLabel } from '../resultFlags.ts';
import { scale, timeDomain, valueDomain } from './chartScale.ts';
import type { Trend } from './model.ts';
import { ucumDisplay } from '../../i18n/units.ts';

const HEIGHT = 180;
const MARGIN = { top: 12, right: 14, bottom: 28, left: 46 };

/** The figure's width in pixels, followed as it changes (the chart is drawn at its real size). */
function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(320);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

function tone(flag: string): 'critical' | 'abnormal' | 'normal' {
  return isCriticalFlag(flag) ? 'critical' : flag && flag !== 'N' ? 'abnormal' : 'normal';
}

/**
 * One code's numeric results over time as a line, with its reference range as a band. Drawn
 * in plain SVG; the figure says the same in words, and a table lists every point.
 */
export function TrendChart({ trend }: { trend: Trend }) {
  const { t, lang, formatNumber, formatDateTime } = useI18n();
  const [ref, width] = useWidth();
  const titleId = useId();
  const unit = ucumDisplay(trend.unit, lang === 'da' ? ',' : '.');
  const locale = lang === 'da' ? 'da-DK' : 'en-GB';
  const shortDate = useMemo(() => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }), [locale]);
  const shortTime = useMemo(
    () => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
    [locale],
  );

  const values = trend.points.map((p) => p.value);
  const y = valueDomain(values, trend.low, trend.high);
  const x = timeDomain(trend.points.map((p) => p.time));
  const sx = scale(x, MARGIN.left, width - MARGIN.right);
  const sy = scale(y, HEIGHT - MARGIN.bottom, MARGIN.top);
  const bandTop = sy(trend.high ?? y.max);
  const bandBottom = sy(trend.low ?? y.min);
  const line = trend.points.map((p) => `${sx(p.time).toFixed(1)},${sy(p.value).toFixed(1)}`).join(' ');
  const latest = trend.points[trend.points.length - 1]!;
  const first = trend.points[0]!;
  const range =
    trend.low !== undefined && trend.high !== undefined
      ? `${formatNumber(trend.low)}–${formatNumber(trend.high)}`
      : trend.low !== undefined
        ? `> ${formatNumber(trend.low)}`
        : trend.high !== undefined
          ? `< ${formatNumber(trend.high)}`
          : '';
  const withUnit = (v: number) => (unit ? `${formatNumber(v)} ${unit}` : formatNumber(v));
  // Within two days the axis shows times, else dates.
  const axis = x.max - x.min < 2 * 86_400_000 ? shortTime : shortDate;
  const counts = {
    count: trend.points.length,
    from: axis.format(first.time),
    to: axis.format(latest.time),
    latest: withUnit(latest.value),
  };
  const summary = [
    latest.flag ? t('trend.summaryFlag', { ...counts, flag: flagLabel(latest.flag, t) }) : t('trend.summary', counts),
    range ? t('trend.rangeSentence', { range: unit ? `${range} ${unit}` : range }) : '',
  ]
    .filter(Boolean)
    .join(' ');
  const xTicks = width > 420 && trend.points.length > 2 ? [x.min, (x.min + x.max) / 2, x.max] : [x.min, x.max];

  return (
    <figure className="trend" data-testid="trend-chart" data-code={trend.key} aria-labelledby={titleId}>
      <figcaption className="trend__caption">
        <span id={titleId} className="trend__name">
          {trend.name}
          {unit && <span className="trend__unit"> ({unit})</span>}
        </span>
        <span className="trend__summary">{summary}</span>
      </figcaption>
      <div ref={ref} className="trend__plot">
        <svg
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          role="img"
          aria-label={`${trend.name}: ${summary}`}
          focusable="false"
        >
          {range && (
            <rect
              className="trend__band"
              data-testid="trend-band"
              x={MARGIN.left}
              y={Math.min(bandTop, bandBottom)}
              width={Math.max(0, width - MARGIN.left - MARGIN.right)}
              height={Math.abs(bandBottom - bandTop)}
            />
          )}
          {y.ticks.map((v) => (
            <g key={v} className="trend__tick">
              <line x1={MARGIN.left} x2={width - MARGIN.right} y1={sy(v)} y2={sy(v)} />
              <text x={MARGIN.left - 6} y={sy(v)} dy="0.32em" textAnchor="end">
                {formatNumber(v)}
              </text>
            </g>
          ))}
          {xTicks.map((v, i) => (
            <text
              key={v}
              className="trend__xlabel"
              x={sx(v)}
              y={HEIGHT - 8}
              textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
            >
              {axis.format(v)}
            </text>
          ))}
          <polyline className="trend__line" points={line} />
          {trend.points.map((p) => (
            <circle
              key={p.id}
              className={`trend__point trend__point--${tone(p.flag)}`}
              cx={sx(p.time)}
              cy={sy(p.value)}
              r={tone(p.flag) === 'critical' ? 5.5 : 4}
            >
              <title>{`${formatDateTime(p.iso)}: ${withUnit(p.value)}${p.flag ? ` ${flagLabel(p.flag, t)}` : ''}`}</title>
            </circle>
          ))}
        </svg>
      </div>
      {range && (
        <p className="trend__legend">
          <span className="trend__swatch" aria-hidden="true" />
          {t('trend.reference', { range: unit ? `${range} ${unit}` : range })}
        </p>
      )}
      <details className="trend__table">
        <summary>{t('trend.showTable')}</summary>
        <div className="table-scroll">
          <table className="data-table" data-testid="trend-table">
            <caption className="visually-hidden">{trend.name}</caption>
            <thead>
              <tr>
                <th scope="col">{t('results.effective')}</th>
                <th scope="col">{t('results.value')}</th>
                <th scope="col">{t('trend.flag')}</th>
              </tr>
            </thead>
            <tbody>
              {[...trend.points].reverse().map((p) => (
                <tr key={p.id}>
                  <td className="data-table__nowrap">
                    <time dateTime={p.iso}>{formatDateTime(p.iso)}</time>
                  </td>
                  <td className="data-table__value">{withUnit(p.value)}</td>
                  <td>{flagLabel(p.flag, t) || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
