import { useEffect, useState } from 'react';
import { getPlanAccess, type PlanAccess } from '../api-access.ts';
import { isAbort } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';

/** In the plan header: the person sees this plan through emergency access, and until when. */
export function BreakGlassBanner({ token, planId }: { token: string; planId: string }) {
  const { t, formatDateTime } = useI18n();
  const [access, setAccess] = useState<PlanAccess | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getPlanAccess(token, planId, controller.signal)
      .then(setAccess)
      .catch((err: unknown) => {
        // Without an answer there is nothing to say: the plan itself reports refusals.
        if (!isAbort(err)) setAccess(null);
      });
    return () => controller.abort();
  }, [token, planId]);

  if (access?.via !== 'break_glass' || !access.expires) return null;
  return (
    <p
      className="notice notice--warning plan-header__break-glass"
      role="status"
      data-testid="break-glass-banner"
      data-expires={access.expires}
    >
      {t('emergency.banner', { time: formatDateTime(access.expires) })}
    </p>
  );
}
