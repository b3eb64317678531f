import type { Logger } from 'pino';
import type { AccessControl } from '../auth/access.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { SignedInSessions } from '../auth/signed-in-sessions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import type { Config } from '../config.ts';
import type { OidcSignIn } from '../identity/oidc-sign-in.ts';
import type { SmartLaunch } from '../identity/smart-launch.ts';
import type { Store } from '../store/store.ts';
import type { CareTeamNotifier } from '../results/care-team-notifier.ts';
import type { ResultFiling } from '../results/result-filing.ts';
import type { Correspondence } from '../messaging/correspondence.ts';
import type { MessageInbox } from '../messaging/message-inbox.ts';
import type { MessageIntake } from '../messaging/message-intake.ts';

/** What the HTTP routes are given: built once by createServer, no module-level state. */
export interface HttpDeps {
  config: Config;
  store: Store;
  access: AccessControl;
  tokens: TokenService;
  /** Signed-in sessions: started at sign-in, ended at sign-out or when their provider goes. */
  sessions: SignedInSessions;
  audit: AuditLog;
  rooms: PlanRooms;
  log: Logger;
  /** Closes live sessions (collab, Socket.IO watches) of a patient's plans that lost access. */
  accessChanged(patientId: string): Promise<void>;
  notifier: CareTeamNotifier;
  filing: ResultFiling;
  /** MedCom messages in (POST /messages). */
  messages: MessageIntake;
  /** The organisations' inboxes of MedCom messages waiting for a plan. */
  inbox: MessageInbox;
  /** The plans' MedCom correspondence (CareCommunication): threads, attachments, replies. */
  correspondence: Correspondence;
  /** Signing in through identity providers (OpenID Connect). */
  signIn: OidcSignIn;
  /** SMART App Launch from GP practice systems. */
  smart: SmartLaunch;
}
