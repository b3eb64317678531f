import { Language } from '../../../shared/language.ts';
import type { PersonalStore, PlanView } from '../personal-store.ts';
import type { Db } from './postgres-db.ts';

/** Plans seen and chosen languages in the PostgreSQL store. */
export class PostgresPersonalStore implements PersonalStore {
  constructor(private readonly db: Db) {}

  async markPlanSeen(userId: string, planId: string, view: PlanView): Promise<void> {
    await this.db.rows(
      `INSERT INTO plan_views (user_id, plan_id, seq, seen) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, plan_id) DO UPDATE SET seen = excluded.seen, seq = GREATEST(plan_views.seq, excluded.seq)
       WHERE excluded.seen > plan_views.seen`,
      [userId, planId, view.seq, view.time],
    );
  }
  async listPlanViews(userId: string): Promise<Map<string, PlanView>> {
    const rows = await this.db.rows('SELECT plan_id, seq, seen FROM plan_views WHERE user_id = $1', [userId]);
    return new Map(rows.map((r) => [r.plan_id as string, { time: r.seen as string, seq: Number(r.seq) }]));
  }
  async getLanguage(userId: string): Promise<Language | null> {
    const r = await this.db.one('SELECT language FROM user_settings WHERE user_id = $1', [userId]);
    const language = Language.safeParse(r?.language);
    return language.success ? language.data : null;
  }
  async setLanguage(userId: string, language: Language): Promise<void> {
    await this.db.rows(
      `INSERT INTO user_settings (user_id, language) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET language = excluded.language`,
      [userId, language],
    );
  }
}
