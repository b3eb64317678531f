/**
 * Soak run (issue 9): a bounded mixed load against a hub child process for a given time —
 * two plans edited live (a title probe 10 times a second, typing in a note), results filed
 * through the API with a Socket.IO watcher, clients joining and leaving /collab and
 * Socket.IO, a long-lived client reconnecting every few seconds — and reports errors,
 * latency percentiles (edit→peer, result filed→received) and the hub's memory over time.
 *
 *   npm run soak -- [--seconds 60] [--sample 5] [--max-growth-mb 64]
 *
 * Exit code 1 on any error (an unexpected close, a refused or failed request, a sync or a
 * delivery that does not come, clients that do not converge, a limit acting on this normal
 * load, the hub exiting) or when the hub's RSS at the end exceeds its RSS after the warm-up
 * by more than --max-growth-mb. Why 64 MiB: the working set is constant (two plans, a fixed
 * set of clients); what legitimately grows is the typed text (kilobytes) and V8 settling its
 * heap, which in the backpressure test's 40 MiB burst levelled off within ~60 MiB of garbage.
 * A leak proportional to the load (a buffer, a room or a listener per edit, join or result)
 * passes 64 MiB within a minute at these rates only if it holds ≳ 10 KiB per event, so the
 * bound catches gross leaks; the per-sample figures show trends below it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import * as authProtocol from 'y-protocols/auth';
import { io, type Socket } from 'socket.io-client';
import { addNote, metaOf, planToJson } from '../../shared/plan-doc.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.ts';
import { connectCollab, type CollabClient } from '../../tests/fixtures/collab-client.ts';
import { runCli } from '../../tests/fixtures/cli.ts';
import { scrape } from '../../tests/fixtures/prometheus.ts';
import { observation } from '../../tests/fixtures/results.ts';
import { firstPlanOf, loginAt, spawnHub } from '../../tests/fixtures/server-process.ts';
import { tempDir } from '../../tests/fixtures/server.ts';
import { fmt, percentile } from '../lib/typing.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    sample: { type: 'string', default: '5' },
    'max-growth-mb': { type: 'string', default: '64' },
  },
});
const SECONDS = Number(values.seconds);
const SAMPLE_SECONDS = Number(values.sample);
const MAX_GROWTH_MB = Number(values['max-growth-mb']);
/** Memory is compared from the end of the warm-up: plans loaded, code paths compiled, caches filled. */
const WARM_UP_SECONDS = Math.min(15, Math.max(SAMPLE_SECONDS, SECONDS / 4));
const CARL_CPR = '1203451237';
const MiB = 1024 * 1024;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let errorCount = 0;
const errors: string[] = [];
function fail(message: string): void {
  errorCount++;
  if (errors.length < 30) errors.push(message);
  console.error(`error: ${message}`);
}
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        fail(`${what}: nothing within ${ms} ms`);
        resolve(undefined);
      }, ms);
    }),
  ]);
}
const nextSync = (c: CollabClient) =>
  new Promise<void>((resolve) => c.provider.once('sync', (s: boolean) => s && resolve()));

const dir = tempDir('carehub-soak-');
const dbFile = join(dir, 'soak.db');
const hub = await spawnHub(dbFile);
let stopping = false;
void hub.exited.then((code) => {
  if (!stopping) fail(`the hub exited with ${code}`);
});
const clients: CollabClient[] = [];
const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];
let exitCode = 1;
try {
  const [hanne, gitte, maja, niels] = await Promise.all(
    ['hanne', 'gitte', 'maja', 'niels'].map((u) => loginAt(hub.url, u)),
  );
  const planIds = [
    await firstPlanOf(hub.url, hanne!, 'Carl Jensen'),
    await firstPlanOf(hub.url, gitte!, 'Erik Nielsen'),
  ];
  const made = await runCli(['api-key', 'create', '--system', 'soak-lab'], { DATABASE_URL: `sqlite:${dbFile}` });
  const apiKey = /chk_\S+/.exec(made.stdout)?.[0];
  if (!apiKey) throw new Error(`api-key create failed: ${made.stderr}`);

  const deniedReasons = new Map<string, number>();
  // Per plan: a writer (title probe) and a reader (typing in its own note, reconnecting).
  const pairs = planIds.map((planId, i) => {
    const writer = connectCollab(hub.wsUrl, planId, i === 0 ? hanne! : gitte!);
    const reader = connectCollab(hub.wsUrl, planId, maja!);
    clients.push(writer, reader);
    return { planId, writer, reader, reconnecting: false };
  });
  await Promise.all(clients.map((c) => within(c.synced, 20_000, 'the first sync')));
  for (const p of pairs) {
    p.writer.provider.on('connection-close', (e: { code: number } | null) => {
      if (!stopping) fail(`the writer of ${p.planId.slice(0, 8)} was closed (${e?.code})`);
    });
    p.reader.provider.on('connection-close', (e: { code: number } | null) => {
      if (!stopping && !p.reconnecting) fail(`the reader of ${p.planId.slice(0, 8)} was closed (${e?.code})`);
    });
    // The stock client prints each refusal with its URL (token included); count them instead.
    for (const c of [p.writer, p.reader]) {
      (c.provider as unknown as { messageHandlers: unknown[] }).messageHandlers[2] = (
        _encoder: unknown,
        decoder: Parameters<typeof authProtocol.readAuthMessage>[0],
      ) =>
        authProtocol.readAuthMessage(decoder, c.doc, (_doc, reason) =>
          deniedReasons.set(reason, (deniedReasons.get(reason) ?? 0) + 1),
        );
    }
  }

  // Edit → peer: the writer stamps the title; the reader sees it.
  const editLatencies: number[] = [];
  let edits = 0;
  for (const p of pairs) {
    let seen = '';
    p.reader.doc.on('update', () => {
      const title = metaOf(p.reader.doc).get('title');
      if (typeof title !== 'string' || title === seen) return;
      seen = title;
      const m = /^soak \d+ (\d+(?:\.\d+)?)$/.exec(title);
      if (m) editLatencies.push(now() - Number(m[1]));
    });
  }
  // Typing: each reader adds a note of its own (notes are written as oneself) and types into it.
  const majaId = (
    (await (await fetch(`${hub.url}/api/v1/me`, { headers: { authorization: `Bearer ${maja}` } })).json()) as {
      id: string;
    }
  ).id;
  for (const p of pairs)
    addNote(p.reader.doc, {
      id: randomUUID(),
      author: majaId,
      sector: 'municipality',
      created: new Date().toISOString(),
      body: '',
    });

  // Results: filed through the API, received by a Socket.IO watcher of Carl's plan.
  const watcher: Socket<ServerToClientEvents, ClientToServerEvents> = io(hub.url, {
    auth: { token: hanne },
    transports: ['websocket'],
    reconnection: false,
  });
  sockets.push(watcher);
  await within(
    new Promise<void>((resolve) => watcher.once('connect', () => resolve())),
    10_000,
    'the watcher to connect',
  );
  const watched = await watcher.emitWithAck('plan:watch', { planId: planIds[0]! });
  if (!watched.ok) fail(`plan:watch refused: ${watched.error}`);
  watcher.on('disconnect', (reason) => {
    if (!stopping) fail(`the watcher was disconnected (${reason})`);
  });
  const resultReceived = new Map<string, number>();
  watcher.on('result:filed', ({ result }) => resultReceived.set((result as { id: string }).id, now()));
  const resultSent = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();

  let joins = 0;
  let reconnects = 0;
  const samples: { t: number; rss: number; heap: number }[] = [];
  const started = now();
  const elapsed = () => (now() - started) / 1000;
  const every = (ms: number, fn: () => void | Promise<void>) => {
    let busy = false;
    timers.push(
      setInterval(() => {
        if (busy || stopping) return;
        busy = true;
        void Promise.resolve(fn())
          .catch((err: unknown) => fail(`load step failed: ${(err as Error).message}`))
          .finally(() => (busy = false));
      }, ms),
    );
  };

  // 10 title edits a second per plan; 10 typed characters a second per plan.
  every(100, () => {
    for (const p of pairs) {
      metaOf(p.writer.doc).set('title', `soak ${edits++} ${now()}`);
      const note = p.reader.doc.getArray<Y.Map<unknown>>('notes');
      const body = note.get(note.length - 1)?.get('body');
      if (body instanceof Y.XmlFragment && body.length > 0) {
        const paragraph = body.get(0);
        if (paragraph instanceof Y.XmlElement) {
          let text = paragraph.get(0);
          if (!(text instanceof Y.XmlText)) paragraph.insert(0, [(text = new Y.XmlText())]);
          (text as Y.XmlText).insert((text as Y.XmlText).length, 'abc '[edits % 4]!);
        }
      }
    }
  });
  // 4 results a second.
  every(250, async () => {
    const t = now();
    const request = fetch(`${hub.url}/api/v1/results`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(observation({ id: randomUUID(), cpr: CARL_CPR, value: 3.5 + Math.random() * 1.5 })),
    }).then(async (r) => {
      if (r.status !== 201) return fail(`POST /results answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
      resultSent.set(((await r.json()) as { id: string }).id, t);
    });
    inFlight.add(request);
    await request.finally(() => inFlight.delete(request));
  });
  // A client joins a plan over /collab, syncs and leaves, every second (niels on Carl's plan, maja on Erik's).
  every(1000, async () => {
    const c = connectCollab(hub.wsUrl, planIds[joins % planIds.length]!, joins % 2 === 0 ? niels! : maja!);
    joins++;
    await within(c.synced, 10_000, 'a joining client to sync');
    c.destroy();
  });
  // A Socket.IO client connects, watches, leaves, every second.
  every(1000, async () => {
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(hub.url, {
      auth: { token: niels },
      transports: ['websocket'],
      reconnection: false,
    });
    const ok = await within(
      new Promise<boolean>((resolve) => {
        s.once('connect', () => resolve(true));
        s.once('connect_error', (err) => resolve(Boolean(fail(`Socket.IO connect refused: ${err.message}`))));
      }),
      10_000,
      'a Socket.IO client to connect',
    );
    if (ok) {
      const ack = await s.emitWithAck('plan:watch', { planId: planIds[0]! });
      if (!ack.ok) fail(`plan:watch refused: ${ack.error}`);
    }
    s.close();
  });
  // A long-lived reader drops its connection and reconnects, every 5 s (alternating plans).
  every(5000, async () => {
    const p = pairs[reconnects++ % pairs.length]!;
    p.reconnecting = true;
    p.reader.provider.disconnect();
    const synced = nextSync(p.reader);
    p.reader.provider.connect();
    await within(synced, 10_000, 'a reconnecting client to sync');
    p.reconnecting = false;
  });
  // Memory, every SAMPLE_SECONDS.
  const sample = async () => {
    const s = await scrape(hub.url);
    const point = {
      t: elapsed(),
      rss: s.value('process_resident_memory_bytes') ?? NaN,
      heap: s.value('nodejs_heap_size_used_bytes') ?? NaN,
    };
    samples.push(point);
    console.log(
      `t=${fmt(point.t, 0)}s rss=${fmt(point.rss / MiB)} MiB heap=${fmt(point.heap / MiB)} MiB edits=${edits} results=${resultSent.size} joins=${joins} reconnects=${reconnects} errors=${errorCount}`,
    );
  };
  await sample();
  every(SAMPLE_SECONDS * 1000, sample);

  await sleep(SECONDS * 1000);
  for (const t of timers) clearInterval(t);
  await Promise.all([...inFlight]);
  await sample();

  // Everything arrives: every result filed, the same plan in every client.
  const deadline = now() + 10_000;
  while ([...resultSent.keys()].some((id) => !resultReceived.has(id)) && now() < deadline) await sleep(20);
  const missing = [...resultSent.keys()].filter((id) => !resultReceived.has(id)).length;
  if (missing > 0) fail(`${missing} filed results never reached the watcher`);
  for (const p of pairs) {
    const same = () => JSON.stringify(planToJson(p.writer.doc)) === JSON.stringify(planToJson(p.reader.doc));
    while (!same() && now() < deadline) await sleep(20);
    if (!same()) fail(`the clients of plan ${p.planId.slice(0, 8)} did not converge`);
  }
  const metrics = await scrape(hub.url);
  const limits = metrics.sum('carehub_limit_actions_total');
  if (limits > 0) fail(`a limit acted ${limits} times on this normal load`);
  const refused = metrics.value('carehub_updates_refused_total') ?? 0;

  const resultLatencies = [...resultSent]
    .flatMap(([id, t]) => (resultReceived.has(id) ? [resultReceived.get(id)! - t] : []))
    .sort((a, b) => a - b);
  editLatencies.sort((a, b) => a - b);
  const baseline = samples.find((s) => s.t >= WARM_UP_SECONDS) ?? samples[0]!;
  const end = samples.at(-1)!;
  const growthMb = (end.rss - baseline.rss) / MiB;
  const pct = (xs: number[]) =>
    `p50 ${fmt(percentile(xs, 50), 1)} ms, p99 ${fmt(percentile(xs, 99), 1)} ms, max ${fmt(xs.at(-1) ?? NaN, 1)} ms`;
  console.log(
    `\nsoak ${SECONDS} s: ${edits} title edits, ${resultSent.size} results filed, ${joins} /collab joins and as many Socket.IO joins, ${reconnects} reconnects; ${refused} updates refused`,
  );
  if (deniedReasons.size > 0)
    console.log(
      `refusals the long-lived clients received: ${[...deniedReasons].map(([r, n]) => `${n}× "${r}"`).join(', ')}`,
    );
  console.log(`edit→peer (${editLatencies.length}): ${pct(editLatencies)}`);
  console.log(`result filed→received (${resultLatencies.length}): ${pct(resultLatencies)}`);
  console.log(
    `hub RSS: start ${fmt(samples[0]!.rss / MiB)} MiB, after warm-up (t=${fmt(baseline.t, 0)}s) ${fmt(baseline.rss / MiB)} MiB, end ${fmt(end.rss / MiB)} MiB, growth ${fmt(growthMb)} MiB (bound ${MAX_GROWTH_MB} MiB); heap used ${fmt(baseline.heap / MiB)} → ${fmt(end.heap / MiB)} MiB`,
  );
  console.log(`errors: ${errorCount}${errors.length ? `\n  ${errors.join('\n  ')}` : ''}`);
  console.log(
    JSON.stringify({
      soak: { seconds: SECONDS, edits, results: resultSent.size, joins, reconnects, errors: errorCount },
      editToPeerMs: { p50: percentile(editLatencies, 50), p99: percentile(editLatencies, 99) },
      filedToReceivedMs: { p50: percentile(resultLatencies, 50), p99: percentile(resultLatencies, 99) },
      rssMiB: {
        start: samples[0]!.rss / MiB,
        afterWarmUp: baseline.rss / MiB,
        end: end.rss / MiB,
        growth: growthMb,
        bound: MAX_GROWTH_MB,
      },
    }),
  );
  if (growthMb > MAX_GROWTH_MB)
    console.error(`the hub's RSS grew by ${fmt(growthMb)} MiB after the warm-up, more than ${MAX_GROWTH_MB} MiB`);
  exitCode = errorCount === 0 && growthMb <= MAX_GROWTH_MB ? 0 : 1;
} catch (err) {
  console.error(`soak failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  stopping = true;
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.close();
  for (const c of clients) c.destroy();
  hub.child.kill('SIGTERM');
  const code = await hub.exited;
  if (code !== 0) {
    console.error(`the hub exited with ${code} on SIGTERM`);
    exitCode = 1;
  }
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
