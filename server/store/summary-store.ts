/** A plan's summary as stored: the seq it was taken at, and its body (server/worklist/plan-summary.ts). */
export interface StoredPlanSummary {
  seq: number;
  summary: string;
}

/** An author's last stored change of one section of a plan. */
export interface SectionChange {
  planId: string;
  author: string;
  section: string;
  seq: number;
  time: string;
}

/**
 * What Overblik reads instead of the plans' documents (part of the Store): per plan, a summary
 * of its document as of a seq, and each author's last change per section. Both only move forward.
 */
export interface PlanSummaryStore {
  /** The stored summaries of these plans, by plan id (plans without one are left out). */
  getSummaries(planIds: string[]): Promise<Map<string, StoredPlanSummary>>;
  /** The seqs the stored summaries of these plans were taken at, by plan id (without reading the summaries). */
  summarySeqs(planIds: string[]): Promise<Map<string, number>>;
  /** Keeps `summary` as the plan's unless the one stored was taken at this seq or a later one. */
  putSummary(planId: string, stored: StoredPlanSummary): Promise<void>;
  /** Records changes; a row moves only to a later seq. */
  recordSectionChanges(changes: SectionChange[]): Promise<void>;
  listSectionChanges(planIds: string[]): Promise<SectionChange[]>;
  /** The seq of each plan's last stored update (0: none), by plan id. */
  headSeqs(planIds: string[]): Promise<Map<string, number>>;
}
