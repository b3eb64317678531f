import type Database from 'better-sqlite3';
import type { Row } from '../rows.ts';
import type { PlanSummaryStore, SectionChange, StoredPlanSummary, SummaryBatch } from '../summary-store.ts';

/** Overblik's plan summaries and section changes in the SQLite store. */
export class SqliteSummaryStore implements PlanSummaryStore {
  private stmts: ReturnType<SqliteSummaryStore['prepare']> | null = null;

  constructor(
    private readonly db: Database.Database,
    /** Commits what the log rebuilds without an fsync of its own (SqliteStore.withoutOwnSync). */
    private readonly derived: <T>(write: () => T) => T = (write) => write(),
  ) {}

  /** Prepared once, after the migrations created the tables: Overblik reads these on every request. */
  private get s(): ReturnType<SqliteSummaryStore['prepare']> {
    this.stmts ??= this.prepare();
    return this.stmts;
  }

  private prepare() {
    const db = this.db;
    return {
      summaries: db.prepare(
        'SELECT plan_id, seq, summary FROM plan_summaries WHERE plan_id IN (SELECT value FROM json_each(?))',
      ),
      seqs: db.prepare('SELECT plan_id, seq FROM plan_summaries WHERE plan_id IN (SELECT value FROM json_each(?))'),
      changes: db.prepare(
        `SELECT plan_id, author, section, seq, time FROM plan_section_changes
         WHERE plan_id IN (SELECT value FROM json_each(?))`,
      ),
      putSummary: db.prepare(
        `INSERT INTO plan_summaries (plan_id, seq, summary) VALUES (?, ?, ?)
         ON CONFLICT (plan_id) DO UPDATE SET seq = excluded.seq, summary = excluded.summary WHERE excluded.seq > plan_summaries.seq`,
      ),
      putChange: db.prepare(
        `INSERT INTO plan_section_changes (plan_id, author, section, seq, time) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (plan_id, author, section) DO UPDATE SET seq = excluded.seq, time = excluded.time
         WHERE excluded.seq > plan_section_changes.seq`,
      ),
      head: db.prepare('SELECT COALESCE(MAX(seq), 0) FROM plan_updates WHERE plan_id = ?').pluck(),
    };
  }

  async getSummaries(planIds: string[]): Promise<Map<string, StoredPlanSummary>> {
    if (planIds.length === 0) return new Map();
    const rows = this.s.summaries.all(JSON.stringify(planIds)) as Row[];
    return new Map(rows.map((r) => [r.plan_id as string, { seq: Number(r.seq), summary: r.summary as string }]));
  }
  async summarySeqs(planIds: string[]): Promise<Map<string, number>> {
    if (planIds.length === 0) return new Map();
    const rows = this.s.seqs.all(JSON.stringify(planIds)) as Row[];
    return new Map(rows.map((r) => [r.plan_id as string, Number(r.seq)]));
  }
  async keepSummaries(batch: SummaryBatch): Promise<void> {
    if (batch.summaries.length === 0 && batch.changes.length === 0) return;
    const s = this.s;
    this.derived(() =>
      this.db.transaction(() => {
        for (const c of batch.changes) s.putChange.run(c.planId, c.author, c.section, c.seq, c.time);
        for (const k of batch.summaries) s.putSummary.run(k.planId, k.seq, k.summary);
      })(),
    );
  }
  async listSectionChanges(planIds: string[]): Promise<SectionChange[]> {
    if (planIds.length === 0) return [];
    const rows = this.s.changes.all(JSON.stringify(planIds)) as Row[];
    return rows.map((r) => ({
      planId: r.plan_id as string,
      author: r.author as string,
      section: r.section as string,
      seq: Number(r.seq),
      time: r.time as string,
    }));
  }
  async headSeqs(planIds: string[]): Promise<Map<string, number>> {
    return new Map(planIds.map((id) => [id, Number(this.s.head.get(id))]));
  }
}
