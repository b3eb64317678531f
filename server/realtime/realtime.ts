import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { Logger } from 'pino';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.ts';
import type { AccessControl, Principal } from '../auth/access.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Store } from '../store/store.ts';

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
    /** Several nodes (REDIS_URL): the Socket.IO Redis adapter. */
    adapter?: ServerOptions['adapter'];
  },
): RealtimeServer {
  const io: RealtimeServer = new Server(http, {
    // The y-websocket endpoint shares the HTTP server: leave other upgrade paths alone.
    destroyUpgrade: false,
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
    // Several nodes: the Redis adapter carries room emits to sockets on every node.
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const result = await deps.access.authenticate(typeof token === 'string' ? token : null);
    if (!result.ok) return next(new Error(`unauthorized: token ${result.reason}`));
    socket.data.principal = result.principal;
    socket.data.token = token as string;
    next();
  });

  io.on('connection', (socket) => {
    const { user } = socket.data.principal;
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
