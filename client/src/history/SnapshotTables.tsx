import { useI18n } from '../i18n/index.tsx';
import { flagLabel, resultKindKey, resultStatusLabel } from '../plan/resultFlags.ts';
import { isKnownKind, type SelfReportKind } from '../plan/choices.ts';
import { str } from './json.ts';
import { useColumnLabels } from '../components/useColumnLabels.ts';

type Entry = Record<string, unknown>;

interface Column {
  label: string;
  value: (entry: Entry) => string;
  /** Short values (a dose, a date) that read badly when broken over lines. */
  nowrap?: boolean;
}

interface Props {
  title: string;
  empty: string;
  rows: readonly Entry[];
  columns: readonly Column[];
  testId: string;
  /** A plain-language line under the title. */
  hint?: string | undefined;
  rowTestId?: string;
}

/** A read-only section of a past plan as a table. */
export function SnapshotTable({ title, empty, rows, columns, testId, hint, rowTestId }: Props) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  return (
    <section className="snapshot-section" aria-label={title} data-testid={testId}>
      <h3>{title}</h3>
      {hint && <p className="plan-section__hint">{hint}</p>}
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-scroll">
          <table ref={columnLabels} className="data-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.label} scope="col">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={str(row, 'id') || i} data-testid={rowTestId} data-kind={str(row, 'kind') || undefined}>
                  {columns.map((c) => (
                    <td key={c.label} className={c.nowrap ? 'data-table__nowrap' : undefined}>
                      {c.value(row) || '–'}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function codeDisplay(entry: Entry): string {
  const code = entry.code;
  if (!code || typeof code !== 'object') return '';
  const c = code as { display?: unknown; code?: unknown };
  return typeof c.display === 'string' && c.display ? c.display : typeof c.code === 'string' ? c.code : '';
}

/** Self-reported measurements, newest first. */
export function SnapshotSelfReports({
  rows,
  title,
  hint,
}: {
  rows: readonly Entry[];
  title: string;
  hint?: string | undefined;
}) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const sorted = [...rows].sort((a, b) => (Date.parse(str(b, 'taken')) || 0) - (Date.parse(str(a, 'taken')) || 0));
  const value = (r: Entry) => (typeof r.value === 'number' ? formatNumber(r.value) : str(r, 'value'));
  return (
    <SnapshotTable
      title={title}
      hint={hint}
      empty={t('selfReports.empty')}
      rows={sorted}
      testId="snapshot-self-reports"
      rowTestId="self-report"
      columns={[
        {
          label: t('selfReports.taken'),
          value: (r) => (str(r, 'taken') ? formatDateTime(str(r, 'taken')) : ''),
          nowrap: true,
        },
        {
          label: t('selfReports.kind'),
          value: (r) =>
            isKnownKind(str(r, 'kind')) ? t(`selfReports.kind.${str(r, 'kind') as SelfReportKind}`) : str(r, 'kind'),
        },
        { label: t('selfReports.value'), value: (r) => [value(r), str(r, 'unit')].filter(Boolean).join(' ') },
        { label: t('selfReports.comment'), value: (r) => str(r, 'comment') },
      ]}
    />
  );
}

/** The results of a past plan, with their interpretation flags. */
export function SnapshotResults({ results, hint }: { results: readonly Entry[]; hint?: string | undefined }) {
  const { t, formatDateTime } = useI18n();
  return (
    <SnapshotTable
      title={t('section.results')}
      hint={hint}
      empty={t('results.empty')}
      rows={results}
      testId="snapshot-results"
      columns={[
        {
          label: t('results.effective'),
          value: (r) => (str(r, 'effective') ? formatDateTime(str(r, 'effective')) : ''),
        },
        {
          label: t('results.test'),
          value: (r) => {
            const kind = resultKindKey(str(r, 'kind'));
            return [codeDisplay(r), kind ? t(kind) : ''].filter(Boolean).join(' · ');
          },
        },
        {
          label: t('results.value'),
          value: (r) =>
            [str(r, 'value'), str(r, 'unit'), flagLabel(str(r, 'interpretation'), t)].filter(Boolean).join(' '),
        },
        { label: t('results.referenceRange'), value: (r) => str(r, 'referenceRange') },
        {
          label: t('results.status'),
          value: (r) => [resultStatusLabel(str(r, 'status'), t), str(r, 'text')].filter(Boolean).join(' – '),
        },
      ]}
    />
  );
}
