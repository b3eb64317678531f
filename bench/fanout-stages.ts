/**
 * Where a fanned-out edit's time goes on the server (issue 20): one plan, N clients, one
 * writer typing at a steady rate into a hub in this process (SQLite, synchronous=FULL by
 * default). Each edit's server-side stages are timed by wrapping the room's and the store's
 * own methods (nothing is replaced; the wrappers only read the clock):
 *
 *   check     handleClientUpdate: decode, permission check, apply (and the hooks it runs)
 *   wait      from the check's end to the group commit starting (setImmediate)
 *   commit    the store transaction (the fsync under synchronous=FULL)
 *   to send   from the commit's end to the broadcast starting (callbacks, microtask)
 *   send      broadcast: merge, frame once, write to every socket, the stored-change hooks
 *   received  the last receiver's copy arriving, from the check's start (in this process)
 *
 * Prints p50 / p99 of each; asserts nothing.
 *
 *   node --import tsx bench/fanout-stages.ts [--clients 50] [--edits 300] [--rate 20] [--synchronous FULL]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createServer } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { PlanRoom } from '../server/collab/plan-room.ts';
import { updateMessage } from '../server/collab/messages.ts';
import { seedDemoData } from '../server/seed/demo-data.ts';
import { openStore } from '../server/store/open-store.ts';
import { tempDir, TEST_SECRET } from '../tests/fixtures/server.ts';
import { RawCollabClient } from './lib/raw-client.ts';
import { fmt, percentile, typingUpdates } from './lib/typing.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    edits: { type: 'string', default: '300' },
    rate: { type: 'string', default: '20' },
    synchronous: { type: 'string', default: 'FULL' },
  },
});
const CLIENTS = Number(values.clients);
const EDITS = Number(values.edits);
const RATE = Number(values.rate);

const dir = tempDir('carehub-stages-');
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
  CAREHUB_SECRET: TEST_SECRET,
  LOG_LEVEL: 'silent',
  SQLITE_SYNCHRONOUS: values.synchronous as string,
  MAX_CONNECTIONS_PER_USER: '100000',
  COLLAB_MAX_CONNECTIONS_PER_USER: '100000',
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
const planId = patients.find((p) => p.name === 'Carl Jensen')?.plans[0]?.id as string;
const wsUrl = `${server.url.replace('http', 'ws')}/collab/${planId}?token=${token}`;

// One record per edit, in order: the stages' clock readings.
interface Marks {
  checkStart: number;
  checkEnd: number;
  commitStart?: number;
  commitEnd?: number;
  sendStart?: number;
  sendEnd?: number;
  received?: number;
  receivedCount: number;
}
const marks: Marks[] = [];
let current: Marks | null = null;
let measuring = false;

const room = PlanRoom.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
const handle = room.handleClientUpdate as (...args: unknown[]) => unknown;
room.handleClientUpdate = function (this: unknown, ...args: unknown[]) {
  const m: Marks = { checkStart: performance.now(), checkEnd: 0, receivedCount: 0 };
  const out = handle.apply(this, args);
  m.checkEnd = performance.now();
  if (measuring) {
    marks.push(m);
    current = m;
  }
  return out;
};
const broadcast = room.broadcast as (...args: unknown[]) => unknown;
room.broadcast = function (this: unknown, ...args: unknown[]) {
  const m = current;
  if (m && m.sendStart === undefined) m.sendStart = performance.now();
  const out = broadcast.apply(this, args);
  if (m && m.sendEnd === undefined) m.sendEnd = performance.now();
  return out;
};
const store = server.store as unknown as Record<string, (...args: unknown[]) => unknown>;
const append = store.appendUpdates as (...args: unknown[]) => unknown;
store.appendUpdates = function (this: unknown, ...args: unknown[]) {
  const m = current;
  if (m && m.commitStart === undefined) m.commitStart = performance.now();
  const out = append.apply(this, args);
  if (m && m.commitEnd === undefined) m.commitEnd = performance.now();
  return out;
};

const clients: RawCollabClient[] = [];
for (let i = 0; i < CLIENTS; i++) clients.push(await RawCollabClient.connect(wsUrl));
const [writer, ...receivers] = clients as [RawCollabClient, ...RawCollabClient[]];
for (const r of receivers)
  r.onUpdate = () => {
    const m = current;
    if (!m) return;
    m.receivedCount++;
    if (m.receivedCount === receivers.length) m.received = performance.now();
  };

const { updates } = typingUpdates(EDITS + 1);
writer.send(updateMessage(updates.shift() as Uint8Array));
await new Promise((r) => setTimeout(r, 200));
// The first fifth not counted (cold code), as in the comparison's warm-up.
const warm = Math.floor(EDITS / 5);
for (const [i, u] of updates.entries()) {
  measuring = i >= warm;
  writer.send(updateMessage(u));
  await new Promise((r) => setTimeout(r, 1000 / RATE));
}
await new Promise((r) => setTimeout(r, 300));

const stage = (name: string, pick: (m: Marks) => number | undefined): void => {
  const xs = marks
    .map(pick)
    .filter((x): x is number => x !== undefined && Number.isFinite(x))
    .sort((a, b) => a - b);
  console.log(
    `  ${name.padEnd(9)} p50 ${fmt(percentile(xs, 50), 3).padStart(7)} ms   p99 ${fmt(percentile(xs, 99), 3).padStart(7)} ms   (${xs.length} edits)`,
  );
};
console.log(
  `fan-out stages: 1 plan × ${CLIENTS} clients, ${marks.length} edits at ${RATE}/s, SQLite synchronous=${values.synchronous}`,
);
stage('check', (m) => m.checkEnd - m.checkStart);
stage('wait', (m) => (m.commitStart ?? NaN) - m.checkEnd);
stage('commit', (m) => (m.commitEnd ?? NaN) - (m.commitStart ?? NaN));
stage('to send', (m) => (m.sendStart ?? NaN) - (m.commitEnd ?? NaN));
stage('send', (m) => (m.sendEnd ?? NaN) - (m.sendStart ?? NaN));
stage('server', (m) => (m.sendEnd ?? NaN) - m.checkStart);
stage('received', (m) => (m.received ?? NaN) - m.checkStart);

for (const c of clients) c.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
