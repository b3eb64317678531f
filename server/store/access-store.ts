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
  createdBy: string | null;
  createdBySystem: string | null;
  /** The GP user the embedded session acts as (the creator when a GP made it). */
  actsAs: string | null;
  created: string;
  expires: string;
  revoked: string | null;
}

export interface AccessStore {
  addObjection(o: Objection): Promise<void>;
  listObjections(patientId: string): Promise<Objection[]>;
  withdrawObjection(patientId: string, id: string, time: string): Promise<boolean>;

  addBreakGlass(g: BreakGlassGrant): Promise<void>;
  /** Grants of this user for this patient that have not expired at `now`. */
  activeBreakGlass(userId: string, patientId: string, now: string): Promise<BreakGlassGrant | null>;

  addEmbedLink(l: EmbedLink): Promise<void>;
  getEmbedLink(id: string): Promise<EmbedLink | null>;
  revokeEmbedLink(id: string, time: string): Promise<boolean>;
}
