import type { ConnectionStatus } from '../collab/usePlanConnection.ts';
import { useI18n } from '../i18n/index.tsx';

export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const { t } = useI18n();
  return (
    <p className={`connection connection--${status}`} role="status" data-testid="connection-status" data-status={status}>
      <span className="connection__dot" aria-hidden="true" />
      <span className="visually-hidden">{t('connection.label')}: </span>
      {t(`connection.${status}`)}
    </p>
  );
}
