import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics, one registry per server instance (tests run several in one process).
 * prom-client's default metrics come with it: process CPU and memory, and the event-loop lag
 * (`nodejs_eventloop_lag_seconds`, and its percentiles `nodejs_eventloop_lag_p99_seconds` …).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    connections: new Gauge({
      name: 'carehub_collab_connections',
      help: 'Open /collab WebSocket connections',
      registers: [registry],
    }),
    updatesApplied: new Counter({
      name: 'carehub_updates_applied_total',
      help: 'Plan updates persisted and broadcast',
      registers: [registry],
    }),
    // No label: section names in a refused update are the sender's, and a label per name would
    // let any client grow the series without bound. Sections are in the audit log.
    updatesRefused: new Counter({
      name: 'carehub_updates_refused_total',
      help: 'Client updates the permission check refused wholly or in part (the refused part reverted, never stored)',
      registers: [registry],
    }),
    // Fixed label values only (server/collab/collab-endpoint.ts CollabLimit, server/realtime/socket-limits.ts, results_rate, embed_session_rate).
    limitActions: new Counter({
      name: 'carehub_limit_actions_total',
      help: 'Limits that acted: connections refused over the per-user limit, slow readers dropped, awareness updates dropped, floods closed, result submissions and embed-link exchanges throttled',
      labelNames: ['limit', 'transport'] as const,
      registers: [registry],
    }),
    embedSessionInvalid: new Counter({
      name: 'carehub_embed_session_invalid_total',
      help: 'POST /embed/session with something that is not one of our embed links (garbage, a forgery, a malformed body): counted here, not audited',
      registers: [registry],
    }),
    resultsIngested: new Counter({
      name: 'carehub_results_ingested_total',
      help: 'Results and hospital notifications filed by lab, imaging and hospital systems (outcome: filed, or replay of one filed before)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    persistSeconds: new Histogram({
      name: 'carehub_persist_seconds',
      help: 'Time to commit one group of plan updates',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    persistBatchSize: new Histogram({
      name: 'carehub_persist_batch_size',
      help: 'Updates per group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 500],
      registers: [registry],
    }),
    fanoutSeconds: new Histogram({
      name: 'carehub_fanout_seconds',
      help: 'Time from applying an update to sending it to peers (includes the commit)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The gauges read from their owners at each scrape: registered once the owners (the plan
 * rooms, the Socket.IO server) exist, which themselves count into the metrics above.
 */
export function registerScrapedGauges(
  metrics: Pick<Metrics, 'registry'>,
  sources: { openPlans: () => number; realtimeConnections: () => number },
): void {
  new Gauge({
    name: 'carehub_open_plans',
    help: 'Plan documents loaded in memory',
    registers: [metrics.registry],
    collect() {
      this.set(sources.openPlans());
    },
  });
  new Gauge({
    name: 'carehub_realtime_connections',
    help: 'Open Socket.IO connections',
    registers: [metrics.registry],
    collect() {
      this.set(sources.realtimeConnections());
    },
  });
}

/** What one result submission filed, as a filing outcome reports it (server/results/result-filing.ts). */
interface FiledOutcome {
  ok: boolean;
  body?: { results: { replay: boolean }[] };
}

/** Counts the results of one submission's outcome: new ones as `filed`, repeated ones as `replay`. */
export function countResultsIngested(metrics: Pick<Metrics, 'resultsIngested'>, outcome: FiledOutcome): void {
  if (outcome.ok && outcome.body) {
    const replays = outcome.body.results.filter((r) => r.replay).length;
    const filed = outcome.body.results.length - replays;
    if (filed > 0) metrics.resultsIngested.inc({ outcome: 'filed' }, filed);
    if (replays > 0) metrics.resultsIngested.inc({ outcome: 'replay' }, replays);
  }
}
