import type { AuditAction } from '../../shared/audit-actions.ts';
import type { Role, Sector } from '../../shared/roles.ts';
import type { PlanStatus } from '../../shared/api.ts';

/** The rows the store reads and writes (server/store/store.ts is the contract that moves them). */
export interface Organisation {
  id: string;
  name: string;
  sector: Sector;
  region: string | null;
  /** SOR code (`urn:oid:1.2.208.176.1.1`): incoming MedCom messages are routed by it; unique. */
  sor: string | null;
  /** EAN/GLN location number (`https://www.gs1.org/gln`): outbound MedCom messages are addressed to it. */
  ean: string | null;
  /**
   * A GP practice's ydernummer (provider number, `urn:oid:1.2.208.176.1.4`): MedCom's
   * HomeCareObservation addresses the practice with it, so "Send til egen læge" needs it.
   */
  ydernummer: string | null;
}

/** An organisation's codes in the health network, set or cleared (null) together. */
export type OrganisationCodes = Pick<Organisation, 'sor' | 'ean' | 'ydernummer'>;

/** What a new organisation is made of: SOR, EAN and ydernummer may be left out (null). */
export type NewOrganisation = Omit<Organisation, 'id' | 'sor' | 'ean' | 'ydernummer'> & {
  id?: string;
  sor?: string | null;
  ean?: string | null;
  ydernummer?: string | null;
};

export interface User {
  id: string;
  username: string;
  name: string;
  role: Role;
  organisationId: string | null;
  /** A citizen's own patient record. */
  patientId: string | null;
  passwordHash: string;
  created: string;
  /**
   * When the account was switched off (its identity provider no longer gives it a role), or
   * null: it is in use. A switched-off account's sessions and embed links reach nothing.
   */
  disabled: string | null;
}

/** The fields a new user is created with (id and creation time are the store's). */
export type NewUser = Omit<User, 'id' | 'created' | 'disabled'> & { id?: string };

/**
 * An organisation's OpenID Connect provider, or the citizens' login (no organisation; a CPR
 * claim names the patient). Staff of the organisation sign in through it; their role comes
 * from `roleClaim` through `roleMap`.
 */
export interface IdentityProvider {
  id: string;
  organisationId: string | null;
  /** Shown on the sign-in page: "Log ind med <name>". */
  name: string;
  issuer: string;
  clientId: string;
  /** The environment variable holding the client secret (never the secret); null: a public client (PKCE only). */
  clientSecretEnv: string | null;
  /** Scopes asked for, space-separated; always with `openid`. */
  scopes: string;
  /** The claim holding the person's role(s) (a dotted path for nested claims: `realm_access.roles`). */
  roleClaim: string | null;
  /** A value of the role claim → the CareHub role it gives. */
  roleMap: Record<string, Role>;
  /** The citizens' login: the claim holding the CPR number. */
  cprClaim: string | null;
  /**
   * A provider shared by several organisations (a broker) says which one a person belongs to:
   * `organisationClaim` must hold `organisationValue` for a sign-in through this organisation.
   */
  organisationClaim: string | null;
  organisationValue: string | null;
  /** The role map may give the hub-wide admin role (registered with --allow-admin). */
  allowAdmin: boolean;
  created: string;
  removed: string | null;
}

/** A GP practice system that launches CareHub with SMART App Launch. */
export interface SmartClient {
  id: string;
  /** The practice: its staff are the users of its launches. */
  organisationId: string;
  name: string;
  /** Its FHIR server's base URL: the `iss` of its launches. */
  issuer: string;
  clientId: string;
  clientSecretEnv: string | null;
  /** The origin allowed to frame the launched pages (CSP frame-ancestors). */
  frameOrigin: string;
  /** Its authorization server's issuer, pinned at registration or its first launch (null: not yet). */
  authIssuer: string | null;
  created: string;
  removed: string | null;
}

/** (issuer, subject): a person as an identity provider knows them, and the user they are here. */
export interface ExternalIdentity {
  issuer: string;
  subject: string;
  userId: string;
  created: string;
  /**
   * The identity provider (`oidc:<id>`) or practice system (`smart:<id>`) it arrived through
   * first: only that one may present it again. Null for identities from before migration 008.
   */
  source: string | null;
}

/** A sign-in in progress (`state`) or a one-time code handing the browser its session (`handoff`). */
export type PendingKind = 'state' | 'handoff';

/** Why a signed-in session ended before its time. */
export type SessionEnd = 'signed_out' | 'provider_removed' | 'account_ended';

/**
 * A signed-in session (password or identity provider): its token names it (`sid`), and it is
 * looked up on every use, so signing out or removing the provider ends it at once, everywhere.
 */
export interface SignInSession {
  id: string;
  userId: string;
  /** The identity provider it was signed in through; null for a password sign-in. */
  providerId: string | null;
  started: string;
  expires: string;
  ended: string | null;
  endedReason: SessionEnd | null;
}

export interface Patient {
  id: string;
  cpr: string;
  name: string;
  created: string;
}

export interface Plan {
  id: string;
  patientId: string;
  title: string;
  status: PlanStatus;
  created: string;
}

export interface CareTeamEntry {
  id: string;
  patientId: string;
  organisationId: string | null;
  userId: string | null;
  added: string;
  addedBy: string | null;
}

/** What wrote an update: a user's connection, the server itself (seed, results), or a migration. */
export type UpdateOrigin = 'client' | 'server' | 'seed' | 'result';

export interface NewPlanUpdate {
  planId: string;
  /** User id, or null for the server. */
  author: string | null;
  origin: UpdateOrigin;
  /** ISO time with zone. */
  time: string;
  update: Uint8Array;
  /** The sections the update changed (for the history view). */
  sections?: string[];
}

export interface PlanUpdate extends NewPlanUpdate {
  seq: number;
  sections: string[];
}

/** Which user wrote with which Yjs client id in a plan. */
export interface ClientAuthor {
  clientId: number;
  userId: string;
  name: string | null;
}

export interface Checkpoint {
  planId: string;
  /** The merged state of every update with seq ≤ this. */
  seq: number;
  state: Uint8Array;
  /**
   * The Yjs snapshot (state vector and delete set, Y.encodeSnapshot) of `state`, taken from the
   * same document at the same moment; null when it was not stored with it.
   */
  snapshot?: Uint8Array | null;
  time: string;
}

/** What loading a plan reads: the latest checkpoint and the updates after it. */
export interface StoredPlanState {
  checkpoint: Checkpoint | null;
  tail: PlanUpdate[];
}

export interface AuditEntryInput {
  time: string;
  actorId: string | null;
  /** The server writes only the actions of shared/audit-actions.ts. */
  action: AuditAction;
  patientId: string | null;
  planId: string | null;
  outcome: 'allowed' | 'refused';
  details: Record<string, unknown>;
}

/** An audit entry as read back, with its place in the hash chain (its action as stored). */
export interface AuditEntry extends Omit<AuditEntryInput, 'action'> {
  action: string;
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * An audit row exactly as stored, for `carehub audit verify`: nothing is parsed or checked
 * (`details` is the stored JSON text), so a tampered row is read as it is.
 */
export interface AuditChainRow {
  seq: number;
  time: string;
  actorId: string | null;
  action: string;
  patientId: string | null;
  planId: string | null;
  outcome: string;
  details: string;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  /** Entries about this patient: with its id, or naming one of its plans. */
  patientId?: string;
  /** ISO times (UTC, as stored), inclusive. */
  from?: string;
  to?: string;
  /** Only entries by a person other than this user (the citizen's access log). */
  notActor?: string;
  /** Only entries older than this one (seq below it): the next page, newest first. */
  beforeSeq?: number;
  limit: number;
}
