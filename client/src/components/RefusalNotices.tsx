import type { RefusalNotice } from '../collab/usePlanRefusals.ts';
import { useI18n } from '../i18n/index.tsx';
import { wordRefusal } from '../i18n/refusal-words.ts';

interface Props {
  notices: readonly RefusalNotice[];
  onDismiss: (key: string) => void;
}

/**
 * Changes of ours the server refused. The page has already gone back to the server's state;
 * this says which section and why, until the person dismisses it.
 */
export function RefusalNotices({ notices, onDismiss }: Props) {
  const { t, tDynamic } = useI18n();
  if (notices.length === 0) return null;
  return (
    <div className="refusal-notices" data-testid="refusal-notices">
      {notices.map((notice) => {
        const reason = notice.refusal || !notice.text ? wordRefusal(notice.refusal, t) : notice.text;
        const message = notice.section
          ? t('refusal.withSection', { section: tDynamic(`section.${notice.section}`, 'section.unknown'), reason })
          : t('refusal.withoutSection', { reason });
        return (
          <div
            key={notice.key}
            className="notice notice--error"
            role="alert"
            data-testid="refusal-notice"
            data-section={notice.section ?? ''}
            data-offline={notice.offline ? 'true' : 'false'}
          >
            <span>
              {notice.offline && <strong className="refusal-notices__offline">{t('refusal.offlineChange')} </strong>}
              {message}{' '}
              <span className="refusal-notices__after">
                {t(notice.offline ? 'refusal.offlineKept' : 'refusal.reverted')}
              </span>
            </span>
            <button type="button" className="button button--quiet" onClick={() => onDismiss(notice.key)}>
              {t('collab.dismiss')}
            </button>
          </div>
        );
      })}
    </div>
  );
}
