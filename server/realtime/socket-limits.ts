import type { Socket as EngineSocket } from 'engine.io';
import type { Logger } from 'pino';
import { ConnectionCount } from '../limits/connection-count.ts';
import { TokenBucket } from '../limits/token-bucket.ts';

/** The error message (and `data.code`) of a Socket.IO connect error over the per-user limit. */
export const TOO_MANY_CONNECTIONS = 'too_many_connections';

export type RealtimeLimit = 'connections_per_user' | 'slow_reader' | 'events_dropped' | 'event_flood';

/** The `code` of the `limit` event a socket gets when its events are dropped over the rate. */
export const RATE_LIMITED = 'rate_limited';

/**
 * Events one socket may send (`plan:watch`, `plan:unwatch`, anything else): `ratePerSecond`
 * with bursts of twice that, a token bucket per socket. Over it an event is dropped (its ack,
 * if any, answered `rate_limited`) and the socket is told once per run of drops (`limit`
 * event); a socket that goes on sending a whole burst's worth more while being dropped is
 * disconnected. Each plan:watch costs a token check and audit row: without this a client
 * could flood them.
 */
export function limitEvents(
  socket: {
    use(fn: (packet: unknown[], next: (err?: Error) => void) => void): unknown;
    emit(event: 'limit', msg: { code: string; message: string }): unknown;
    disconnect(close?: boolean): unknown;
  },
  ratePerSecond: number,
  log: Logger,
  onLimit: (limit: RealtimeLimit) => void,
): void {
  const burst = Math.max(1, Math.ceil(ratePerSecond * 2));
  const bucket = new TokenBucket(ratePerSecond, burst);
  let dropped = 0;
  socket.use((packet, next) => {
    if (bucket.take()) {
      dropped = 0;
      next();
      return;
    }
    dropped++;
    onLimit('events_dropped');
    const ack = packet.at(-1);
    if (typeof ack === 'function') ack({ ok: false, error: RATE_LIMITED });
    if (dropped === 1)
      socket.emit('limit', {
        code: RATE_LIMITED,
        message: `too many events: at most ${ratePerSecond} a second (bursts of ${burst}); this one and the next are dropped until the rate allows`,
      });
    if (dropped > burst) {
      log.warn({ dropped }, 'closing a Socket.IO connection that floods events');
      onLimit('event_flood');
      socket.disconnect(true);
    }
  });
}

/**
 * Bounds what Engine.IO queues for one client that does not read. Over WebSocket, Engine.IO
 * hands a batch to `ws` and queues every later packet in its own write buffer until that
 * batch is written out, so the queue of a client that stopped reading grows with every
 * result, notification and presence event; Socket.IO has no bound of its own
 * (`maxHttpBufferSize` limits only what clients send). Counted: packets queued since the last
 * flush plus what `ws` still holds. Over the bound the connection is dropped.
 */
export function boundSendBuffer(
  conn: EngineSocket,
  maxBytes: number,
  log: Logger,
  onLimit: (limit: RealtimeLimit) => void,
): void {
  let queued = 0;
  conn.on('flush', () => {
    queued = 0;
  });
  conn.on('packetCreate', (packet: { data?: unknown }) => {
    const data = packet.data;
    queued += typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 16;
    const transport = conn.transport as unknown as { socket?: { bufferedAmount?: number; terminate?: () => void } };
    const inFlight = transport.socket?.bufferedAmount ?? 0;
    if (queued + inFlight <= maxBytes) return;
    log.warn({ queued, inFlight }, 'closing a Socket.IO connection that does not read');
    onLimit('slow_reader');
    queued = 0;
    // A close packet would queue behind the rest: drop the socket (WebSocket) or the session (polling).
    if (typeof transport.socket?.terminate === 'function') transport.socket.terminate();
    else conn.close(true);
  });
}

export { ConnectionCount };
