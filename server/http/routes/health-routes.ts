import { Router } from 'express';
import type { Store } from '../../store/store.ts';
import type { Metrics } from '../../observability/metrics.ts';

/** /healthz (the process answers), /readyz (the store, and Redis when configured, answer), /metrics (Prometheus). */
export function healthRoutes(store: Store, metrics: Metrics, redisPing?: () => Promise<void>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
    } catch {
      res.status(503).json({ error: { code: 'unavailable', message: 'the store does not answer' } });
      return;
    }
    if (redisPing) {
      try {
        await redisPing();
      } catch {
        res.status(503).json({ error: { code: 'unavailable', message: 'redis does not answer' } });
        return;
      }
    }
    res.json({ status: 'ready', store: store.kind, ...(redisPing ? { redis: 'ok' } : {}) });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
