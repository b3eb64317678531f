import { useEffect, useState } from 'react';
import type { PlanView as PlanHeader } from '../../../shared/api.ts';
import { ApiError, describeError, getPlan, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { keepPlanHeader, keptPlanHeader } from '../offline/device.ts';
import { markPlanSeen } from '../overview/api-overview.ts';
import { PlanWorkspace } from '../plan/PlanWorkspace.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';

interface Props {
  session: Session;
  planId: string;
  onSessionExpired: () => void;
  /** `#/plans/<planId>/visit`: opened from today's visits. */
  visit?: boolean;
  /** `?at=<section>` (from Overblik): the section to open the plan at. */
  at?: string;
}

/** How long the page looks for the section to open at while the plan loads. */
const FIND_SECTION_MS = 10_000;

/**
 * `#/plans/<planId>`: the header from REST, then the live document. Without a network the header
 * kept on this device from the last time is used, and the document comes from IndexedDB.
 */
export function PlanView({ session, planId, onSessionExpired, visit = false, at }: Props) {
  const { t } = useI18n();
  const [plan, setPlan] = useState<PlanHeader | null>(null);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const kept = keptPlanHeader(planId);
    // Offline there is no point waiting for the network to fail.
    if (kept && !navigator.onLine) {
      setPlan(kept);
      setOffline(true);
      return;
    }
    getPlan(session.token, planId, controller.signal)
      .then((header) => {
        keepPlanHeader(header);
        setPlan(header);
        setOffline(false);
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        // No network (or an expired session while the tablet is offline): the kept header.
        if (kept && err instanceof ApiError && err.kind === 'network') {
          setPlan(kept);
          setOffline(true);
        } else
          setError(
            err instanceof ApiError && err.kind === 'network' ? t('plan.offlineNotKept') : describeError(err, t),
          );
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, planId]);

  // Seen on the server when opened and when left (what changed meanwhile was in front of the
  // reader): Overblik counts what is new from here, on every device of theirs.
  useEffect(() => {
    if (!navigator.onLine) return;
    const seen = () => void markPlanSeen(session.token, planId).catch(() => {});
    seen();
    return seen;
  }, [session.token, planId]);

  // Opened at a section (an Overblik item): scrolled to and focused once it is on the page.
  useEffect(() => {
    if (!plan || !at) return;
    const ends = Date.now() + FIND_SECTION_MS;
    let frame = 0;
    const find = () => {
      const heading = document.querySelector<HTMLElement>(`[data-testid="section-${CSS.escape(at)}"] h2`);
      if (heading) {
        heading.scrollIntoView({ block: 'start' });
        heading.focus({ preventScroll: true });
      } else if (Date.now() < ends) frame = requestAnimationFrame(find);
    };
    frame = requestAnimationFrame(find);
    return () => cancelAnimationFrame(frame);
  }, [plan, at]);

  return (
    <div className="plan-page">
      <p className="back-link">
        <a href={visit ? routes.visits : routes.patients}>{t(visit ? 'visits.back' : 'plan.back')}</a>
      </p>
      {error && <ErrorNotice message={error} testId="plan-error" />}
      {!plan && !error && <p role="status">{t('plan.loading')}</p>}
      {plan && offline && (
        <p className="notice notice--info" role="status" data-testid="plan-offline">
          {t('plan.offlineCopy')}
        </p>
      )}
      {plan && (
        <PlanWorkspace
          plan={plan}
          token={session.token}
          user={session.user}
          onSessionExpired={onSessionExpired}
          visit={visit}
        />
      )}
    </div>
  );
}
