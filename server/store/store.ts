import type { Role, Sector } from '../../shared/roles.ts';
import type { PlanStatus } from '../../shared/api.ts';
import type { ResultStore } from './result-store.ts';
import type { AccessStore } from './access-store.ts';

/**
 * The persistence contract. `sqlite/` is the embedded default, `postgres/` the shared store;
 * both pass tests/integration/store-contract.test.ts. Every method is async so the two are
 * interchangeable; the SQLite implementation answers synchronously inside the promise.
 */
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

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Results, API keys, result events and notifications. */
  readonly results: ResultStore;
  /** Objections, break-the-glass grants, embed links. */
  readonly accessGrants: AccessStore;
  migrate(): Promise<void>;
  /** True when nothing but the migrations table has been written (a new database). */
  isEmpty(): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;

  createOrganisation(o: Omit<Organisation, 'id'> & { id?: string }): Promise<Organisation>;
  getOrganisation(id: string): Promise<Organisation | null>;
  listOrganisations(): Promise<Organisation[]>;

  createUser(u: Omit<User, 'id' | 'created'> & { id?: string }): Promise<User>;
  getUser(id: string): Promise<User | null>;
  getUserByUsername(username: string): Promise<User | null>;
  /** Users of these organisations, these users, and the citizen(s) of this patient. */
  listUsersRelatedTo(q: { organisationIds: string[]; userIds: string[]; patientId: string | null }): Promise<User[]>;

  createPatient(p: { cpr: string; name: string; id?: string }): Promise<Patient>;
  getPatient(id: string): Promise<Patient | null>;
  getPatientByCpr(cpr: string): Promise<Patient | null>;
  /**
   * Patients on whose care team the user is, in person or through their organisation, leaving
   * out those who objected to the user or the organisation (an objection holds everywhere).
   */
  listPatientsForStaff(userId: string, organisationId: string | null, query?: string): Promise<Patient[]>;

  createPlan(p: { patientId: string; title: string; status?: PlanStatus; id?: string }): Promise<Plan>;
  getPlan(id: string): Promise<Plan | null>;
  listPlansForPatient(patientId: string): Promise<Plan[]>;
  updatePlanSummary(id: string, s: { title?: string; status?: PlanStatus }): Promise<void>;

  addCareTeamMember(m: Omit<CareTeamEntry, 'id' | 'added'>): Promise<CareTeamEntry>;
  removeCareTeamMember(patientId: string, memberId: string): Promise<boolean>;
  listCareTeam(patientId: string): Promise<CareTeamEntry[]>;

  /** Appends in one transaction (group commit); returns the seqs in the order given. */
  appendUpdates(updates: NewPlanUpdate[]): Promise<number[]>;
  loadPlanState(planId: string): Promise<StoredPlanState>;
  /** Every update of a plan in seq order, optionally only those at or before `until` (ISO). */
  listUpdates(planId: string, opts?: { until?: string; afterSeq?: number }): Promise<PlanUpdate[]>;
  writeCheckpoint(c: Checkpoint): Promise<void>;
  latestSeq(planId: string): Promise<number>;
  recordClientAuthors(planId: string, authors: { clientId: number; userId: string }[]): Promise<void>;
  listClientAuthors(planId: string): Promise<ClientAuthor[]>;

  appendAudit(entries: AuditEntryInput[]): Promise<void>;
  /** Audit entries matching the query, newest (highest seq) first. */
  listAudit(q: AuditQuery): Promise<AuditEntry[]>;
  /** Up to `limit` stored audit rows with seq > afterSeq (all seqs when absent), in seq order. */
  readAuditChain(afterSeq: number | null, limit: number): Promise<AuditChainRow[]>;
}
