import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { Logger } from 'pino';
import type { Actor } from '../../shared/permissions.ts';
import { caretColour } from '../../shared/caret-colour.ts';
import {
  CloseCode,
  COLLAB_PATH,
  COLLAB_SUBPROTOCOL,
  tokenFromProtocols,
  type PresenceUser,
} from '../../shared/protocol.ts';
import { isUuid } from '../../shared/uuid.ts';
import { accessDeadline, type AccessControl, type Principal } from '../auth/access.ts';
import { DeadlineTimer } from '../auth/deadline.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { connectionSlot, ConnectionCount } from '../limits/connection-count.ts';
import { AwarenessLimiter } from './awareness-limiter.ts';
import { decodeClientMessage, MalformedMessage, type ClientMessage } from './messages.ts';
import type { RefusalAudit } from './refusal-audit.ts';
import type { PlanRoom } from './plan-room.ts';
import type { PlanRooms } from './plan-rooms.ts';
import type { RoomConnection } from './room-connection.ts';
import { sendShared, type SharedMessage } from './shared-message.ts';

export interface CollabEndpointOptions {
  rooms: PlanRooms;
  access: AccessControl;
  audit: AuditLog;
  log: Logger;
  maxMessageBytes: number;
  /** A socket whose unsent data passes this is closed: a slow reader cannot make us buffer without bound. */
  maxBufferedBytes: number;
  /** Concurrent /collab connections per user; the next one is closed with 4429 (MAX_CONNECTIONS_PER_USER). */
  maxConnectionsPerUser: number;
  /** Awareness updates per second per connection (AWARENESS_RATE_PER_SECOND). */
  awarenessRatePerSecond: number;
  /** Where refused changes are audited per connection (told when a connection closes). */
  refusalAudit?: RefusalAudit;
  onConnectionCount?: (delta: number) => void;
  /** A limit acted: a connection refused or closed, awareness dropped (for metrics). */
  onLimit?: (limit: CollabLimit) => void;
}

export type CollabLimit = 'connections_per_user' | 'slow_reader' | 'awareness_dropped' | 'awareness_abuse';

/** Every so often each socket is pinged; one that did not answer the last ping is dropped (frees its per-user slot). */
const PING_INTERVAL_MS = 30_000;

/** Edits of one session after its first are audited together, at most this often (and at its end). */
export const EDIT_AUDIT_INTERVAL_MS = 5 * 60_000;

/** Frames a client may send before it is authenticated and joined; more closes the socket. */
const MAX_EARLY_FRAMES = 64;

/** One client socket on one plan: decodes frames and hands them to the room. */
class CollabConnection implements RoomConnection {
  readonly id = randomUUID();
  private room: PlanRoom | null = null;
  private early: RawData[] = [];
  private closed = false;
  /** Edits of this session not yet in the audit trail (see recordEdit). */
  edits = 0;
  readonly editedSections = new Set<string>();
  /** Records `plan.edit` for the edits so far; set by the endpoint once the session is admitted. */
  auditEdits: (() => void) | null = null;
  private editsAuditedAt: number | null = null;
  private readonly awareness: AwarenessLimiter;

  constructor(
    private readonly ws: WebSocket,
    readonly userId: string,
    readonly presence: PresenceUser,
    readonly actor: Actor,
    private readonly opts: CollabEndpointOptions,
    private readonly planId: string,
  ) {
    this.awareness = new AwarenessLimiter(
      opts.awarenessRatePerSecond,
      (update) => this.deliverAwareness(update),
      () => opts.onLimit?.('awareness_dropped'),
      () => {
        opts.onLimit?.('awareness_abuse');
        opts.log.warn({ planId, connection: this.id }, 'closing a connection that floods awareness updates');
        this.close(CloseCode.policyViolation, 'too many awareness updates');
      },
    );
  }

  send(message: Uint8Array): void {
    if (this.writable()) this.ws.send(message);
  }

  sendShared(message: SharedMessage): void {
    if (this.writable()) sendShared(this.ws, message);
  }

  /** Open and reading: a socket whose unsent data passed the bound is dropped instead. */
  private writable(): boolean {
    if (this.closed) return false;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      // It does not read: a close frame would only queue behind the rest, so the socket is
      // dropped, and what was queued for it is freed.
      this.opts.log.warn(
        { planId: this.planId, connection: this.id, buffered: this.ws.bufferedAmount },
        'closing a connection that does not read',
      );
      this.opts.onLimit?.('slow_reader');
      this.closed = true;
      this.ws.terminate();
      return false;
    }
    return true;
  }

  private deliverAwareness(update: Uint8Array): void {
    if (this.closed || !this.room) return;
    try {
      this.room.handleAwareness(this, update);
    } catch (err) {
      this.opts.log.info(
        { planId: this.planId, connection: this.id, reason: (err as Error).message },
        'closing connection after a malformed message',
      );
      this.close(CloseCode.protocolError, 'malformed message');
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
  }

  /**
   * A stored edit of this session. The first is audited at once (`plan.edit`), later ones
   * together: with the first edit after EDIT_AUDIT_INTERVAL_MS, and when the session ends.
   */
  recordEdit(sections: string[]): void {
    this.edits++;
    for (const s of sections) this.editedSections.add(s);
    const now = Date.now();
    if (this.editsAuditedAt === null || now - this.editsAuditedAt >= EDIT_AUDIT_INTERVAL_MS) {
      this.editsAuditedAt = now;
      this.flushEdits();
    }
  }

  /** Audits the edits not yet recorded, if any. */
  flushEdits(): void {
    if (this.edits === 0 || !this.auditEdits) return;
    this.auditEdits();
    this.edits = 0;
    this.editedSections.clear();
  }

  bufferEarly(data: RawData): void {
    if (this.early.length >= MAX_EARLY_FRAMES)
      this.close(CloseCode.protocolError, 'too many messages before the plan was open');
    else this.early.push(data);
  }

  attach(room: PlanRoom): void {
    if (this.closed) return;
    this.room = room;
    room.join(this);
    const early = this.early;
    this.early = [];
    for (const data of early) this.receive(data);
  }

  /** The room failed; the plan is loaded afresh (PlanRooms.onFailed): frames wait for the new room. */
  moveTo(next: Promise<PlanRoom>): void {
    if (this.closed) return;
    this.room = null;
    next.then(
      (room) => {
        if (room.isClosed) this.close(CloseCode.internalError, 'the plan could not be loaded; reconnecting');
        else this.attach(room);
      },
      () => this.close(CloseCode.internalError, 'the plan could not be loaded; reconnecting'),
    );
  }

  detach(): void {
    this.closed = true;
    this.awareness.stop();
    this.room?.leave(this);
    this.room = null;
  }

  receive(data: RawData): void {
    const room = this.room;
    if (!room) {
      this.bufferEarly(data);
      return;
    }
    if (this.closed) return;
    let message: ClientMessage;
    try {
      const frame = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      message = decodeClientMessage(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
      switch (message.type) {
        case 'syncStep1':
          room.handleSyncStep1(this, message.stateVector);
          break;
        case 'update':
          room.handleClientUpdate(this, message.update);
          break;
        case 'awareness':
          this.awareness.offer(message.update);
          break;
        case 'queryAwareness':
          if (this.awareness.allowQuery()) room.handleQueryAwareness(this);
          break;
        default: {
          const unhandled: never = message;
          throw new MalformedMessage(`unhandled message ${String(unhandled)}`);
        }
      }
    } catch (err) {
      // A garbage frame closes this socket only; the room and its other clients go on.
      this.opts.log.info(
        { planId: this.planId, connection: this.id, reason: (err as Error).message },
        'closing connection after a malformed message',
      );
      this.close(CloseCode.protocolError, 'malformed message');
    }
  }
}

/** One open, admitted connection, kept to re-check its access. */
interface Session {
  conn: CollabConnection;
  /** Kept to re-check access when it changes or its time is up; never logged. */
  token: string;
  planId: string;
  patientId: string;
  principal: Principal;
  /** At the credential's end, or the break-the-glass grant's: the session is re-checked then. */
  deadline: DeadlineTimer;
}

/**
 * The y-websocket endpoint: `/collab/<planId>`, the token in the `Sec-WebSocket-Protocol`
 * header (or `?token=` from outside clients). Authenticates, checks the care team, then joins
 * the plan's room. Refusals close the socket with a 44xx code and a reason so the client can
 * tell them from a network fault; so does the end of the session's time (4401) or access (4403).
 */
export class CollabEndpoint {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly perUser: ConnectionCount;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly opts: CollabEndpointOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxMessageBytes,
      perMessageDeflate: false,
      // The app offers ['carehub.v1', 'carehub.token.<token>']: select the first, never the token.
      handleProtocols: (offered) => (offered.has(COLLAB_SUBPROTOCOL) ? COLLAB_SUBPROTOCOL : false),
    });
    this.perUser = new ConnectionCount(opts.maxConnectionsPerUser);
    // A tablet that drops off the network leaves a half-open socket that would hold its
    // user's connection slot (and its room) for good: ping, and drop what does not answer.
    this.heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }, PING_INTERVAL_MS);
    this.heartbeat.unref();
  }

  handles(req: IncomingMessage): boolean {
    const path = (req.url ?? '').split('?')[0] ?? '';
    return path === COLLAB_PATH || path.startsWith(`${COLLAB_PATH}/`);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Whatever goes wrong with one connection stays with it: it is closed, the server goes on.
      this.onConnection(ws, req).catch((err: unknown) => {
        this.opts.log.warn({ err: (err as Error).message }, 'collab connection failed');
        ws.close(CloseCode.internalError, 'connection failed');
      });
    });
  }

  get clientCount(): number {
    return this.wss.clients.size;
  }

  closeAll(code: number, reason: string): void {
    clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.close(code, reason);
  }

  /**
   * Re-checks every open session on the patient's plans (or matching `only`) and closes those
   * that may no longer be there: removed from the care team, objected to by the citizen, a
   * revoked embed link, an expired break-the-glass grant. Tokens stay valid, access does not.
   */
  async revalidate(
    patientId: string | null,
    only?: (s: { principal: Principal; planId: string }) => boolean,
  ): Promise<number> {
    let closed = 0;
    for (const session of [...this.sessions]) {
      if (patientId !== null && session.patientId !== patientId) continue;
      if (only && !only(session)) continue;
      if (!(await this.recheck(session))) closed++;
    }
    return closed;
  }

  /** Re-checks every open session of this person (one of their signed-in sessions ended). */
  revalidatePerson(userId: string): Promise<number> {
    return this.revalidate(null, (s) => s.principal.user.id === userId);
  }

  /**
   * Looks at one session's access again: still valid, its deadline is set anew (a grant may
   * have changed); not, it is closed: 4401 when the credential ended (expired session, embed
   * session or link; revoked link), 4403 when the access did (removal, objection, grant over).
   */
  private async recheck(session: Session): Promise<boolean> {
    if (!this.sessions.has(session)) return true;
    let auth: Awaited<ReturnType<AccessControl['authenticate']>>;
    let access: Awaited<ReturnType<AccessControl['planAccess']>> | null = null;
    try {
      auth = await this.opts.access.authenticate(session.token);
      if (auth.ok) access = await this.opts.access.planAccess(auth.principal, session.planId);
    } catch (err) {
      // Fails closed: a check that cannot be made ends the session (the client may reconnect).
      this.opts.log.warn(
        { err: (err as Error).message, planId: session.planId },
        're-checking a collab session failed; closing it',
      );
      session.conn.close(CloseCode.internalError, 'access could not be checked; reconnect');
      return false;
    }
    if (auth.ok && access?.ok) {
      session.deadline.at(accessDeadline(auth.principal, access));
      return true;
    }
    const reason = auth.ok
      ? access && !access.ok
        ? access.reason
        : 'access withdrawn'
      : `unauthorized: token ${auth.reason}`;
    this.opts.audit.record({
      actorId: session.principal.user.id,
      action: 'plan.session.closed',
      planId: session.planId,
      patientId: session.patientId,
      outcome: 'refused',
      details: { reason },
    });
    session.conn.close(auth.ok ? CloseCode.forbidden : CloseCode.unauthorized, reason);
    return false;
  }

  private async onConnection(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const { log } = this.opts;
    const url = new URL(req.url ?? '/', 'http://localhost');
    let planId = '';
    try {
      planId = decodeURIComponent(url.pathname.slice(COLLAB_PATH.length + 1));
    } catch {
      // a malformed percent-escape: not a plan id (closed with 4400 below)
    }
    let conn: CollabConnection | null = null;
    const early: RawData[] = [];
    ws.on('message', (data) => {
      if (conn) conn.receive(data);
      else if (early.length < MAX_EARLY_FRAMES) early.push(data);
      else ws.close(CloseCode.protocolError, 'too many messages before the plan was open');
    });
    ws.on('error', (err) => log.debug({ err: err.message, planId }, 'collab socket error'));
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('close', () => conn?.detach());
    this.opts.onConnectionCount?.(1);
    ws.once('close', () => this.opts.onConnectionCount?.(-1));

    if (!isUuid(planId)) return ws.close(CloseCode.badRequest, 'the path must be /collab/<planId>');
    // The app's token rides in the subprotocol header; ?token= is for outside y-websocket clients.
    const token = tokenFromProtocols(req.headers['sec-websocket-protocol']) ?? url.searchParams.get('token');
    const auth = await this.opts.access.authenticate(token);
    if (!auth.ok) return ws.close(CloseCode.unauthorized, `unauthorized: token ${auth.reason}`);
    if (ws.readyState !== ws.OPEN) return;
    // Embed sessions have slots of their own: a link cannot take the person's, nor the other way round.
    const releaseSlot = this.perUser.acquire(connectionSlot(auth.principal));
    if (!releaseSlot) {
      this.opts.onLimit?.('connections_per_user');
      log.info({ planId, userId: auth.principal.user.id }, 'refusing a connection over the per-user limit');
      return ws.close(
        CloseCode.tooManyConnections,
        `too many connections: at most ${this.perUser.max} open plans per user; close another tab or device`,
      );
    }
    ws.once('close', releaseSlot);
    const access = await this.opts.access.planAccess(auth.principal, planId);
    if (!access.ok) {
      this.opts.audit.record({
        actorId: auth.principal.user.id,
        action: 'plan.open',
        planId: access.status === 404 ? null : planId,
        patientId: access.patientId ?? null,
        outcome: 'refused',
        details: { reason: access.reason },
      });
      return ws.close(access.status === 404 ? CloseCode.notFound : CloseCode.forbidden, access.reason);
    }
    if (ws.readyState !== ws.OPEN) return;
    if (auth.principal.user.role === 'citizen') {
      // A live copy of the plan is the whole document, and Yjs cannot sync part of one: it
      // would carry results the citizen may not see yet (release delay). Citizens read their
      // plan through the REST citizen view and add measurements with POST …/self-reports.
      return ws.close(CloseCode.forbidden, 'citizens follow their plan in Min plan, not in a live copy');
    }
    const { user, organisation } = auth.principal;
    const presence: PresenceUser = {
      id: user.id,
      name: user.name,
      role: user.role,
      organisation: organisation?.name ?? null,
      color: caretColour(user.id),
    };
    const actor: Actor = {
      userId: user.id,
      role: user.role,
      sector: organisation?.sector ?? null,
      readOnly: access.readOnly,
    };
    conn = new CollabConnection(ws, user.id, presence, actor, this.opts, planId);
    const session: Session = {
      conn,
      token: token ?? '',
      planId,
      patientId: access.patient.id,
      principal: auth.principal,
      deadline: new DeadlineTimer(() => void this.recheck(session)),
    };
    this.sessions.add(session);
    // One timer at the earliest end: the token's, the embed link's, the break-the-glass grant's.
    session.deadline.at(accessDeadline(auth.principal, access));
    const flags =
      access.via === 'break_glass' ? { breakTheGlass: true } : access.via === 'embed' ? { embed: true } : {};
    this.opts.audit.record({
      actorId: user.id,
      action: 'plan.open',
      planId,
      patientId: access.patient.id,
      outcome: 'allowed',
      details: flags,
    });
    const opened = conn;
    opened.auditEdits = () =>
      this.opts.audit.record({
        actorId: user.id,
        action: 'plan.edit',
        planId,
        patientId: access.patient.id,
        outcome: 'allowed',
        details: { ...flags, updates: opened.edits, sections: [...opened.editedSections].sort() },
      });
    ws.on('close', () => {
      this.sessions.delete(session);
      session.deadline.clear();
      opened.flushEdits();
      this.opts.refusalAudit?.closed(opened.id);
    });
    for (const data of early) conn.bufferEarly(data);
    if (this.opts.rooms.barred(planId, user.id)) {
      log.warn({ planId, userId: user.id }, 'refusing a join: this user’s updates failed the plan repeatedly');
      conn.close(CloseCode.policyViolation, 'your changes to this plan could not be checked; try again later');
      return;
    }
    let room: PlanRoom;
    try {
      room = await this.opts.rooms.open(planId);
    } catch (err) {
      log.error({ err, planId }, 'loading a plan failed; refusing the join');
      conn.close(CloseCode.internalError, 'the plan could not be loaded; try again');
      return;
    }
    // Several nodes: a client moving here from another node may hold updates that node stored
    // and this one has not received yet; the room must have them before the client sends its
    // state, or they would be checked as this client's own edits (and perhaps reverted).
    const release = room.hold();
    await room
      .caughtUpWithCluster()
      .catch((err: unknown) => log.warn({ err: (err as Error).message, planId }, 'catching up before a join failed'));
    if (ws.readyState !== ws.OPEN || room.isClosed) {
      // Closed while loading: let the room unload again if nobody else holds it.
      release();
      if (room.isClosed) conn.close(CloseCode.internalError, 'the plan could not be loaded; try again');
      return;
    }
    log.debug({ planId, userId: user.id }, 'joined plan');
    conn.attach(room);
    release();
  }
}
