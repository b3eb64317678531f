import type { PlanSummaryStore, SectionChange, StoredPlanSummary, SummaryBatch } from '../summary-store.ts';
import type { Db } from './postgres-db.ts';

/** Overblik's plan summaries and section changes in the PostgreSQL store. */
export class PostgresSummaryStore implements PlanSummaryStore {
  constructor(private readonly db: Db) {}

  async getSummaries(planIds: string[]): Promise<Map<string, StoredPlanSummary>> {
    if (planIds.length === 0) return new Map();
    const rows = await this.db.rows('SELECT plan_id, seq, summary FROM plan_summaries WHERE plan_id = ANY($1)', [
      planIds,
    ]);
    return new Map(rows.map((r) => [r.plan_id as string, { seq: Number(r.seq), summary: r.summary as string }]));
  }
  async summarySeqs(planIds: string[]): Promise<Map<string, number>> {
    if (planIds.length === 0) return new Map();
    const rows = await this.db.rows('SELECT plan_id, seq FROM plan_summaries WHERE plan_id = ANY($1)', [planIds]);
    return new Map(rows.map((r) => [r.plan_id as string, Number(r.seq)]));
  }
  async keepSummaries(batch: SummaryBatch): Promise<void> {
    if (batch.summaries.length === 0 && batch.changes.length === 0) return;
    // One row per key: a batch naming a key twice keeps its latest (ON CONFLICT may not touch a row twice).
    const changes = new Map<string, SectionChange>();
    for (const c of batch.changes) {
      const key = `${c.planId}\u0000${c.author}\u0000${c.section}`;
      if ((changes.get(key)?.seq ?? -1) < c.seq) changes.set(key, c);
    }
    const summaries = new Map<string, SummaryBatch['summaries'][number]>();
    for (const k of batch.summaries) if ((summaries.get(k.planId)?.seq ?? -1) < k.seq) summaries.set(k.planId, k);
    const c = [...changes.values()];
    const k = [...summaries.values()];
    // One statement, so one transaction: both tables or neither.
    await this.db.rows(
      `WITH changes AS (
         INSERT INTO plan_section_changes (plan_id, author, section, seq, time)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
         ON CONFLICT (plan_id, author, section) DO UPDATE SET seq = excluded.seq, time = excluded.time
         WHERE excluded.seq > plan_section_changes.seq
         RETURNING 1
       ), summaries AS (
         INSERT INTO plan_summaries (plan_id, seq, summary)
         SELECT * FROM unnest($6::text[], $7::bigint[], $8::text[])
         ON CONFLICT (plan_id) DO UPDATE SET seq = excluded.seq, summary = excluded.summary
         WHERE excluded.seq > plan_summaries.seq
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM changes) AS changes, (SELECT count(*) FROM summaries) AS summaries`,
      [
        c.map((x) => x.planId),
        c.map((x) => x.author),
        c.map((x) => x.section),
        c.map((x) => x.seq),
        c.map((x) => x.time),
        k.map((x) => x.planId),
        k.map((x) => x.seq),
        k.map((x) => x.summary),
      ],
    );
  }
  async listSectionChanges(planIds: string[]): Promise<SectionChange[]> {
    if (planIds.length === 0) return [];
    const rows = await this.db.rows(
      'SELECT plan_id, author, section, seq, time FROM plan_section_changes WHERE plan_id = ANY($1)',
      [planIds],
    );
    return rows.map((r) => ({
      planId: r.plan_id as string,
      author: r.author as string,
      section: r.section as string,
      seq: Number(r.seq),
      time: r.time as string,
    }));
  }
  async headSeqs(planIds: string[]): Promise<Map<string, number>> {
    const heads = new Map(planIds.map((id) => [id, 0]));
    if (planIds.length === 0) return heads;
    const rows = await this.db.rows('SELECT plan_id, last_seq FROM plan_seqs WHERE plan_id = ANY($1)', [planIds]);
    for (const r of rows) heads.set(r.plan_id as string, Number(r.last_seq));
    return heads;
  }
}
