import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { metaOf, richTextToPlain, sectionOf } from '../../shared/plan-doc.ts';
import { syncStep1Message } from '../../server/collab/messages.ts';
import * as Y from 'yjs';
import { connectCollab, waitForDoc } from '../fixtures/collab-client.ts';
import { scrape } from '../fixtures/prometheus.ts';
import { firstPlanOf, hubSandbox, loginAt, type HubProcess } from '../fixtures/server-process.ts';
import { watcher } from '../fixtures/results.ts';
import { startHub } from '../fixtures/server.ts';
import { eventually } from '../fixtures/collab-client.ts';

const MiB = 1024 * 1024;
/** The burst the writer sends: 640 goal descriptions of 64 KiB (40 MiB), each replacing the last (the document stays small). */
const UPDATES = 640;
const TITLE_BYTES = 64 * 1024;
/**
 * Memory bounds, in RSS from /metrics. Receiving, storing and sending 40 MiB makes garbage that
 * V8 collects in its own time, so the hub grows by some tens of MiB early in the burst and then
 * levels off (measured: ~50-60 MiB, then +1 MiB over the second half). A reader whose buffer
 * were unbounded would hold everything sent to it: the hub would go on growing by what the
 * second half sends, 20 MiB (measured with WS_MAX_BUFFERED_BYTES=1 GiB: +30 MiB over the second
 * half, +92 MiB in all). So: the second half adds less than 10 MiB (the sharp check), and the
 * whole burst less than 96 MiB (a ceiling whatever V8 does).
 */
const SECOND_HALF_GROWTH_BOUND = 10 * MiB;
const TOTAL_GROWTH_BOUND = 96 * MiB;

/** The rich text of the plan's first goal, replaced by one paragraph. */
function setDescription(doc: Y.Doc, text: string): void {
  const fragment = (sectionOf(doc, 'goals').get(0) as Y.Map<unknown>).get('description') as Y.XmlFragment;
  doc.transact(() => {
    fragment.delete(0, fragment.length);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText(text)]);
    fragment.insert(0, [paragraph]);
  });
}
const description = (doc: Y.Doc): string =>
  richTextToPlain((sectionOf(doc, 'goals').get(0) as Y.Map<unknown> | undefined)?.get('description'));

const rss = async (hub: HubProcess): Promise<number> =>
  (await scrape(hub.url)).value('process_resident_memory_bytes') ?? NaN;

describe('a client that stops reading', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0).reverse()) fn();
  });

  it('is dropped once its send buffer passes WS_MAX_BUFFERED_BYTES; the writer and other readers go on, the hub’s memory stays bounded', async () => {
    const sandbox = hubSandbox();
    cleanup.push(() => sandbox.dispose());
    // BACKPRESSURE_UNBOUNDED=1 runs the same test without the bound, to see it fail on memory.
    const hub = await sandbox.spawn(undefined, {
      SQLITE_SYNCHRONOUS: 'NORMAL',
      ...(process.env.BACKPRESSURE_UNBOUNDED ? { WS_MAX_BUFFERED_BYTES: String(1024 * MiB) } : {}),
    });
    const [hanne, maja, niels] = [
      await loginAt(hub.url, 'hanne'),
      await loginAt(hub.url, 'maja'),
      await loginAt(hub.url, 'niels'),
    ];
    const planId = await firstPlanOf(hub.url, hanne, 'Carl Jensen');
    const writer = connectCollab(hub.wsUrl, planId, hanne);
    const reader = connectCollab(hub.wsUrl, planId, maja);
    sandbox.clients.push(writer, reader);
    await Promise.all([writer.synced, reader.synced]);

    // The slow reader: a raw WebSocket that joins, then stops reading (its TCP socket paused).
    const slow = new WebSocket(`${hub.wsUrl}/collab/${planId}?token=${niels}`, { perMessageDeflate: false });
    cleanup.push(() => slow.terminate());
    let slowBytes = 0;
    slow.on('message', (d: Buffer) => (slowBytes += d.byteLength));
    slow.on('error', () => {});
    const slowClosed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => slow.once('message', () => resolve()));
    slow.send(syncStep1Message(Y.encodeStateVector(new Y.Doc())));
    (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    // Warm-up, then the baseline.
    for (let i = 0; i < 5; i++) {
      metaOf(writer.doc).set('title', `warm-up ${i}`);
      await waitForDoc(reader.doc, (d) => metaOf(d).get('title') === `warm-up ${i}`, 5000, `warm-up ${i}`);
    }
    const before = await rss(hub);
    let peak = before;
    let half = before;
    const filler = 'x'.repeat(TITLE_BYTES);
    for (let i = 0; i < UPDATES; i++) {
      setDescription(writer.doc, `${i}:${filler}`);
      await waitForDoc(reader.doc, (d) => description(d).startsWith(`${i}:`), 10_000, `update ${i} at the reader`);
      if (i % 20 === 19) peak = Math.max(peak, await rss(hub));
      if (i === UPDATES / 2 - 1) half = await rss(hub);
    }
    const end = await rss(hub);
    peak = Math.max(peak, end);
    const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
    console.log(`backpressure: RSS before ${mib(before)}, half-way ${mib(half)}, end ${mib(end)}, peak ${mib(peak)}`);
    expect(end - half).toBeLessThan(SECOND_HALF_GROWTH_BOUND);
    expect(peak - before).toBeLessThan(TOTAL_GROWTH_BOUND);

    // The reader that reads has everything; the writer is still connected and can go on.
    expect(description(reader.doc).startsWith(`${UPDATES - 1}:`)).toBe(true);
    metaOf(writer.doc).set('title', 'after the burst');
    await waitForDoc(reader.doc, (d) => metaOf(d).get('title') === 'after the burst', 5000, 'an edit after the burst');
    expect(writer.provider.wsconnected).toBe(true);

    // The slow one was dropped (no close frame: it would only have queued behind the rest).
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slowClosed).toBe(1006);
    expect(slowBytes).toBeLessThan((UPDATES * TITLE_BYTES) / 2);
    const s = await scrape(hub.url);
    expect(s.value('carehub_limit_actions_total', { limit: 'slow_reader', transport: 'collab' })).toBe(1);
    expect(s.value('carehub_collab_connections')).toBe(2);
  }, 60_000);

  it('drops a Socket.IO client whose queued packets pass WS_MAX_BUFFERED_BYTES; other sockets go on', async () => {
    // Its many events are what piles the answers up: the per-socket event rate is not what is tested here.
    const hub = await startHub({
      env: { WS_MAX_BUFFERED_BYTES: String(64 * 1024), SOCKET_EVENT_RATE_PER_SECOND: '1000000' },
    });
    cleanup.push(() => void hub.stop());
    const planId = await hub.planOf('Carl Jensen');
    const other = await watcher(hub, 'maja', planId);
    cleanup.push(() => other.close());

    // A raw Engine.IO polling client: it connects and sends requests but never polls, so every
    // answer queues on the server (no kernel buffer in between, unlike a paused WebSocket).
    const base = `${hub.server.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    const post = (body: string) =>
      fetch(`${base}&sid=${sid}`, { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
    expect(await (await post(`40${JSON.stringify({ token: await hub.token('hanne') })}`)).text()).toBe('ok');
    await eventually(
      async () => (await scrape(hub.server.url)).value('carehub_realtime_connections') === 2,
      5000,
      'the raw client connected',
    );

    // Requests whose answers (about 60 bytes each) add up to more than 64 KiB.
    let n = 0;
    let dropped = false;
    for (let round = 0; round < 10 && !dropped; round++) {
      const packets = Array.from({ length: 1000 }, () => `42${n++}["plan:watch",{"planId":"not-a-plan"}]`);
      const res = await post(packets.join('\x1e'));
      dropped = res.status === 400;
      await res.arrayBuffer();
      if (!dropped)
        dropped =
          ((await scrape(hub.server.url)).value('carehub_limit_actions_total', {
            limit: 'slow_reader',
            transport: 'socket.io',
          }) ?? 0) > 0;
    }
    expect(dropped).toBe(true);
    expect(n).toBeLessThanOrEqual(3000);
    // The session is gone; the other socket is untouched and still answered.
    const after = await post('2');
    expect(after.status).toBe(400);
    await eventually(
      async () => (await scrape(hub.server.url)).value('carehub_realtime_connections') === 1,
      5000,
      'the slow client dropped',
    );
    expect(other.connected).toBe(true);
    expect(await other.emitWithAck('plan:watch', { planId })).toEqual({ ok: true });
    expect(
      (await scrape(hub.server.url)).value('carehub_limit_actions_total', {
        limit: 'slow_reader',
        transport: 'socket.io',
      }),
    ).toBe(1);
  });

  it('drops a Socket.IO WebSocket client that stops reading while its answers pile up; other sockets go on', async () => {
    // Its many events are what piles the answers up: the per-socket event rate is not what is tested here.
    const hub = await startHub({
      env: { WS_MAX_BUFFERED_BYTES: String(64 * 1024), SOCKET_EVENT_RATE_PER_SECOND: '1000000' },
    });
    cleanup.push(() => void hub.stop());
    const planId = await hub.planOf('Carl Jensen');
    const other = await watcher(hub, 'maja', planId);
    const slow = await watcher(hub, 'hanne');
    cleanup.push(
      () => other.close(),
      () => slow.close(),
    );
    // Its TCP socket paused: nothing it is sent is read, so the kernel buffers fill, then ws's, then Engine.IO's queue.
    (slow.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws._socket.pause();
    const droppedCount = async () =>
      (await scrape(hub.server.url)).value('carehub_limit_actions_total', {
        limit: 'slow_reader',
        transport: 'socket.io',
      }) ?? 0;
    let sent = 0;
    while ((await droppedCount()) === 0 && sent < 400_000) {
      for (let i = 0; i < 2000; i++, sent++) slow.emit('plan:watch', { planId: 'not-a-plan' }, () => {});
      await new Promise((r) => setImmediate(r));
    }
    expect(await droppedCount()).toBe(1);
    await eventually(
      async () => (await scrape(hub.server.url)).value('carehub_realtime_connections') === 1,
      5000,
      'the slow client dropped',
    );
    expect(other.connected).toBe(true);
    expect(await other.emitWithAck('plan:watch', { planId })).toEqual({ ok: true });
  }, 60_000);
});
