import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino, { type Logger } from 'pino';
import { API_PREFIX } from '../shared/api.ts';
import { CloseCode } from '../shared/protocol.ts';
import { AccessControl } from './auth/access.ts';
import { AccessChanges } from './auth/access-changes.ts';
import { resolveSecret, TokenService } from './auth/tokens.ts';
import { SignedInSessions } from './auth/signed-in-sessions.ts';
import { AuditLog } from './audit/audit-log.ts';
import { ClusterNode } from './cluster/cluster-node.ts';
import { CollabEndpoint } from './collab/collab-endpoint.ts';
import { PlanRooms } from './collab/plan-rooms.ts';
import { RefusalAudit, TOO_MANY_REFUSALS } from './collab/refusal-audit.ts';
import type { Config } from './config.ts';
import { apiRoutes } from './http/api-routes.ts';
import { clientApp } from './http/client-app.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import { PlanSummaries } from './worklist/plan-summaries.ts';
import type { HttpDeps } from './http/http-deps.ts';
import { requestLog } from './http/request-log.ts';
import { healthRoutes } from './http/routes/health-routes.ts';
import { smartPages } from './http/routes/smart-routes.ts';
import { IdentityAccounts } from './identity/accounts.ts';
import { OidcSignIn } from './identity/oidc-sign-in.ts';
import { PendingSignIns } from './identity/pending.ts';
import { ProviderClients } from './identity/provider-client.ts';
import { SmartLaunch } from './identity/smart-launch.ts';
import { securityHeaders } from './http/security-headers.ts';
import { countResultsIngested, createMetrics, registerScrapedGauges, type Metrics } from './observability/metrics.ts';
import { notificationDelivery } from './realtime/notification-delivery.ts';
import { PlanChangedThrottle } from './realtime/plan-changed-throttle.ts';
import {
  citizenPlanChannel,
  createRealtime,
  embedPersonChannel,
  planChannel,
  revalidateEmbedSockets,
  revalidatePersonSockets,
  revalidateWatchers,
  userChannel,
  type RealtimeServer,
} from './realtime/realtime.ts';
import { ApiKeyRevocations } from './results/api-key-revocations.ts';
import { CareTeamNotifier } from './results/care-team-notifier.ts';
import { CriticalEscalation } from './results/critical-escalation.ts';
import type { ResultEvents } from './results/result-events.ts';
import { ResultFiling } from './results/result-filing.ts';
import { DEFAULT_MAX_ATTACHMENT_BYTES } from './medcom/index.ts';
import { Correspondence } from './messaging/correspondence.ts';
import { MessageInbox } from './messaging/message-inbox.ts';
import { HomeCareReports } from './messaging/home-care-reports.ts';
import { MessageIntake } from './messaging/message-intake.ts';
import { ResultNotifications } from './results/result-notifications.ts';
import { GroupCommitter } from './store/group-commit.ts';
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
      paths: [
        'password',
        'token',
        'cpr',
        '*.password',
        '*.token',
        '*.cpr',
        'req.headers.authorization',
        'headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}

/**
 * Builds and starts one CareHub node, each part from the parts above it. No module-level
 * state: tests start many, each on port 0.
 */
export async function createServer(config: Config, opts: { log?: Logger; store?: Store } = {}): Promise<CareHubServer> {
  const log = opts.log ?? createLogger(config.logLevel);
  const store = opts.store ?? (await openStore(config, { log }));
  const tokens = new TokenService(
    resolveSecret(config.carehubSecret, dataDirOf(config.databaseUrl)),
    config.sessionTtlMinutes,
  );
  const access = new AccessControl(store, tokens);
  const audit = new AuditLog(store, log);
  const refusalAudit = new RefusalAudit(audit);
  const metrics = createMetrics();
  // Open sessions re-check their access when it changes: here, or (told over Redis) on another node.
  const accessChanges = new AccessChanges();

  // Several nodes (REDIS_URL): plans' updates and access changes travel between nodes over Redis.
  const cluster = config.redisUrl
    ? new ClusterNode({
        redisUrl: config.redisUrl,
        prefix: config.redisPrefix,
        log,
        onAccessChanged: (patientId) => accessChanges.revalidateHere(patientId),
        onSessionsEnded: (userId) => accessChanges.revalidatePersonHere(userId),
      })
    : null;
  await cluster?.start();

  // The transports: HTTP (Express answers it; its routes are mounted below) and Socket.IO on it.
  const app = express();
  const http: HttpServer = createHttpServer(app);
  const headers = securityHeaders();
  const io = createRealtime(http, {
    access,
    audit,
    log,
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    eventRatePerSecond: config.socketEventRatePerSecond,
    onLimit: (limit) => metrics.limitActions.inc({ limit, transport: 'socket.io' }),
    headers,
    ...(cluster ? { adapter: cluster.socketAdapter() } : {}),
  });
  accessChanges.hold({
    revalidate: (patientId) => revalidateWatchers(io, access, store, patientId, log),
    revalidatePerson: (userId) => revalidatePersonSockets(io, access, userId, log),
  });

  // The plans: one room per open plan, updates stored in group commits, /collab clients on them.
  const committer = new GroupCommitter(store, (n, seconds) => {
    metrics.persistSeconds.observe(seconds);
    metrics.persistBatchSize.observe(n);
  });
  const planChanged = new PlanChangedThrottle((planId) =>
    io.to([planChannel(planId), citizenPlanChannel(planId)]).emit('plan:changed', { planId }),
  );
  // Overblik's per-plan summaries follow every stored change (server/worklist/plan-summaries.ts).
  const summaries = new PlanSummaries(store, log);
  const rooms = new PlanRooms(
    {
      // One node, or several (REDIS_URL): the same log, plus the plan's channel to the other nodes.
      persistence: cluster
        ? (planId) =>
            new PlanChannel(planId, { store, committer, node: cluster, checkpointEvery: config.checkpointEvery })
        : (planId) =>
            new OneNodePersistence(planId, { store, committer, log, checkpointEvery: config.checkpointEvery }),
      log,
      onPresence: (planId, users) => io.to(planChannel(planId)).emit('presence', { planId, users }),
      onChanged: (planId) => planChanged.changed(planId),
      onStored: (room, stored) => summaries.roomStored(room, stored),
      onRefused: (planId, conn, refusals) => {
        metrics.updatesRefused.inc();
        for (const r of refusals)
          io.to([userChannel(conn.userId), embedPersonChannel(planId, conn.userId)]).emit('plan:refused', {
            planId,
            section: r.section,
            ...r.refusal,
          });
        // Audited once per code and window per connection (server/collab/refusal-audit.ts).
        if (!refusalAudit.refused(planId, conn, refusals)) {
          log.warn({ planId, connection: conn.id }, 'closing a connection that keeps sending refused changes');
          conn.close(CloseCode.policyViolation, TOO_MANY_REFUSALS);
        }
      },
      metrics: {
        updatesApplied: (n) => metrics.updatesApplied.inc(n),
        fanout: (s) => metrics.fanoutSeconds.observe(s),
      },
    },
    config.planIdleUnloadMs,
  );
  const collab = new CollabEndpoint({
    rooms,
    access,
    audit,
    log,
    maxMessageBytes: config.wsMaxMessageBytes,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    awarenessRatePerSecond: config.awarenessRatePerSecond,
    refusalAudit,
    onConnectionCount: (d) => metrics.connections.inc(d),
    onLimit: (limit) => metrics.limitActions.inc({ limit, transport: 'collab' }),
  });
  accessChanges.hold(collab);
  // A revoked practice key ends the embed sessions its links made, open connections included.
  const keyRevocations = new ApiKeyRevocations({
    keys: store.results,
    everyMs: config.apiKeyRevocationCheckSeconds * 1000,
    log,
    onRevoked: async (keyIds) => {
      log.info({ keys: keyIds }, 'API keys revoked: re-checking embed sessions');
      await collab.revalidate(null, (s) => s.principal.embed !== undefined);
      await revalidateEmbedSockets(io, access, log);
    },
  });
  await keyRevocations.start();
  // Socket.IO answers its own upgrades; /collab's are the endpoint's; any other is refused.
  http.on('upgrade', (req, socket, head) => {
    if (collab.handles(req)) collab.handleUpgrade(req, socket, head);
    else if (!(req.url ?? '').startsWith('/socket.io/')) socket.destroy();
  });
  registerScrapedGauges(metrics, {
    openPlans: () => rooms.openCount,
    realtimeConnections: () => io.engine.clientsCount,
  });

  // Results from lab, imaging and hospital systems, filed into the plans and told to care teams.
  // Result filing knows no transport: what it tells the people online goes out over Socket.IO.
  const resultEvents: ResultEvents = {
    resultFiled: (planId, result) => io.to(planChannel(planId)).emit('result:filed', { planId, result }),
    notify: notificationDelivery(io, audit, log),
    resolved: (userId, ids) => io.to(userChannel(userId)).emit('notification:resolved', { ids }),
  };
  const notifier = new CareTeamNotifier(store, resultEvents);
  const filing = new ResultFiling({
    store,
    rooms,
    committer,
    events: resultEvents,
    notifications: new ResultNotifications({ notifier, log, coalesceMs: config.resultNotifyCoalesceMs }),
    config,
    onFiled: (outcome) => countResultsIngested(metrics, outcome),
  });
  // MedCom messages: in through POST /messages, into the plans or the organisations' inboxes.
  // A change of a patient's correspondence is told to the staff watching any of their plans.
  const correspondenceChanged = (patientId: string) => {
    void store
      .listPlansForPatient(patientId)
      .then((plans) => {
        for (const p of plans) io.to(planChannel(p.id)).emit('correspondence:changed', { planId: p.id });
      })
      .catch((err: unknown) => log.warn({ err }, 'could not tell the plans of a correspondence change'));
  };
  const messages = new MessageIntake({
    store,
    filing,
    audit,
    rooms,
    notifier,
    maxAttachmentBytes: DEFAULT_MAX_ATTACHMENT_BYTES,
    correspondenceChanged,
  });
  const inbox = new MessageInbox({ store, filing, audit, rooms, notifier });
  const correspondence = new Correspondence({ store, audit, changed: correspondenceChanged });
  const homeCareReports = new HomeCareReports({ store, audit, rooms, changed: correspondenceChanged });
  const escalation = new CriticalEscalation({ store, notifier, log, escalateSeconds: config.criticalEscalateSeconds });
  escalation.start();

  // Sign-in through identity providers and SMART launches. A person whose provider stops giving
  // them a role is switched off: what they hold open is looked at again on every node, and
  // their own sockets end (the Redis adapter carries that to every node too).
  const accessChanged = async (patientId: string) => {
    cluster?.publishAccessChanged(patientId);
    await accessChanges.revalidateHere(patientId);
  };
  // Signed-in sessions live in the store: signing out or removing a provider ends them, and
  // the person's open connections are looked at again, on every node.
  const sessions = new SignedInSessions({
    store,
    tokens,
    onEnded: async (userIds) => {
      for (const userId of userIds) {
        cluster?.publishSessionsEnded(userId);
        await accessChanges.revalidatePersonHere(userId);
      }
    },
  });
  const accounts = new IdentityAccounts({
    store,
    audit,
    log,
    accessChanged,
    endSocketsOf: (userId) => {
      io.to(userChannel(userId)).emit('session:ended', { reason: 'revoked', expired: false });
      io.in(userChannel(userId)).disconnectSockets(true);
    },
  });
  const providerClients = new ProviderClients({
    allowInsecureHttp: config.oidcAllowInsecureHttp === 'on',
    secretOf: (name) => process.env[name],
  });
  const pending = new PendingSignIns(store.identity);
  const signIn = new OidcSignIn({
    store,
    audit,
    sessions,
    log,
    clients: providerClients,
    pending,
    accounts,
    passwordLogin: config.passwordLogin === 'on',
  });
  const smart = new SmartLaunch({
    store,
    audit,
    access,
    tokens,
    log,
    clients: providerClients,
    pending,
    accounts,
    sessionTtlMinutes: config.sessionTtlMinutes,
  });

  // HTTP: each router under its own path, so the order below does not matter, except that
  // the client app is the fallback for every path no route answered, and then the errors.
  const deps: HttpDeps = {
    config,
    store,
    access,
    tokens,
    sessions,
    audit,
    rooms,
    log,
    notifier,
    filing,
    messages,
    inbox,
    correspondence,
    homeCareReports,
    accessChanged,
    signIn,
    smart,
    summaries,
  };
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(headers);
  app.use(requestLog(log));
  app.use(healthRoutes(store, metrics, cluster ? () => cluster.ping() : undefined));
  app.use(
    API_PREFIX,
    apiRoutes(deps, {
      onResultsThrottled: () => metrics.limitActions.inc({ limit: 'results_rate', transport: 'http' }),
      onEmbedLinkInvalid: () => metrics.embedSessionInvalid.inc(),
      onEmbedSessionThrottled: () => metrics.limitActions.inc({ limit: 'embed_session_rate', transport: 'http' }),
      onSignInThrottled: () => metrics.limitActions.inc({ limit: 'sign_in_rate', transport: 'http' }),
    }),
  );
  app.use(
    smartPages(deps, config.clientDist, {
      onThrottled: () => metrics.limitActions.inc({ limit: 'sign_in_rate', transport: 'http' }),
    }),
  );
  app.use(clientApp(config.clientDist, config.embedAllowedOrigins));
  app.use(notFoundHandler);
  app.use(errorHandler(log));

  await listen(http, config.port, config.host);
  const port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      http.close();
      escalation.stop();
      keyRevocations.stop();
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
      // While the rooms' documents are there: Overblik's summaries of what they stored.
      await summaries.settled();
      rooms.closeAll(CloseCode.goingAway, 'server shutting down; reconnect');
      // Socket.IO's close waits for every HTTP connection to end; a peer that never answers the
      // close handshake would hold it (ws gives up after 30 s): wait a bounded time only.
      await Promise.race([
        new Promise<void>((resolve) => io.close(() => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, Math.max(500, graceEnds - Date.now())).unref()),
      ]);
      http.closeAllConnections();
      refusalAudit.flushAll();
      await audit.flush();
      await committer.drain();
      await summaries.settled();
      await cluster?.close();
      if (!opts.store) await store.close();
    })();
    return closing;
  };

  return { url, port, store, rooms, tokens, io, metrics, log, filing, close };
}

function listen(http: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}
