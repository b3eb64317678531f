/**
 * PostgreSQL persist rate (issue 8): updates per second committed through `appendUpdates` in
 * group commits of 1, 10 and 50 typing-sized updates (~30 bytes); from one node, and from
 * three nodes (three Store instances, three pools) at once on one plan and on separate plans;
 * SQLite (synchronous=FULL) from one node for reference; then, as bench/foundation.ts does for
 * SQLite, the end-to-end rate through one room of a hub on PostgreSQL (persist before fan-out).
 * Each node keeps one group commit in flight at a time, as GroupCommitter does.
 * Prints figures; asserts nothing. A fresh database is created and dropped.
 *
 *   node --import tsx bench/postgres-persist.ts [--seconds 3]
 *   (TEST_POSTGRES_URL names the server; default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import * as Y from 'yjs';
import { createServer } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { updateMessage } from '../server/collab/messages.ts';
import { seedDemoData } from '../server/seed/demo-data.ts';
import { openStore } from '../server/store/open-store.ts';
import { PostgresStore } from '../server/store/postgres/postgres-store.ts';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.ts';
import type { Store } from '../server/store/store.ts';
import { createTestDatabase } from '../tests/fixtures/postgres.ts';
import { tempDir, TEST_SECRET } from '../tests/fixtures/server.ts';
import { RawCollabClient } from './lib/raw-client.ts';
import { fmt, percentile, typingUpdates } from './lib/typing.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } });
const SECONDS = Number(values.seconds);
const { updates: TYPING } = typingUpdates(5000);
const avgBytes = TYPING.reduce((n, u) => n + u.length, 0) / TYPING.length;

async function newPlan(store: Store): Promise<string> {
  const patient = await store.createPatient({
    cpr: String(Math.floor(Math.random() * 1e10)).padStart(10, '0'),
    name: 'Bench',
  });
  return (await store.createPlan({ patientId: patient.id, title: 'Bench' })).id;
}

/** Each node appends batches of `batch` to its plan, one in flight, for SECONDS; the figures summed. */
async function run(label: string, nodes: Store[], plans: string[], batch: number): Promise<void> {
  const latencies: number[] = [];
  let committed = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    nodes.map(async (node, n) => {
      let i = 0;
      while (performance.now() < deadline) {
        const rows = Array.from({ length: batch }, () => ({
          planId: plans[n]!,
          author: 'bench',
          origin: 'client' as const,
          time: new Date().toISOString(),
          update: TYPING[i++ % TYPING.length]!,
          sections: ['notes'],
        }));
        const t = performance.now();
        await node.appendUpdates(rows);
        latencies.push(performance.now() - t);
        committed += batch;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  // Not an assertion: a line that says whether each plan's log came out gap-free.
  const seqs = await Promise.all([...new Set(plans)].map((p) => nodes[0]!.latestSeq(p)));
  const logs = await Promise.all([...new Set(plans)].map((p) => nodes[0]!.listUpdates(p)));
  const gapFree = logs.every((log, k) => log.length === seqs[k] && log.every((u, i) => u.seq === i + 1));
  console.log(
    `${label.padEnd(44)} batch ${String(batch).padStart(2)}: ${fmt(committed / seconds, 0).padStart(6)} updates/s, ` +
      `${fmt(latencies.length / seconds, 0).padStart(5)} commits/s, commit p50 ${fmt(percentile(latencies, 50), 2)} ms p99 ${fmt(percentile(latencies, 99), 2)} ms` +
      `${gapFree ? '' : '  (LOG NOT GAP-FREE)'}`,
  );
}

/** As bench/foundation.ts persistRate: one writer, one observer, 10,000 typing updates through one room. */
async function throughOneRoom(databaseUrl: string): Promise<void> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    CAREHUB_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
  });
  const seedStore = await openStore(config);
  await seedDemoData(seedStore);
  await seedStore.close();
  const server = await createServer(config, { log: pino({ level: 'silent' }) });
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'hanne', password: 'demo' }),
  });
  const { token } = (await login.json()) as { token: string };
  const patients = (await (
    await fetch(`${server.url}/api/v1/patients`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { name: string; plans: { id: string }[] }[];
  const planId = patients.find((p) => p.name === 'Carl Jensen')!.plans[0]!.id;
  const wsUrl = `${server.url.replace('http', 'ws')}/collab/${planId}?token=${token}`;
  const writer = await RawCollabClient.connect(wsUrl);
  const observer = await RawCollabClient.connect(wsUrl);
  const count = 10_000;
  const { doc, updates } = typingUpdates(count + 1);
  writer.send(updateMessage(updates.shift()!));
  const targetClock = Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID)!;
  const done = new Promise<void>((resolve) => {
    observer.onUpdate = () => {
      if (Y.decodeStateVector(Y.encodeStateVector(observer.doc)).get(doc.clientID) === targetClock) resolve();
    };
  });
  const started = performance.now();
  for (let i = 0; i < updates.length; i += 100) {
    for (const u of updates.slice(i, i + 100)) writer.send(updateMessage(u));
    await new Promise((r) => setImmediate(r));
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  const metrics = await server.metrics.registry.getSingleMetricAsString('carehub_persist_batch_size');
  const sum = Number(/carehub_persist_batch_size_sum (\S+)/.exec(metrics)?.[1]);
  const n = Number(/carehub_persist_batch_size_count (\S+)/.exec(metrics)?.[1]);
  console.log(
    `persist rate, one room, PostgreSQL: ${fmt(count / seconds, 0)} updates/s persisted and fanned out (${n} group commits, ${fmt(sum / n)} updates each)`,
  );
  writer.close();
  observer.close();
  await server.close();
}

console.log(`${SECONDS} s per figure; updates of ${fmt(avgBytes)} bytes on average (typing in a note)`);
const db = await createTestDatabase();
const nodes = [new PostgresStore(db.url), new PostgresStore(db.url), new PostgresStore(db.url)];
const dir = tempDir('carehub-bench-');
const sqlite = new SqliteStore(join(dir, 'bench.db'), { synchronous: 'FULL' });
try {
  await nodes[0]!.migrate();
  await sqlite.migrate();
  for (const batch of [1, 10, 50]) {
    await run('SQLite FULL, one node', [sqlite], [await newPlan(sqlite)], batch);
    await run('PostgreSQL, one node', [nodes[0]!], [await newPlan(nodes[0]!)], batch);
    const shared = await newPlan(nodes[0]!);
    await run('PostgreSQL, three nodes, one plan', nodes, [shared, shared, shared], batch);
    await run(
      'PostgreSQL, three nodes, a plan each',
      nodes,
      [await newPlan(nodes[0]!), await newPlan(nodes[0]!), await newPlan(nodes[0]!)],
      batch,
    );
  }
} finally {
  for (const n of nodes) await n.close();
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
}
const hubDb = await createTestDatabase();
try {
  await throughOneRoom(hubDb.url);
} finally {
  await hubDb.drop();
  await db.drop();
}
