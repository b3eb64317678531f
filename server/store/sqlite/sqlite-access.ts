import type Database from 'better-sqlite3';
import type { AccessStore, BreakGlassGrant, EmbedLink, Objection } from '../access-store.ts';
import { str, toEmbedLink, toGrant, type Row } from '../rows.ts';

/** The access tables of the SQLite store. */
export class SqliteAccessStore implements AccessStore {
  constructor(private readonly db: Database.Database) {}

  async addObjection(o: Objection): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO objections (id, patient_id, organisation_id, user_id, created, withdrawn) VALUES (?, ?, ?, ?, ?, NULL)',
      )
      .run(o.id, o.patientId, o.organisationId, o.userId, o.created);
  }
  async listObjections(patientId: string): Promise<Objection[]> {
    const rows = this.db
      .prepare('SELECT * FROM objections WHERE patient_id = ? AND withdrawn IS NULL ORDER BY created')
      .all(patientId) as Row[];
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
      this.db
        .prepare('UPDATE objections SET withdrawn = ? WHERE patient_id = ? AND id = ? AND withdrawn IS NULL')
        .run(time, patientId, id).changes > 0
    );
  }

  async addBreakGlass(g: BreakGlassGrant): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO break_glass (id, user_id, patient_id, plan_id, reason, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(g.id, g.userId, g.patientId, g.planId, g.reason, g.created, g.expires);
  }
  async activeBreakGlass(userId: string, patientId: string, now: string): Promise<BreakGlassGrant | null> {
    const r = this.db
      .prepare(
        'SELECT * FROM break_glass WHERE user_id = ? AND patient_id = ? AND expires > ? ORDER BY expires DESC LIMIT 1',
      )
      .get(userId, patientId, now) as Row | undefined;
    return r ? toGrant(r) : null;
  }

  async activeBreakGlassOf(userId: string, now: string): Promise<BreakGlassGrant[]> {
    const rows = this.db
      .prepare('SELECT * FROM break_glass WHERE user_id = ? AND expires > ? ORDER BY expires')
      .all(userId, now) as Row[];
    return rows.map(toGrant);
  }

  async addEmbedLink(l: EmbedLink): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO embed_links (id, plan_id, access, created_by, created_by_system, created_by_key, acts_as, created, expires, revoked, smart_client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)',
      )
      .run(
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
      );
  }
  async getEmbedLink(id: string): Promise<EmbedLink | null> {
    const r = this.db.prepare('SELECT * FROM embed_links WHERE id = ?').get(id) as Row | undefined;
    return r ? toEmbedLink(r) : null;
  }
  async revokeEmbedLinksOfSmartClient(smartClientId: string, time: string): Promise<string[]> {
    return this.db
      .transaction(() => {
        const plans = this.db
          .prepare('SELECT DISTINCT plan_id FROM embed_links WHERE smart_client_id = ? AND revoked IS NULL')
          .pluck()
          .all(smartClientId) as string[];
        this.db
          .prepare('UPDATE embed_links SET revoked = ? WHERE smart_client_id = ? AND revoked IS NULL')
          .run(time, smartClientId);
        return plans;
      })
      .immediate();
  }
  async revokeEmbedLink(id: string, time: string): Promise<boolean> {
    return (
      this.db.prepare('UPDATE embed_links SET revoked = ? WHERE id = ? AND revoked IS NULL').run(time, id).changes > 0
    );
  }
}
