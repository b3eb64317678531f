import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { binaryFrame, sendShared, SharedMessage } from '../../server/collab/shared-message.ts';

const payload = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('a message framed once for many receivers', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  async function pair(
    perMessageDeflate = false,
  ): Promise<{ server: WebSocket; client: WebSocket; received: Buffer[] }> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate });
    await once(wss, 'listening');
    const serverSide = once(wss, 'connection') as Promise<[WebSocket]>;
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate });
    const received: Buffer[] = [];
    client.on('message', (data, isBinary) => {
      expect(isBinary).toBe(true);
      received.push(data as Buffer);
    });
    await once(client, 'open');
    const [server] = await serverSide;
    cleanup.push(() => {
      client.terminate();
      wss.close();
    });
    return { server, client, received };
  }

  it('frames every payload length class as RFC 6455 says (7-bit, 16-bit and 64-bit lengths)', () => {
    expect([...binaryFrame(new Uint8Array([1, 2])).subarray(0, 2)]).toEqual([0x82, 2]);
    const mid = binaryFrame(new Uint8Array(300));
    expect([mid[0], mid[1], mid.readUInt16BE(2), mid.length]).toEqual([0x82, 126, 300, 304]);
    const big = binaryFrame(new Uint8Array(70_000));
    expect([big[0], big[1], Number(big.readBigUInt64BE(2)), big.length]).toEqual([0x82, 127, 70_000, 70_010]);
  });

  it('reaches a real ws client byte for byte and in order, interleaved with ws.send, for every length class', async () => {
    const { server, received } = await pair();
    const sizes = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000];
    const expected: Uint8Array[] = [];
    sizes.forEach((n, i) => {
      const shared = new SharedMessage(payload(n, i));
      sendShared(server, shared);
      expected.push(shared.bytes);
      const plain = payload(n + 3, i + 100);
      server.send(plain);
      expected.push(plain);
    });
    while (received.length < expected.length) await new Promise((r) => setTimeout(r, 5));
    expect(received.map((b, i) => Buffer.from(b).equals(Buffer.from(expected[i] as Uint8Array)))).toEqual(
      expected.map(() => true),
    );
  });

  it('one frame built for many sockets is built once and reaches all', async () => {
    const pairs = await Promise.all([pair(), pair(), pair()]);
    const shared = new SharedMessage(payload(500, 7));
    const frame = shared.wsFrame;
    for (const p of pairs) sendShared(p.server, shared);
    expect(shared.wsFrame).toBe(frame);
    for (const p of pairs) {
      while (p.received.length < 1) await new Promise((r) => setTimeout(r, 5));
      expect(Buffer.from(p.received[0] as Buffer).equals(Buffer.from(shared.bytes))).toBe(true);
    }
  });

  it('keeps its place behind a message ws is still compressing (compression negotiated)', async () => {
    const { server, received } = await pair(true);
    const first = new Uint8Array(100_000).fill(7);
    server.send(first); // compressed asynchronously: ws holds what follows until it is written
    const shared = new SharedMessage(payload(50, 3));
    sendShared(server, shared);
    while (received.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(received.map((b) => b.length)).toEqual([100_000, 50]);
    expect(Buffer.from(received[1] as Buffer).equals(Buffer.from(shared.bytes))).toBe(true);
  });

  it('does nothing harmful on a closed socket', async () => {
    const { server } = await pair();
    server.close();
    await once(server, 'close');
    expect(() => sendShared(server, new SharedMessage(payload(10, 1)))).not.toThrow();
  });
});
