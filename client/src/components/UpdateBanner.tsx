import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { onPendingChange, totalPending } from '../offline/device.ts';
import { applyUpdate, onUpdateWaiting } from '../offline/register-sw.ts';

/**
 * A new version of the app has been installed in the background and waits (issue 16). It is
 * announced here and takes over (the page reloads) only when no change waits to be sent: while
 * some do, the banner says so and the update is applied by itself once they are sent.
 */
export function UpdateBanner() {
  const { t } = useI18n();
  const [waiting, setWaiting] = useState(false);
  const [pending, setPending] = useState(totalPending);
  const [asked, setAsked] = useState(false);
  useEffect(() => onUpdateWaiting(setWaiting), []);
  useEffect(() => onPendingChange(() => setPending(totalPending())), []);
  useEffect(() => {
    if (asked && pending === 0) applyUpdate();
  }, [asked, pending]);
  if (!waiting) return null;
  return (
    <div className="notice notice--info update-banner" role="status" data-testid="update-banner">
      <span>{t('update.ready')}</span>
      {asked && pending > 0 ? (
        <span data-testid="update-waits">{t('update.waitForChanges', { count: pending })}</span>
      ) : (
        <button type="button" className="button button--primary" onClick={() => setAsked(true)}>
          {t('update.apply')}
        </button>
      )}
    </div>
  );
}
