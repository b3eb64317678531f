import { useI18n } from '../../i18n/index.tsx';
import { isCriticalFlag } from '../../../../shared/results.ts';
import { flagLabel } from '../resultFlags.ts';

/** The interpretation flag as a badge: its meaning in words, the code beside it. */
export function ResultFlag({ flag }: { flag: string }) {
  const { t } = useI18n();
  if (!flag) return null;
  const tone = isCriticalFlag(flag) ? 'critical' : flag === 'N' ? 'normal' : 'abnormal';
  return (
    <span className={`result-flag result-flag--${tone}`} data-testid="result-flag" data-flag={flag}>
      {flagLabel(flag, t)}
    </span>
  );
}
