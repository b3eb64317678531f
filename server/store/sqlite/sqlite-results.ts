import type Database from 'better-sqlite3';
import type {
  ApiKeyRecord,
  FiledRows,
  HeldResult,
  ResolvedNotification,
  ResultEvent,
  ResultStore,
  StoredNotification,
  StoredResult,
} from '../result-store.ts';
import type { AuditEntryInput } from '../records.ts';
import { appendAuditInTransaction } from './sqlite-audit.ts';
import { toApiKey, toHeldResult, toNotification, toResult, type Row } from '../rows.ts';

/** The result tables of the SQLite store. */
export class SqliteResultStore implements ResultStore {
  private stmts: ReturnType<SqliteResultStore['prepare']> | null = null;

  constructor(private readonly db: Database.Database) {}

  /** The statements of the filing path, prepared once (after the migrations created the tables). */
  private get s(): ReturnType<SqliteResultStore['prepare']> {
    this.stmts ??= this.prepare();
    return this.stmts;
  }

  private prepare() {
    const db = this.db;
    return {
      apiKey: db.prepare('SELECT * FROM api_keys WHERE id = ?'),
      latestVersion: db.prepare(
        'SELECT * FROM results WHERE source_system = ? AND identifier = ? ORDER BY version DESC LIMIT 1',
      ),
      insertResult: db.prepare(
        `INSERT INTO results (id, source_system, identifier, version, patient_id, result_id, payload_hash, body, filed, critical, release_at, plans)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertHeld: db.prepare(
        `INSERT INTO held_results (id, held_id, source_system, identifier, version, payload_hash, body, received)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      resultById: db.prepare('SELECT * FROM results WHERE result_id = ? ORDER BY version DESC LIMIT 1'),
      insertNotification: db.prepare(
        'INSERT INTO notifications (id, user_id, plan_id, kind, params, severity, created, seen) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)',
      ),
      linkNotification: db.prepare(
        'INSERT OR IGNORE INTO notification_results (notification_id, result_id) VALUES (?, ?)',
      ),
      resolve: db.prepare(
        `UPDATE notifications SET resolved = ? WHERE resolved IS NULL
           AND id IN (SELECT notification_id FROM notification_results WHERE result_id = ?)
           AND NOT EXISTS (SELECT 1 FROM notification_results nr WHERE nr.notification_id = notifications.id
             AND NOT EXISTS (SELECT 1 FROM result_events e WHERE e.result_id = nr.result_id AND e.kind = 'acknowledged'
               AND e.version = COALESCE((SELECT MAX(v.version) FROM results v WHERE v.result_id = nr.result_id), e.version)))
         RETURNING id, user_id`,
      ),
    };
  }

  async createApiKey(k: Omit<ApiKeyRecord, 'revoked'>): Promise<void> {
    this.db
      .prepare('INSERT INTO api_keys (id, system, key_hash, scope, organisation_id, created) VALUES (?, ?, ?, ?, ?, ?)')
      .run(k.id, k.system, k.keyHash, k.scope, k.organisationId, k.created);
  }
  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    const r = this.s.apiKey.get(id) as Row | undefined;
    return r ? toApiKey(r) : null;
  }
  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (this.db.prepare('SELECT * FROM api_keys ORDER BY created').all() as Row[]).map(toApiKey);
  }
  async revokeApiKey(id: string): Promise<boolean> {
    return (
      this.db
        .prepare('UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL')
        .run(new Date().toISOString(), id).changes > 0
    );
  }

  async latestResultVersion(sourceSystem: string, identifier: string): Promise<StoredResult | null> {
    const r = this.s.latestVersion.get(sourceSystem, identifier) as Row | undefined;
    return r ? toResult(r) : null;
  }
  async insertResultVersions(rows: StoredResult[], audit: AuditEntryInput[] = []): Promise<void> {
    this.db.transaction(() => this.writeFiled({ versions: rows, held: [], audit }))();
  }
  /**
   * Inside a transaction: the rows of a filed batch with their audit entries (the group
   * commit writes them with the plan updates they cause, sqlite-store.ts).
   */
  writeFiled(filed: FiledRows): void {
    if (!this.db.inTransaction) throw new Error('writeFiled: not inside a transaction');
    const insert = this.s.insertResult;
    for (const r of filed.versions) {
      insert.run(
        r.id,
        r.sourceSystem,
        r.identifier,
        r.version,
        r.patientId,
        r.resultId,
        r.payloadHash,
        JSON.stringify(r.result),
        r.filed,
        r.critical ? 1 : 0,
        r.releaseAt,
        JSON.stringify(r.plans),
      );
    }
    const held = this.s.insertHeld;
    for (const r of filed.held)
      held.run(
        r.id,
        r.heldId,
        r.sourceSystem,
        r.identifier,
        r.version,
        r.payloadHash,
        JSON.stringify(r.result),
        r.received,
      );
    if (filed.audit.length > 0) appendAuditInTransaction(this.db, filed.audit);
  }
  async latestHeldResult(sourceSystem: string, identifier: string): Promise<HeldResult | null> {
    const r = this.db
      .prepare('SELECT * FROM held_results WHERE source_system = ? AND identifier = ? ORDER BY version DESC LIMIT 1')
      .get(sourceSystem, identifier) as Row | undefined;
    return r ? toHeldResult(r) : null;
  }
  async insertHeldResults(rows: HeldResult[], audit: AuditEntryInput[] = []): Promise<void> {
    this.db.transaction(() => this.writeFiled({ versions: [], held: rows, audit }))();
  }
  async listHeldResults(limit: number): Promise<HeldResult[]> {
    return (this.db.prepare('SELECT * FROM held_results ORDER BY received DESC, id LIMIT ?').all(limit) as Row[]).map(
      toHeldResult,
    );
  }
  async getResult(resultId: string): Promise<StoredResult | null> {
    const r = this.s.resultById.get(resultId) as Row | undefined;
    return r ? toResult(r) : null;
  }
  async addResultEvent(e: ResultEvent): Promise<boolean> {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO result_events (result_id, version, kind, user_id, time) VALUES (?, ?, ?, ?, ?)')
        .run(e.resultId, e.version, e.kind, e.userId, e.time).changes > 0
    );
  }
  async listResultEvents(resultId: string): Promise<ResultEvent[]> {
    const rows = this.db
      .prepare('SELECT * FROM result_events WHERE result_id = ? ORDER BY time')
      .all(resultId) as Row[];
    return rows.map((r) => ({
      resultId: r.result_id as string,
      version: Number(r.version),
      kind: r.kind as ResultEvent['kind'],
      userId: (r.user_id as string | null) ?? null,
      time: r.time as string,
    }));
  }
  async listCriticalToEscalate(filedBefore: string): Promise<StoredResult[]> {
    const rows = this.db
      .prepare(
        `SELECT r.* FROM results r WHERE r.critical = 1 AND r.filed <= ?
           AND r.version = (SELECT MAX(x.version) FROM results x WHERE x.result_id = r.result_id)
           AND NOT EXISTS (SELECT 1 FROM result_events e WHERE e.result_id = r.result_id AND e.version = r.version
                             AND e.kind IN ('acknowledged', 'escalated'))`,
      )
      .all(filedBefore) as Row[];
    return rows.map(toResult);
  }

  async createNotifications(rows: StoredNotification[]): Promise<void> {
    if (rows.length === 0) return;
    const { insertNotification: insert, linkNotification: link } = this.s;
    this.db.transaction(() => {
      for (const n of rows) {
        insert.run(n.id, n.userId, n.planId, n.kind, JSON.stringify(n.params), n.severity, n.created);
        for (const resultId of n.resultIds ?? []) link.run(n.id, resultId);
      }
    })();
  }
  async listUnseenNotifications(userId: string): Promise<StoredNotification[]> {
    return (
      this.db
        .prepare('SELECT * FROM notifications WHERE user_id = ? AND seen IS NULL AND resolved IS NULL ORDER BY created')
        .all(userId) as Row[]
    ).map(toNotification);
  }
  async resolveAcknowledgedNotifications(resultIds: string[], time: string): Promise<ResolvedNotification[]> {
    const resolve = this.s.resolve;
    return this.db.transaction(() =>
      resultIds.flatMap((resultId) =>
        (resolve.all(time, resultId) as Row[]).map((r) => ({ id: r.id as string, userId: r.user_id as string })),
      ),
    )();
  }
  async listUnacknowledgedCritical(patientIds: string[]): Promise<StoredResult[]> {
    if (patientIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT r.* FROM results r WHERE r.patient_id IN (SELECT value FROM json_each(?)) AND r.critical = 1
           AND r.version = (SELECT MAX(v.version) FROM results v WHERE v.source_system = r.source_system AND v.identifier = r.identifier)
           AND NOT EXISTS (SELECT 1 FROM result_events e WHERE e.result_id = r.result_id AND e.kind = 'acknowledged' AND e.version = r.version)
         ORDER BY r.filed`,
      )
      .all(JSON.stringify(patientIds)) as Row[];
    return rows.map(toResult);
  }
  async listResultsFiledSince(patientId: string, since: string, limit: number): Promise<StoredResult[]> {
    const rows = this.db
      .prepare('SELECT * FROM results WHERE patient_id = ? AND filed > ? ORDER BY filed DESC LIMIT ?')
      .all(patientId, since, limit) as Row[];
    return rows.map(toResult);
  }
  async markNotificationsSeen(userId: string, ids: string[], time: string): Promise<number> {
    const mark = this.db.prepare('UPDATE notifications SET seen = ? WHERE user_id = ? AND id = ? AND seen IS NULL');
    return this.db.transaction(() => ids.reduce((n, id) => n + mark.run(time, userId, id).changes, 0))();
  }
}
