import { Fragment, useMemo } from 'react';
import * as Y from 'yjs';
import { useI18n } from '../i18n/index.tsx';
import { CRITICAL, flagLabel, resultKindKey, resultStatusLabel } from './resultFlags.ts';
import { displayValue, keyOf, textOf, useSectionEntries } from './entry.ts';
import { PlanSection } from './PlanSection.tsx';
import { usePlanTeam } from './PlanTeamContext.tsx';

/** The interpretation flag as a badge: its meaning in words, the code beside it. */
export function ResultFlag({ flag }: { flag: string }) {
  const { t } = useI18n();
  if (!flag) return null;
  const tone = CRITICAL.has(flag) ? 'critical' : flag === 'N' ? 'normal' : 'abnormal';
  return (
    <span className={`result-flag result-flag--${tone}`} data-testid="result-flag" data-flag={flag}>
      {flagLabel(flag, t)}
    </span>
  );
}

function codeDisplay(entry: Y.Map<unknown>): string {
  const code = entry.get('code');
  const plain: unknown = code instanceof Y.AbstractType ? (code.toJSON() as unknown) : code;
  if (plain && typeof plain === 'object') {
    const c = plain as { display?: unknown; code?: unknown };
    if (typeof c.display === 'string' && c.display) return c.display;
    if (typeof c.code === 'string') return c.code;
  }
  return '';
}

/** Results filed by lab and imaging systems: read-only for everyone, newest first. */
export function ResultsSection() {
  const { t } = useI18n();
  const { doc, plain } = usePlanTeam();
  const entries = useSectionEntries(doc, 'results');
  const results = useMemo(
    () => [...entries].sort((a, b) => (Date.parse(textOf(b, 'effective')) || 0) - (Date.parse(textOf(a, 'effective')) || 0)),
    [entries],
  );

  return (
    <PlanSection name="results" title={t('results.title')} hint={t(plain ? 'results.plainHint' : 'results.hint')}>
      {results.length === 0 ? (
        <p className="muted">{t('results.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="result-table">
            <caption className="visually-hidden">{t('results.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('results.effective')}</th>
                <th scope="col">{t('results.test')}</th>
                <th scope="col">{t('results.value')}</th>
                <th scope="col">{t('results.referenceRange')}</th>
                <th scope="col">{t('results.status')}</th>
              </tr>
            </thead>
            <tbody>
              {results.map((result, index) => (
                <ResultRows key={keyOf(result, index)} result={result} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </PlanSection>
  );
}

function ResultRows({ result }: { result: Y.Map<unknown> }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const effective = textOf(result, 'effective');
  const kindKey = resultKindKey(textOf(result, 'kind'));
  const value = displayValue(result.get('value'), formatNumber);
  const unit = textOf(result, 'unit');
  const text = textOf(result, 'text');
  const flag = textOf(result, 'interpretation');
  return (
    <Fragment>
      <tr data-testid="result" className={CRITICAL.has(flag) ? 'data-table__row--critical' : undefined}>
        <td>{effective ? <time dateTime={effective}>{formatDateTime(effective)}</time> : '–'}</td>
        <td>
          <span className="data-table__primary">{codeDisplay(result)}</span>
          {kindKey && <span className="data-table__secondary">{t(kindKey)}</span>}
        </td>
        <td className="data-table__value">
          {value ? `${value}${unit ? ` ${unit}` : ''}` : '–'} <ResultFlag flag={flag} />
        </td>
        <td>{textOf(result, 'referenceRange') || '–'}</td>
        <td>{resultStatusLabel(textOf(result, 'status'), t)}</td>
      </tr>
      {text && (
        <tr className="data-table__text-row">
          <td colSpan={5}>{text}</td>
        </tr>
      )}
    </Fragment>
  );
}
