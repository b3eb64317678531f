import type { PlanStatus } from '../../../shared/api.ts';
import { useI18n } from '../i18n/index.tsx';

export function PlanStatusBadge({ status }: { status: PlanStatus }) {
  const { t } = useI18n();
  return <span className={`badge badge--${status}`}>{t(`status.${status}`)}</span>;
}
