import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.ts';
import { isUuid } from '../../shared/uuid.ts';
import { accessDeadline, type AccessControl, type Principal } from '../auth/access.ts';
import { DeadlineTimer } from '../auth/deadline.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Store } from '../store/store.ts';
import { connectionSlot } from '../limits/connection-count.ts';
import {
  boundSendBuffer,
  ConnectionCount,
  limitEvents,
  TOO_MANY_CONNECTIONS,
  type RealtimeLimit,
} from './socket-limits.ts';

interface SocketData {
  principal: Principal;
  /** Kept to re-check access when it changes or its time is up; never logged. */
  token: string;
  /** Plans watched under a break-the-glass grant, with the grant's end (ms since the epoch). */
  grants: Map<string, number>;
  /** At the earliest of the credential's end and every grant's: the socket is re-checked then. */
  deadline: DeadlineTimer;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const planChannel = (planId: string): string => `plan:${planId}`;
/** Citizens watching their plan: they get `plan:changed` only, never results before release. */
export const citizenPlanChannel = (planId: string): string => `citizen-plan:${planId}`;
/** A staff member's own channel (notifications, refusals). Embed sockets never join it. */
export const userChannel = (userId: string): string => `user:${userId}`;
/** Every embed socket of a plan, so that a change of access finds them. */
export const embedChannel = (planId: string): string => `embed:${planId}`;
/** One person's embed sockets on one plan: their refusals on that plan reach their embed page. */
export const embedPersonChannel = (planId: string, userId: string): string => `embed:${planId}:${userId}`;

/**
 * Socket.IO for application events (results, notifications, refusals, presence). Sockets
 * authenticate in middleware before they join anything; `plan:watch` checks the care team.
 * An embed session's socket hears its one plan only: it joins no person's channel, and may
 * watch that plan alone (issue 14, finding 4). Every socket ends with its credential, and a
 * watch under break-the-glass ends with the grant (findings 5, 6).
 */
export function createRealtime(
  http: HttpServer,
  deps: {
    access: AccessControl;
    audit: AuditLog;
    log: Logger;
    maxConnectionsPerUser: number;
    maxBufferedBytes: number;
    /** Events one socket may send a second (bursts of twice that); over it they are dropped. */
    eventRatePerSecond: number;
    onLimit: (limit: RealtimeLimit) => void;
    /** Several nodes (REDIS_URL): the Socket.IO Redis adapter. */
    adapter?: ServerOptions['adapter'];
    /** Security headers (helmet) for Engine.IO's own HTTP answers, which bypass Express. */
    headers: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  },
): RealtimeServer {
  const perUser = new ConnectionCount(deps.maxConnectionsPerUser);
  const { onLimit } = deps;
  const io: RealtimeServer = new Server(http, {
    // The y-websocket endpoint shares the HTTP server: leave other upgrade paths alone.
    destroyUpgrade: false,
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
    // Several nodes: the Redis adapter carries room emits to sockets on every node.
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });
  io.engine.use(deps.headers);

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const result = await deps.access.authenticate(typeof token === 'string' ? token : null);
    if (!result.ok) return next(new Error(`unauthorized: token ${result.reason}`));
    // Over the limit the new socket is refused, never an older one (server/limits/connection-count.ts).
    if (perUser.count(connectionSlot(result.principal)) >= perUser.max) {
      onLimit('connections_per_user');
      return next(
        Object.assign(new Error(TOO_MANY_CONNECTIONS), {
          data: {
            code: TOO_MANY_CONNECTIONS,
            message: `at most ${perUser.max} connections per user; close another tab or device`,
          },
        }),
      );
    }
    socket.data.principal = result.principal;
    socket.data.token = token as string;
    socket.data.grants = new Map();
    next();
  });

  io.on('connection', (socket) => {
    const { user, embed } = socket.data.principal;
    // Two handshakes of one user at once can both pass the check above: the later one goes.
    const release = perUser.acquire(connectionSlot(socket.data.principal));
    if (!release) {
      onLimit('connections_per_user');
      socket.disconnect(true);
      return;
    }
    socket.data.deadline = new DeadlineTimer(() => void recheckSocket(socket, deps.access, deps.log));
    socket.once('disconnect', () => {
      release();
      socket.data.deadline.clear();
    });
    boundSendBuffer(socket.conn, deps.maxBufferedBytes, deps.log, onLimit);
    limitEvents(socket, deps.eventRatePerSecond, deps.log, onLimit);
    if (embed) void socket.join([embedChannel(embed.planId), embedPersonChannel(embed.planId, user.id)]);
    else void socket.join(userChannel(user.id));
    socket.data.deadline.at(socket.data.principal.expiresAt);

    socket.on('plan:watch', async (msg, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const planId = (msg as { planId?: unknown } | null)?.planId;
      if (!isUuid(planId)) return reply({ ok: false, error: 'planId must be a plan id' });
      // The credential is looked at again (a revoked link, an ended session), not only the plan.
      const auth = await deps.access.authenticate(socket.data.token);
      if (!auth.ok) {
        reply({ ok: false, error: `unauthorized: token ${auth.reason}` });
        return endSocket(socket, auth.reason);
      }
      const access = await deps.access.planAccess(auth.principal, planId);
      if (!access.ok) {
        deps.audit.record({
          actorId: user.id,
          action: 'plan.watch',
          planId: access.status === 404 ? null : planId,
          patientId: access.patientId ?? null,
          outcome: 'refused',
          details: { reason: access.reason },
        });
        return reply({ ok: false, error: access.reason });
      }
      // A watch receives result values: it is an access to the record like any other.
      const flags =
        access.via === 'break_glass' ? { breakTheGlass: true } : access.via === 'embed' ? { embed: true } : {};
      deps.audit.record({
        actorId: user.id,
        action: 'plan.watch',
        planId,
        patientId: access.patient.id,
        outcome: 'allowed',
        details: flags,
      });
      await socket.join(access.via === 'citizen' ? citizenPlanChannel(planId) : planChannel(planId));
      if (access.breakGlass) socket.data.grants.set(planId, Date.parse(access.breakGlass.expires));
      else socket.data.grants.delete(planId);
      socket.data.deadline.at(socketDeadline(socket.data, accessDeadline(auth.principal)));
      reply({ ok: true });
    });

    socket.on('plan:unwatch', async (msg, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const planId = (msg as { planId?: unknown } | null)?.planId;
      if (typeof planId !== 'string') return reply({ ok: false, error: 'planId must be a plan id' });
      await socket.leave(planChannel(planId));
      await socket.leave(citizenPlanChannel(planId));
      socket.data.grants.delete(planId);
      reply({ ok: true });
    });
  });

  return io;
}

/** The earliest of the credential's end and the ends of the grants the socket watches under. */
function socketDeadline(data: SocketData, credentialEnds: number): number {
  let at = credentialEnds;
  for (const ends of data.grants.values()) at = Number.isNaN(ends) ? 0 : Math.min(at, ends);
  return at;
}

/** The plans a socket watches, from its rooms. */
function watchedPlans(socket: AppSocket): string[] {
  const plans = new Set<string>();
  for (const room of socket.rooms) {
    if (room.startsWith('plan:')) plans.add(room.slice('plan:'.length));
    else if (room.startsWith('citizen-plan:')) plans.add(room.slice('citizen-plan:'.length));
  }
  return [...plans];
}

/**
 * The credential ended (expired, revoked) or an embed socket lost its plan: the client is told
 * why, then the socket is closed; a server-side disconnect is not retried by the client.
 */
function endSocket(socket: AppSocket, reason: string): void {
  socket.data.deadline.clear();
  socket.emit('session:ended', { reason, expired: reason === 'expired' });
  socket.disconnect(true);
}

/**
 * Looks at one socket's access again: its credential (expired, revoked: the socket ends), each
 * plan it watches (access lost: it stops watching that plan and is told), and for an embed
 * socket its one plan (lost: the socket ends). Then its deadline is set anew.
 */
async function recheckSocket(socket: AppSocket, access: AccessControl, log: Logger): Promise<void> {
  if (socket.disconnected) return;
  try {
    const auth = await access.authenticate(socket.data.token);
    if (!auth.ok) return endSocket(socket, auth.reason);
    const embed = auth.principal.embed;
    if (embed) {
      const own = await access.planAccess(auth.principal, embed.planId);
      if (!own.ok) return endSocket(socket, own.reason);
    }
    for (const planId of watchedPlans(socket)) {
      const plan = await access.planAccess(auth.principal, planId);
      if (plan.ok) {
        if (plan.breakGlass) socket.data.grants.set(planId, Date.parse(plan.breakGlass.expires));
        else socket.data.grants.delete(planId);
        continue;
      }
      socket.leave(planChannel(planId));
      socket.leave(citizenPlanChannel(planId));
      socket.data.grants.delete(planId);
      socket.emit('plan:unwatched', { planId, reason: plan.reason });
    }
    if (!socket.disconnected) socket.data.deadline.at(socketDeadline(socket.data, accessDeadline(auth.principal)));
  } catch (err) {
    // Fails closed: a socket whose access cannot be checked is closed (the client reconnects).
    log.warn({ err: (err as Error).message }, 're-checking a Socket.IO connection failed; closing it');
    socket.disconnect(true);
  }
}

/**
 * Re-checks this node's sockets on a patient's plans after an access change (care-team
 * removal, objection, revoked embed link): watchers that lost access stop watching, embed
 * sockets that lost theirs end (with several nodes, each node re-checks its own sockets when
 * told of the change).
 */
export async function revalidateWatchers(
  io: RealtimeServer,
  access: AccessControl,
  store: Store,
  patientId: string,
  log: Logger,
): Promise<void> {
  const rooms = (await store.listPlansForPatient(patientId)).flatMap((p) => [
    planChannel(p.id),
    citizenPlanChannel(p.id),
    embedChannel(p.id),
  ]);
  if (rooms.length === 0) return;
  const ids = new Set((await io.local.in(rooms).fetchSockets()).map((s) => s.id));
  for (const id of ids) {
    const socket = io.of('/').sockets.get(id);
    if (socket) await recheckSocket(socket, access, log);
  }
}

/** Re-checks this node's sockets of one person (one of their signed-in sessions ended). */
export async function revalidatePersonSockets(
  io: RealtimeServer,
  access: AccessControl,
  userId: string,
  log: Logger,
): Promise<void> {
  const ids = new Set((await io.local.in(userChannel(userId)).fetchSockets()).map((s) => s.id));
  for (const id of ids) {
    const socket = io.of('/').sockets.get(id);
    if (socket) await recheckSocket(socket, access, log);
  }
}

/**
 * Re-checks every embed socket on this node (an API key that made embed links was revoked):
 * those whose credential ended are told and closed.
 */
export async function revalidateEmbedSockets(io: RealtimeServer, access: AccessControl, log: Logger): Promise<void> {
  for (const socket of [...io.of('/').sockets.values()])
    if (socket.data.principal?.embed) await recheckSocket(socket, access, log);
}
