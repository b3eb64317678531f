/**
 * Cost of the permission check (issue 3): the time PlanGuard adds per update (decode, trace to
 * section/entry/key, decide, validate the entry) over a plain Y.applyUpdate, compared with the
 * time to persist and fan out one update through a real server (SQLite, FULL).
 *
 *   node --import tsx bench/permission-check.ts [--updates 5000]
 */
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { clientOrigin } from '../server/collab/change-origin.ts';
import { PlanGuard } from '../server/collab/plan-guard.ts';
import type { RoomConnection } from '../server/collab/room-connection.ts';
import { updateMessage } from '../server/collab/messages.ts';
import { LIST_SECTIONS } from '../shared/plan.ts';
import { fmt, percentile, typingUpdates } from './lib/typing.ts';
import { RawCollabClient } from './lib/raw-client.ts';
import { startHub } from '../tests/fixtures/server.ts';

const { values } = parseArgs({ options: { updates: { type: 'string', default: '5000' } } });
const N = Number(values.updates);
const actor = { userId: 'bench-author', role: 'hospital_doctor' as const, sector: 'hospital' as const };
const connection: RoomConnection = {
  id: 'bench',
  userId: actor.userId,
  presence: { id: actor.userId, name: 'Bench', role: actor.role, organisation: null, color: '#000000' },
  actor,
  send: () => {},
  close: () => {},
};

function freshDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.getMap('meta');
  for (const s of LIST_SECTIONS) doc.getArray(s);
  return doc;
}

function timeApply(updates: Uint8Array[], guarded: boolean): number {
  const doc = freshDoc();
  const guard = new PlanGuard(doc);
  const started = performance.now();
  // A fresh origin per update, as the room makes one.
  for (const u of updates) {
    if (guarded) guard.apply(u, clientOrigin(connection));
    else Y.applyUpdate(doc, u, clientOrigin(connection));
  }
  const ms = performance.now() - started;
  doc.destroy();
  return (ms * 1000) / updates.length;
}

const { updates } = typingUpdates(N, actor.userId);
// Warm up both paths, then alternate to spread machine drift.
timeApply(updates, true);
timeApply(updates, false);
const plain: number[] = [];
const guarded: number[] = [];
for (let r = 0; r < 5; r++) {
  plain.push(timeApply(updates, false));
  guarded.push(timeApply(updates, true));
}
plain.sort((a, b) => a - b);
guarded.sort((a, b) => a - b);
const checkUs = percentile(guarded, 50) - percentile(plain, 50);
console.log(
  `apply, plain Y.applyUpdate: ${fmt(percentile(plain, 50), 2)} µs/update; with the permission check: ${fmt(percentile(guarded, 50), 2)} µs/update; check alone: ${fmt(checkUs, 2)} µs/update`,
);

// End to end: one update at a time, writer → server (check, persist, fan out) → observer.
const hub = await startHub();
const planId = await hub.planOf('Carl Jensen');
const url = `${hub.wsUrl}/collab/${planId}?token=${await hub.token('hanne')}`;
const writer = await RawCollabClient.connect(url);
const observer = await RawCollabClient.connect(url);
const e2e = typingUpdates(1001, (await hub.login('hanne')).user.id);
writer.send(updateMessage(e2e.updates[0]!));
await new Promise<void>((resolve) => (observer.onUpdate = () => resolve()));
const latencies: number[] = [];
for (const u of e2e.updates.slice(1)) {
  const started = performance.now();
  const got = new Promise<void>((resolve) => (observer.onUpdate = () => resolve()));
  writer.send(updateMessage(u));
  await got;
  latencies.push((performance.now() - started) * 1000);
}
latencies.sort((a, b) => a - b);
const e2eUs = percentile(latencies, 50);
console.log(
  `persist and fan out one update (writer → server → observer, SQLite FULL): p50 ${fmt(e2eUs / 1000, 3)} ms, p99 ${fmt(percentile(latencies, 99) / 1000, 3)} ms`,
);
console.log(
  `permission check share of one update's persist and fan-out: ${fmt((100 * checkUs) / e2eUs, 2)} % (target < 5 %)`,
);
writer.close();
observer.close();
await hub.stop();
