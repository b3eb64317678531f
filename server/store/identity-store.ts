import type {
  ExternalIdentity,
  IdentityProvider,
  NewUser,
  PendingKind,
  SmartClient,
  User,
  SessionEnd,
  SignInSession,
} from './records.ts';

/**
 * Persistence of sign-in through identity providers (part of the Store): the providers and
 * SMART clients an administrator registered, who each external identity is here, and the
 * sign-ins in progress. Every node reads the same rows, so a sign-in begun on one node may end
 * on another.
 */
export interface IdentityStore {
  addProvider(p: IdentityProvider): Promise<void>;
  /** Providers not removed, by name. */
  listProviders(): Promise<IdentityProvider[]>;
  /** A provider, removed or not. */
  getProvider(id: string): Promise<IdentityProvider | null>;
  /** Marks it removed; false when there is no such provider in use. */
  removeProvider(id: string, time: string): Promise<boolean>;

  /** Fails when another SMART client in use has the same issuer. */
  addSmartClient(c: SmartClient): Promise<void>;
  listSmartClients(): Promise<SmartClient[]>;
  getSmartClient(id: string): Promise<SmartClient | null>;
  removeSmartClient(id: string, time: string): Promise<boolean>;
  /** Pins a practice system's authorization server issuer; false when one is pinned already. */
  pinSmartAuthIssuer(id: string, authIssuer: string): Promise<boolean>;

  getExternalIdentity(issuer: string, subject: string): Promise<ExternalIdentity | null>;
  /**
   * Creates the user and links (issuer, subject) to it, in one transaction. When the identity
   * is linked already (a sign-in of the same person on another node won the race), nothing is
   * created and the linked user is returned with `created: false`.
   */
  createLinkedUser(
    user: NewUser,
    identity: Omit<ExternalIdentity, 'userId'>,
  ): Promise<{ user: User; created: boolean }>;
  /** Links (issuer, subject) to an existing user; false when the identity is linked already. */
  linkIdentity(identity: ExternalIdentity): Promise<boolean>;
  /**
   * Moves an identity's source from `from` (null: from before sources were kept) to `to`; false
   * when its source is not `from` any more (another sign-in moved it first).
   */
  claimIdentitySource(issuer: string, subject: string, from: string | null, to: string): Promise<boolean>;
  /** Sets what the identity provider says of the user at a sign-in: role, organisation, switched off or not. */
  updateUserAccess(userId: string, access: Pick<User, 'role' | 'organisationId' | 'disabled'>): Promise<void>;

  /**
   * Every patient whose care team holds this person or this organisation, objections or not
   * (when the person's access changes, each of these is looked at again).
   */
  careTeamPatientIds(userId: string, organisationId: string | null): Promise<string[]>;

  /** Keeps a pending value until `expires` (ISO); expired rows are cleared on the way. */
  putPending(key: string, kind: PendingKind, payload: string, expires: string): Promise<void>;
  /** Takes a pending value once: it is deleted; null when unknown, taken already, or expired at `now`. */
  takePending(key: string, kind: PendingKind, now: string): Promise<string | null>;

  /** Keeps a new signed-in session; sessions over for a day are cleared on the way. */
  addSession(s: SignInSession): Promise<void>;
  getSession(id: string): Promise<SignInSession | null>;
  /** Ends one session; false when there is none or it had ended already. */
  endSession(id: string, time: string, reason: SessionEnd): Promise<boolean>;
  /** Ends every live session signed in through this provider; the people whose sessions ended. */
  endProviderSessions(providerId: string, time: string, reason: SessionEnd): Promise<string[]>;
}
