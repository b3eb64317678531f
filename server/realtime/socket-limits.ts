import type { Socket as EngineSocket } from 'engine.io';
import type { Logger } from 'pino';
import { ConnectionCount } from '../limits/connection-count.ts';

/** The error message (and `data.code`) of a Socket.IO connect error over the per-user limit. */
export const TOO_MANY_CONNECTIONS = 'too_many_connections';

export type RealtimeLimit = 'connections_per_user' | 'slow_reader';

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
