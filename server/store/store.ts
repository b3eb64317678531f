import type { PlanStatus } from '../../shared/api.ts';
import type { AccessStore } from './access-store.ts';
import type { IdentityStore } from './identity-store.ts';
import type { MessageStore } from './message-store.ts';
import type {
  AuditChainRow,
  AuditEntry,
  AuditEntryInput,
  AuditQuery,
  CareTeamEntry,
  Checkpoint,
  ClientAuthor,
  NewPlanUpdate,
  NewUser,
  NewOrganisation,
  Organisation,
  Patient,
  Plan,
  PlanUpdate,
  StoredPlanState,
  User,
} from './records.ts';
import type { PersonalStore } from './personal-store.ts';
import type { FiledRows, ResultStore } from './result-store.ts';

/**
 * The persistence contract. `sqlite/` is the embedded default, `postgres/` the shared store;
 * both pass tests/integration/store-contract.test.ts. Every method is async so the two are
 * interchangeable; the SQLite implementation answers synchronously inside the promise.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Results, API keys, result events and notifications. */
  readonly results: ResultStore;
  /** Objections, break-the-glass grants, embed links. */
  readonly accessGrants: AccessStore;
  /** Identity providers, SMART clients, external identities, sign-ins in progress. */
  readonly identity: IdentityStore;
  /** Per person: plans seen (Overblik), the language chosen. */
  readonly personal: PersonalStore;
  /** MedCom messages in and out: acknowledgements given, inboxes, the outbox. */
  readonly messages: MessageStore;
  migrate(): Promise<void>;
  /** True when nothing but the migrations table has been written (a new database). */
  isEmpty(): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Throws DuplicateSorError when another organisation has that SOR code. */
  createOrganisation(o: NewOrganisation): Promise<Organisation>;
  getOrganisation(id: string): Promise<Organisation | null>;
  getOrganisationBySor(sor: string): Promise<Organisation | null>;
  listOrganisations(): Promise<Organisation[]>;
  /** Sets (or clears, with null) the SOR code and EAN number; false when there is no such organisation. Throws DuplicateSorError. */
  updateOrganisationCodes(id: string, codes: { sor: string | null; ean: string | null }): Promise<boolean>;

  createUser(u: NewUser): Promise<User>;
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

  /**
   * Appends in one transaction (group commit); returns the seqs in the order given. `filed`:
   * result rows (and their audit entries) written in the same transaction, so that a filed
   * batch and the plan updates it causes are stored together or not at all.
   */
  appendUpdates(updates: NewPlanUpdate[], filed?: FiledRows): Promise<number[]>;
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

/** Another organisation has this SOR code already (a SOR code names one organisation). */
export class DuplicateSorError extends Error {
  constructor() {
    super('another organisation has this SOR code');
    this.name = 'DuplicateSorError';
  }
}
