import type Database from 'better-sqlite3';
import { Language } from '../../../shared/language.ts';
import type { PersonalStore, PlanView } from '../personal-store.ts';
import type { Row } from '../rows.ts';

/** Plans seen and chosen languages in the SQLite store. */
export class SqlitePersonalStore implements PersonalStore {
  constructor(private readonly db: Database.Database) {}

  async markPlanSeen(userId: string, planId: string, view: PlanView): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO plan_views (user_id, plan_id, seq, seen) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, plan_id) DO UPDATE SET seen = excluded.seen, seq = max(plan_views.seq, excluded.seq)
         WHERE excluded.seen > plan_views.seen`,
      )
      .run(userId, planId, view.seq, view.time);
  }
  async listPlanViews(userId: string): Promise<Map<string, PlanView>> {
    const rows = this.db.prepare('SELECT plan_id, seq, seen FROM plan_views WHERE user_id = ?').all(userId) as Row[];
    return new Map(rows.map((r) => [r.plan_id as string, { time: r.seen as string, seq: Number(r.seq) }]));
  }
  async getLanguage(userId: string): Promise<Language | null> {
    const r = this.db.prepare('SELECT language FROM user_settings WHERE user_id = ?').get(userId) as Row | undefined;
    const language = Language.safeParse(r?.language);
    return language.success ? language.data : null;
  }
  async setLanguage(userId: string, language: Language): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO user_settings (user_id, language) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET language = excluded.language',
      )
      .run(userId, language);
  }
}
