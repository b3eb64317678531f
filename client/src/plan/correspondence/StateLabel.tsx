import { useI18n } from '../../i18n/index.tsx';
import type { HomeCareReport } from './correspondence-api.ts';

/** "sendt", "modtaget" or "afvist: …" next to a message CareHub sent. */
export function StateLabel({ m }: { m: Pick<HomeCareReport, 'state' | 'refusal'> }) {
  const { t } = useI18n();
  const state =
    m.state === 'received'
      ? t('correspondence.received')
      : m.state === 'refused'
        ? t('correspondence.refused', { reason: m.refusal ?? '' })
        : m.state === 'sent'
          ? t('correspondence.sent')
          : null;
  if (!state) return null;
  return (
    <span className={`correspondence-state correspondence-state--${m.state}`} data-testid="correspondence-state">
      {' '}
      · {state}
    </span>
  );
}
