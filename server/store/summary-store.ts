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

/** What one write of Overblik's summaries holds: summaries of any number of plans, and section changes. */
export interface SummaryBatch {
  summaries: (StoredPlanSummary & { planId: string })[];
  changes: SectionChange[];
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
  /**
   * In one transaction (one commit, whatever the number of plans): keeps each summary as its
   * plan's unless the one stored was taken at that seq or a later one, and records the
   * section changes (a row moves only to a later seq; a batch naming a key twice keeps its latest).
   */
  keepSummaries(batch: SummaryBatch): Promise<void>;
  listSectionChanges(planIds: string[]): Promise<SectionChange[]>;
  /** The seq of each plan's last stored update (0: none), by plan id. */
  headSeqs(planIds: string[]): Promise<Map<string, number>>;
}
