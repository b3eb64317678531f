import { useEffect, useMemo, useState } from 'react';
import type { PlanView as PlanHeader } from '../../../shared/api.ts';
import { describeError, getPlan, isAbort } from '../api.ts';
import { colorFor } from '../collab/colors.ts';
import { isSessionRefusal, usePlanConnection } from '../collab/usePlanConnection.ts';
import { usePresence } from '../collab/usePresence.ts';
import { CareNoteJournal } from '../components/CareNoteJournal.tsx';
import { ConnectionBadge } from '../components/ConnectionBadge.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { PlanStatusBadge } from '../components/PlanStatusBadge.tsx';
import { PlanTitleField } from '../components/PlanTitleField.tsx';
import { PresenceList } from '../components/PresenceList.tsx';
import { useI18n } from '../i18n/index.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';

interface Props {
  session: Session;
  planId: string;
  onSessionExpired: () => void;
}

/** `#/plans/<planId>`: the header from REST, then the live document. */
export function PlanView({ session, planId, onSessionExpired }: Props) {
  const { t } = useI18n();
  const [plan, setPlan] = useState<PlanHeader | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getPlan(session.token, planId, controller.signal)
      .then(setPlan)
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, planId]);

  return (
    <div className="plan-page">
      <p className="back-link">
        <a href={routes.patients}>{t('plan.back')}</a>
      </p>
      {error && <ErrorNotice message={error} testId="plan-error" />}
      {!plan && !error && <p role="status">{t('plan.loading')}</p>}
      {plan && <PlanWorkspace plan={plan} session={session} onSessionExpired={onSessionExpired} />}
    </div>
  );
}

function PlanWorkspace({ plan, session, onSessionExpired }: { plan: PlanHeader; session: Session; onSessionExpired: () => void }) {
  const { t, formatDateTime } = useI18n();
  const { user, token } = session;
  const connection = usePlanConnection(plan.id, token, user);
  const peers = usePresence(connection?.provider ?? null, user.id);
  const caretUser = useMemo(() => ({ name: user.name, color: colorFor(user.id) }), [user.name, user.id]);

  return (
    <>
      <header className="plan-header">
        <p className="plan-header__eyebrow">{t('plan.heading')}</p>
        <h1 className="plan-header__patient" data-testid="plan-patient">{plan.patientName}</h1>
        <dl className="plan-header__facts">
          <div>
            <dt>{t('plan.status')}</dt>
            <dd><PlanStatusBadge status={plan.status} /></dd>
          </div>
          <div>
            <dt>{t('plan.created')}</dt>
            <dd><time dateTime={plan.created}>{formatDateTime(plan.created)}</time></dd>
          </div>
        </dl>
      </header>

      {connection?.refusal && (
        <div className="refusal" data-testid="collab-refusal">
          <ErrorNotice
            message={
              connection.refusal.reason
                ? t('connection.refusedReason', { reason: connection.refusal.reason })
                : t('connection.refusedNoReason', { code: connection.refusal.code })
            }
          />
          {isSessionRefusal(connection.refusal) && (
            <button type="button" className="button button--primary" onClick={onSessionExpired}>
              {t('connection.signInAgain')}
            </button>
          )}
        </div>
      )}
      {connection?.denied && (
        <ErrorNotice
          message={t('collab.denied', { reason: connection.denied })}
          testId="collab-denied"
          onDismiss={connection.clearDenied}
        />
      )}

      {connection && (
        <div className="plan-layout">
          <div className="plan-layout__main">
            <PlanTitleField doc={connection.doc} ready={connection.synced} />
            <CareNoteJournal
              doc={connection.doc}
              provider={connection.provider}
              user={user}
              peers={peers}
              caretUser={caretUser}
            />
          </div>
          <aside className="plan-layout__side">
            <ConnectionBadge status={connection.status} />
            <PresenceList peers={peers} />
          </aside>
        </div>
      )}
    </>
  );
}
