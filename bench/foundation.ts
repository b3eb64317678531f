/**
 * Foundation benchmarks (issue 2): opening a plan whose log holds 20,000 updates, cold, with
 * and without a checkpoint; and updates persisted per second through one room with
 * persist-before-fan-out, for SQLite synchronous=FULL and NORMAL. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/foundation.ts [--updates 20000] [--repeats 5]
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
import { tempDir, TEST_SECRET } from '../tests/fixtures/server.ts';
import { fmt, percentile, typingUpdates } from './lib/typing.ts';
import { RawCollabClient } from './lib/raw-client.ts';

const { values } = parseArgs({
  options: { updates: { type: 'string', default: '20000' }, repeats: { type: 'string', default: '5' } },
});
const N = Number(values.updates);
const REPEATS = Number(values.repeats);

async function hub(dir: string, env: Record<string, string>) {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    CAREHUB_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const store = await openStore(config);
  await seedDemoData(store);
  await store.close();
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
  return { server, token, planId, wsUrl: `${server.url.replace('http', 'ws')}/collab/${planId}?token=${token}` };
}

async function coldOpen(withCheckpoint: boolean): Promise<void> {
  const dir = tempDir('carehub-bench-');
  const { server, planId, wsUrl } = await hub(dir, { CHECKPOINT_EVERY: String(withCheckpoint ? 500 : 10_000_000) });
  const { updates } = typingUpdates(N);
  const bytes = updates.reduce((n, u) => n + u.length, 0);
  for (let i = 0; i < updates.length; i += 1000) {
    await server.store.appendUpdates(
      updates.slice(i, i + 1000).map((update) => ({
        planId,
        author: 'bench',
        origin: 'client' as const,
        time: new Date().toISOString(),
        update,
      })),
    );
  }
  if (withCheckpoint) {
    // What the room itself does: a checkpoint of the merged state; the tail after it is short.
    const state = await server.store.loadPlanState(planId);
    const doc = new Y.Doc();
    for (const u of state.tail) Y.applyUpdate(doc, u.update);
    await server.store.writeCheckpoint({
      planId,
      seq: await server.store.latestSeq(planId),
      state: Y.encodeStateAsUpdate(doc),
      time: new Date().toISOString(),
    });
  }
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    if (server.rooms.get(planId)) throw new Error('plan should not be in memory');
    const started = performance.now();
    const client = await RawCollabClient.connect(wsUrl);
    times.push(client.syncedAt - started);
    client.close();
    while (server.rooms.get(planId)) await new Promise((r) => setTimeout(r, 5));
  }
  times.sort((a, b) => a - b);
  console.log(
    `cold open, ${N} updates (${fmt(bytes / 1024, 0)} KB log), ${withCheckpoint ? 'with checkpoint   ' : 'without checkpoint'}: median ${fmt(percentile(times, 50))} ms, min ${fmt(times[0]!)} ms, max ${fmt(times.at(-1)!)} ms`,
  );
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

async function persistRate(synchronous: 'FULL' | 'NORMAL'): Promise<void> {
  const dir = tempDir('carehub-bench-');
  const { server, wsUrl } = await hub(dir, { SQLITE_SYNCHRONOUS: synchronous });
  const writer = await RawCollabClient.connect(wsUrl);
  const observer = await RawCollabClient.connect(wsUrl);
  const count = 10_000;
  const { doc, updates } = typingUpdates(count + 1);
  const base = updates.shift()!;
  writer.send(updateMessage(base));
  const target = Y.encodeStateVector(doc);
  const targetClock = Y.decodeStateVector(target).get(doc.clientID)!;
  const done = new Promise<void>((resolve) => {
    observer.onUpdate = () => {
      if (Y.decodeStateVector(Y.encodeStateVector(observer.doc)).get(doc.clientID) === targetClock) resolve();
    };
  });
  const started = performance.now();
  // Sent in chunks of 100 per event-loop turn, as a busy room would receive them.
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
    `persist rate, one room, synchronous=${synchronous.padEnd(6)}: ${fmt(count / seconds, 0)} updates/s persisted and fanned out (${n} group commits, ${fmt(sum / n)} updates each)`,
  );
  writer.close();
  observer.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

await coldOpen(false);
await coldOpen(true);
await persistRate('FULL');
await persistRate('NORMAL');
