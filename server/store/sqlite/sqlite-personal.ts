import type Database from 'better-sqlite3';
import { Language } from '../../../shared/language.ts';
import type { PersonalStore } from '../personal-store.ts';
import type { Row } from '../rows.ts';

/** Plans seen and chosen languages in the SQLite store. */
export class SqlitePersonalStore implements PersonalStore {
  constructor(private readonly db: Database.Database) {}

  async markPlanSeen(userId: string, planId: string, time: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO plan_views (user_id, plan_id, seen) VALUES (?, ?, ?)
         ON CONFLICT (user_id, plan_id) DO UPDATE SET seen = excluded.seen WHERE excluded.seen > plan_views.seen`,
      )
      .run(userId, planId, time);
  }
  async listPlanViews(userId: string): Promise<Map<string, string>> {
    const rows = this.db.prepare('SELECT plan_id, seen FROM plan_views WHERE user_id = ?').all(userId) as Row[];
    return new Map(rows.map((r) => [r.plan_id as string, r.seen as string]));
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
