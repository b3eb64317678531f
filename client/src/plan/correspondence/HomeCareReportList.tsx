import { MEASUREMENT_KINDS, type MeasurementKind } from '../../../../shared/measurements.ts';
import type { MessageKey } from '../../i18n/da.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ucumDisplay } from '../../i18n/units.ts';
import type { HomeCareReport } from './correspondence-api.ts';
import { StateLabel } from './StateLabel.tsx';

/** The measurements sent to the GP from this plan (MedCom HomeCareObservation), newest first, with the practice's answer. */
export function HomeCareReportList({ reports }: { reports: HomeCareReport[] }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const shown = (m: HomeCareReport['measurements'][number]) => {
    const v = m.value;
    const value =
      v === null
        ? '–'
        : typeof v === 'number'
          ? formatNumber(v)
          : typeof v === 'string'
            ? v
            : `${formatNumber(v.systolic)}/${formatNumber(v.diastolic)}`;
    const known = MEASUREMENT_KINDS.includes(m.kind as MeasurementKind);
    const name = known ? t(`visit.kind.${m.kind}` as MessageKey) : (m.display ?? m.code);
    return `${name}: ${value}${m.unit ? ` ${ucumDisplay(m.unit)}` : ''}`;
  };
  return (
    <article className="correspondence-thread" data-testid="home-care-reports">
      <h3>{t('homeCareReport.sentTitle')}</h3>
      <ol className="correspondence-thread__messages">
        {reports.map((r) => (
          <li key={r.id} data-testid="home-care-report" data-state={r.state ?? ''}>
            <p className="correspondence-message__head">
              <strong>{t('homeCareReport.to', { name: r.receiver.name ?? `SOR ${r.receiver.sor}` })}</strong> ·{' '}
              <time dateTime={r.sentAt}>{formatDateTime(r.sentAt)}</time>
              <StateLabel m={r} />
            </p>
            <ul className="correspondence-segment">
              {r.measurements.map((m, i) => (
                <li key={`${r.id}-${i}`}>
                  {shown(m)}
                  {m.effective && (
                    <>
                      {' '}
                      · <time dateTime={m.effective}>{formatDateTime(m.effective)}</time>
                    </>
                  )}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </article>
  );
}
