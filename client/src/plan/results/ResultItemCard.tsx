import { useId, useState, type ReactNode } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { resultKindKey, resultStatusLabel } from '../resultFlags.ts';
import { ResultFlag } from './ResultFlag.tsx';
import { isEncounter, nameOf, quantityOf, valueText, type ResultItem } from './model.ts';
import type { Arrival } from './useArrivals.ts';
import { ucumDisplay } from '../../i18n/units.ts';

const ENCOUNTER_EVENTS: Readonly<Record<string, MessageKey>> = {
  admission: 'results.encounter.admission',
  'leave-start': 'results.encounter.leave-start',
  'leave-end': 'results.encounter.leave-end',
  discharge: 'results.encounter.discharge',
  death: 'results.encounter.death',
  cancelled: 'results.encounter.cancelled',
};

/** Text longer than this (or with more lines) is folded until asked for. */
const FOLD_CHARS = 220;
const FOLD_LINES = 3;

/** A report or comment: all of it on request, as written (line breaks kept). */
function ExpandableText({ text, imaging }: { text: string; imaging: boolean }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const id = useId();
  const long = text.length > FOLD_CHARS || text.split('\n').length > FOLD_LINES;
  return (
    <div className="result-item__text-wrap">
      <p
        id={id}
        className={`result-item__text${long && !open ? ' result-item__text--folded' : ''}`}
        data-testid="result-text"
      >
        {text}
      </p>
      {long && (
        <button
          type="button"
          className="button button--quiet button--small"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen(!open)}
          data-testid="result-text-toggle"
        >
          {open ? t('results.showLess') : t(imaging ? 'results.readReport' : 'results.showAll')}
        </button>
      )}
    </div>
  );
}

interface Props {
  item: ResultItem;
  arrival?: Arrival | undefined;
  /** The person has looked at it (focus or click): no longer highlighted. */
  onSeen?: (id: string) => void;
  /** Acknowledge and release controls (staff in the live plan). */
  actions?: ReactNode;
  /** For the citizen: no release or acknowledgement details. */
  citizen?: boolean;
}

/** One result in the timeline: what, when, the value and its flag, the report, earlier values. */
export function ResultItemCard({ item, arrival, onSeen, actions, citizen = false }: Props) {
  const { t, lang, formatDateTime, formatNumber } = useI18n();
  const unit = (u: string) => ucumDisplay(u, lang === 'da' ? ',' : '.');
  const withUnit = (v: string | number | undefined, u: string) => {
    const shown = valueText(v, formatNumber);
    return shown ? [shown, unit(u)].filter(Boolean).join(' ') : '';
  };
  const kindKey = resultKindKey(item.kind);
  const encounter = isEncounter(item);
  const eventKey = encounter ? ENCOUNTER_EVENTS[item.code.code] : undefined;
  const quantity = item.kind === 'measurement' ? quantityOf(item) : null;
  const title = eventKey ? t(eventKey) : quantity ? t(`visit.kind.${quantity}` as MessageKey) : nameOf(item);
  const when = item.effective || item.filed;
  const value = withUnit(item.value, item.unit);
  const voided = item.status === 'entered-in-error' || item.status === 'cancelled';
  const classes = ['result-item', `result-item--${item.kind || 'other'}`];
  if (item.critical) classes.push('result-item--critical');
  if (arrival) classes.push('result-item--arrived');
  if (voided) classes.push('result-item--void');
  const seen = () => onSeen?.(item.id);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard users mark a result seen by focusing it (onFocus)
    <article
      className={classes.join(' ')}
      // A new result is a tab stop until looked at; the others are reached with the reading keys.
      tabIndex={arrival ? 0 : -1}
      onFocus={seen}
      onClick={seen}
      aria-labelledby={`result-${item.id}-title`}
      data-testid="result"
      data-result-id={item.id}
      data-kind={item.kind}
      data-critical={item.critical ? 'true' : 'false'}
      data-new={arrival ? 'true' : 'false'}
      data-source={item.source}
    >
      <p className="result-item__when">{when ? <time dateTime={when}>{formatDateTime(when)}</time> : '–'}</p>
      <div className="result-item__body">
        <h3 className="result-item__title" id={`result-${item.id}-title`}>
          <span className="result-item__name">{title}</span>
          {kindKey && <span className={`result-kind result-kind--${item.kind}`}>{t(kindKey)}</span>}
          {arrival && (
            <span className="result-new" data-testid="result-new-badge">
              {t(arrival === 'new' ? 'results.new' : 'results.updated')}
            </span>
          )}
          {item.status && item.status !== 'final' && (
            <span className="result-status">{resultStatusLabel(item.status, t)}</span>
          )}
        </h3>
        {value && (
          <p className="result-item__value">
            <span className="result-item__number" data-testid="result-value">
              {value}
            </span>
            <ResultFlag flag={item.interpretation} />
            {item.referenceRange && (
              <span className="result-item__range">
                {t('results.rangeShort', { range: unitsIn(item.referenceRange, unit) })}
              </span>
            )}
          </p>
        )}
        {item.kind === 'measurement' && (
          <p className={`result-item__source result-source result-source--${item.source}`} data-testid="result-source">
            {t(`measure.source.${item.source}` as MessageKey)}
            {item.performerName && ` · ${t('measure.by', { name: item.performerName })}`}
          </p>
        )}
        {item.text && <ExpandableText text={item.text} imaging={item.kind === 'imaging'} />}
        {item.previous.length > 0 && (
          <div className="result-item__previous" data-testid="result-previous">
            <p className="result-item__previous-title">{t('results.previous')}</p>
            <ul>
              {item.previous.map((p, i) => (
                <li key={`${p.replaced}-${i}`}>
                  <del>{withUnit(p.value, p.unit) || t('results.noValue')}</del>{' '}
                  <span className="muted">
                    {t('results.replaced', {
                      status: resultStatusLabel(p.status, t),
                      time: p.replaced ? formatDateTime(p.replaced) : '–',
                    })}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {item.critical && !citizen && (
          <p
            className={`result-item__ack${item.acknowledgedAt ? '' : ' result-item__ack--waiting'}`}
            data-testid={item.acknowledgedAt ? 'result-acknowledged' : 'result-awaiting'}
          >
            {item.acknowledgedAt
              ? t('results.acknowledgedBy', {
                  name: item.acknowledgedBy || t('results.someone'),
                  time: formatDateTime(item.acknowledgedAt),
                })
              : t('results.awaitingAck')}
          </p>
        )}
        {!citizen && <ReleaseLine releaseAt={item.releaseAt} />}
        {actions}
      </div>
    </article>
  );
}

/** Units inside a reference range's text ("3.5–4.6 umol/L"). */
function unitsIn(text: string, unit: (u: string) => string): string {
  return text.replace(/[A-Za-z[{][^\s]*$/, (u) => unit(u));
}

function ReleaseLine({ releaseAt }: { releaseAt: string }) {
  const { t, formatDateTime } = useI18n();
  if (!releaseAt) return null;
  const future = Date.parse(releaseAt) > Date.now();
  return (
    <p className="result-item__release" data-testid="result-release" data-released={future ? 'false' : 'true'}>
      {future ? t('results.releaseAt', { time: formatDateTime(releaseAt) }) : t('results.released')}
    </p>
  );
}
