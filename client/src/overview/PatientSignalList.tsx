import type { PatientSignals } from '../../../shared/overview.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import './overview.css';

const SHOWN: readonly [keyof PatientSignals, MessageKey][] = [
  ['critical', 'signals.critical'],
  ['overdue', 'signals.overdue'],
  ['tasksDue', 'signals.tasksDue'],
  ['handovers', 'signals.handovers'],
  ['newResults', 'signals.newResults'],
  ['encounters', 'signals.encounters'],
  ['changes', 'signals.changes'],
];

/** Beside a patient in the list: what needs the reader, as on their Overblik (critical first). */
export function PatientSignalList({ signals }: { signals: PatientSignals }) {
  const { t } = useI18n();
  const shown = SHOWN.filter(([key]) => signals[key] > 0);
  if (shown.length === 0) return null;
  return (
    <ul className="patient-signals" aria-label={t('signals.label')} data-testid="patient-signals">
      {shown.map(([key, words]) => (
        <li
          key={key}
          className={key === 'critical' ? 'patient-signals__critical' : undefined}
          data-testid={`signal-${key}`}
          data-count={signals[key]}
        >
          {t(words, { count: signals[key] })}
        </li>
      ))}
    </ul>
  );
}
