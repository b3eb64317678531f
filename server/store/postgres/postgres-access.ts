import type { AccessStore, BreakGlassGrant, EmbedLink, Objection } from '../access-store.ts';
import { str } from '../rows.ts';
import type { Db } from './postgres-db.ts';
import { toEmbedLink, toGrant } from '../rows.ts';

/** The access tables of the PostgreSQL store. */
export class PostgresAccessStore implements AccessStore {
  constructor(private readonly db: Db) {}

  async addObjection(o: Objection): Promise<void> {
    await this.db.rows(
      'INSERT INTO objections (id, patient_id, organisation_id, user_id, created, withdrawn) VALUES ($1, $2, $3, $4, $5, NULL)',
      [o.id, o.patientId, o.organisationId, o.userId, o.created],
    );
  }
  async listObjections(patientId: string): Promise<Objection[]> {
    const rows = await this.db.rows(
      'SELECT * FROM objections WHERE patient_id = $1 AND withdrawn IS NULL ORDER BY created',
      [patientId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      patientId: r.patient_id as string,
      organisationId: str(r.organisation_id),
      userId: str(r.user_id),
      created: r.created as string,
      withdrawn: str(r.withdrawn),
    }));
  }
  async withdrawObjection(patientId: string, id: string, time: string): Promise<boolean> {
    return (
      (await this.db.count(
        'UPDATE objections SET withdrawn = $1 WHERE patient_id = $2 AND id = $3 AND withdrawn IS NULL',
        [time, patientId, id],
      )) > 0
    );
  }

  async addBreakGlass(g: BreakGlassGrant): Promise<void> {
    await this.db.rows(
      'INSERT INTO break_glass (id, user_id, patient_id, plan_id, reason, created, expires) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [g.id, g.userId, g.patientId, g.planId, g.reason, g.created, g.expires],
    );
  }
  async activeBreakGlass(userId: string, patientId: string, now: string): Promise<BreakGlassGrant | null> {
    const r = await this.db.one(
      'SELECT * FROM break_glass WHERE user_id = $1 AND patient_id = $2 AND expires > $3 ORDER BY expires DESC LIMIT 1',
      [userId, patientId, now],
    );
    return r ? toGrant(r) : null;
  }
  async activeBreakGlassOf(userId: string, now: string): Promise<BreakGlassGrant[]> {
    return (
      await this.db.rows('SELECT * FROM break_glass WHERE user_id = $1 AND expires > $2 ORDER BY expires', [
        userId,
        now,
      ])
    ).map(toGrant);
  }

  async addEmbedLink(l: EmbedLink): Promise<void> {
    await this.db.rows(
      'INSERT INTO embed_links (id, plan_id, access, created_by, created_by_system, created_by_key, acts_as, created, expires, revoked, smart_client_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)',
      [
        l.id,
        l.planId,
        l.access,
        l.createdBy,
        l.createdBySystem,
        l.createdByKey,
        l.actsAs,
        l.created,
        l.expires,
        l.smartClientId ?? null,
      ],
    );
  }
  async getEmbedLink(id: string): Promise<EmbedLink | null> {
    const r = await this.db.one('SELECT * FROM embed_links WHERE id = $1', [id]);
    return r ? toEmbedLink(r) : null;
  }
  async revokeEmbedLinksOfSmartClient(smartClientId: string, time: string): Promise<string[]> {
    const rows = await this.db.rows(
      'UPDATE embed_links SET revoked = $1 WHERE smart_client_id = $2 AND revoked IS NULL RETURNING plan_id',
      [time, smartClientId],
    );
    return [...new Set(rows.map((r) => r.plan_id as string))];
  }
  async revokeEmbedLink(id: string, time: string): Promise<boolean> {
    return (
      (await this.db.count('UPDATE embed_links SET revoked = $1 WHERE id = $2 AND revoked IS NULL', [time, id])) > 0
    );
  }
}
