import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * One message for many receivers (a plan update fanned out to everyone on the plan). It is
 * framed for the wire once, on first use, and the same bytes are written to every socket:
 * with 200 clients on a plan, framing per receiver (ws's `send`: options, header, cork, two
 * writes) was a fifth of the fan-out's cost.
 */
export class SharedMessage {
  private frame: Buffer | null = null;

  constructor(readonly bytes: Uint8Array) {}

  /** The whole WebSocket frame: final, binary, unmasked (a server's frame, RFC 6455 §5.2). */
  get wsFrame(): Buffer {
    this.frame ??= binaryFrame(this.bytes);
    return this.frame;
  }
}

export function binaryFrame(payload: Uint8Array): Buffer {
  const length = payload.byteLength;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x82; // FIN + opcode 2 (binary)
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.set(payload, header);
  return frame;
}

/** What of ws's WebSocket the direct write relies on (ws 8; checked on every write). */
interface WsInternals {
  _socket?: Duplex | null;
  _sender?: { _state?: number; _firstFragment?: boolean; _queue?: unknown[] } | null;
  _extensions?: Record<string, unknown>;
}

/**
 * Sends `message` on `ws`: its prepared frame written straight to the socket when ws's own
 * sender is idle (state DEFAULT: nothing queued, nothing being compressed; no compression
 * negotiated; not inside a fragmented message), so the frame lands in order after everything
 * ws has written; otherwise through `ws.send`, which frames it itself. Either way the bytes on
 * the wire are the same.
 */
export function sendShared(ws: WebSocket, message: SharedMessage): void {
  const internals = ws as unknown as WsInternals;
  const socket = internals._socket;
  const sender = internals._sender;
  if (
    ws.readyState === 1 &&
    socket &&
    socket.writable &&
    sender &&
    sender._state === 0 &&
    sender._firstFragment === true &&
    sender._queue?.length === 0 &&
    internals._extensions !== undefined &&
    internals._extensions['permessage-deflate'] === undefined
  ) {
    socket.write(message.wsFrame);
    return;
  }
  ws.send(message.bytes);
}
