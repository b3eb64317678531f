import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics, one registry per server instance (tests run several in one process). */
export function createMetrics(sources: { openPlans: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    connections: new Gauge({ name: 'carehub_collab_connections', help: 'Open /collab WebSocket connections', registers: [registry] }),
    openPlans: new Gauge({
      name: 'carehub_open_plans',
      help: 'Plan documents loaded in memory',
      registers: [registry],
      collect() {
        this.set(sources.openPlans());
      },
    }),
    updatesApplied: new Counter({ name: 'carehub_updates_applied_total', help: 'Plan updates persisted and broadcast', registers: [registry] }),
    persistSeconds: new Histogram({
      name: 'carehub_persist_seconds',
      help: 'Time to commit one group of plan updates',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    persistBatchSize: new Histogram({ name: 'carehub_persist_batch_size', help: 'Updates per group commit', buckets: [1, 2, 5, 10, 20, 50, 100, 500], registers: [registry] }),
    fanoutSeconds: new Histogram({
      name: 'carehub_fanout_seconds',
      help: 'Time from applying an update to sending it to peers (includes the commit)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
