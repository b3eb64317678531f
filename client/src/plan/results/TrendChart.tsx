import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { isCriticalFlag } from '../../../../shared/results.ts';
import { flagLabel } from '../resultFlags.ts';
import { scale, timeDomain, valueDomain } from './chartScale.ts';
import type { MeasuredBy, Trend } from './model.ts';
import { ucumDisplay } from '../../i18n/units.ts';
import { useColumnLabels } from '../../components/useColumnLabels.ts';

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
 * Who measured a point, told by its shape as well as in words (colour alone is not enough):
 * a lab's circle, home care's square, the citizen's diamond, a hospital's or GP's triangle.
 */
function Marker({
  source,
  x,
  y,
  r,
  className,
}: {
  source: MeasuredBy;
  x: number;
  y: number;
  r: number;
  className: string;
}) {
  const props = { className, 'data-source': source };
  switch (source) {
    case 'home-care':
      return <rect {...props} x={x - r} y={y - r} width={2 * r} height={2 * r} />;
    case 'citizen':
      return (
        <polygon
          {...props}
          points={`${x},${y - r * 1.3} ${x + r * 1.3},${y} ${x},${y + r * 1.3} ${x - r * 1.3},${y}`}
        />
      );
    case 'clinic':
      return <polygon {...props} points={`${x},${y - r * 1.3} ${x + r * 1.2},${y + r} ${x - r * 1.2},${y + r}`} />;
    default:
      return <circle {...props} cx={x} cy={y} r={r} />;
  }
}

const SOURCE_ORDER: readonly MeasuredBy[] = ['lab', 'home-care', 'clinic', 'citizen', 'system'];

/**
 * One code's numeric results over time as a line, with its reference range as a band. Drawn
 * in plain SVG; the figure says the same in words, and a table lists every point.
 */
export function TrendChart({ trend }: { trend: Trend }) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  const { t, lang, formatNumber, formatDateTime } = useI18n();
  const [ref, width] = useWidth();
  const titleId = useId();
  const unit = ucumDisplay(trend.unit, lang === 'da' ? ',' : '.');
  const sourceName = (s: MeasuredBy) => t(`measure.source.${s}` as MessageKey);
  const kindName = trend.quantity ? t(`visit.kind.${trend.quantity}` as MessageKey) : trend.name;
  const name = trend.part
    ? t(trend.part === 'systolic' ? 'measure.part.systolic' : 'measure.part.diastolic', { name: kindName })
    : kindName;
  const sources = SOURCE_ORDER.filter((s) => trend.points.some((p) => p.source === s));
  const bySource = sources.length > 1 || sources.some((s) => s !== 'lab');
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
    <figure
      className="trend"
      data-testid="trend-chart"
      data-code={trend.key}
      data-quantity={trend.quantity ?? undefined}
      data-part={trend.part ?? undefined}
      aria-labelledby={titleId}
    >
      <figcaption className="trend__caption">
        <span id={titleId} className="trend__name">
          {name}
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
          aria-label={`${name}: ${summary}`}
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
            <g key={p.id}>
              <title>{`${formatDateTime(p.iso)}: ${withUnit(p.value)}${p.flag ? ` ${flagLabel(p.flag, t)}` : ''} (${sourceName(p.source)})`}</title>
              <Marker
                source={p.source}
                className={`trend__point trend__point--${tone(p.flag)}`}
                x={sx(p.time)}
                y={sy(p.value)}
                r={tone(p.flag) === 'critical' ? 5.5 : 4}
              />
            </g>
          ))}
        </svg>
      </div>
      {range && (
        <p className="trend__legend">
          <span className="trend__swatch" aria-hidden="true" />
          {t('trend.reference', { range: unit ? `${range} ${unit}` : range })}
        </p>
      )}
      {bySource && (
        <p className="trend__legend trend__sources" data-testid="trend-sources">
          <span>{t('trend.sources')}</span>
          {sources.map((s) => (
            <span key={s} className="trend__source">
              <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">
                <Marker source={s} className="trend__point trend__point--normal" x={7} y={7} r={4} />
              </svg>
              {sourceName(s)}
            </span>
          ))}
        </p>
      )}
      <details className="trend__table">
        <summary>{t('trend.showTable')}</summary>
        <div className="table-scroll">
          <table ref={columnLabels} className="data-table" data-testid="trend-table">
            <caption className="visually-hidden">{name}</caption>
            <thead>
              <tr>
                <th scope="col">{t('results.effective')}</th>
                <th scope="col">{t('results.value')}</th>
                <th scope="col">{t('trend.flag')}</th>
                {bySource && <th scope="col">{t('trend.source')}</th>}
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
                  {bySource && (
                    <td data-testid="trend-point-source" data-source={p.source}>
                      {[sourceName(p.source), p.performerName].filter(Boolean).join(' · ')}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
