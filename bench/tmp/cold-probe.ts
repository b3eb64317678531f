import { startHub } from '../../tests/fixtures/server.ts';
import { NoteEditing } from '../compare/lib/edits.ts';
import { WireClient, updateFrame } from '../compare/lib/wire.ts';

process.env.BENCH_NOTE_CREATED ??= new Date(Date.now() - 3_600_000).toISOString();
const hub = await startHub({ env: { SQLITE_SYNCHRONOUS: 'FULL', LOG_LEVEL: 'silent' } });
const token = await hub.token('hanne');
const planId = await hub.planOf('Carl Jensen');
const ep = { url: `${hub.wsUrl}/collab/${planId}?token=${token}`, framing: 'y-websocket' as const, doc: planId };
const w = new WireClient(ep);
await w.open();
const obs = new WireClient(ep);
await obs.open();
const editing = new NoteEditing(900_000, 'bench');
const N = Number(process.argv[2] ?? 20000);
let last = 0;
const done = new Promise<void>((resolve) => {
  obs.onUpdate = () => {
    if (hub.server.rooms.get(planId)?.heldThrough() !== null && lastSent) resolve();
  };
});
let lastSent = false;
for (let i = 0; i < N; i++) {
  const { update, clock } = editing.next();
  last = clock;
  w.send(updateFrame(ep, update));
  if (i % 100 === 0) await new Promise((r) => setImmediate(r));
}
lastSent = true;
await new Promise((r) => setTimeout(r, 3000));
void done;
w.close();
obs.close();
while (hub.server.rooms.get(planId)) await new Promise((r) => setTimeout(r, 20));
const db = hub.sqlite();
console.log('max seq', db.prepare('select max(seq) from plan_updates where plan_id = ?').pluck().get(planId));
console.log('checkpoints', db.prepare('select seq, length(state) from plan_checkpoints where plan_id = ?').all(planId));
for (let s = 0; s < Number(process.argv[3] ?? 5); s++) {
  const c = new WireClient(ep);
  const t0 = performance.now();
  await c.open();
  if (s < 5 || s % 10 === 0) console.log('cold sync ms', (c.syncedAt - t0).toFixed(1));
  c.close();
  while (hub.server.rooms.get(planId)) await new Promise((r) => setTimeout(r, 20));
}
void last;
await hub.stop();
