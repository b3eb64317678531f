import { useMemo } from 'react';
import type { UserView, PlanView as PlanHeader } from '../../../shared/api.ts';
import { metaOf } from '../../../shared/plan-doc.ts';
import { PlanMeta } from '../../../shared/plan.ts';
import { isStaff } from '../../../shared/roles.ts';
import { ownCaret } from '../collab/caret.ts';
import { isSessionRefusal, usePlanConnection } from '../collab/usePlanConnection.ts';
import { usePlanRefusals } from '../collab/usePlanRefusals.ts';
import { usePresence } from '../collab/usePresence.ts';
import { useYRevision } from '../collab/useYRevision.ts';
import { ConnectionBadge } from '../components/ConnectionBadge.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { PresenceList } from '../components/PresenceList.tsx';
import { RefusalNotices } from '../components/RefusalNotices.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useSessionSocket } from '../realtime/SessionSocket.tsx';
import { EmbedHeader } from './EmbedHeader.tsx';
import { EmbedLinkPanel } from './EmbedLinkPanel.tsx';
import { GoalsSection } from './GoalsSection.tsx';
import { MedicationsSection } from './MedicationsSection.tsx';
import { CareNoteJournal } from './notes/CareNoteJournal.tsx';
import { PlanHeaderBlock } from './PlanHeaderBlock.tsx';
import { PlanMetaSection } from './PlanMetaSection.tsx';
import { PlanSummary } from './PlanSummary.tsx';
import { actorOf, PlanTeamProvider, type PlanTeam } from './PlanTeamContext.tsx';
import { CorrespondencePanel } from './correspondence/CorrespondencePanel.tsx';
import { CriticalResultsBanner } from './results/CriticalResultsBanner.tsx';
import { ResultsSection } from './ResultsSection.tsx';
import { SectionMenu } from './SectionMenu.tsx';
import { SelfReportsSection } from './SelfReportsSection.tsx';
import { TaskBoard } from './TaskBoard.tsx';
import { usePlanPeople } from './usePlanPeople.ts';
import { VisitPanel } from './VisitPanel.tsx';
import './plan.css';
import './plan-page.css';

interface Props {
  plan: PlanHeader;
  token: string;
  user: UserView;
  onSessionExpired: () => void;
  /** `embed`: one plan in the GP's practice system (a narrow frame): compact chrome, no navigation. */
  variant?: 'full' | 'embed';
  /** A read-only embed link: everything shown, nothing editable. */
  readOnly?: boolean;
  /** Opened from today's visits: the visit's tasks and the quick measurement/note form come first. */
  visit?: boolean;
}

/** The open plan: every section bound live to the plan's Y.Doc, for one signed-in person. */
export function PlanWorkspace({
  plan,
  token,
  user,
  onSessionExpired,
  variant = 'full',
  readOnly = false,
  visit = false,
}: Props) {
  const { t } = useI18n();
  const socket = useSessionSocket();
  const refusals = usePlanRefusals(plan.id, socket);
  const connection = usePlanConnection(plan.id, token, user, refusals.addFromSync);
  const peers = usePresence(connection?.provider ?? null, user.id);
  const people = usePlanPeople(token, plan.id);
  const caretUser = useMemo(() => ownCaret({ id: user.id, name: user.name }), [user.id, user.name]);
  const actor = useMemo(() => actorOf(user, readOnly), [user, readOnly]);
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const { user: peer } of peers) map.set(peer.id, peer.name);
    for (const person of people) map.set(person.id, person.name);
    return map;
  }, [people, peers]);
  const meta = useMemo(() => (connection ? metaOf(connection.doc) : null), [connection?.doc]);
  const metaRevision = useYRevision(meta);
  const liveStatus = useMemo(() => PlanMeta.shape.status.safeParse(meta?.get('status')), [meta, metaRevision]);
  const status = liveStatus.success ? liveStatus.data : plan.status;
  // Someone who may change nothing (an administrator) reads the plan as text. Citizens do not
  // come here: they get no live copy of the plan (CitizenPlanView).
  const plain = !isStaff(user.role);
  const embed = variant === 'embed';

  const team = useMemo<PlanTeam | null>(
    () =>
      connection
        ? {
            doc: connection.doc,
            provider: connection.provider,
            user,
            actor,
            caretUser,
            names,
            // Editable once the server's copy or this device's copy is here (offline work, issue 6).
            loading: !(connection.synced || connection.stored),
            plain,
            token,
            readOnly,
            embedded: embed,
          }
        : null,
    [
      connection?.doc,
      connection?.provider,
      connection?.synced,
      connection?.stored,
      user,
      actor,
      caretUser,
      names,
      plain,
      token,
      readOnly,
      embed,
    ],
  );

  return (
    <>
      {embed ? (
        <EmbedHeader
          plan={plan}
          status={status}
          connection={connection?.status ?? 'connecting'}
          peers={peers}
          readOnly={readOnly}
        />
      ) : (
        <PlanHeaderBlock plan={plan} status={status} token={token} />
      )}

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
              {t(embed ? 'embed.reopen' : 'connection.signInAgain')}
            </button>
          )}
        </div>
      )}
      <RefusalNotices notices={refusals.notices} onDismiss={refusals.dismiss} />
      {connection &&
        !connection.synced &&
        !connection.stored &&
        connection.storeLoaded &&
        connection.status === 'offline' && (
          <ErrorNotice message={t('plan.offlineNotKept')} testId="plan-offline-not-kept" />
        )}

      {connection && team && (
        <PlanTeamProvider value={team}>
          <div
            className={`plan-layout${embed ? ' plan-layout--embed' : ''}`}
            data-testid="plan-layout"
            data-synced={connection.synced ? 'true' : 'false'}
            data-stored={connection.stored ? 'true' : 'false'}
          >
            <div className="plan-layout__main">
              {!embed && <PlanSummary plan={plan} />}
              {visit && <VisitPanel planId={plan.id} patientName={plan.patientName} />}
              <CriticalResultsBanner />
              <PlanMetaSection />
              <GoalsSection />
              <TaskBoard />
              <MedicationsSection />
              <SelfReportsSection />
              <ResultsSection />
              {isStaff(user.role) && !embed && <CorrespondencePanel token={token} planId={plan.id} />}
              <CareNoteJournal />
            </div>
            {!embed && (
              <aside className="plan-layout__side" aria-label={t('plan.sideLabel')}>
                <ConnectionBadge
                  status={connection.status}
                  sync={{ synced: connection.inSync, pending: connection.pending, stored: connection.stored }}
                />
                <PresenceList peers={peers} />
                <SectionMenu />
                {isStaff(user.role) && <EmbedLinkPanel token={token} planId={plan.id} />}
              </aside>
            )}
          </div>
        </PlanTeamProvider>
      )}
    </>
  );
}
