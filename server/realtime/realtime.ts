import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { Logger } from 'pino';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.ts';
import type { AccessControl, Principal } from '../auth/access.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Store } from '../store/store.ts';
import { boundSendBuffer, ConnectionCount, TOO_MANY_CONNECTIONS, type RealtimeLimit } from './socket-limits.ts';

interface SocketData {
  principal: Principal;
  /** Kept to re-check access when it changes (revoked embed links); never logged. */
  token: string;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const planChannel = (planId: string): string => `plan:${planId}`;
/** Citizens watching their plan: they get `plan:changed` only, never results before release. */
export const citizenPlanChannel = (planId: string): string => `citizen-plan:${planId}`;
export const userChannel = (userId: string): string => `user:${userId}`;

/**
 * Socket.IO for application events (results, notifications, refusals, presence). Sockets
 * authenticate in middleware before they join anything; `plan:watch` checks the care team.
 */
export function createRealtime(
  http: HttpServer,
  deps: {
    access: AccessControl;
    audit: AuditLog;
    log: Logger;
    maxConnectionsPerUser?: number;
    maxBufferedBytes?: number;
    onLimit?: (limit: RealtimeLimit) => void;
    /** Several nodes (REDIS_URL): the Socket.IO Redis adapter. */
    adapter?: ServerOptions['adapter'];
    /** Security headers (helmet) for Engine.IO's own HTTP answers, which bypass Express. */
    headers?: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  },
): RealtimeServer {
  const perUser = new ConnectionCount(deps.maxConnectionsPerUser ?? 20);
  const onLimit = deps.onLimit ?? (() => {});
  const io: RealtimeServer = new Server(http, {
    // The y-websocket endpoint shares the HTTP server: leave other upgrade paths alone.
    destroyUpgrade: false,
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
    // Several nodes: the Redis adapter carries room emits to sockets on every node.
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });
  if (deps.headers) io.engine.use(deps.headers);

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const result = await deps.access.authenticate(typeof token === 'string' ? token : null);
    if (!result.ok) return next(new Error(`unauthorized: token ${result.reason}`));
    // Over the limit the new socket is refused, never an older one (server/limits/connection-count.ts).
    if (perUser.count(result.principal.user.id) >= perUser.max) {
      onLimit('connections_per_user');
      return next(Object.assign(new Error(TOO_MANY_CONNECTIONS), { data: { code: TOO_MANY_CONNECTIONS, message: `at most ${perUser.max} connections per user; close another tab or device` } }));
    }
    socket.data.principal = result.principal;
    socket.data.token = token as string;
    next();
  });

  io.on('connection', (socket) => {
    const { user } = socket.data.principal;
    // Two handshakes of one user at once can both pass the check above: the later one goes.
    const release = perUser.acquire(user.id);
    if (!release) {
      onLimit('connections_per_user');
      socket.disconnect(true);
      return;
    }
    socket.once('disconnect', release);
    boundSendBuffer(socket.conn, deps.maxBufferedBytes ?? 4 * 1024 * 1024, deps.log, onLimit);
    void socket.join(userChannel(user.id));

    socket.on('plan:watch', async (msg, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const planId = (msg as { planId?: unknown } | null)?.planId;
      if (typeof planId !== 'string' || !UUID.test(planId)) return reply({ ok: false, error: 'planId must be a plan id' });
      const access = await deps.access.planAccess(socket.data.principal, planId);
      if (!access.ok) {
        deps.audit.record({ actorId: user.id, action: 'plan.watch', planId: access.status === 404 ? null : planId, outcome: 'refused', details: { reason: access.reason } });
        return reply({ ok: false, error: access.reason });
      }
      await socket.join(access.via === 'citizen' ? citizenPlanChannel(planId) : planChannel(planId));
      reply({ ok: true });
    });

    socket.on('plan:unwatch', async (msg, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const planId = (msg as { planId?: unknown } | null)?.planId;
      if (typeof planId !== 'string') return reply({ ok: false, error: 'planId must be a plan id' });
      await socket.leave(planChannel(planId));
      await socket.leave(citizenPlanChannel(planId));
      reply({ ok: true });
    });
  });

  return io;
}

/**
 * Makes this node's sockets that lost access to a patient's plans stop watching them (with
 * several nodes, each node re-checks its own sockets when told of the change).
 */
export async function revalidateWatchers(io: RealtimeServer, access: AccessControl, store: Store, patientId: string): Promise<void> {
  for (const plan of await store.listPlansForPatient(patientId)) {
    for (const socket of await io.local.in(planChannel(plan.id)).fetchSockets()) {
      const auth = await access.authenticate(socket.data.token);
      const ok = auth.ok && (await access.planAccess(auth.principal, plan.id)).ok;
      if (!ok) socket.leave(planChannel(plan.id));
    }
  }
}
