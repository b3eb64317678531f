/**
 * Results benchmark (issue 4): 200 Socket.IO clients watching one plan (in a child process),
 * 20 plans open over /collab, results filed at a steady rate; reports filed→received latency
 * p50/p99 over every delivery and the ingestion rate sustained. The first `--warmup` seconds
 * of filing (default 1) warm the hub and the watchers up and are not counted: a fresh process
 * runs cold code for its first few hundred milliseconds, which alone would set the p99.
 *
 *   node --import tsx bench/results-latency.ts [--rate 100] [--seconds 10] [--watchers 200] [--warmup 1]
 */
import { fork } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { spawnHub, loginAt, firstPlanOf } from '../tests/fixtures/server-process.ts';
import { tempDir } from '../tests/fixtures/server.ts';
import { observation } from '../tests/fixtures/results.ts';
import { fmt, percentile } from './lib/typing.ts';
import { RawCollabClient } from './lib/raw-client.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    watchers: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '1' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WATCHERS = Number(values.watchers);
const WARMUP_SECONDS = Number(values.warmup);
const now = () => performance.timeOrigin + performance.now();
/** CPU seconds (user + system) a process has used, from /proc: where rates are client-bound, compare CPU. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const dir = tempDir('carehub-bench-');
const hub = await spawnHub(join(dir, 'bench.db'), {
  LOG_LEVEL: 'info',
  CRITICAL_ESCALATE_SECONDS: '3600',
  MAX_CONNECTIONS_PER_USER: '100000',
  RESULTS_RATE_PER_SECOND: '100000',
  RESULTS_RATE_BURST: '100000',
  SQLITE_SYNCHRONOUS: process.env.SQLITE_SYNCHRONOUS ?? 'FULL',
});
try {
  const token = await loginAt(hub.url, 'hanne');
  const planId = await firstPlanOf(hub.url, token, 'Carl Jensen');
  // An API key, made the way an operator would.
  const { spawnSync } = await import('node:child_process');
  const made = spawnSync(
    process.execPath,
    [
      join(fileURLToPath(new URL('.', import.meta.url)), '..', 'bin', 'carehub.js'),
      'api-key',
      'create',
      '--system',
      'bench-lab',
    ],
    { env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'bench.db')}` }, encoding: 'utf8' },
  );
  const key = /chk_\S+/.exec(made.stdout)?.[0];
  if (!key) throw new Error(`api-key create failed: ${made.stderr}`);

  // 20 plans open: Carl's plus 19 more patients' plans, each with a live client.
  const post = (path: string, body: unknown) =>
    fetch(`${hub.url}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ id: string }>);
  // The first request after the slow api-key command can meet a keep-alive socket the hub has
  // closed meanwhile (a busy machine): tried once more on a fresh one.
  const api = (path: string, body: unknown) => post(path, body).catch(() => post(path, body));
  const planIds = [planId];
  for (let i = 0; i < 19; i++) {
    const patient = await api('/patients', {
      cpr: `0101${String(50 + i).padStart(2, '0')}1234`,
      name: `Bench Patient ${i}`,
    });
    planIds.push((await api('/plans', { patientId: patient.id, title: `Plan ${i}` })).id);
  }
  const open = await Promise.all(
    planIds.map((id) => RawCollabClient.connect(`${hub.wsUrl}/collab/${id}?token=${token}`)),
  );

  const child = fork(
    join(fileURLToPath(new URL('.', import.meta.url)), 'lib', 'result-watchers.ts'),
    [hub.url, token, planId, String(WATCHERS), join(dir, 'deliveries.json')],
    { execArgv: ['--import', 'tsx'] },
  );
  await new Promise<void>((resolve) => child.once('message', () => resolve()));

  const sent = new Map<string, number>();
  let failures = 0;
  const total = RATE * SECONDS;
  const warmup = Math.round(RATE * WARMUP_SECONDS);
  const began = now();
  let started = began;
  let cpuServer0 = 0;
  let cpuWatchers0 = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < warmup + total; i++) {
    const due = began + (i * 1000) / RATE;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t = now();
    const counted = i >= warmup;
    if (i === warmup) {
      started = t;
      cpuServer0 = cpuSeconds(hub.child.pid!);
      cpuWatchers0 = cpuSeconds(child.pid!);
    }
    pending.push(
      fetch(`${hub.url}/api/v1/results`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(observation({ id: randomUUID(), cpr: '1203451237', value: 3.5 + Math.random() * 1.5 })),
      })
        .then(async (r) => {
          if (r.status !== 201) failures++;
          else if (counted) sent.set(((await r.json()) as { id: string }).id, t);
          else await r.body?.cancel();
        })
        .catch(() => void failures++),
    );
  }
  await Promise.all(pending);
  const elapsed = (now() - started) / 1000;
  const cpuServer = cpuSeconds(hub.child.pid!) - cpuServer0;
  const cpuWatchers = cpuSeconds(child.pid!) - cpuWatchers0;
  await new Promise((r) => setTimeout(r, 500));
  child.send({ type: 'report' });
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { type: string }) => m.type === 'report' && resolve());
    child.once('exit', (code) => reject(new Error(`the watchers' process ended (${code}) before reporting`)));
  });
  const report = { received: JSON.parse(readFileSync(join(dir, 'deliveries.json'), 'utf8')) as [string, number][] };
  const latencies = report.received
    .flatMap(([id, at]) => (sent.has(id) ? [at - sent.get(id)!] : []))
    .sort((a, b) => a - b);
  console.log(
    `results: ${total} filed at ${RATE}/s target (after ${warmup} not counted), ${fmt(total / elapsed)} /s sustained, ${failures} failed; ${WATCHERS} watchers on one plan, ${planIds.length} plans open`,
  );
  console.log(
    `filed→received (every delivery, ${latencies.length} of ${sent.size * WATCHERS}): p50 ${fmt(percentile(latencies, 50), 2)} ms, p99 ${fmt(percentile(latencies, 99), 2)} ms, max ${fmt(latencies.at(-1) ?? NaN, 2)} ms`,
  );
  console.log(
    `CPU while filing: server ${fmt((100 * cpuServer) / elapsed, 0)} % of a core (${fmt((1000 * cpuServer) / total, 2)} ms per result), watchers' process ${fmt((100 * cpuWatchers) / elapsed, 0)} %`,
  );
  for (const c of open) c.close();
} finally {
  hub.child.kill('SIGTERM');
  await hub.exited;
  rmSync(dir, { recursive: true, force: true });
}
