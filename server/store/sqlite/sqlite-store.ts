import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanStatus } from '../../../shared/api.ts';
import { SqliteResultStore } from './sqlite-results.ts';
import { SqliteAccessStore } from './sqlite-access.ts';
import { SqliteIdentityStore } from './sqlite-identity.ts';
import { SqlitePersonalStore } from './sqlite-personal.ts';
import { SqliteSummaryStore } from './sqlite-summaries.ts';
import { SqliteMessageStore } from './sqlite-messages.ts';
import { cacheStatements } from './statement-cache.ts';
import { WalCheckpointer, type CheckpointResult, type WalCheckpointerOptions } from './wal-checkpointer.ts';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { appendAuditInTransaction } from './sqlite-audit.ts';
import {
  toAuditChainRow,
  toAuditEntry,
  toCareTeam,
  toOrganisation,
  toPatient,
  toPlan,
  toUpdate,
  toUser,
  type Row,
} from '../rows.ts';
import { DuplicateSorError, type Store } from '../store.ts';
import type { FiledRows } from '../result-store.ts';
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
  OrganisationCodes,
  Organisation,
  Patient,
  Plan,
  PlanUpdate,
  StoredPlanState,
  User,
} from '../records.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'sqlite');

export interface SqliteStoreOptions {
  /** FULL: a commit survives power loss. NORMAL: survives a process crash only (SQLITE_SYNCHRONOUS). */
  synchronous: Config['sqliteSynchronous'];
  /** WAL checkpoints in a worker thread instead of inside commits (wal-checkpointer.ts); options for it. */
  checkpoints?: WalCheckpointerOptions;
  log?: Logger;
}

type AuthorWaiter = { resolve: () => void; reject: (err: Error) => void };

const now = (): string => new Date().toISOString();

/** The embedded store: one SQLite file in WAL mode, prepared statements, group commits. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private stmts: ReturnType<SqliteStore['prepare']> | null = null;
  /** Client authors waiting for the next group commit (see recordClientAuthors). */
  private pendingAuthors: { planId: string; clientId: number; userId: string }[] = [];
  private authorWaiters: AuthorWaiter[] = [];
  /** Built once: better-sqlite3 wraps the function in BEGIN/COMMIT on every call. */
  private appendTxnCache: Database.Transaction<(batch: NewPlanUpdate[], filed?: FiledRows) => number[]> | null = null;
  /** Client authors written by the commit in progress: told once it commits (or fails). */
  private authorsInCommit: AuthorWaiter[] = [];
  readonly results: SqliteResultStore;
  readonly accessGrants: SqliteAccessStore;
  readonly identity: SqliteIdentityStore;
  readonly personal: SqlitePersonalStore;
  readonly summaries: SqliteSummaryStore;
  readonly messages: SqliteMessageStore;
  private readonly checkpointer: WalCheckpointer | null = null;
  private readonly synchronous: Config['sqliteSynchronous'];

  constructor(
    readonly filename: string,
    opts: SqliteStoreOptions,
  ) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    cacheStatements(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous}`);
    this.synchronous = opts.synchronous;
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // Checkpoints off the commit path (a file's WAL only; an in-memory database has none).
    if (filename !== ':memory:')
      this.checkpointer = new WalCheckpointer(this.db, filename, { log: opts.log, ...opts.checkpoints });
    this.results = new SqliteResultStore(this.db);
    this.accessGrants = new SqliteAccessStore(this.db);
    this.identity = new SqliteIdentityStore(this.db);
    this.personal = new SqlitePersonalStore(this.db);
    this.summaries = new SqliteSummaryStore(this.db, (write) => this.withoutOwnSync(write));
    this.messages = new SqliteMessageStore(this.db);
  }

  /** Prepared once, after the migrations have created the tables. */
  private get s(): ReturnType<SqliteStore['prepare']> {
    this.stmts ??= this.prepare();
    return this.stmts;
  }

  private prepare() {
    const db = this.db;
    return {
      maxSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM plan_updates WHERE plan_id = ?').pluck(),
      insertUpdate: db.prepare(
        'INSERT INTO plan_updates (plan_id, seq, author, origin, time, update_bytes, sections) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      latestCheckpoint: db.prepare(
        'SELECT plan_id, seq, state, snapshot, time FROM plan_checkpoints WHERE plan_id = ? ORDER BY seq DESC LIMIT 1',
      ),
      updatesAfter: db.prepare('SELECT * FROM plan_updates WHERE plan_id = ? AND seq > ? ORDER BY seq'),
      updatesUntil: db.prepare('SELECT * FROM plan_updates WHERE plan_id = ? AND seq > ? AND time <= ? ORDER BY seq'),
      deleteOlderCheckpoints: db.prepare('DELETE FROM plan_checkpoints WHERE plan_id = ? AND seq < ?'),
      insertCheckpoint: db.prepare(
        'INSERT OR IGNORE INTO plan_checkpoints (plan_id, seq, state, snapshot, time) VALUES (?, ?, ?, ?, ?)',
      ),
      insertClientAuthor: db.prepare(
        'INSERT OR IGNORE INTO plan_client_authors (plan_id, client_id, user_id) VALUES (?, ?, ?)',
      ),
      clientAuthors: db.prepare(
        'SELECT a.client_id, a.user_id, u.name FROM plan_client_authors a LEFT JOIN users u ON u.id = a.user_id WHERE a.plan_id = ?',
      ),
      organisationById: db.prepare('SELECT * FROM organisations WHERE id = ?'),
      userById: db.prepare('SELECT * FROM users WHERE id = ?'),
      userByName: db.prepare('SELECT * FROM users WHERE username = ?'),
      planById: db.prepare('SELECT * FROM plans WHERE id = ?'),
      patientById: db.prepare('SELECT * FROM patients WHERE id = ?'),
      careTeam: db.prepare('SELECT * FROM care_team_members WHERE patient_id = ? ORDER BY added, id'),
    };
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)',
    );
    const applied = new Set(this.db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d+_.+\.sql$/.test(f))
      .sort();
    for (const file of files) {
      const version = Number(file.split('_')[0]);
      if (applied.has(version)) continue;
      const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)')
          .run(version, file, now());
      })();
    }
  }

  async isEmpty(): Promise<boolean> {
    return (this.db.prepare('SELECT COUNT(*) FROM organisations').pluck().get() as number) === 0;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }

  /** Runs a WAL checkpoint now, in the checkpoint worker (tests; the worker also runs them on its own). */
  checkpointNow(): Promise<CheckpointResult> {
    return this.checkpointer
      ? this.checkpointer.checkpointNow()
      : Promise.reject(new Error('an in-memory database has no WAL'));
  }

  async createOrganisation(o: NewOrganisation): Promise<Organisation> {
    const org: Organisation = {
      id: o.id ?? randomUUID(),
      name: o.name,
      sector: o.sector,
      region: o.region ?? null,
      sor: o.sor ?? null,
      ean: o.ean ?? null,
      ydernummer: o.ydernummer ?? null,
    };
    uniqueSor(() =>
      this.db
        .prepare(
          'INSERT INTO organisations (id, name, sector, region, sor, ean, ydernummer) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(org.id, org.name, org.sector, org.region, org.sor, org.ean, org.ydernummer),
    );
    return org;
  }
  async getOrganisation(id: string): Promise<Organisation | null> {
    const r = this.s.organisationById.get(id) as Row | undefined;
    return r ? toOrganisation(r) : null;
  }
  async getOrganisationBySor(sor: string): Promise<Organisation | null> {
    const r = this.db.prepare('SELECT * FROM organisations WHERE sor = ?').get(sor) as Row | undefined;
    return r ? toOrganisation(r) : null;
  }
  async updateOrganisationCodes(id: string, codes: OrganisationCodes): Promise<boolean> {
    const run = uniqueSor(() =>
      this.db
        .prepare('UPDATE organisations SET sor = ?, ean = ?, ydernummer = ? WHERE id = ?')
        .run(codes.sor, codes.ean, codes.ydernummer, id),
    );
    return run.changes > 0;
  }
  async listOrganisations(): Promise<Organisation[]> {
    return (this.db.prepare('SELECT * FROM organisations ORDER BY name').all() as Row[]).map(toOrganisation);
  }

  async createUser(u: NewUser): Promise<User> {
    const user: User = { ...u, id: u.id ?? randomUUID(), created: now(), disabled: null };
    this.db
      .prepare(
        'INSERT INTO users (id, username, name, role, organisation_id, patient_id, password_hash, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        user.id,
        user.username,
        user.name,
        user.role,
        user.organisationId,
        user.patientId,
        user.passwordHash,
        user.created,
      );
    return user;
  }
  async getUser(id: string): Promise<User | null> {
    const r = this.s.userById.get(id) as Row | undefined;
    return r ? toUser(r) : null;
  }
  async getUserByUsername(username: string): Promise<User | null> {
    const r = this.s.userByName.get(username) as Row | undefined;
    return r ? toUser(r) : null;
  }

  async listUsersRelatedTo(q: {
    organisationIds: string[];
    userIds: string[];
    patientId: string | null;
  }): Promise<User[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM users WHERE organisation_id IN (SELECT value FROM json_each(@orgs))
           OR id IN (SELECT value FROM json_each(@users)) OR (@patient IS NOT NULL AND patient_id = @patient)
         ORDER BY name`,
      )
      .all({
        orgs: JSON.stringify(q.organisationIds),
        users: JSON.stringify(q.userIds),
        patient: q.patientId,
      }) as Row[];
    return rows.map(toUser);
  }

  async createPatient(p: { cpr: string; name: string; id?: string }): Promise<Patient> {
    const patient = { id: p.id ?? randomUUID(), cpr: p.cpr, name: p.name, created: now() };
    this.db
      .prepare('INSERT INTO patients (id, cpr, name, created) VALUES (?, ?, ?, ?)')
      .run(patient.id, patient.cpr, patient.name, patient.created);
    return patient;
  }
  async getPatient(id: string): Promise<Patient | null> {
    const r = this.s.patientById.get(id) as Row | undefined;
    return r ? toPatient(r) : null;
  }
  async getPatientByCpr(cpr: string): Promise<Patient | null> {
    const r = this.db.prepare('SELECT * FROM patients WHERE cpr = ?').get(cpr) as Row | undefined;
    return r ? toPatient(r) : null;
  }
  async listPatientsForStaff(userId: string, organisationId: string | null, query?: string): Promise<Patient[]> {
    const like = query ? `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const rows = this.db
      .prepare(
        `SELECT DISTINCT p.* FROM patients p JOIN care_team_members c ON c.patient_id = p.id
         WHERE (c.user_id = @userId OR (@orgId IS NOT NULL AND c.organisation_id = @orgId))
           AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.patient_id = p.id AND o.withdrawn IS NULL
                             AND (o.user_id = @userId OR (@orgId IS NOT NULL AND o.organisation_id = @orgId)))
           AND (@like IS NULL OR p.name LIKE @like ESCAPE '\\' OR p.cpr LIKE @like ESCAPE '\\')
         ORDER BY p.name LIMIT 200`,
      )
      .all({ userId, orgId: organisationId, like }) as Row[];
    return rows.map(toPatient);
  }

  async createPlan(p: { patientId: string; title: string; status?: PlanStatus; id?: string }): Promise<Plan> {
    const plan: Plan = {
      id: p.id ?? randomUUID(),
      patientId: p.patientId,
      title: p.title,
      status: p.status ?? 'active',
      created: now(),
    };
    this.db
      .prepare('INSERT INTO plans (id, patient_id, title, status, created) VALUES (?, ?, ?, ?, ?)')
      .run(plan.id, plan.patientId, plan.title, plan.status, plan.created);
    return plan;
  }
  async getPlan(id: string): Promise<Plan | null> {
    const r = this.s.planById.get(id) as Row | undefined;
    return r ? toPlan(r) : null;
  }
  async listPlansForPatient(patientId: string): Promise<Plan[]> {
    return (
      this.db.prepare('SELECT * FROM plans WHERE patient_id = ? ORDER BY created, id').all(patientId) as Row[]
    ).map(toPlan);
  }
  async updatePlanSummary(id: string, s: { title?: string; status?: PlanStatus }): Promise<void> {
    if (s.title !== undefined) this.db.prepare('UPDATE plans SET title = ? WHERE id = ?').run(s.title, id);
    if (s.status !== undefined) this.db.prepare('UPDATE plans SET status = ? WHERE id = ?').run(s.status, id);
  }

  async addCareTeamMember(m: Omit<CareTeamEntry, 'id' | 'added'>): Promise<CareTeamEntry> {
    const entry: CareTeamEntry = { ...m, id: randomUUID(), added: now() };
    this.db
      .prepare(
        'INSERT INTO care_team_members (id, patient_id, organisation_id, user_id, added, added_by) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(entry.id, entry.patientId, entry.organisationId, entry.userId, entry.added, entry.addedBy);
    return entry;
  }
  async removeCareTeamMember(patientId: string, memberId: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM care_team_members WHERE patient_id = ? AND id = ?').run(patientId, memberId)
        .changes > 0
    );
  }
  async listCareTeam(patientId: string): Promise<CareTeamEntry[]> {
    return (this.s.careTeam.all(patientId) as Row[]).map(toCareTeam);
  }

  async appendUpdates(updates: NewPlanUpdate[], filed?: FiledRows): Promise<number[]> {
    return this.appendUpdatesSync(updates, filed);
  }

  /** One transaction for the whole batch (and the rows of results filed with it): the group commit of one event-loop turn. */
  appendUpdatesSync(updates: NewPlanUpdate[], filed?: FiledRows): number[] {
    this.authorsInCommit = [];
    let seqs: number[];
    // IMMEDIATE: several processes may share the file (nodes of one deployment in tests); a
    // deferred transaction that read max(seq) would fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
    try {
      seqs = this.appendTxn.immediate(updates, filed);
    } catch (err) {
      for (const w of this.authorsInCommit) w.reject(err as Error);
      throw err;
    }
    for (const w of this.authorsInCommit) w.resolve();
    return seqs;
  }

  /** The group commit's transaction, built once (better-sqlite3 wraps it in BEGIN/COMMIT per call). */
  private get appendTxn(): Database.Transaction<(batch: NewPlanUpdate[], filed?: FiledRows) => number[]> {
    this.appendTxnCache ??= this.db.transaction((batch: NewPlanUpdate[], filed?: FiledRows) => {
      const s = this.s;
      if (this.pendingAuthors.length > 0) this.authorsInCommit = this.writePendingAuthors();
      if (filed) this.results.writeFiled(filed);
      const next = new Map<string, number>();
      const seqs: number[] = [];
      for (const u of batch) {
        let seq = next.get(u.planId);
        if (seq === undefined) seq = (s.maxSeq.get(u.planId) as number) + 1;
        s.insertUpdate.run(u.planId, seq, u.author, u.origin, u.time, u.update, (u.sections ?? []).join(','));
        next.set(u.planId, seq + 1);
        seqs.push(seq);
      }
      return seqs;
    });
    return this.appendTxnCache;
  }

  async loadPlanState(planId: string): Promise<StoredPlanState> {
    const read = this.db.transaction(() => {
      const c = this.s.latestCheckpoint.get(planId) as Row | undefined;
      const checkpoint: Checkpoint | null = c
        ? {
            planId,
            seq: c.seq as number,
            state: new Uint8Array(c.state as Buffer),
            snapshot: c.snapshot === null ? null : new Uint8Array(c.snapshot as Buffer),
            time: c.time as string,
          }
        : null;
      const tail = (this.s.updatesAfter.all(planId, checkpoint?.seq ?? 0) as Row[]).map(toUpdate);
      return { checkpoint, tail };
    });
    return read();
  }

  async listUpdates(planId: string, opts: { until?: string; afterSeq?: number } = {}): Promise<PlanUpdate[]> {
    const after = opts.afterSeq ?? 0;
    const rows = opts.until
      ? this.s.updatesUntil.all(planId, after, opts.until)
      : this.s.updatesAfter.all(planId, after);
    return (rows as Row[]).map(toUpdate);
  }

  async writeCheckpoint(c: Checkpoint): Promise<void> {
    // Only the latest is ever read: the ones it supersedes go (a plan keeps one copy of its state).
    this.withoutOwnSync(() =>
      this.db.transaction(() => {
        this.s.insertCheckpoint.run(c.planId, c.seq, c.state, c.snapshot ?? null, c.time);
        this.s.deleteOlderCheckpoints.run(c.planId, c.seq);
      })(),
    );
  }

  /**
   * Commits `write` without an fsync of its own (synchronous=NORMAL for this one commit): for
   * what the log rebuilds (a plan's checkpoint, Overblik's summaries), so a filed result or a
   * plan left behind costs one fsync, not two. The write-ahead log is written in order and
   * each FULL commit's fsync covers everything before it, so the next stored update makes it
   * durable; a power cut before that loses only this write, never an update, and never leaves
   * a later commit without it.
   */
  private withoutOwnSync<T>(write: () => T): T {
    if (this.synchronous !== 'FULL') return write();
    this.db.pragma('synchronous = NORMAL');
    try {
      return write();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  async latestSeq(planId: string): Promise<number> {
    return this.s.maxSeq.get(planId) as number;
  }

  /**
   * Queued and written inside the next group commit's transaction (the room records a new
   * Yjs client id just before appending that client's first update, in the same turn), so
   * a session's first edit costs one commit, not two; at the end of the turn at the latest.
   */
  recordClientAuthors(planId: string, authors: { clientId: number; userId: string }[]): Promise<void> {
    return new Promise((resolve, reject) => {
      for (const a of authors) this.pendingAuthors.push({ planId, ...a });
      this.authorWaiters.push({ resolve, reject });
      if (this.authorWaiters.length === 1) {
        setImmediate(() => {
          if (this.pendingAuthors.length === 0) return;
          let written: AuthorWaiter[] = [];
          try {
            this.db.transaction(() => (written = this.writePendingAuthors()))();
          } catch (err) {
            for (const w of written.length > 0 ? written : this.takeAuthorWaiters()) w.reject(err as Error);
            return;
          }
          for (const w of written) w.resolve();
        });
      }
    });
  }

  /** Inside a transaction: writes the queued client authors; returns whom to tell once it commits. */
  private writePendingAuthors(): AuthorWaiter[] {
    const s = this.s;
    for (const a of this.pendingAuthors) s.insertClientAuthor.run(a.planId, a.clientId, a.userId);
    return this.takeAuthorWaiters();
  }

  private takeAuthorWaiters(): AuthorWaiter[] {
    this.pendingAuthors = [];
    const waiters = this.authorWaiters;
    this.authorWaiters = [];
    return waiters;
  }

  async listClientAuthors(planId: string): Promise<ClientAuthor[]> {
    const rows = this.s.clientAuthors.all(planId) as Row[];
    return rows.map((r) => ({
      clientId: r.client_id as number,
      userId: r.user_id as string,
      name: (r.name as string | null) ?? null,
    }));
  }

  async appendAudit(entries: AuditEntryInput[]): Promise<void> {
    // IMMEDIATE: another process (the `carehub` CLI beside a running hub) may append too; the
    // head must be read under the write lock, or extending it fails as a stale snapshot.
    this.db.transaction(() => appendAuditInTransaction(this.db, entries)).immediate();
  }

  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    if (q.patientId)
      where.push('(patient_id = @patientId OR plan_id IN (SELECT id FROM plans WHERE patient_id = @patientId))');
    if (q.from) where.push('time >= @from');
    if (q.to) where.push('time <= @to');
    if (q.notActor) where.push('actor_id IS NOT NULL AND actor_id <> @notActor');
    if (q.beforeSeq !== undefined) where.push('seq < @beforeSeq');
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all({
      patientId: q.patientId,
      from: q.from,
      to: q.to,
      notActor: q.notActor,
      beforeSeq: q.beforeSeq,
      limit: q.limit,
    }) as Row[];
    return rows.map(toAuditEntry);
  }

  async readAuditChain(afterSeq: number | null, limit: number): Promise<AuditChainRow[]> {
    const rows = (
      afterSeq === null
        ? this.db.prepare('SELECT * FROM audit_log ORDER BY seq LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit)
    ) as Row[];
    return rows.map(toAuditChainRow);
  }
}

/** A write that would give a second organisation the same SOR code throws DuplicateSorError. */
function uniqueSor<T>(write: () => T): T {
  try {
    return write();
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && /organisations\.sor/.test(String(err)))
      throw new DuplicateSorError();
    throw err;
  }
}
