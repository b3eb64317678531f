import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import pino, { type Logger } from 'pino';
import { API_PREFIX } from '../shared/api.ts';
import { CloseCode } from '../shared/protocol.ts';
import { AccessControl } from './auth/access.ts';
import { resolveSecret, TokenService } from './auth/tokens.ts';
import { AuditLog } from './audit/audit-log.ts';
import { CollabEndpoint } from './collab/collab-endpoint.ts';
import { PlanRooms } from './collab/plan-rooms.ts';
import type { Config } from './config.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import type { HttpDeps } from './http/http-deps.ts';
import { requestLog } from './http/request-log.ts';
import { auditRoutes } from './http/routes/audit-routes.ts';
import { authRoutes } from './http/routes/auth-routes.ts';
import { fhirRoutes } from './http/routes/fhir-routes.ts';
import { healthRoutes } from './http/routes/health-routes.ts';
import { patientRoutes } from './http/routes/patient-routes.ts';
import { planRoutes } from './http/routes/plan-routes.ts';
import { historyRoutes } from './http/routes/history-routes.ts';
import { resultRoutes } from './http/routes/result-routes.ts';
import { selfReportRoutes } from './http/routes/self-report-routes.ts';
import { accessRoutes } from './http/routes/access-routes.ts';
import { adminRoutes } from './http/routes/admin-routes.ts';
import { embedRoutes } from './http/routes/embed-routes.ts';
import { visitRoutes } from './http/routes/visit-routes.ts';
import { CareTeamNotifier } from './results/care-team-notifier.ts';
import { CriticalEscalation } from './results/critical-escalation.ts';
import type { ResultEvents } from './results/result-events.ts';
import { ResultFiling } from './results/result-filing.ts';
import { ResultNotifications } from './results/result-notifications.ts';
import { countResultsIngested, createMetrics, type Metrics } from './observability/metrics.ts';
import { citizenPlanChannel, createRealtime, embedPersonChannel, planChannel, revalidateWatchers, userChannel, type RealtimeServer } from './realtime/realtime.ts';
import { GroupCommitter } from './store/group-commit.ts';
import { ClusterNode } from './cluster/cluster-node.ts';
import { PlanChannel } from './cluster/plan-channel.ts';
import { OneNodePersistence } from './collab/one-node-persistence.ts';
import { dataDirOf, openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';

/** How long shutdown waits for clients to finish closing before it closes the plans anyway. */
const SHUTDOWN_GRACE_MS = 3000;

export interface CareHubServer {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly rooms: PlanRooms;
  readonly tokens: TokenService;
  readonly io: RealtimeServer;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly filing: ResultFiling;
  /** Stops accepting, tells clients to reconnect, stores everything pending, closes the store. */
  close(): Promise<void>;
}

export function createLogger(level: Config['logLevel']): Logger {
  // Never log a token, a password or a CPR number: these paths are redacted wherever they appear.
  return pino({
    level,
    redact: {
      paths: ['password', 'token', 'cpr', '*.password', '*.token', '*.cpr', 'req.headers.authorization', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}

/** Builds and starts one CareHub node. No module-level state: tests start many, each on port 0. */
export async function createServer(config: Config, opts: { log?: Logger; store?: Store } = {}): Promise<CareHubServer> {
  const log = opts.log ?? createLogger(config.logLevel);
  const store = opts.store ?? (await openStore(config, { log }));
  const secret = resolveSecret(config.secret, dataDirOf(config.databaseUrl));
  const tokens = new TokenService(secret, config.sessionTtlMinutes);
  const access = new AccessControl(store, tokens);
  const audit = new AuditLog(store, log);
  const changedThrottle = new Set<string>();
  // Read lazily, on scrape: `rooms` is built below.
  const metrics = createMetrics({ openPlans: () => rooms.openCount, realtimeConnections: () => io?.engine.clientsCount ?? 0 });
  // Several nodes (REDIS_URL): plans' updates and access changes travel between nodes over Redis.
  const cluster = config.redisUrl
    ? new ClusterNode({ redisUrl: config.redisUrl, prefix: config.redisPrefix, log, onAccessChanged: (patientId) => revalidateHere(patientId) })
    : null;
  await cluster?.start();
  const committer = new GroupCommitter(store, (n, seconds) => {
    metrics.persistSeconds.observe(seconds);
    metrics.persistBatchSize.observe(n);
  });

  let io: RealtimeServer | null = null;
  const rooms = new PlanRooms(
    {
      // One node, or several (REDIS_URL): the same log, plus the plan's channel to the other nodes.
      persistence: cluster
        ? (planId) => new PlanChannel(planId, { store, committer, node: cluster, checkpointEvery: config.checkpointEvery })
        : (planId) => new OneNodePersistence(planId, { store, committer, log, checkpointEvery: config.checkpointEvery }),
      log,
      onPresence: (planId, users) => io?.to(planChannel(planId)).emit('presence', { planId, users }),
      onChanged: (planId) => {
        // At most one plan:changed a second per plan: it tells views without a live copy to re-read.
        if (changedThrottle.has(planId)) return;
        changedThrottle.add(planId);
        setTimeout(() => {
          changedThrottle.delete(planId);
          io?.to([planChannel(planId), citizenPlanChannel(planId)]).emit('plan:changed', { planId });
        }, 1000).unref();
      },
      onRefused: (planId, conn, refusals) => {
        metrics.updatesRefused.inc();
        for (const r of refusals) {
          io?.to([userChannel(conn.userId), embedPersonChannel(planId, conn.userId)]).emit('plan:refused', { planId, section: r.section, ...r.refusal });
          // The refused content is never recorded: only where and why.
          audit.record({ actorId: conn.userId, action: 'plan.update', planId, outcome: 'refused', details: { section: r.section, key: r.key, code: r.refusal.code, params: r.refusal.params } });
        }
      },
      metrics: {
        updatesApplied: (n) => metrics.updatesApplied.inc(n),
        fanout: (s) => metrics.fanoutSeconds.observe(s),
      },
    },
    config.planIdleUnloadMs,
  );

  // Result filing knows no transport: what it tells the people online goes out over Socket.IO.
  const resultEvents: ResultEvents = {
    resultFiled: (planId, result) => io?.to(planChannel(planId)).emit('result:filed', { planId, result }),
    notify: (userId, notification) => io?.to(userChannel(userId)).emit('notification', notification),
  };
  const notifier = new CareTeamNotifier(store, resultEvents);
  // Bound late: the endpoints it closes sessions on are built below.
  const revalidateHere = async (patientId: string): Promise<void> => {
    await collab.revalidate(patientId);
    if (io) await revalidateWatchers(io, access, store, patientId, log);
  };
  const accessChanged = async (patientId: string): Promise<void> => {
    cluster?.publishAccessChanged(patientId);
    await revalidateHere(patientId);
  };
  const deps: HttpDeps = { config, store, access, tokens, audit, rooms, log, accessChanged, notifier };
  const filing = new ResultFiling({
    store,
    rooms,
    events: resultEvents,
    notifications: new ResultNotifications({ notifier, log, coalesceMs: config.resultNotifyCoalesceMs }),
    config,
    onFiled: (outcome) => countResultsIngested(metrics, outcome),
  });
  const escalation = new CriticalEscalation({ store, notifier, log, escalateSeconds: config.criticalEscalateSeconds });
  escalation.start();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // One header set for every HTTP answer: Express's, and Engine.IO's own (Socket.IO polling).
  const securityHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'connect-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'style-src': ["'self'", "'unsafe-inline'"],
          'frame-ancestors': ["'none'"],
          // The offline app shell: the service worker and the web app manifest, same origin only.
          'worker-src': ["'self'"],
          'manifest-src': ["'self'"],
          // Tablets reach a hub on a LAN over plain http; upgrading would break every asset.
          'upgrade-insecure-requests': null,
        },
      },
      xFrameOptions: { action: 'deny' },
    });
  app.use(securityHeaders);
  app.use(requestLog(log));
  app.use(healthRoutes(store, metrics, cluster ? () => cluster.ping() : undefined));
  app.use(API_PREFIX, resultRoutes({ ...deps, filing, onThrottled: () => metrics.limitActions.inc({ limit: 'results_rate', transport: 'http' }) }));
  app.use(express.json({ limit: '256kb' }));
  const embed = embedRoutes(deps, {
    onInvalidLink: () => metrics.embedSessionInvalid.inc(),
    onThrottled: () => metrics.limitActions.inc({ limit: 'embed_session_rate', transport: 'http' }),
  });
  // Order matters: embed links accept a practice system's API key where planRoutes wants a session, and
  // fhirRoutes answers its own auth errors with an OperationOutcome.
  app.use(API_PREFIX, authRoutes(deps), embed, patientRoutes(deps), fhirRoutes(deps), planRoutes(deps), historyRoutes(deps), selfReportRoutes(deps), auditRoutes(deps), accessRoutes(deps), adminRoutes(deps), visitRoutes(deps));
  app.use(API_PREFIX, notFoundHandler);
  const clientDist = config.clientDist;
  if (clientDist && existsSync(join(clientDist, 'index.html'))) {
    // The embed page alone may be framed, and only by the configured practice-system origins.
    app.get('/embed', (_req, res) => {
      const ancestors = config.embedAllowedOrigins.length > 0 ? config.embedAllowedOrigins.join(' ') : "'none'";
      const csp = (res.getHeader('Content-Security-Policy') as string).replace("frame-ancestors 'none'", `frame-ancestors ${ancestors}`);
      res.setHeader('Content-Security-Policy', csp);
      res.removeHeader('X-Frame-Options');
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(join(clientDist, 'index.html'));
    });
    app.use(
      express.static(clientDist, {
        index: 'index.html',
        maxAge: '1h',
        // The service worker, the page and the manifest are revalidated on every load, so a new
        // version of the client reaches the tablets; hashed assets keep their hour.
        setHeaders: (res, file) => {
          if (/(?:^|[\\/])(?:sw\.js|index\.html|manifest\.webmanifest)$/.test(file)) res.setHeader('Cache-Control', 'no-cache');
        },
      }),
    );
    app.get(/^\/(?!api\/|collab\/|socket\.io\/).*/, (_req, res) => res.sendFile(join(clientDist, 'index.html')));
  }
  app.use(notFoundHandler);
  app.use(errorHandler(log));

  const http: HttpServer = createHttpServer(app);
  const collab = new CollabEndpoint({
    rooms,
    access,
    audit,
    log,
    maxMessageBytes: config.wsMaxMessageBytes,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    awarenessRatePerSecond: config.awarenessRatePerSecond,
    onConnectionCount: (d) => metrics.connections.inc(d),
    onLimit: (limit) => metrics.limitActions.inc({ limit, transport: 'collab' }),
  });
  http.on('upgrade', (req, socket, head) => {
    if (collab.handles(req)) collab.handleUpgrade(req, socket, head);
    else if (!(req.url ?? '').startsWith('/socket.io/')) socket.destroy();
  });
  io = createRealtime(http, {
    access,
    audit,
    log,
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    onLimit: (limit) => metrics.limitActions.inc({ limit, transport: 'socket.io' }),
    headers: securityHeaders,
    ...(cluster ? { adapter: cluster.socketAdapter() } : {}),
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      http.close();
      escalation.stop();
      filing.stop();
      await filing.settled();
      collab.closeAll(CloseCode.goingAway, 'server shutting down; reconnect');
      // Until a client has our close frame it goes on sending, and those frames are still
      // arriving: keep its connection and room live until its socket has closed (the close
      // handshake ends after its last frame), bounded, so they are applied and stored like
      // any other. Closing the rooms at once dropped them (tests/integration/shutdown.test.ts).
      const graceEnds = Date.now() + SHUTDOWN_GRACE_MS;
      while (collab.clientCount > 0 && Date.now() < graceEnds) await new Promise((r) => setTimeout(r, 5));
      await committer.drain();
      rooms.closeAll(CloseCode.goingAway, 'server shutting down; reconnect');
      // Socket.IO's close waits for every HTTP connection to end; a peer that never answers the
      // close handshake would hold it (ws gives up after 30 s): wait a bounded time only.
      await Promise.race([
        new Promise<void>((resolve) => io!.close(() => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, Math.max(500, graceEnds - Date.now())).unref()),
      ]);
      http.closeAllConnections();
      await audit.flush();
      await committer.drain();
      await cluster?.close();
      if (!opts.store) await store.close();
    })();
    return closing;
  };

  return { url, port, store, rooms, tokens, io, metrics, log, filing, close };
}
