import type { Role, Sector } from '../../shared/roles.ts';
import type { PlanStatus } from '../../shared/api.ts';

/** The rows the store reads and writes (server/store/store.ts is the contract that moves them). */
export interface Organisation {
  id: string;
  name: string;
  sector: Sector;
  region: string | null;
}

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
  action: string;
  patientId: string | null;
  planId: string | null;
  outcome: 'allowed' | 'refused';
  details: Record<string, unknown>;
}

/** An audit entry as read back, with its place in the hash chain. */
export interface AuditEntry extends AuditEntryInput {
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
  limit: number;
}
