import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { io, type Socket } from 'socket.io-client';
import { CloseCode, MessageType } from '../../shared/protocol.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { connectCollab, eventually } from '../fixtures/collab-client.ts';
import { scrape } from '../fixtures/prometheus.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/** A raw y-websocket connection: resolves once open, records what it receives and how it closed. */
function rawCollab(wsBase: string, planId: string, token: string) {
  const ws = new WebSocket(`${wsBase}/collab/${planId}?token=${encodeURIComponent(token)}`, {
    perMessageDeflate: false,
  });
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(d));
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed ${code} before open`)));
  });
  /** Resolves once the server's first sync message has arrived (the join is complete). */
  const joined = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  return { ws, frames, closed, opened, joined };
}

function awarenessFrame(clientId: number, clock: number, state: unknown): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify(state));
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.awareness);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
  return encoding.toUint8Array(e);
}

/** The awareness states (client id → state) carried by the awareness frames among `frames`. */
function awarenessStates(frames: Buffer[]): Map<number, { clock: number; state: Record<string, unknown> | null }> {
  const out = new Map<number, { clock: number; state: Record<string, unknown> | null }>();
  for (const f of frames) {
    const d = decoding.createDecoder(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
    if (decoding.readVarUint(d) !== MessageType.awareness) continue;
    const inner = decoding.createDecoder(decoding.readVarUint8Array(d));
    const n = decoding.readVarUint(inner);
    for (let i = 0; i < n; i++) {
      const id = decoding.readVarUint(inner);
      const clock = decoding.readVarUint(inner);
      out.set(id, { clock, state: JSON.parse(decoding.readVarString(inner)) as Record<string, unknown> | null });
    }
  }
  return out;
}

const limitCount = async (hub: TestHub, limit: string, transport: string) =>
  (await scrape(hub.server.url)).value('carehub_limit_actions_total', { limit, transport }) ?? 0;

describe('limits', () => {
  let hub: TestHub;
  let planId: string;
  const cleanup: (() => void)[] = [];

  beforeAll(async () => {
    hub = await startHub({
      env: {
        MAX_CONNECTIONS_PER_USER: '3',
        AWARENESS_RATE_PER_SECOND: '5',
        RESULTS_RATE_PER_SECOND: '0.1',
        RESULTS_RATE_BURST: '3',
      },
    });
    planId = await hub.planOf('Carl Jensen');
  });
  afterEach(() => {
    for (const fn of cleanup.splice(0).reverse()) fn();
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('refuses a user’s connection over MAX_CONNECTIONS_PER_USER on /collab with 4429, keeps the open ones, frees the slot on close', async () => {
    const token = await hub.token('hanne');
    const open = [0, 1, 2].map(() => rawCollab(hub.wsUrl, planId, token));
    for (const c of open) cleanup.push(() => c.ws.terminate());
    await Promise.all(open.map((c) => c.joined));

    const fourth = rawCollab(hub.wsUrl, planId, token);
    cleanup.push(() => fourth.ws.terminate());
    const refused = await fourth.closed;
    expect(refused.code).toBe(CloseCode.tooManyConnections);
    expect(refused.reason).toMatch(/too many connections: at most 3/);
    // The open ones were not touched; another user is not affected.
    for (const c of open) expect(c.ws.readyState).toBe(WebSocket.OPEN);
    const maja = connectCollab(hub.wsUrl, planId, await hub.token('maja'));
    cleanup.push(() => maja.destroy());
    await maja.synced;

    // One closes: its slot is free again.
    open[0]!.ws.close();
    await eventually(
      async () => (await scrape(hub.server.url)).value('carehub_collab_connections') === 3,
      5000,
      'the server to see the close',
    );
    const again = connectCollab(hub.wsUrl, planId, token);
    cleanup.push(() => again.destroy());
    await again.synced;
    expect(await limitCount(hub, 'connections_per_user', 'collab')).toBe(1);
  });

  it('refuses a user’s Socket.IO connection over the limit with a connect error naming it', async () => {
    const token = await hub.token('niels');
    const connectOne = () =>
      new Promise<Socket>((resolve, reject) => {
        const s = io(hub.server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
        cleanup.push(() => s.close());
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    const sockets = [await connectOne(), await connectOne(), await connectOne()];
    const err = (await connectOne().then(
      () => null,
      (e: unknown) => e,
    )) as (Error & { data?: { code?: string; message?: string } }) | null;
    expect(err?.message).toBe('too_many_connections');
    expect(err?.data?.code).toBe('too_many_connections');
    expect(err?.data?.message).toMatch(/at most 3 connections per user/);
    for (const s of sockets) expect(s.connected).toBe(true);
    // A slot frees when one disconnects.
    sockets[0]!.close();
    await eventually(
      async () => (await scrape(hub.server.url)).value('carehub_realtime_connections') === 2,
      5000,
      'the server to see the disconnect',
    );
    expect((await connectOne()).connected).toBe(true);
  });

  it('limits result submissions per API key: 429 with Retry-After and an OperationOutcome; other keys go on', async () => {
    const a = (await createApiKey(hub.server.store.results, 'busy lab')).key;
    const b = (await createApiKey(hub.server.store.results, 'quiet lab')).key;
    for (let i = 0; i < 3; i++)
      expect((await postAs(hub, a, '/results', observation({ id: randomUUID(), cpr: '1203451237' }))).status).toBe(201);
    const throttled = await postAs(hub, a, '/results', observation({ id: randomUUID(), cpr: '1203451237' }));
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(throttled.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const outcome = (await throttled.json()) as {
      resourceType: string;
      issue: { severity: string; code: string; diagnostics: string }[];
    };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: 'throttled' });
    expect(outcome.issue[0]!.diagnostics).toMatch(/too many submissions/);
    // Hospital notifications share the key's budget.
    expect(
      (
        await postAs(
          hub,
          a,
          '/encounters',
          {
            identifier: 'x',
            cpr: '1203451237',
            event: 'admission',
            time: new Date().toISOString(),
            hospital: 'H',
            department: 'D',
          },
          'application/json',
        )
      ).status,
    ).toBe(429);
    expect((await postAs(hub, b, '/results', observation({ id: randomUUID(), cpr: '1203451237' }))).status).toBe(201);
    expect(await limitCount(hub, 'results_rate', 'http')).toBe(2);
  });

  it('drops awareness updates over the rate (the latest still arrives) and closes a flood with 1008', async () => {
    const token = await hub.token('gitte');
    const sender = rawCollab(hub.wsUrl, planId, token);
    const peer = rawCollab(hub.wsUrl, planId, await hub.token('maja'));
    cleanup.push(
      () => sender.ws.terminate(),
      () => peer.ws.terminate(),
    );
    await Promise.all([sender.joined, peer.joined]);
    const clientId = 4242;
    // 30 cursor moves at once, with AWARENESS_RATE_PER_SECOND=5 (bursts of 10); carets in
    // y-prosemirror's shape (other fields are not relayed), each marked by its clock.
    const caret = (n: number) => ({ anchor: { tname: 'goals', assoc: n }, head: { tname: 'goals', assoc: 0 } });
    for (let clock = 1; clock <= 30; clock++) sender.ws.send(awarenessFrame(clientId, clock, { cursor: caret(clock) }));
    // The peer ends with the last one.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the last cursor never arrived')), 5000);
      const check = () => {
        if (awarenessStates(peer.frames).get(clientId)?.clock === 30) {
          clearTimeout(timer);
          peer.ws.off('message', check);
          resolve();
        }
      };
      peer.ws.on('message', check);
      check();
    });
    expect(awarenessStates(peer.frames).get(clientId)?.state).toMatchObject({
      cursor: caret(30),
      user: { name: expect.any(String) },
    });
    const dropped = await limitCount(hub, 'awareness_dropped', 'collab');
    expect(dropped).toBeGreaterThanOrEqual(15);
    expect(dropped).toBeLessThanOrEqual(20);
    expect(sender.ws.readyState).toBe(WebSocket.OPEN);

    // A flood far above the rate: closed for a policy violation; the peer stays.
    for (let clock = 31; clock <= 500; clock++)
      sender.ws.send(awarenessFrame(clientId, clock, { cursor: caret(clock) }));
    const closed = await sender.closed;
    expect(closed.code).toBe(CloseCode.policyViolation);
    expect(closed.reason).toBe('too many awareness updates');
    expect(await limitCount(hub, 'awareness_abuse', 'collab')).toBe(1);
    expect(peer.ws.readyState).toBe(WebSocket.OPEN);
  });
});
