import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PlanStatus } from '../../../shared/api.ts';
import { DuplicateSorError, type Store } from '../store.ts';
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
import { appendAudit, BEGIN_LOCK_READ_HEAD, listAudit, readAuditChain } from './postgres-audit.ts';
import { PostgresAccessStore } from './postgres-access.ts';
import { PostgresIdentityStore } from './postgres-identity.ts';
import { PostgresPersonalStore } from './postgres-personal.ts';
import { PostgresSummaryStore } from './postgres-summaries.ts';
import { PostgresMessageStore } from './postgres-messages.ts';
import { Db, toBuffer, type PostgresOptions } from './postgres-db.ts';
import { PostgresResultStore, writeFiled } from './postgres-results.ts';
import type { FiledRows } from '../result-store.ts';
import { bytesOf, str, type Row, toCareTeam, toOrganisation, toPatient, toPlan, toUpdate, toUser } from '../rows.ts';

const now = (): string => new Date().toISOString();

/**
 * The group commit in one statement, so one round trip and its own (implicit) transaction:
 * the batch's rows arrive as arrays; each plan's counter row in plan_seqs is bumped by the
 * number of its updates (INSERT … ON CONFLICT DO UPDATE … RETURNING), which holds that row's
 * lock until commit; each update gets its seq from the new counter, in the order given; all
 * rows are inserted. Another node appending to the same plan waits on the counter row and
 * then reads the committed value, so per plan the seqs are gap-free and commit in seq order.
 * Counter rows are locked in plan-id order (ORDER BY), so two batches that share several
 * plans cannot deadlock.
 */
const APPEND_UPDATES = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[])
    WITH ORDINALITY AS t(plan_id, author, origin, time, update_bytes, sections, ord)
), bumped AS (
  INSERT INTO plan_seqs AS s (plan_id, last_seq)
  SELECT plan_id, count(*) FROM input GROUP BY plan_id ORDER BY plan_id
  ON CONFLICT (plan_id) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
  RETURNING plan_id, last_seq
), inserted AS (
  INSERT INTO plan_updates (plan_id, seq, author, origin, time, update_bytes, sections)
  SELECT i.plan_id, b.last_seq - count(*) OVER w + row_number() OVER (w ORDER BY i.ord), i.author, i.origin, i.time, i.update_bytes, i.sections
  FROM input i JOIN bumped b ON b.plan_id = i.plan_id
  WINDOW w AS (PARTITION BY i.plan_id)
  RETURNING 1
)
SELECT plan_id, last_seq, (SELECT count(*) FROM inserted) AS inserted FROM bumped`;

/**
 * The shared store (DATABASE_URL=postgres://…), for one node or several: a connection pool;
 * plan logs and the audit chain safe to append to from several nodes at once.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly results: PostgresResultStore;
  readonly accessGrants: PostgresAccessStore;
  readonly identity: PostgresIdentityStore;
  readonly personal: PostgresPersonalStore;
  readonly summaries: PostgresSummaryStore;
  readonly messages: PostgresMessageStore;
  private readonly db: Db;
  private readonly log: Logger | undefined;

  constructor(url: string, opts: PostgresOptions = {}) {
    this.db = new Db(url, opts);
    this.log = opts.log;
    this.results = new PostgresResultStore(this.db);
    this.accessGrants = new PostgresAccessStore(this.db);
    this.identity = new PostgresIdentityStore(this.db);
    this.personal = new PostgresPersonalStore(this.db);
    this.summaries = new PostgresSummaryStore(this.db);
    this.messages = new PostgresMessageStore(this.db);
  }

  async migrate(): Promise<void> {
    await this.db.migrate(this.log);
  }
  async isEmpty(): Promise<boolean> {
    return (await this.db.one('SELECT NOT EXISTS (SELECT 1 FROM organisations) AS empty'))?.empty === true;
  }
  async ping(): Promise<void> {
    await this.db.rows('SELECT 1');
  }
  async close(): Promise<void> {
    await this.db.end();
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
    await uniqueSor(
      this.db.rows(
        'INSERT INTO organisations (id, name, sector, region, sor, ean, ydernummer) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [org.id, org.name, org.sector, org.region, org.sor, org.ean, org.ydernummer],
      ),
    );
    return org;
  }
  async getOrganisation(id: string): Promise<Organisation | null> {
    const r = await this.db.one('SELECT * FROM organisations WHERE id = $1', [id]);
    return r ? toOrganisation(r) : null;
  }
  async getOrganisationBySor(sor: string): Promise<Organisation | null> {
    const r = await this.db.one('SELECT * FROM organisations WHERE sor = $1', [sor]);
    return r ? toOrganisation(r) : null;
  }
  async updateOrganisationCodes(id: string, codes: OrganisationCodes): Promise<boolean> {
    const rows = await uniqueSor(
      this.db.rows('UPDATE organisations SET sor = $1, ean = $2, ydernummer = $3 WHERE id = $4 RETURNING id', [
        codes.sor,
        codes.ean,
        codes.ydernummer,
        id,
      ]),
    );
    return rows.length > 0;
  }
  async listOrganisations(): Promise<Organisation[]> {
    return (await this.db.rows('SELECT * FROM organisations ORDER BY name')).map(toOrganisation);
  }

  async createUser(u: NewUser): Promise<User> {
    const user: User = { ...u, id: u.id ?? randomUUID(), created: now(), disabled: null };
    await this.db.rows(
      'INSERT INTO users (id, username, name, role, organisation_id, patient_id, password_hash, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        user.id,
        user.username,
        user.name,
        user.role,
        user.organisationId,
        user.patientId,
        user.passwordHash,
        user.created,
      ],
    );
    return user;
  }
  async getUser(id: string): Promise<User | null> {
    const r = await this.db.one('SELECT * FROM users WHERE id = $1', [id]);
    return r ? toUser(r) : null;
  }
  async getUserByUsername(username: string): Promise<User | null> {
    const r = await this.db.one('SELECT * FROM users WHERE username = $1', [username]);
    return r ? toUser(r) : null;
  }
  async listUsersRelatedTo(q: {
    organisationIds: string[];
    userIds: string[];
    patientId: string | null;
  }): Promise<User[]> {
    const rows = await this.db.rows(
      `SELECT * FROM users WHERE organisation_id = ANY($1::text[]) OR id = ANY($2::text[]) OR ($3::text IS NOT NULL AND patient_id = $3)
       ORDER BY name`,
      [q.organisationIds, q.userIds, q.patientId],
    );
    return rows.map(toUser);
  }

  async createPatient(p: { cpr: string; name: string; id?: string }): Promise<Patient> {
    const patient = { id: p.id ?? randomUUID(), cpr: p.cpr, name: p.name, created: now() };
    await this.db.rows('INSERT INTO patients (id, cpr, name, created) VALUES ($1, $2, $3, $4)', [
      patient.id,
      patient.cpr,
      patient.name,
      patient.created,
    ]);
    return patient;
  }
  async getPatient(id: string): Promise<Patient | null> {
    const r = await this.db.one('SELECT * FROM patients WHERE id = $1', [id]);
    return r ? toPatient(r) : null;
  }
  async getPatientByCpr(cpr: string): Promise<Patient | null> {
    const r = await this.db.one('SELECT * FROM patients WHERE cpr = $1', [cpr]);
    return r ? toPatient(r) : null;
  }
  async listPatientsForStaff(userId: string, organisationId: string | null, query?: string): Promise<Patient[]> {
    const like = query ? `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    // ILIKE: SQLite's LIKE ignores case (for ASCII), and a search for "jensen" should find Jensen.
    const rows = await this.db.rows(
      `SELECT DISTINCT p.* FROM patients p JOIN care_team_members c ON c.patient_id = p.id
       WHERE (c.user_id = $1 OR ($2::text IS NOT NULL AND c.organisation_id = $2))
         AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.patient_id = p.id AND o.withdrawn IS NULL
                           AND (o.user_id = $1 OR ($2::text IS NOT NULL AND o.organisation_id = $2)))
         AND ($3::text IS NULL OR p.name ILIKE $3 ESCAPE '\\' OR p.cpr LIKE $3 ESCAPE '\\')
       ORDER BY p.name LIMIT 200`,
      [userId, organisationId, like],
    );
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
    await this.db.rows('INSERT INTO plans (id, patient_id, title, status, created) VALUES ($1, $2, $3, $4, $5)', [
      plan.id,
      plan.patientId,
      plan.title,
      plan.status,
      plan.created,
    ]);
    return plan;
  }
  async getPlan(id: string): Promise<Plan | null> {
    const r = await this.db.one('SELECT * FROM plans WHERE id = $1', [id]);
    return r ? toPlan(r) : null;
  }
  async listPlansForPatient(patientId: string): Promise<Plan[]> {
    return (await this.db.rows('SELECT * FROM plans WHERE patient_id = $1 ORDER BY created, id', [patientId])).map(
      toPlan,
    );
  }
  async updatePlanSummary(id: string, s: { title?: string; status?: PlanStatus }): Promise<void> {
    if (s.title === undefined && s.status === undefined) return;
    await this.db.rows('UPDATE plans SET title = COALESCE($2, title), status = COALESCE($3, status) WHERE id = $1', [
      id,
      s.title ?? null,
      s.status ?? null,
    ]);
  }

  async addCareTeamMember(m: Omit<CareTeamEntry, 'id' | 'added'>): Promise<CareTeamEntry> {
    const entry: CareTeamEntry = { ...m, id: randomUUID(), added: now() };
    await this.db.rows(
      'INSERT INTO care_team_members (id, patient_id, organisation_id, user_id, added, added_by) VALUES ($1, $2, $3, $4, $5, $6)',
      [entry.id, entry.patientId, entry.organisationId, entry.userId, entry.added, entry.addedBy],
    );
    return entry;
  }
  async removeCareTeamMember(patientId: string, memberId: string): Promise<boolean> {
    return (
      (await this.db.count('DELETE FROM care_team_members WHERE patient_id = $1 AND id = $2', [patientId, memberId])) >
      0
    );
  }
  async listCareTeam(patientId: string): Promise<CareTeamEntry[]> {
    return (
      await this.db.rows('SELECT * FROM care_team_members WHERE patient_id = $1 ORDER BY added, id', [patientId])
    ).map(toCareTeam);
  }

  async appendUpdates(updates: NewPlanUpdate[], filed?: FiledRows): Promise<number[]> {
    const params = [
      updates.map((u) => u.planId),
      updates.map((u) => u.author),
      updates.map((u) => u.origin),
      updates.map((u) => u.time),
      updates.map((u) => toBuffer(u.update)),
      updates.map((u) => (u.sections ?? []).join(',')),
    ];
    let rows: Row[] = [];
    const filedRows = filed && filed.versions.length + filed.held.length + filed.audit.length > 0 ? filed : null;
    if (!filedRows) {
      if (updates.length === 0) return [];
      rows = await this.db.rows(APPEND_UPDATES, params);
    } else {
      // Results filed with the updates they cause: one transaction (holding the audit chain's
      // lock when they are audited, postgres-audit.ts), so a failure leaves neither.
      await this.db.transaction(
        async (c, begun) => {
          await writeFiled(c, begun, filedRows);
          if (updates.length > 0) rows = (await c.query(APPEND_UPDATES, params)).rows as Row[];
        },
        filedRows.audit.length > 0 ? BEGIN_LOCK_READ_HEAD : 'BEGIN',
      );
      if (updates.length === 0) return [];
    }
    if (Number(rows[0]?.inserted) !== updates.length)
      throw new Error(`appendUpdates stored ${String(rows[0]?.inserted)} of ${updates.length} updates`);
    // Each plan's seqs run up to its new counter, in the order the updates were given.
    const next = new Map<string, number>();
    const counts = new Map<string, number>();
    for (const u of updates) counts.set(u.planId, (counts.get(u.planId) ?? 0) + 1);
    for (const r of rows) next.set(r.plan_id as string, Number(r.last_seq) - counts.get(r.plan_id as string)! + 1);
    return updates.map((u) => {
      const seq = next.get(u.planId)!;
      next.set(u.planId, seq + 1);
      return seq;
    });
  }

  async loadPlanState(planId: string): Promise<StoredPlanState> {
    // Two statements, no transaction needed: the log is append-only, so the tail read after
    // the checkpoint holds at least every update up to the checkpoint's seq and after it.
    const c = await this.db.one(
      'SELECT seq, state, snapshot, time FROM plan_checkpoints WHERE plan_id = $1 ORDER BY seq DESC LIMIT 1',
      [planId],
    );
    const checkpoint: Checkpoint | null = c
      ? {
          planId,
          seq: Number(c.seq),
          state: bytesOf(c.state),
          snapshot: c.snapshot === null ? null : bytesOf(c.snapshot),
          time: c.time as string,
        }
      : null;
    const tail = await this.listUpdates(planId, { afterSeq: checkpoint?.seq ?? 0 });
    return { checkpoint, tail };
  }

  async listUpdates(planId: string, opts: { until?: string; afterSeq?: number } = {}): Promise<PlanUpdate[]> {
    const after = opts.afterSeq ?? 0;
    const rows = opts.until
      ? await this.db.rows('SELECT * FROM plan_updates WHERE plan_id = $1 AND seq > $2 AND time <= $3 ORDER BY seq', [
          planId,
          after,
          opts.until,
        ])
      : await this.db.rows('SELECT * FROM plan_updates WHERE plan_id = $1 AND seq > $2 ORDER BY seq', [planId, after]);
    return rows.map(toUpdate);
  }

  async writeCheckpoint(c: Checkpoint): Promise<void> {
    // Only the latest is ever read: the ones it supersedes go (a plan keeps one copy of its state).
    await this.db.rows(
      `WITH written AS (
         INSERT INTO plan_checkpoints (plan_id, seq, state, snapshot, time) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING
       )
       DELETE FROM plan_checkpoints WHERE plan_id = $1 AND seq < $2`,
      [c.planId, c.seq, toBuffer(c.state), c.snapshot ? toBuffer(c.snapshot) : null, c.time],
    );
  }

  async latestSeq(planId: string): Promise<number> {
    const r = await this.db.one('SELECT last_seq FROM plan_seqs WHERE plan_id = $1', [planId]);
    return r ? Number(r.last_seq) : 0;
  }

  async recordClientAuthors(planId: string, authors: { clientId: number; userId: string }[]): Promise<void> {
    if (authors.length === 0) return;
    await this.db.rows(
      `INSERT INTO plan_client_authors (plan_id, client_id, user_id)
       SELECT $1, client_id, user_id FROM unnest($2::bigint[], $3::text[]) AS t(client_id, user_id) ON CONFLICT DO NOTHING`,
      [planId, authors.map((a) => a.clientId), authors.map((a) => a.userId)],
    );
  }

  async listClientAuthors(planId: string): Promise<ClientAuthor[]> {
    const rows = await this.db.rows(
      'SELECT a.client_id, a.user_id, u.name FROM plan_client_authors a LEFT JOIN users u ON u.id = a.user_id WHERE a.plan_id = $1',
      [planId],
    );
    return rows.map((r) => ({ clientId: Number(r.client_id), userId: r.user_id as string, name: str(r.name) }));
  }

  appendAudit(entries: AuditEntryInput[]): Promise<void> {
    return appendAudit(this.db, entries);
  }
  listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    return listAudit(this.db, q);
  }
  readAuditChain(afterSeq: number | null, limit: number): Promise<AuditChainRow[]> {
    return readAuditChain(this.db, afterSeq, limit);
  }

  /** The pool, for tests that reach past the interface (e.g. to try to change history). */
  get pool(): Db['pool'] {
    return this.db.pool;
  }
}

/** A write that would give a second organisation the same SOR code throws DuplicateSorError. */
async function uniqueSor<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'organisations_by_sor') throw new DuplicateSorError();
    throw err;
  }
}
