/**
 * Scale on one node (issue 20): `scaleConnections` /collab connections over `scalePlans`
 * plans, each client editing its note once every `scaleEditEverySeconds` and sending its caret
 * (awareness) every `scalePresenceEverySeconds`, for `scaleSeconds`. The clients run in the
 * two load-client processes, all clients of a plan in the same one. They sign in as real users
 * created for the bench (fixture.ts), each holding half the per-user connection limit, which
 * the server keeps at its default. Reported: errors, fan-out p50/p99, RSS, CPU and event-loop
 * lag (the server's own `/metrics`) every `scaleSampleSeconds`, and a convergence check: every
 * client has every peer's last edit, and the store holds every update.
 *
 * CareHub only: the other servers have no users, no sign-in and no per-user limits to stay within.
 */
import { BENCH_USER_PASSWORD } from './fixture.ts';
import { missingInStore } from './lib/store-check.ts';
import type { ScaleEndpoint } from './lib/scale-clients.ts';
import { SCALE_BUCKET_MS } from './lib/scale-clients.ts';
import type { Figures, Scenario } from './scenarios.ts';
import { sleep } from './stats.ts';
import type { RunningTarget } from './targets.ts';

/** The server's default MAX_CONNECTIONS_PER_USER is 20: each bench user holds half of it. */
export const SCALE_CONNECTIONS_PER_USER = 10;
/** Writer numbers of this scenario (Yjs client ids writerClientId(n)) start here. */
const FIRST_WRITER = 300_000;

/** Percentile of a histogram of [bucket, count] pairs (bucket × SCALE_BUCKET_MS). */
function histogramPercentile(pairs: Map<number, number>, p: number): number {
  const total = [...pairs.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const want = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const bucket of [...pairs.keys()].sort((a, b) => a - b)) {
    seen += pairs.get(bucket) as number;
    if (seen >= want) return bucket * SCALE_BUCKET_MS;
  }
  return NaN;
}

function addPairs(into: Map<number, number>, pairs: number[]): void {
  for (let i = 0; i < pairs.length; i += 2)
    into.set(pairs[i] as number, (into.get(pairs[i] as number) ?? 0) + (pairs[i + 1] as number));
}

async function metric(base: string): Promise<Record<string, number>> {
  // Sampled every 10 s, past the server's keep-alive timeout (5 s): a pooled socket the server
  // closed meanwhile fails the first try; the second goes on a fresh one.
  const scrape = () => fetch(`${base}/metrics`).then((r) => r.text());
  const text = await scrape().catch(() => scrape());
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    lagP99Ms: 1000 * read('nodejs_eventloop_lag_p99_seconds'),
    lagMaxMs: 1000 * read('nodejs_eventloop_lag_max_seconds'),
    connections: read('carehub_collab_connections'),
  };
}

/** Signs every user in through POST /auth/login (a few at a time: the sign-in throttle allows 20 in flight per address). */
async function signIn(base: string, users: { username: string }[]): Promise<string[]> {
  const tokens: string[] = new Array(users.length);
  let next = 0;
  const lane = async () => {
    while (next < users.length) {
      const i = next++;
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: (users[i] as { username: string }).username, password: BENCH_USER_PASSWORD }),
      });
      if (!res.ok) throw new Error(`sign-in of ${users[i]?.username}: ${res.status} ${await res.text()}`);
      tokens[i] = ((await res.json()) as { token: string }).token;
    }
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  return tokens;
}

/** Plans whose stored log lacks a writer's last edit (read from the SQLite file, as a restart would load it). */
export const scale: Scenario = {
  id: 'scale',
  title:
    'scale: connections over plans on one node, each client editing every 10 s and sending presence every 1 s (CareHub only; the first 10 s not counted)',
  targets: ['carehub'],
  defaultLimits: true,
  async run(target, ctx) {
    const t = target as RunningTarget;
    const { fixture, workers, params } = ctx;
    const connections = params.scaleConnections;
    const perPlan = Math.round(connections / params.scalePlans);
    const userCount = Math.ceil(connections / SCALE_CONNECTIONS_PER_USER);
    if (fixture.users.length < userCount)
      throw new Error(`the fixture has ${fixture.users.length} users, ${userCount} needed`);
    if (!t.baseUrl || !t.dbFile) throw new Error('scale: CareHub only');
    const base = t.baseUrl;

    const signInStarted = performance.now();
    const tokens = await signIn(base, fixture.users.slice(0, userCount));
    const signInSeconds = (performance.now() - signInStarted) / 1000;

    // Connection i: plan ⌊i / perPlan⌋, user ⌊i / 10⌋; the first half of the plans in the first process.
    const parts: ScaleEndpoint[][] = [[], []];
    for (let i = 0; i < connections; i++) {
      const planIndex = Math.floor(i / perPlan);
      const plan = fixture.plans[planIndex] as string;
      const userIndex = Math.floor(i / SCALE_CONNECTIONS_PER_USER);
      const ep = t.endpoint(plan);
      parts[planIndex < params.scalePlans / 2 ? 0 : 1]?.push({
        ep: { ...ep, url: ep.url.replace(/token=[^&]*/, `token=${tokens[userIndex]}`) },
        writer: FIRST_WRITER + i,
        author: (fixture.users[userIndex] as { id: string }).id,
      });
    }
    const rss0 = t.rssKb();
    const connectStarted = performance.now();
    const opened = await Promise.all(
      workers.map((w, i) =>
        w.call<{ opened: number; failed: number }>({ cmd: 'scaleConnect', endpoints: parts[i] ?? [], concurrency: 40 }),
      ),
    );
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const openFailed = opened.reduce((n, o) => n + o.failed, 0);
    console.log(
      `\n    ${userCount} users signed in (${signInSeconds.toFixed(1)} s); ${connections - openFailed} of ${connections} connected over ${params.scalePlans} plans in ${connectSeconds.toFixed(1)} s; RSS ${(t.rssKb() / 1024).toFixed(0)} MB (was ${(rss0 / 1024).toFixed(0)} MB)`,
    );

    await Promise.all(
      workers.map((w) =>
        w.call({
          cmd: 'scaleStart',
          editEverySeconds: params.scaleEditEverySeconds,
          presenceEverySeconds: params.scalePresenceEverySeconds,
        }),
      ),
    );
    const started = performance.now();
    const cpu0 = t.cpuMs();
    const all = new Map<number, number>();
    const samples: { at: number; rssMb: number; lagP99Ms: number; lagMaxMs: number; cores: number; p99: number }[] = [];
    let measuring = false;
    let lastCpu = cpu0;
    let lastAt = started;
    let edits = 0;
    let errors = { closed: 0, refused: 0 };
    await metric(base); // resets the server's lag histogram
    console.log('      t s   RSS MB   lag p99 ms   lag max ms   cores busy   fan-out p99 ms   edits   presence');
    while (performance.now() - started < params.scaleSeconds * 1000) {
      await sleep(
        Math.min(params.scaleSampleSeconds * 1000, params.scaleSeconds * 1000 - (performance.now() - started)),
      );
      const now = performance.now();
      if (!measuring && now - started >= params.scaleEditEverySeconds * 1000) {
        await Promise.all(workers.map((w) => w.call({ cmd: 'scaleMeasure', on: true })));
        measuring = true;
      }
      const replies = await Promise.all(
        workers.map((w) =>
          w.call<{
            histogram: number[];
            errors: { closed: number; refused: number; openFailed: number; lastError: string };
            edits: number;
            presence: number;
          }>({ cmd: 'scaleSample' }),
        ),
      );
      const interval = new Map<number, number>();
      for (const r of replies) addPairs(interval, r.histogram);
      for (const [k, v] of interval) all.set(k, (all.get(k) ?? 0) + v);
      const m = await metric(base);
      const cpu = t.cpuMs();
      const sample = {
        at: (now - started) / 1000,
        rssMb: t.rssKb() / 1024,
        lagP99Ms: m.lagP99Ms as number,
        lagMaxMs: m.lagMaxMs as number,
        cores: (cpu - lastCpu) / (now - lastAt),
        p99: histogramPercentile(interval, 99),
      };
      lastCpu = cpu;
      lastAt = now;
      samples.push(sample);
      edits = replies.reduce((n, r) => n + r.edits, 0);
      const presence = replies.reduce((n, r) => n + r.presence, 0);
      errors = {
        closed: replies.reduce((n, r) => n + r.errors.closed, 0),
        refused: replies.reduce((n, r) => n + r.errors.refused, 0),
      };
      const lastError = replies.find((r) => r.errors.lastError)?.errors.lastError;
      console.log(
        `    ${sample.at.toFixed(0).padStart(5)} ${sample.rssMb.toFixed(0).padStart(8)} ${sample.lagP99Ms.toFixed(1).padStart(12)} ${sample.lagMaxMs.toFixed(1).padStart(12)} ${sample.cores.toFixed(2).padStart(12)} ${sample.p99.toFixed(1).padStart(16)} ${String(edits).padStart(7)} ${String(presence).padStart(10)}${errors.closed + errors.refused > 0 ? `  errors: ${errors.closed} closed, ${errors.refused} refused${lastError ? ` (${lastError})` : ''}` : ''}`,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = t.cpuMs() - cpu0;
    await Promise.all(workers.map((w) => w.call({ cmd: 'scaleStop' })));
    // Every edit sent is delivered to every peer (waits for the last ones in flight).
    const behind = (
      await Promise.all(workers.map((w) => w.call<{ behind: number }>({ cmd: 'scaleConverged', waitMs: 30_000 })))
    ).reduce((n, r) => n + r.behind, 0);
    const held = (await Promise.all(workers.map((w) => w.call<{ held: number }>({ cmd: 'scaleSample' })))).reduce(
      (n, r) => n + r.held,
      0,
    );
    const clocks = (
      await Promise.all(workers.map((w) => w.call<{ clocks: [string, number, number][] }>({ cmd: 'scaleClocks' })))
    ).flatMap((r) => r.clocks);
    const missing = missingInStore(t.dbFile, clocks);
    const rssEnd = t.rssKb();
    await Promise.all(workers.map((w) => w.call({ cmd: 'closeAll' })));
    const figures: Figures = {
      connected: connections - openFailed,
      held,
      errors: openFailed + errors.closed + errors.refused,
      p50: histogramPercentile(all, 50),
      p99: histogramPercentile(all, 99),
      max: Math.max(...all.keys()) * SCALE_BUCKET_MS,
      editsPerSecond: edits / seconds,
      cpuCoresBusy: cpu / 1000 / seconds,
      rssMbMax: Math.max(...samples.map((s) => s.rssMb)),
      rssMbEnd: rssEnd / 1024,
      kbPerConnection: (rssEnd - rss0) / connections,
      lagP99MaxMs: Math.max(...samples.map((s) => s.lagP99Ms)),
      lagMaxMs: Math.max(...samples.map((s) => s.lagMaxMs)),
      unconverged: behind,
      missingInStore: missing,
      signInSeconds,
      connectSeconds,
    };
    return figures;
  },
};
