/**
 * A load-client process: holds WireClients and runs one scenario step at a time on the
 * orchestrator's command (IPC). The same code drives every target.
 */
import * as Y from 'yjs';
import { NoteEditing, NoteTyping, writerClientId } from './lib/edits.ts';
import { updateFrame, WireClient, type Endpoint } from './lib/wire.ts';
import { ScaleClients, type ScaleEndpoint } from './lib/scale-clients.ts';

export type Command =
  | { cmd: 'connect'; endpoints: Endpoint[]; concurrency: number; firstWriter?: number }
  | { cmd: 'listen'; skipFirst: boolean; writerClient: number }
  | { cmd: 'fanoutWrite'; rate: number; seconds: number; author: string; writer: number }
  | { cmd: 'throughput'; seconds: number; author: string }
  | { cmd: 'bulkWrite'; count: number; author: string; writer: number }
  | { cmd: 'editWrite'; edits: number; perUpdate: number; author: string; writer: number }
  | { cmd: 'coldSync'; endpoint: Endpoint; writerClient?: number }
  | { cmd: 'held' }
  | { cmd: 'report' }
  | { cmd: 'count' }
  | { cmd: 'reached'; clock: number }
  | { cmd: 'closeAll' }
  | { cmd: 'scaleConnect'; endpoints: ScaleEndpoint[]; concurrency: number }
  | { cmd: 'scaleStart'; editEverySeconds: number; presenceEverySeconds: number }
  | { cmd: 'scaleMeasure'; on: boolean }
  | { cmd: 'scaleStop' }
  | { cmd: 'scaleSample' }
  | { cmd: 'scaleConverged'; waitMs: number }
  | { cmd: 'scaleClocks' };

const wall = (): number => performance.timeOrigin + performance.now();
const clients: WireClient[] = [];
let firstWriter = 0;
const scale = new ScaleClients();
/** Fan-out: [receiver, writer clock, wall time] of every message to this process's receivers. */
let received: number[] = [];
/** Fan-out: the writer's clock each of this process's receivers has reached. */
let reachedClock: number[] = [];

function reply(message: unknown): void {
  process.send?.(message);
}

async function connect(
  endpoints: Endpoint[],
  concurrency: number,
): Promise<{ opened: number; failed: number; error?: string }> {
  let next = 0;
  let failed = 0;
  let error: string | undefined;
  // In endpoint order whatever order they open in: writer numbers (and so bytes) stay the same.
  const slots: (WireClient | undefined)[] = [];
  const lane = async () => {
    while (next < endpoints.length) {
      const i = next++;
      const c = new WireClient(endpoints[i] as Endpoint);
      try {
        await c.open();
        slots[i] = c;
      } catch (err) {
        failed++;
        error ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, endpoints.length) }, lane));
  for (const c of slots) if (c) clients.push(c);
  return { opened: clients.length, failed, error };
}

/** The writer's clock an update brings each client to, without applying it. */
function clocksOf(payload: Uint8Array): Map<number, number> {
  return Y.parseUpdateMeta(payload).to;
}

function listen(skipFirst: boolean, writerClient: number): void {
  received = [];
  const receivers = skipFirst ? clients.slice(1) : clients;
  reachedClock = receivers.map(() => 0);
  receivers.forEach((c, receiver) => {
    c.onUpdate = (payload) => {
      const at = wall();
      const clock = clocksOf(payload).get(writerClient);
      if (clock === undefined) return;
      received.push(receiver, clock, at);
      if (clock > (reachedClock[receiver] as number)) reachedClock[receiver] = clock;
    };
  });
}

/** One writer (this process's first client) at a steady rate; returns [clock, wall time] sent. */
async function fanoutWrite(rate: number, seconds: number, author: string, writer: number): Promise<number[]> {
  const w = clients[0] as WireClient;
  const typing = new NoteTyping(writer, author);
  const sent: number[] = [];
  const total = Math.round(rate * seconds);
  const start = wall();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - wall();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { update, clock } = typing.next();
    const frame = updateFrame(w.ep, update);
    sent.push(clock, wall());
    w.send(frame);
  }
  return sent;
}

/**
 * Every client writes its own note, one update at a time, sending the next once a peer in the
 * same plan has received the last one (closed loop: as fast as acknowledged).
 */
async function throughput(
  seconds: number,
  author: string,
): Promise<{ acked: number; stalled: number; unconverged: number; clocks: [string, number, number][] }> {
  const byDoc = new Map<string, WireClient[]>();
  for (const c of clients) {
    const group = byDoc.get(c.ep.doc) ?? [];
    group.push(c);
    byDoc.set(c.ep.doc, group);
  }
  let acked = 0;
  let stalled = 0;
  let running = true;
  const loops: Promise<void>[] = [];
  let writerIndex = firstWriter;
  /** Per plan: each writer's last clock sent, and the clocks the plan's two watchers reached. */
  const plans: { doc: string; sent: Map<number, number>; seen: Map<number, number>[]; own: number[] }[] = [];
  for (const group of byDoc.values()) {
    const waiting = new Map<number, { clock: number; resolve: () => void }>();
    const plan = {
      doc: (group[0] as WireClient).ep.doc,
      sent: new Map<number, number>(),
      seen: [new Map<number, number>(), new Map<number, number>()],
      // The watchers' own writer ids (a writer does not get its own updates back).
      own: [writerClientId(writerIndex), writerClientId(writerIndex + 1)],
    };
    plans.push(plan);
    const watcher = (seen: Map<number, number>) => (payload: Uint8Array) => {
      for (const [client, clock] of clocksOf(payload)) {
        if (clock > (seen.get(client) ?? 0)) seen.set(client, clock);
        const w = waiting.get(client);
        if (w && clock >= w.clock) {
          waiting.delete(client);
          w.resolve();
        }
      }
    };
    // Two watchers per plan see every writer's updates (a writer does not get its own back).
    (group[0] as WireClient).onUpdate = watcher(plan.seen[0] as Map<number, number>);
    if (group[1]) group[1].onUpdate = watcher(plan.seen[1] as Map<number, number>);
    else plan.seen.pop();
    for (const c of group) {
      const typing = new NoteTyping(writerIndex++, author);
      loops.push(
        (async () => {
          while (running && !c.closed) {
            const { update, clock } = typing.next();
            const ackd = new Promise<void>((resolve) => waiting.set(typing.clientId, { clock, resolve }));
            plan.sent.set(typing.clientId, clock);
            c.send(updateFrame(c.ep, update));
            let timer: NodeJS.Timeout | undefined;
            const timedOut = await Promise.race([
              ackd.then(() => false),
              new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 10_000))),
            ]);
            clearTimeout(timer);
            if (timedOut) {
              // Counted and reported; this writer stops (its next update would build on the lost one).
              stalled++;
              return;
            }
            if (running) acked++;
          }
        })(),
      );
    }
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  await Promise.all(loops);
  // Converged: each watcher holds every other writer's last update (a writer's own is not sent
  // back to it). Given up to 10 s to arrive after the last acknowledgement.
  const behind = () =>
    plans.reduce(
      (n, p) =>
        n +
        p.seen.reduce(
          (m, seen, w) =>
            m + [...p.sent].filter(([client, clock]) => client !== p.own[w] && (seen.get(client) ?? 0) < clock).length,
          0,
        ),
      0,
    );
  for (const until = Date.now() + 10_000; behind() > 0 && Date.now() < until; )
    await new Promise((r) => setTimeout(r, 50));
  const clocks: [string, number, number][] = plans.flatMap((p) =>
    [...p.sent].map(([client, clock]): [string, number, number] => [p.doc, client, clock]),
  );
  return { acked, stalled, unconverged: behind(), clocks };
}

/** Writes `count` updates through the first client, waits until the second has them all. */
async function bulkWrite(count: number, author: string, writer: number): Promise<{ ms: number; bytes: number }> {
  const [w, observer] = clients as [WireClient, WireClient];
  const typing = new NoteTyping(writer, author);
  let last = 0;
  let bytes = 0;
  const done = new Promise<void>((resolve) => {
    observer.onUpdate = (payload) => {
      if ((clocksOf(payload).get(typing.clientId) ?? -1) >= last) resolve();
    };
  });
  const start = performance.now();
  for (let i = 0; i < count; i += 100) {
    for (let j = i; j < Math.min(count, i + 100); j++) {
      const { update, clock } = typing.next();
      bytes += update.length;
      last = clock;
      w.send(updateFrame(w.ep, update));
    }
    await new Promise((r) => setImmediate(r));
  }
  await done;
  return { ms: performance.now() - start, bytes };
}

/**
 * Writes `edits` random edits (NoteEditing) through the first client, `perUpdate` edits to an
 * update (1: each edit its own update), and waits until the second client has them all.
 */
async function editWrite(
  edits: number,
  perUpdate: number,
  author: string,
  writer: number,
): Promise<{ ms: number; bytes: number; updates: number; clock: number }> {
  const [w, observer] = clients as [WireClient, WireClient];
  const editing = new NoteEditing(writer, author);
  let last = 0;
  let bytes = 0;
  let updates = 0;
  const done = new Promise<void>((resolve) => {
    observer.onUpdate = (payload) => {
      if ((clocksOf(payload).get(editing.clientId) ?? -1) >= last) resolve();
    };
  });
  const start = performance.now();
  for (let i = 0; i < edits; i += perUpdate) {
    const { update, clock } = perUpdate === 1 ? editing.next() : editing.many(Math.min(perUpdate, edits - i));
    bytes += update.length;
    updates++;
    last = clock;
    w.send(updateFrame(w.ep, update));
    if (updates % 100 === 0 || perUpdate > 1) await new Promise((r) => setImmediate(r));
  }
  await done;
  return { ms: performance.now() - start, bytes, updates, clock: last };
}

/** Opens a plan cold; `ms` to the server's sync step 2, and the clock of `writerClient` it brought. */
async function coldSync(endpoint: Endpoint, writerClient?: number): Promise<{ ms: number; writerClock: number }> {
  const c = new WireClient(endpoint);
  let writerClock = 0;
  c.onUpdate = (payload) => {
    if (writerClient !== undefined) writerClock = Math.max(writerClock, clocksOf(payload).get(writerClient) ?? 0);
  };
  const start = performance.now();
  await c.open();
  const ms = c.syncedAt - start;
  c.close();
  return { ms, writerClock };
}

process.on('message', (m: Command) => {
  void (async () => {
    try {
      switch (m.cmd) {
        case 'connect':
          firstWriter = m.firstWriter ?? 0;
          return reply({ ok: true, ...(await connect(m.endpoints, m.concurrency)) });
        case 'listen':
          listen(m.skipFirst, m.writerClient);
          return reply({ ok: true });
        case 'fanoutWrite':
          return reply({ ok: true, sent: await fanoutWrite(m.rate, m.seconds, m.author, m.writer) });
        case 'throughput':
          return reply({ ok: true, ...(await throughput(m.seconds, m.author)) });
        case 'bulkWrite':
          return reply({ ok: true, ...(await bulkWrite(m.count, m.author, m.writer)) });
        case 'editWrite':
          return reply({ ok: true, ...(await editWrite(m.edits, m.perUpdate, m.author, m.writer)) });
        case 'coldSync':
          return reply({ ok: true, ...(await coldSync(m.endpoint, m.writerClient)) });
        case 'held':
          return reply({ ok: true, held: clients.filter((c) => !c.closed).length, total: clients.length });
        case 'count':
          return reply({ ok: true, count: received.length / 3 });
        case 'reached':
          return reply({ ok: true, reached: reachedClock.filter((c) => c >= m.clock).length });
        case 'report':
          return reply({ ok: true, received });
        case 'closeAll':
          for (const c of clients) c.close();
          clients.length = 0;
          scale.closeAll();
          return reply({ ok: true });
        case 'scaleConnect':
          return reply({ ok: true, ...(await scale.connect(m.endpoints, m.concurrency)) });
        case 'scaleStart':
          scale.start(m.editEverySeconds, m.presenceEverySeconds);
          return reply({ ok: true });
        case 'scaleMeasure':
          scale.measure(m.on);
          return reply({ ok: true });
        case 'scaleStop':
          scale.stop();
          return reply({ ok: true });
        case 'scaleSample':
          return reply({
            ok: true,
            histogram: scale.takeHistogram(),
            errors: scale.errors,
            edits: scale.edits,
            presence: scale.presence,
            held: scale.held(),
          });
        case 'scaleConverged':
          return reply({ ok: true, behind: await scale.unconverged(m.waitMs) });
        case 'scaleClocks':
          return reply({ ok: true, clocks: scale.finalClocks() });
        default: {
          const unknown: never = m;
          throw new Error(`unknown command ${JSON.stringify(unknown)}`);
        }
      }
    } catch (err) {
      reply({ ok: false, error: (err as Error).stack ?? String(err) });
    }
  })();
});
// A stray failure is reported, never the end of the process (the orchestrator would wait forever).
process.on('unhandledRejection', (err) => console.error('client process:', err));
reply({ ok: true, ready: true });
