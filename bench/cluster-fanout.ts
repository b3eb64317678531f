/**
 * Fan-out latency across nodes (issue 8): one writer adds a task to a plan every
 * 1/rate s; 200 readers of the same plan (y-websocket protocol) time each task from the
 * writer's send to its arrival. Once with every client on one node (no Redis), once with
 * the clients spread round-robin over three nodes sharing PostgreSQL and Redis (the writer on
 * node 1: two thirds of the readers get each update through Redis); and one node with Redis
 * configured (its own updates published, nobody else listening). Nodes are real
 * processes (`carehub serve`) on a fresh PostgreSQL database each run, dropped after.
 * The readers share this process's event loop, so the figures include client-side queueing,
 * the same in both set-ups. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/cluster-fanout.ts [--clients 200] [--rate 20] [--seconds 10]
 *   (REDIS_URL, default redis://127.0.0.1:6379; TEST_POSTGRES_URL names the PostgreSQL server)
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { newEntry, sectionOf } from '../shared/plan-doc.ts';
import { updateMessage } from '../server/collab/messages.ts';
import { createTestDatabase } from '../tests/fixtures/postgres.ts';
import { firstPlanOf, hubSandbox, loginAt, type HubProcess } from '../tests/fixtures/server-process.ts';
import { RawCollabClient } from './lib/raw-client.ts';
import { fmt, percentile } from './lib/typing.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
  },
});
const CLIENTS = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Result {
  setup: string;
  samples: number[];
  expected: number;
  local: number[];
  remote: number[];
}

async function run(nodeCount: number, redis: boolean): Promise<Result> {
  const sandbox = hubSandbox();
  const db = await createTestDatabase();
  try {
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      MAX_CONNECTIONS_PER_USER: String(CLIENTS + 10),
    };
    if (redis) Object.assign(env, { REDIS_URL, REDIS_PREFIX: `bench-${randomUUID().slice(0, 8)}` });
    // LOG_LEVEL warn hides the "listening" line spawnHub waits for: start at info, then it is quiet enough.
    const nodes: HubProcess[] = await Promise.all(
      Array.from({ length: nodeCount }, (_, i) =>
        sandbox.spawn(
          sandbox.dbFile,
          { ...env, LOG_LEVEL: 'info' },
          { args: i === 0 ? [] : ['--no-demo'], startTimeoutMs: 60_000 },
        ),
      ),
    );
    const tokens = await Promise.all(nodes.map((n) => loginAt(n.url, 'hanne')));
    const planId = await firstPlanOf(nodes[0]!.url, tokens[0]!, 'Carl Jensen');
    const wsUrl = (i: number) => `${nodes[i]!.wsUrl}/collab/${planId}?token=${tokens[i]}`;

    const sentAt = new Map<string, number>();
    const samples: number[] = [];
    const local: number[] = [];
    const remote: number[] = [];
    const readers: RawCollabClient[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const node = i % nodeCount;
      const reader = await RawCollabClient.connect(wsUrl(node));
      sectionOf(reader.doc, 'tasks').observe((event) => {
        const now = performance.now();
        for (const item of event.changes.added) {
          for (const entry of item.content.getContent() as Y.Map<unknown>[]) {
            const sent = sentAt.get(entry.get('title') as string);
            if (sent === undefined) continue;
            samples.push(now - sent);
            (node === 0 ? local : remote).push(now - sent);
          }
        }
      });
      readers.push(reader);
    }
    const writer = await RawCollabClient.connect(wsUrl(0));
    const tasks = sectionOf(writer.doc, 'tasks');
    let pending: Uint8Array | null = null;
    writer.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== writer) pending = u;
    });
    const total = Math.round(RATE * SECONDS);
    for (let i = 0; i < total; i++) {
      const title = `fanout ${i}`;
      tasks.push([newEntry({ id: randomUUID(), title, sector: 'hospital', status: 'planned' })]);
      sentAt.set(title, performance.now());
      writer.send(updateMessage(pending!));
      await new Promise((r) => setTimeout(r, 1000 / RATE));
    }
    // Let the last ones arrive (bounded).
    const deadline = Date.now() + 10_000;
    while (samples.length < total * CLIENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const r of [...readers, writer]) r.close();
    return {
      setup: `${nodeCount} node${nodeCount > 1 ? 's' : ''} (${redis ? 'Redis' : 'no Redis'})`,
      samples,
      expected: total * CLIENTS,
      local,
      remote,
    };
  } finally {
    sandbox.dispose();
    await db.drop();
  }
}

function line(label: string, xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `${label.padEnd(34)} n=${String(s.length).padStart(6)}  p50 ${fmt(percentile(s, 50))} ms  p99 ${fmt(percentile(s, 99))} ms  max ${fmt(s.at(-1) ?? NaN)} ms`;
}

console.log(`fan-out: ${CLIENTS} readers on one plan, one writer at ${RATE}/s for ${SECONDS} s (PostgreSQL store)`);
for (const [n, redis] of [
  [1, false],
  [1, true],
  [3, true],
] as const) {
  const r = await run(n, redis);
  console.log(
    line(r.setup, r.samples) +
      (r.samples.length < r.expected ? `  (${r.expected - r.samples.length} not received)` : ''),
  );
  if (n > 1) {
    console.log(line('  readers on the writer’s node', r.local));
    console.log(line('  readers on the other nodes', r.remote));
  }
}
