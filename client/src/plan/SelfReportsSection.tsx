import { useId, useMemo } from 'react';
import type * as Y from 'yjs';
import { canAdd } from '../../../shared/permissions.ts';
import { useI18n } from '../i18n/index.tsx';
import { isKnownKind } from './choices.ts';
import { displayValue, keyOf, textOf, useSectionEntries } from './entry.ts';
import { PlanSection } from './PlanSection.tsx';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';

/**
 * The citizen's own measurements in the live plan. Staff read them; only the citizen adds them,
 * from the citizen's page (REST: citizens get no live copy of the plan).
 */
export function SelfReportsSection() {
  const { t } = useI18n();
  const { doc, actor, plain } = usePlanTeam();
  const reasonText = useReasonText();
  const reasonId = useId();
  const entries = useSectionEntries(doc, 'selfReports');
  const addDecision = canAdd(actor, 'selfReports');
  const reports = useMemo(
    () => [...entries].sort((a, b) => (Date.parse(textOf(b, 'taken')) || 0) - (Date.parse(textOf(a, 'taken')) || 0)),
    [entries],
  );

  return (
    <PlanSection
      name="selfReports"
      title={t('selfReports.title')}
      hint={plain ? t('selfReports.staffHint') : undefined}
      reason={reasonText(addDecision)}
      reasonId={reasonId}
    >
      {reports.length === 0 ? (
        <p className="muted">{t('selfReports.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="self-report-table">
            <caption className="visually-hidden">{t('selfReports.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('selfReports.taken')}</th>
                <th scope="col">{t('selfReports.kind')}</th>
                <th scope="col">{t('selfReports.value')}</th>
                <th scope="col">{t('selfReports.comment')}</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((report, index) => (
                <SelfReportRow key={keyOf(report, index)} report={report} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </PlanSection>
  );
}

function SelfReportRow({ report }: { report: Y.Map<unknown> }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const kind = textOf(report, 'kind');
  const value = displayValue(report.get('value'), formatNumber);
  const unit = textOf(report, 'unit');
  const taken = textOf(report, 'taken');
  return (
    <tr data-testid="self-report" data-kind={kind}>
      <td>{taken ? <time dateTime={taken}>{formatDateTime(taken)}</time> : '–'}</td>
      <td>{isKnownKind(kind) ? t(`selfReports.kind.${kind}`) : kind}</td>
      <td className="data-table__value">{unit ? `${value} ${unit}` : value}</td>
      <td>{textOf(report, 'comment')}</td>
    </tr>
  );
}
