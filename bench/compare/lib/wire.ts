import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

/**
 * The one light client every target is driven with: y-websocket protocol on ws and lib0
 * (y-protocols' framing), no Y.Doc. `hocuspocus` framing prefixes each message with the
 * document name and authenticates first (Hocuspocus v4's multiplexed protocol); `relay`
 * sends no handshake (the relay would pass it on to the room).
 */
export type Framing = 'y-websocket' | 'hocuspocus' | 'relay';

export interface Endpoint {
  url: string;
  framing: Framing;
  /** Document name (the plan id), used in Hocuspocus frames. */
  doc: string;
}

const SYNC = 0;
const AUTH = 2;
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;
const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const EMPTY_UPDATE = new Uint8Array([0, 0]);

function prefix(framing: Framing, doc: string): (e: encoding.Encoder) => void {
  return framing === 'hocuspocus' ? (e) => encoding.writeVarString(e, doc) : () => {};
}

/** A sync message (step1/step2/update) framed for the endpoint. */
export function syncFrame(ep: Endpoint, step: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  prefix(ep.framing, ep.doc)(e);
  encoding.writeVarUint(e, SYNC);
  encoding.writeVarUint(e, step);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

export const updateFrame = (ep: Endpoint, update: Uint8Array): Uint8Array => syncFrame(ep, UPDATE, update);

function authFrame(ep: Endpoint, token: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, ep.doc);
  encoding.writeVarUint(e, AUTH);
  encoding.writeVarUint(e, 0); // token
  encoding.writeVarString(e, token);
  return encoding.toUint8Array(e);
}

export class WireClient {
  private ws!: WebSocket;
  private syncedResolve: (() => void) | null = null;
  /** performance.now() when the server's sync step 2 arrived (0 before). */
  syncedAt = 0;
  closed = false;
  /** Called with each update payload (sync step 2 or update) the server sends. */
  onUpdate: ((payload: Uint8Array) => void) | null = null;
  /** Called when the server closes the socket after it opened (not by close()). */
  onClosed: ((code: number, reason: string) => void) | null = null;
  /** Called for each auth message (y-websocket's permission-denied: a refused update). */
  onRefused: (() => void) | null = null;

  constructor(readonly ep: Endpoint) {}

  /** Opens the socket and, unless `relay`, waits for the server's sync step 2. */
  open(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sync within ${timeoutMs} ms: ${this.ep.url}`)), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.ws = new WebSocket(this.ep.url, { perMessageDeflate: false });
      this.ws.binaryType = 'nodebuffer';
      this.ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      this.ws.on('close', (code, reason) => {
        this.closed = true;
        clearTimeout(timer);
        this.onClosed?.(code, reason.toString());
        reject(new Error(`closed ${code} ${reason.toString()}`));
      });
      this.ws.on('message', (data: Buffer) =>
        this.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
      );
      this.ws.on('open', () => {
        if (this.ep.framing === 'relay') return done();
        this.syncedResolve = done;
        if (this.ep.framing === 'hocuspocus') this.ws.send(authFrame(this.ep, 'bench'));
        this.ws.send(syncFrame(this.ep, STEP1, EMPTY_STATE_VECTOR));
      });
    });
  }

  private receive(frame: Uint8Array): void {
    const d = decoding.createDecoder(frame);
    if (this.ep.framing === 'hocuspocus') decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    if (type === AUTH && this.ep.framing === 'y-websocket') this.onRefused?.();
    // Hocuspocus answers sync step 1 with a SyncReply (4) holding its own step 1.
    if (type !== SYNC && type !== 4) return;
    const step = decoding.readVarUint(d);
    const payload = decoding.readVarUint8Array(d);
    if (step === STEP1) {
      // What a client does: answer with what the server lacks (nothing: this client only relays).
      this.ws.send(syncFrame(this.ep, STEP2, EMPTY_UPDATE));
      return;
    }
    if (step === STEP2 && this.syncedResolve) {
      this.syncedAt = performance.now();
      const r = this.syncedResolve;
      this.syncedResolve = null;
      r();
    }
    this.onUpdate?.(payload);
  }

  send(frame: Uint8Array): void {
    this.ws.send(frame);
  }

  close(): void {
    this.ws.removeAllListeners('close');
    this.ws.on('close', () => (this.closed = true));
    this.ws.on('error', () => {});
    this.ws.close();
  }
}

const AWARENESS = 1;

/** An awareness message with one client's state (y-protocols' framing; y-websocket endpoints). */
export function awarenessFrame(clientId: number, clock: number, state: Record<string, unknown> | null): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, AWARENESS);
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify(state));
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
  return encoding.toUint8Array(e);
}
