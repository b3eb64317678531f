import { useMemo } from 'react';
import type { PlanView as PlanHeader } from '../../../shared/api.ts';
import { metaOf } from '../../../shared/plan-doc.ts';
import { PlanMeta } from '../../../shared/plan.ts';
import { isStaff } from '../../../shared/roles.ts';
import { colorFor } from '../collab/colors.ts';
import { isSessionRefusal, usePlanConnection } from '../collab/usePlanConnection.ts';
import { usePlanRefusals } from '../collab/usePlanRefusals.ts';
import { usePresence } from '../collab/usePresence.ts';
import { useYRevision } from '../collab/useYRevision.ts';
import { CareNoteJournal } from '../components/CareNoteJournal.tsx';
import { ConnectionBadge } from '../components/ConnectionBadge.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { PlanStatusBadge } from '../components/PlanStatusBadge.tsx';
import { PresenceList } from '../components/PresenceList.tsx';
import { RefusalNotices } from '../components/RefusalNotices.tsx';
import { useI18n } from '../i18n/index.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';
import { GoalsSection } from './GoalsSection.tsx';
import { MedicationsSection } from './MedicationsSection.tsx';
import { PlanMetaSection } from './PlanMetaSection.tsx';
import { actorOf, PlanTeamProvider, type PlanTeam } from './PlanTeamContext.tsx';
import { ResultsSection } from './ResultsSection.tsx';
import { SectionMenu } from './SectionMenu.tsx';
import { SelfReportsSection } from './SelfReportsSection.tsx';
import { TaskBoard } from './TaskBoard.tsx';
import { usePlanPeople } from './usePlanPeople.ts';
import './plan.css';

interface Props {
  plan: PlanHeader;
  session: Session;
  onSessionExpired: () => void;
}

/** The open plan: every section bound live to the plan's Y.Doc, for one signed-in person. */
export function PlanWorkspace({ plan, session, onSessionExpired }: Props) {
  const { t, formatDateTime } = useI18n();
  const { user, token } = session;
  const refusals = usePlanRefusals(plan.id, token);
  const connection = usePlanConnection(plan.id, token, user, refusals.addFromSync);
  const peers = usePresence(connection?.provider ?? null, user.id);
  const people = usePlanPeople(token, plan.id);
  const caretUser = useMemo(() => ({ name: user.name, color: colorFor(user.id) }), [user.name, user.id]);
  const actor = useMemo(() => actorOf(user), [user]);
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const { user: peer } of peers) map.set(peer.id, peer.name);
    for (const person of people) map.set(person.id, person.name);
    return map;
  }, [people, peers]);
  const meta = useMemo(() => (connection ? metaOf(connection.doc) : null), [connection?.doc]);
  const metaRevision = useYRevision(meta);
  const liveStatus = useMemo(() => PlanMeta.shape.status.safeParse(meta?.get('status')), [meta, metaRevision]);
  // Someone who may change nothing (an administrator) reads the plan as text. Citizens do not
  // come here: they get no live copy of the plan (CitizenPlanView).
  const plain = !isStaff(user.role);

  const team = useMemo<PlanTeam | null>(
    () =>
      connection
        ? { doc: connection.doc, provider: connection.provider, user, actor, caretUser, names, loading: !connection.synced, plain }
        : null,
    [connection?.doc, connection?.provider, connection?.synced, user, actor, caretUser, names, plain],
  );

  return (
    <>
      <header className="plan-header">
        <p className="plan-header__eyebrow">{t('plan.heading')}</p>
        <h1 className="plan-header__patient" data-testid="plan-patient">{plan.patientName}</h1>
        <dl className="plan-header__facts">
          <div>
            <dt>{t('plan.status')}</dt>
            <dd><PlanStatusBadge status={liveStatus.success ? liveStatus.data : plan.status} /></dd>
          </div>
          <div>
            <dt>{t('plan.created')}</dt>
            <dd><time dateTime={plan.created}>{formatDateTime(plan.created)}</time></dd>
          </div>
        </dl>
        <p className="plan-header__links">
          <a href={routes.history(plan.id)} data-testid="history-link">{t('plan.historyLink')}</a>
        </p>
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
      <RefusalNotices notices={refusals.notices} onDismiss={refusals.dismiss} />

      {connection && team && (
        <PlanTeamProvider value={team}>
          <div className="plan-layout" data-testid="plan-layout" data-synced={connection.synced ? 'true' : 'false'}>
            <div className="plan-layout__main">
              <PlanMetaSection />
              <GoalsSection />
              <TaskBoard />
              <MedicationsSection />
              <SelfReportsSection />
              <ResultsSection />
              <CareNoteJournal />
            </div>
            <aside className="plan-layout__side" aria-label={t('plan.sideLabel')}>
              <ConnectionBadge status={connection.status} />
              <PresenceList peers={peers} />
              <SectionMenu />
            </aside>
          </div>
        </PlanTeamProvider>
      )}
    </>
  );
}
