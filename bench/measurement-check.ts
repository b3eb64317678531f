/**
 * Cost of checking and stamping measurements (issue 16): the time PlanGuard adds per update that
 * adds one measurement (decide, validate the entry and its plausible range, stamp the performer)
 * or amends one (and keeps what it replaced in `previous`), over a plain Y.applyUpdate.
 *
 *   node --import tsx bench/measurement-check.ts [--updates 2000]
 */
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { clientOrigin } from '../server/collab/change-origin.ts';
import { stampMeasurements } from '../server/collab/measurement-stamps.ts';
import { PlanGuard } from '../server/collab/plan-guard.ts';
import type { RoomConnection } from '../server/collab/room-connection.ts';
import { MEASUREMENTS } from '../shared/measurements.ts';
import { newEntry, sectionOf } from '../shared/plan-doc.ts';
import { LIST_SECTIONS } from '../shared/plan.ts';
import { fmt, percentile } from './lib/typing.ts';

const { values } = parseArgs({ options: { updates: { type: 'string', default: '2000' } } });
const N = Number(values.updates);
const actor = { userId: 'bench-nurse', role: 'municipal_nurse' as const, sector: 'municipality' as const };
const connection: RoomConnection = {
  id: 'bench',
  userId: actor.userId,
  presence: { id: actor.userId, name: 'Bench', role: actor.role, organisation: 'Kommune', color: '#000000' },
  actor,
  send: () => {},
  close: () => {},
};
const performer = {
  user: actor.userId,
  name: 'Bench',
  role: actor.role,
  organisation: 'Kommune',
  sector: actor.sector,
};

function freshDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.getMap('meta');
  for (const s of LIST_SECTIONS) doc.getArray(s);
  return doc;
}

/** N updates from one client: each adds a pulse, then (amend) each changes one already stamped. */
function workload(amend: boolean): { base: Uint8Array; updates: Uint8Array[] } {
  const doc = freshDoc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < N; i++)
    sectionOf(doc, 'measurements').push([
      newEntry({
        id: crypto.randomUUID(),
        code: MEASUREMENTS.pulse.code,
        value: 60 + (i % 40),
        unit: '/min',
        effective: new Date(Date.UTC(2026, 11, 1, 8, i % 60)).toISOString(),
        status: 'final',
        ...(amend ? { performer } : {}),
      }),
    ]);
  if (!amend) return { base: new Uint8Array(), updates };
  const base = Y.encodeStateAsUpdate(doc);
  updates.length = 0;
  for (const entry of sectionOf(doc, 'measurements').toArray()) entry.set('value', (entry.get('value') as number) + 1);
  return { base, updates };
}

function time(load: { base: Uint8Array; updates: Uint8Array[] }, guarded: boolean): number {
  const doc = freshDoc();
  const guard = new PlanGuard(doc);
  if (load.base.length > 0) Y.applyUpdate(doc, load.base, { kind: 'server', origin: 'seed', author: null });
  const started = performance.now();
  for (const u of load.updates) {
    if (guarded) {
      const out = guard.apply(u, clientOrigin(connection), (allowed, _c, added) =>
        stampMeasurements(added, allowed, performer),
      );
      if (out.refusals.length > 0) throw new Error(`refused: ${JSON.stringify(out.refusals[0])}`);
    } else Y.applyUpdate(doc, u, clientOrigin(connection));
  }
  const us = ((performance.now() - started) * 1000) / load.updates.length;
  doc.destroy();
  return us;
}

for (const [name, load] of [
  ['add a measurement', workload(false)],
  ['amend a measurement', workload(true)],
] as const) {
  time(load, true);
  time(load, false);
  const plain: number[] = [];
  const guarded: number[] = [];
  for (let r = 0; r < 5; r++) {
    plain.push(time(load, false));
    guarded.push(time(load, true));
  }
  plain.sort((a, b) => a - b);
  guarded.sort((a, b) => a - b);
  console.log(
    `${name}: plain Y.applyUpdate ${fmt(percentile(plain, 50), 1)} µs/update; checked and stamped ${fmt(percentile(guarded, 50), 1)} µs/update (${N} updates, median of 5)`,
  );
}
