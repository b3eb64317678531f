import { useI18n } from '../i18n/index.tsx';

interface Props {
  message: string;
  testId?: string;
  onDismiss?: () => void;
}

/** An error said in words, announced to screen readers as it appears. */
export function ErrorNotice({ message, testId, onDismiss }: Props) {
  const { t } = useI18n();
  return (
    <div className="notice notice--error" role="alert" data-testid={testId}>
      <span>{message}</span>
      {onDismiss && (
        <button type="button" className="button button--quiet button--small" onClick={onDismiss}>
          {t('collab.dismiss')}
        </button>
      )}
    </div>
  );
}
