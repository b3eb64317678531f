import { createContext, useContext } from 'react';
import type * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import type { UserView } from '../../../shared/api.ts';
import type { Actor, Decision } from '../../../shared/permissions.ts';
import { wordRefusal } from '../i18n/refusal-words.ts';
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
  /** The session's token, for the REST calls the plan makes (acknowledging a result …). */
  token: string;
  /** Opened through a read-only embed link: every control shown, all of them disabled. */
  readOnly: boolean;
  /**
   * Opened through an embed link in the GP's practice system. Such a session reaches its one
   * plan only: the server refuses it the result actions (acknowledge, release), which are
   * about the patient's results everywhere, so they are not offered.
   */
  embedded: boolean;
}

const PlanTeamContext = createContext<PlanTeam | null>(null);
export const PlanTeamProvider = PlanTeamContext.Provider;

export function usePlanTeam(): PlanTeam {
  const team = useContext(PlanTeamContext);
  if (!team) throw new Error('usePlanTeam outside PlanTeamProvider');
  return team;
}

/**
 * The signed-in person as the permission table sees them. A read-only embed session is a
 * read-only actor: the table refuses it every change, so every control is disabled (and says
 * why) through the same functions the server uses.
 */
export function actorOf(user: UserView, readOnly = false): Actor {
  return {
    userId: user.id,
    role: user.role,
    sector: user.organisation?.sector ?? null,
    ...(readOnly ? { readOnly: true } : {}),
  };
}

/** The refusal in the page's language, or null when the decision allows. */
export function useReasonText(): (decision: Decision) => string | null {
  const { t } = useI18n();
  return (decision) => (decision.allowed ? null : wordRefusal(decision.refusal, t));
}
