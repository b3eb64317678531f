import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientProcess } from './clients.ts';
import type { Fixture } from './fixture.ts';
import { writerClientId } from './lib/edits.ts';
import type { Endpoint } from './lib/wire.ts';
import { median, percentile, sleep } from './stats.ts';
import { scale } from './scale.ts';
import { missingInStore } from './lib/store-check.ts';
import type { RunningTarget, TargetName } from './targets.ts';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface Params {
  quick: boolean;
  fanoutSeconds: number;
  fanoutRate: number;
  throughputSeconds: number;
  throughputPlans: number;
  coldUpdates: number;
  /** Edits of the large cold plan (sent in updates of 10,000). */
  coldLargeEdits: number;
  coldSamples: number;
  memoryPlans: number;
  connections: number;
  connectionPlans: number;
  holdSeconds: number;
  resultsSeconds: number;
  /** The scale scenario (scale.ts). */
  scaleConnections: number;
  scalePlans: number;
  scaleSeconds: number;
  scaleEditEverySeconds: number;
  scalePresenceEverySeconds: number;
  scaleSampleSeconds: number;
}

export interface Ctx {
  fixture: Fixture;
  workers: [ClientProcess, ClientProcess];
  params: Params;
  /** --heap: CareHub takes a heap snapshot (SIGUSR2) with the memory scenario's plans open. */
  heapDir?: string;
}

/** Figures of one scenario run on one target; NaN where it does not apply. */
export type Figures = Record<string, number>;

export interface Scenario {
  id: string;
  title: string;
  targets: TargetName[];
  /** Starts its own server (no target process is started for it). */
  external?: boolean;
  /** CareHub keeps its default per-user connection limit (the scale scenario's users each stay within it). */
  defaultLimits?: boolean;
  run(t: RunningTarget | null, ctx: Ctx): Promise<Figures>;
}

const ALL: TargetName[] = ['carehub', 'carehub-normal', 'hocuspocus', 'hocuspocus-sqlite', 'y-websocket', 'relay'];
/** Scenarios where storage plays no part run CareHub once (synchronous=FULL). */
const ONE_CAREHUB: TargetName[] = ['carehub', 'hocuspocus', 'hocuspocus-sqlite', 'y-websocket', 'relay'];

/** Warm-up documents, never used by the measured step (the fixture's last plans). */
const warmPlans = (f: Fixture, n = 20): string[] => f.plans.slice(-n - 1, -1);

async function closeAll(ctx: Ctx): Promise<void> {
  await Promise.all(ctx.workers.map((w) => w.call({ cmd: 'closeAll' })));
}

async function connectSplit(ctx: Ctx, endpoints: Endpoint[], concurrency: number): Promise<number> {
  const half = Math.ceil(endpoints.length / 2);
  const parts = [endpoints.slice(0, half), endpoints.slice(half)];
  const replies = await Promise.all(
    ctx.workers.map((w, i) =>
      w.call<{ failed: number; error?: string }>({ cmd: 'connect', endpoints: parts[i] as Endpoint[], concurrency }),
    ),
  );
  const failed = replies.reduce((n, r) => n + r.failed, 0);
  if (failed > 0) console.error(`  ${failed} connections failed: ${replies.find((r) => r.error)?.error}`);
  return failed;
}

/** Signals the target to write a heap snapshot (--heapsnapshot-signal) and waits until it is written. */
async function heapSnapshot(t: RunningTarget): Promise<void> {
  process.kill(t.pid, 'SIGUSR2');
  // Writing the snapshot blocks the target; it answers again once the file is written.
  await sleep(500);
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    try {
      await t.openDocs();
      return;
    } catch {
      await sleep(200);
    }
  }
}

async function waitUnloaded(t: RunningTarget, timeoutMs = 20_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await t.openDocs()) === 0) return true;
    await sleep(20);
  }
  return false;
}

/** Fan-out: edits sent before measuring starts. */
const WARMUP_SECONDS = 1;

function fanout(clients: number): Scenario {
  return {
    id: `fanout-${clients}`,
    title: `fan-out: 1 plan × ${clients} clients, one writer (the first second of edits not counted)`,
    targets: ALL,
    async run(target, ctx) {
      const t = target as RunningTarget;
      const { fixture, workers, params } = ctx;
      const plan = fixture.plans[0] as string;
      const ep = t.endpoint(plan);
      // The writer and half the receivers in one process, the other half in the other.
      const first = Math.ceil(clients / 2);
      await Promise.all([
        workers[0].call({ cmd: 'connect', endpoints: Array.from({ length: first }, () => ep), concurrency: 20 }),
        workers[1].call({
          cmd: 'connect',
          endpoints: Array.from({ length: clients - first }, () => ep),
          concurrency: 20,
        }),
      ]);
      const writer = 0;
      await workers[0].call({ cmd: 'listen', skipFirst: true, writerClient: writerClientId(writer) });
      await workers[1].call({ cmd: 'listen', skipFirst: false, writerClient: writerClientId(writer) });
      await sleep(300);
      const cpu0 = t.cpuMs();
      // One second of edits first, not counted (for every target alike): the first edits of a
      // fresh process run cold code (JIT, caches); the figures are for a server in its stride.
      const { sent: all } = await workers[0].call<{ sent: number[] }>({
        cmd: 'fanoutWrite',
        rate: params.fanoutRate,
        seconds: params.fanoutSeconds + WARMUP_SECONDS,
        author: fixture.author,
        writer,
      });
      const sent = all.slice(2 * params.fanoutRate * WARMUP_SECONDS);
      // Until every receiver has the writer's last edit (converged), or nothing more arrives for
      // a second (at most 15 s): receivers short of it are reported, never waited for silently.
      const lastClock = Math.max(...all.filter((_, i) => i % 2 === 0));
      let reached = 0;
      let last = -1;
      let still = 0;
      for (const until = Date.now() + 15_000; Date.now() < until; ) {
        const counts = await Promise.all(
          workers.map((w) => w.call<{ reached: number }>({ cmd: 'reached', clock: lastClock })),
        );
        reached = counts.reduce((n, c) => n + c.reached, 0);
        if (reached >= clients - 1) break;
        still = reached === last ? still + 1 : 0;
        if (still >= 4) break;
        last = reached;
        await sleep(250);
      }
      const cpu = t.cpuMs() - cpu0;
      const sentAt = new Map<number, number>();
      for (let i = 0; i < sent.length; i += 2) sentAt.set(sent[i] as number, sent[i + 1] as number);
      const sentClocks = [...sentAt.keys()].sort((a, b) => a - b);
      const latencies: number[] = [];
      for (const w of workers) {
        const { received } = await w.call<{ received: number[] }>({ cmd: 'report' });
        // A message brings its receiver to a clock: every edit up to it has arrived (a server
        // may merge several edits into one message, as CareHub does with one group commit's).
        const upTo = new Map<number, number>();
        for (let i = 0; i < received.length; i += 3) {
          const [receiver, clock, at] = [received[i] as number, received[i + 1] as number, received[i + 2] as number];
          let next = upTo.get(receiver) ?? 0;
          while (next < sentClocks.length && (sentClocks[next] as number) <= clock) {
            latencies.push(at - (sentAt.get(sentClocks[next] as number) as number));
            next++;
          }
          upTo.set(receiver, next);
        }
      }
      await closeAll(ctx);
      latencies.sort((a, b) => a - b);
      const expected = sentAt.size * (clients - 1);
      return {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        delivered: latencies.length / expected,
        cpuMsPerEdit: cpu / (all.length / 2),
        unconverged: clients - 1 - reached,
        missingInStore: t.dbFile ? missingInStore(t.dbFile, [[plan, writerClientId(writer), lastClock]]) : Number.NaN,
      };
    },
  };
}

const throughput: Scenario = {
  id: 'throughput',
  title: 'throughput: plans × 5 clients writing as fast as acknowledged',
  targets: ALL,
  async run(target, ctx) {
    const t = target as RunningTarget;
    const { fixture, workers, params } = ctx;
    const plans = fixture.plans.slice(0, params.throughputPlans);
    const half = Math.ceil(plans.length / 2);
    const eps = (ps: string[]) => ps.flatMap((p) => Array.from({ length: 5 }, () => t.endpoint(p)));
    await Promise.all([
      workers[0].call({ cmd: 'connect', endpoints: eps(plans.slice(0, half)), concurrency: 25, firstWriter: 0 }),
      workers[1].call({ cmd: 'connect', endpoints: eps(plans.slice(half)), concurrency: 25, firstWriter: half * 5 }),
    ]);
    await sleep(300);
    const cpu0 = t.cpuMs();
    const started = performance.now();
    const replies = await Promise.all(
      workers.map((w) =>
        w.call<{ acked: number; stalled: number; unconverged: number; clocks: [string, number, number][] }>({
          cmd: 'throughput',
          seconds: params.throughputSeconds,
          author: fixture.author,
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = t.cpuMs() - cpu0;
    await closeAll(ctx);
    const updates = replies.reduce((n, r) => n + r.acked, 0);
    const stalled = replies.reduce((n, r) => n + r.stalled, 0);
    if (stalled > 0) console.error(`  ${stalled} writers got no acknowledgement within 10 s and stopped`);
    return {
      stalled,
      updatesPerSecond: updates / seconds,
      cpuMsPer1000: (1000 * cpu) / updates,
      serverCpuShare: cpu / 1000 / seconds,
      unconverged: replies.reduce((n, r) => n + r.unconverged, 0),
      missingInStore: t.dbFile
        ? missingInStore(
            t.dbFile,
            replies.flatMap((r) => r.clocks),
          )
        : Number.NaN,
    };
  },
};

/** The cold plans: one per shape, none a warm-up or fan-out plan. */
const coldPlans = (f: Fixture): string[] => [f.plans.at(-1), f.plans.at(-22), f.plans.at(-23)] as string[];

/**
 * Cold open of plans of random edits (NoteEditing), in three shapes: `coldUpdates` edits each
 * its own update ("Small"), the same number as one update ("One"), and `coldLargeEdits` in
 * updates of 10,000 ("Large"). Figures: connect → sync step 2, median of `coldSamples`.
 */
const cold: Scenario = {
  id: 'cold',
  title: 'cold load: a plan whose log holds the updates, not in memory',
  targets: ['carehub', 'carehub-normal', 'hocuspocus-sqlite', 'y-websocket'],
  async run(target, ctx) {
    const t = target as RunningTarget;
    const { fixture, workers, params } = ctx;
    const shapes = [
      { name: 'Small', edits: params.coldUpdates, perUpdate: 1 },
      { name: 'One', edits: params.coldUpdates, perUpdate: params.coldUpdates },
      { name: 'Large', edits: params.coldLargeEdits, perUpdate: 10_000 },
    ];
    const figures: Figures = {};
    // y-websocket keeps documents in memory (no persistence configured): its figure is from memory.
    const unloads = t.info.name !== 'y-websocket';
    for (const [i, shape] of shapes.entries()) {
      const ep = t.endpoint(coldPlans(fixture)[i] as string);
      await workers[0].call({ cmd: 'connect', endpoints: [ep, ep], concurrency: 1 });
      const {
        ms: writeMs,
        bytes,
        clock,
      } = await workers[0].call<{ ms: number; bytes: number; clock: number }>({
        cmd: 'editWrite',
        edits: shape.edits,
        perUpdate: shape.perUpdate,
        author: fixture.author,
        writer: 900_000 + i,
      });
      await closeAll(ctx);
      if (unloads && !(await waitUnloaded(t))) throw new Error('the plan did not unload');
      const times: number[] = [];
      const writerClient = writerClientId(900_000 + i);
      for (let s = 0; s < params.coldSamples; s++) {
        const { ms, writerClock } = await workers[1].call<{ ms: number; writerClock: number }>({
          cmd: 'coldSync',
          endpoint: ep,
          writerClient,
        });
        times.push(ms);
        // The cold copy holds every edit written (nothing lost across the unload).
        if (writerClock < clock) figures.unconverged = (figures.unconverged ?? 0) + 1;
        if (unloads && !(await waitUnloaded(t))) throw new Error('the plan did not unload');
      }
      figures[`sync${shape.name}Ms`] = median(times);
      figures[`max${shape.name}Ms`] = Math.max(...times);
      figures[`log${shape.name}Kb`] = bytes / 1024;
      if (i === 0) figures.writeUpdatesPerSecond = (1000 * shape.edits) / writeMs;
      figures.unconverged ??= 0;
      if (t.dbFile)
        figures.missingInStore =
          (figures.missingInStore ?? 0) +
          missingInStore(t.dbFile, [[coldPlans(fixture)[i] as string, writerClient, clock]]);
    }
    return figures;
  },
};

const memory: Scenario = {
  id: 'memory',
  title: 'memory: plans open, one client each',
  targets: ONE_CAREHUB,
  async run(target, ctx) {
    const t = target as RunningTarget;
    const { fixture, params } = ctx;
    await connectSplit(
      ctx,
      warmPlans(fixture).map((p) => t.endpoint(p)),
      10,
    );
    await sleep(1000);
    const rss0 = t.rssKb();
    const failed = await connectSplit(
      ctx,
      fixture.plans.slice(0, params.memoryPlans).map((p) => t.endpoint(p)),
      25,
    );
    await sleep(2000);
    const rss1 = t.rssKb();
    if (ctx.heapDir && t.info.name.startsWith('carehub')) await heapSnapshot(t);
    await closeAll(ctx);
    return { kbPerPlan: (rss1 - rss0) / params.memoryPlans, rssMb: rss1 / 1024, failed };
  },
};

const connections: Scenario = {
  id: 'connections',
  title: 'connections: idle clients over plans',
  targets: ONE_CAREHUB,
  async run(target, ctx) {
    const t = target as RunningTarget;
    const { fixture, params } = ctx;
    await connectSplit(
      ctx,
      warmPlans(fixture).map((p) => t.endpoint(p)),
      10,
    );
    await sleep(1000);
    const rss0 = t.rssKb();
    const cpu0 = t.cpuMs();
    const per = params.connections / params.connectionPlans;
    const eps = fixture.plans
      .slice(0, params.connectionPlans)
      .flatMap((p) => Array.from({ length: per }, () => t.endpoint(p)));
    const started = performance.now();
    const failed = await connectSplit(ctx, eps, 50);
    const connectSeconds = (performance.now() - started) / 1000;
    const cpu = t.cpuMs() - cpu0;
    await sleep(params.holdSeconds * 1000);
    const rss1 = t.rssKb();
    const held =
      (await Promise.all(ctx.workers.map((w) => w.call<{ held: number }>({ cmd: 'held' })))).reduce(
        (n, r) => n + r.held,
        0,
      ) - warmPlans(fixture).length;
    await closeAll(ctx);
    return {
      kbPerConnection: (rss1 - rss0) / params.connections,
      cpuMsPerConnection: cpu / params.connections,
      held,
      failed,
      connectsPerSecond: params.connections / connectSeconds,
    };
  },
};

/** CareHub only (Socket.IO results; the others have no such feature): bench/results-latency.ts. */
const results: Scenario = {
  id: 'results',
  title: 'results: 200 watchers on one plan, 20 plans open, filed at 100/s (the first second not counted)',
  targets: ['carehub'],
  external: true,
  async run(_t, ctx) {
    const once = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'bench/results-latency.ts', '--seconds', String(ctx.params.resultsSeconds)],
          {
            cwd: ROOT,
            // 200 watchers share one user's token: lift the per-user connection limit.
            env: { ...process.env, SQLITE_SYNCHRONOUS: 'FULL', MAX_CONNECTIONS_PER_USER: '100000' },
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          },
        );
        let text = '';
        // Its watcher process can die without telling it, leaving it waiting: bounded here.
        // (Its own process group, so its hub goes with it.)
        const limit = setTimeout(
          () => process.kill(-(child.pid as number), 'SIGKILL'),
          (ctx.params.resultsSeconds * 4 + 60) * 1000,
        );
        child.once('exit', () => clearTimeout(limit));
        child.stdout.on('data', (c: Buffer) => (text += c.toString()));
        child.stderr.on('data', (c: Buffer) => (text += c.toString()));
        child.once('exit', (code) =>
          code === 0 ? resolve(text) : reject(new Error(`results-latency exited ${code}: ${text.slice(0, 600)}`)),
        );
      });
    // Its set-up requests can meet a keep-alive socket the hub just closed (after the slow
    // api-key command on a busy machine): one retry.
    const out = await once().catch(() => once());
    const m = /p50 (\S+) ms, p99 (\S+) ms/.exec(out);
    const rate = /(\S+) \/s sustained/.exec(out);
    const cpu = /\((\S+) ms per result\)/.exec(out);
    return { p50: Number(m?.[1]), p99: Number(m?.[2]), sustained: Number(rate?.[1]), cpuMsPerResult: Number(cpu?.[1]) };
  },
};

export const SCENARIOS: Scenario[] = [fanout(50), fanout(200), throughput, cold, memory, connections, results, scale];
