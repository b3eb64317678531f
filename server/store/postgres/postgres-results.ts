import type pg from 'pg';
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
import { BEGIN_LOCK_READ_HEAD, insertAuditEntries } from './postgres-audit.ts';
import { str, type Row } from '../rows.ts';
import type { Db } from './postgres-db.ts';
import { toApiKey, toHeldResult, toNotification, toResult } from '../rows.ts';

/**
 * Inside a transaction (begun with BEGIN_LOCK_READ_HEAD when `filed.audit` is not empty; `begun`
 * are its rows): the rows of a filed batch with their audit entries. The group commit writes
 * them with the plan updates they cause (postgres-store.ts). Each table is one multi-row statement.
 */
export async function writeFiled(c: pg.PoolClient, begun: Row[], filed: FiledRows): Promise<void> {
  const { versions, held, audit } = filed;
  if (versions.length > 0) {
    const col = <T>(f: (r: StoredResult) => T): T[] => versions.map(f);
    // body and plans as JSON text, as SQLite keeps them (see migrations/postgres/003_results.sql).
    await c.query(
      `INSERT INTO results (id, source_system, identifier, version, patient_id, result_id, payload_hash, body, filed, critical, release_at, plans)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[], $11::text[], $12::text[])`,
      [
        col((r) => r.id),
        col((r) => r.sourceSystem),
        col((r) => r.identifier),
        col((r) => r.version),
        col((r) => r.patientId),
        col((r) => r.resultId),
        col((r) => r.payloadHash),
        col((r) => JSON.stringify(r.result)),
        col((r) => r.filed),
        col((r) => r.critical),
        col((r) => r.releaseAt),
        col((r) => JSON.stringify(r.plans)),
      ],
    );
  }
  if (held.length > 0) {
    const col = <T>(f: (r: HeldResult) => T): T[] => held.map(f);
    await c.query(
      `INSERT INTO held_results (id, held_id, source_system, identifier, version, payload_hash, body, received)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[])`,
      [
        col((r) => r.id),
        col((r) => r.heldId),
        col((r) => r.sourceSystem),
        col((r) => r.identifier),
        col((r) => r.version),
        col((r) => r.payloadHash),
        col((r) => JSON.stringify(r.result)),
        col((r) => r.received),
      ],
    );
  }
  if (audit.length > 0) await insertAuditEntries(c, begun, audit);
}

/** The result tables of the PostgreSQL store. A batch is one multi-row statement: atomic, one round trip. */
export class PostgresResultStore implements ResultStore {
  constructor(private readonly db: Db) {}

  async createApiKey(k: Omit<ApiKeyRecord, 'revoked'>): Promise<void> {
    await this.db.rows(
      'INSERT INTO api_keys (id, system, key_hash, scope, organisation_id, created) VALUES ($1, $2, $3, $4, $5, $6)',
      [k.id, k.system, k.keyHash, k.scope, k.organisationId, k.created],
    );
  }
  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    const r = await this.db.one('SELECT * FROM api_keys WHERE id = $1', [id]);
    return r ? toApiKey(r) : null;
  }
  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.db.rows('SELECT * FROM api_keys ORDER BY created')).map(toApiKey);
  }
  async revokeApiKey(id: string): Promise<boolean> {
    return (
      (await this.db.count('UPDATE api_keys SET revoked = $1 WHERE id = $2 AND revoked IS NULL', [
        new Date().toISOString(),
        id,
      ])) > 0
    );
  }

  async latestResultVersion(sourceSystem: string, identifier: string): Promise<StoredResult | null> {
    const r = await this.db.one(
      'SELECT * FROM results WHERE source_system = $1 AND identifier = $2 ORDER BY version DESC LIMIT 1',
      [sourceSystem, identifier],
    );
    return r ? toResult(r) : null;
  }
  async insertResultVersions(rows: StoredResult[], audit: AuditEntryInput[] = []): Promise<void> {
    await this.storeFiled({ versions: rows, held: [], audit });
  }
  /** The rows of a filed batch in a transaction of their own (holding the audit chain's lock when audited). */
  private async storeFiled(filed: FiledRows): Promise<void> {
    if (filed.versions.length === 0 && filed.held.length === 0 && filed.audit.length === 0) return;
    await this.db.transaction(
      (c, begun) => writeFiled(c, begun, filed),
      filed.audit.length > 0 ? BEGIN_LOCK_READ_HEAD : 'BEGIN',
    );
  }
  async latestHeldResult(sourceSystem: string, identifier: string): Promise<HeldResult | null> {
    const r = await this.db.one(
      'SELECT * FROM held_results WHERE source_system = $1 AND identifier = $2 ORDER BY version DESC LIMIT 1',
      [sourceSystem, identifier],
    );
    return r ? toHeldResult(r) : null;
  }
  async insertHeldResults(rows: HeldResult[], audit: AuditEntryInput[] = []): Promise<void> {
    await this.storeFiled({ versions: [], held: rows, audit });
  }
  async listHeldResults(limit: number): Promise<HeldResult[]> {
    return (await this.db.rows('SELECT * FROM held_results ORDER BY received DESC, id LIMIT $1', [limit])).map(
      toHeldResult,
    );
  }
  async getResult(resultId: string): Promise<StoredResult | null> {
    const r = await this.db.one('SELECT * FROM results WHERE result_id = $1 ORDER BY version DESC LIMIT 1', [resultId]);
    return r ? toResult(r) : null;
  }
  async addResultEvent(e: ResultEvent): Promise<boolean> {
    return (
      (await this.db.count(
        'INSERT INTO result_events (result_id, version, kind, user_id, time) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [e.resultId, e.version, e.kind, e.userId, e.time],
      )) > 0
    );
  }
  async listResultEvents(resultId: string): Promise<ResultEvent[]> {
    const rows = await this.db.rows('SELECT * FROM result_events WHERE result_id = $1 ORDER BY time', [resultId]);
    return rows.map((r) => ({
      resultId: r.result_id as string,
      version: Number(r.version),
      kind: r.kind as ResultEvent['kind'],
      userId: str(r.user_id),
      time: r.time as string,
    }));
  }
  async listCriticalToEscalate(filedBefore: string): Promise<StoredResult[]> {
    const rows = await this.db.rows(
      `SELECT r.* FROM results r WHERE r.critical AND r.filed <= $1
         AND r.version = (SELECT MAX(x.version) FROM results x WHERE x.result_id = r.result_id)
         AND NOT EXISTS (SELECT 1 FROM result_events e WHERE e.result_id = r.result_id AND e.version = r.version
                           AND e.kind IN ('acknowledged', 'escalated'))`,
      [filedBefore],
    );
    return rows.map(toResult);
  }

  async createNotifications(rows: StoredNotification[]): Promise<void> {
    if (rows.length === 0) return;
    const links = rows.flatMap((n) => (n.resultIds ?? []).map((resultId) => [n.id, resultId] as const));
    // The notifications and the results they ask about, in one statement: both or neither.
    await this.db.rows(
      `WITH n AS (
         INSERT INTO notifications (id, user_id, plan_id, kind, params, severity, created, seen)
         SELECT *, NULL FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       )
       INSERT INTO notification_results (notification_id, result_id)
       SELECT * FROM unnest($8::text[], $9::text[]) ON CONFLICT DO NOTHING`,
      [
        rows.map((n) => n.id),
        rows.map((n) => n.userId),
        rows.map((n) => n.planId),
        rows.map((n) => n.kind),
        rows.map((n) => JSON.stringify(n.params)),
        rows.map((n) => n.severity),
        rows.map((n) => n.created),
        links.map(([id]) => id),
        links.map(([, resultId]) => resultId),
      ],
    );
  }
  async listUnseenNotifications(userId: string): Promise<StoredNotification[]> {
    return (
      await this.db.rows(
        'SELECT * FROM notifications WHERE user_id = $1 AND seen IS NULL AND resolved IS NULL ORDER BY created',
        [userId],
      )
    ).map(toNotification);
  }
  async resolveAcknowledgedNotifications(resultIds: string[], time: string): Promise<ResolvedNotification[]> {
    if (resultIds.length === 0) return [];
    const rows = await this.db.rows(
      `UPDATE notifications SET resolved = $1 WHERE resolved IS NULL
         AND id IN (SELECT notification_id FROM notification_results WHERE result_id = ANY($2::text[]))
         AND NOT EXISTS (SELECT 1 FROM notification_results nr WHERE nr.notification_id = notifications.id
           AND NOT EXISTS (SELECT 1 FROM result_events e WHERE e.result_id = nr.result_id AND e.kind = 'acknowledged'
               AND e.version = COALESCE((SELECT MAX(v.version) FROM results v WHERE v.result_id = nr.result_id), e.version)))
       RETURNING id, user_id`,
      [time, resultIds],
    );
    return rows.map((r) => ({ id: r.id as string, userId: r.user_id as string }));
  }
  async listUnacknowledgedCritical(patientIds: string[]): Promise<StoredResult[]> {
    if (patientIds.length === 0) return [];
    const rows = await this.db.rows(
      `SELECT r.* FROM results r WHERE r.patient_id = ANY($1::text[]) AND r.critical
         AND r.version = (SELECT MAX(v.version) FROM results v WHERE v.source_system = r.source_system AND v.identifier = r.identifier)
         AND NOT EXISTS (SELECT 1 FROM result_events e WHERE e.result_id = r.result_id AND e.kind = 'acknowledged' AND e.version = r.version)
       ORDER BY r.filed`,
      [patientIds],
    );
    return rows.map(toResult);
  }
  async listResultsFiledSince(patientId: string, since: string, limit: number): Promise<StoredResult[]> {
    const rows = await this.db.rows(
      'SELECT * FROM results WHERE patient_id = $1 AND filed > $2 ORDER BY filed DESC LIMIT $3',
      [patientId, since, limit],
    );
    return rows.map(toResult);
  }
  async markNotificationsSeen(userId: string, ids: string[], time: string): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.count(
      'UPDATE notifications SET seen = $1 WHERE user_id = $2 AND id = ANY($3::text[]) AND seen IS NULL',
      [time, userId, ids],
    );
  }
}
