import { createContext, useContext } from 'react';
import type * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import type { UserView } from '../../../shared/api.ts';
import type { Actor, Decision } from '../../../shared/permissions.ts';
import { translateReason } from '../i18n/reasons.ts';
import { useI18n } from '../i18n/index.tsx';

/** What every section of an open plan needs: the live document and who is working in it. */
export interface PlanTeam {
  doc: Y.Doc;
  provider: WebsocketProvider;
  user: UserView;
  /** The signed-in person as the permission table sees them. */
  actor: Actor;
  caretUser: { name: string; color: string };
  /** Names of people in the plan by user id (the plan's people, then presence). */
  names: ReadonlyMap<string, string>;
  /** True until the first sync: nothing is written before the server's state is in. */
  loading: boolean;
  /** Someone who may change nothing (an administrator) reads the plan as text, not as disabled inputs. */
  plain: boolean;
}

const PlanTeamContext = createContext<PlanTeam | null>(null);
export const PlanTeamProvider = PlanTeamContext.Provider;

export function usePlanTeam(): PlanTeam {
  const team = useContext(PlanTeamContext);
  if (!team) throw new Error('usePlanTeam outside PlanTeamProvider');
  return team;
}

export function actorOf(user: UserView): Actor {
  return { userId: user.id, role: user.role, sector: user.organisation?.sector ?? null };
}

/** The reason of a refusal in the page's language, or null when the decision allows. */
export function useReasonText(): (decision: Decision) => string | null {
  const { t } = useI18n();
  return (decision) => (decision.allowed ? null : translateReason(decision.reason, t));
}
