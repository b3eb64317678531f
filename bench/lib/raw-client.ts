import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { syncStep1Message, syncStep2Message } from '../../server/collab/messages.ts';

/**
 * A light y-websocket-protocol client on ws and y-protocols' framing: applies what it
 * receives to its own Y.Doc and answers sync step 1, like a browser would.
 */
export class RawCollabClient {
  readonly doc = new Y.Doc();
  private ws!: WebSocket;
  private onSynced: (() => void) | null = null;
  /** Time (performance.now) the last sync step 2 arrived. */
  syncedAt = 0;
  onUpdate: ((update: Uint8Array) => void) | null = null;

  static async connect(url: string): Promise<RawCollabClient> {
    const c = new RawCollabClient();
    await c.open(url);
    return c;
  }

  private open(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(url, { perMessageDeflate: false });
      this.ws.binaryType = 'nodebuffer';
      this.onSynced = resolve;
      this.ws.once('error', reject);
      this.ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
      this.ws.on('open', () => this.ws.send(syncStep1Message(Y.encodeStateVector(this.doc))));
      this.ws.on('message', (data: Buffer) =>
        this.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
      );
    });
  }

  private receive(frame: Uint8Array): void {
    const d = decoding.createDecoder(frame);
    if (decoding.readVarUint(d) !== 0) return;
    const step = decoding.readVarUint(d);
    const payload = decoding.readVarUint8Array(d);
    if (step === 0) {
      this.ws.send(syncStep2Message(Y.encodeStateAsUpdate(this.doc, payload)));
      return;
    }
    Y.applyUpdate(this.doc, payload, this);
    this.onUpdate?.(payload);
    if (step === 1) {
      this.syncedAt = performance.now();
      this.onSynced?.();
      this.onSynced = null;
    }
  }

  send(frame: Uint8Array): void {
    this.ws.send(frame);
  }

  close(): void {
    this.ws.removeAllListeners('close');
    this.ws.on('error', () => {});
    this.ws.close();
  }
}
