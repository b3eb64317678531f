/** Persistence of objections, break-the-glass grants and embed links (part of the Store). */
export interface Objection {
  id: string;
  patientId: string;
  organisationId: string | null;
  userId: string | null;
  created: string;
  withdrawn: string | null;
}

export interface BreakGlassGrant {
  id: string;
  userId: string;
  patientId: string;
  planId: string;
  reason: string;
  created: string;
  expires: string;
}

export interface EmbedLink {
  id: string;
  planId: string;
  access: 'edit' | 'read';
  /** The person who made it (a session), or null when a practice system's key made it. */
  createdBy: string | null;
  createdBySystem: string | null;
  /** The API key that made it (its organisation's keys may revoke it), or null. */
  createdByKey: string | null;
  /**
   * The person the embedded session acts as, with their role and their current access: the
   * creator, or the staff member a practice system's key named. Null only for links from
   * before scopes (revoked by migration 005): such a link is refused.
   */
  actsAs: string | null;
  created: string;
  expires: string;
  revoked: string | null;
  /** The practice system whose launch made it (absent: none): removing that revokes it. */
  smartClientId?: string;
}

export interface AccessStore {
  addObjection(o: Objection): Promise<void>;
  listObjections(patientId: string): Promise<Objection[]>;
  withdrawObjection(patientId: string, id: string, time: string): Promise<boolean>;

  addBreakGlass(g: BreakGlassGrant): Promise<void>;
  /** Grants of this user for this patient that have not expired at `now`. */
  activeBreakGlass(userId: string, patientId: string, now: string): Promise<BreakGlassGrant | null>;
  /** Every grant of this user that has not expired at `now` (their access ending closes what they hold open). */
  activeBreakGlassOf(userId: string, now: string): Promise<BreakGlassGrant[]>;

  addEmbedLink(l: EmbedLink): Promise<void>;
  getEmbedLink(id: string): Promise<EmbedLink | null>;
  revokeEmbedLink(id: string, time: string): Promise<boolean>;
  /** Revokes every live link a practice system's launches made; the plans they were for. */
  revokeEmbedLinksOfSmartClient(smartClientId: string, time: string): Promise<string[]>;
}
