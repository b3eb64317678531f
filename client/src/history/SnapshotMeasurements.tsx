import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { ucumDisplay } from '../i18n/units.ts';
import { resultStatusLabel } from '../plan/resultFlags.ts';
import { measurementFromJson, quantityOf } from '../plan/results/model.ts';
import { SnapshotTable } from './SnapshotTables.tsx';

type Entry = Record<string, unknown>;

/** The measurements of a past plan (issue 16): when, what, the value, who measured, its status. */
export function SnapshotMeasurements({ rows, hint }: { rows: readonly Entry[]; hint?: string | undefined }) {
  const { t, lang, formatDateTime, formatNumber } = useI18n();
  const items = rows
    .map((r, i) => ({ row: r, item: measurementFromJson(r, i) }))
    .sort((a, b) => (Date.parse(b.item.effective) || 0) - (Date.parse(a.item.effective) || 0));
  const byRow = new Map(items.map(({ row, item }) => [row, item]));
  const item = (r: Entry) => byRow.get(r) ?? measurementFromJson(r);
  return (
    <SnapshotTable
      title={t('section.measurements')}
      hint={hint}
      empty={t('measure.empty')}
      rows={items.map(({ row }) => row)}
      testId="snapshot-measurements"
      rowTestId="snapshot-measurement"
      columns={[
        {
          label: t('results.effective'),
          value: (r) => (item(r).effective ? formatDateTime(item(r).effective) : ''),
          nowrap: true,
        },
        {
          label: t('measure.what'),
          value: (r) => {
            const q = quantityOf(item(r));
            return q ? t(`visit.kind.${q}` as MessageKey) : item(r).code.display || item(r).code.code;
          },
        },
        {
          label: t('results.value'),
          value: (r) => {
            const { value, unit } = item(r);
            const shown = typeof value === 'number' ? formatNumber(value) : (value ?? '');
            return [shown, ucumDisplay(unit, lang === 'da' ? ',' : '.')].filter(Boolean).join(' ');
          },
        },
        {
          label: t('trend.source'),
          value: (r) =>
            [t(`measure.source.${item(r).source}` as MessageKey), item(r).performerName].filter(Boolean).join(' · '),
        },
        {
          label: t('results.status'),
          value: (r) => [resultStatusLabel(item(r).status, t), item(r).text].filter(Boolean).join(' – '),
        },
      ]}
    />
  );
}
