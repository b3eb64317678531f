import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { Markers, OpExecutor, type Author } from './executor.ts';
import { sameSnapshot, snapshot, violations } from './invariants.ts';
import type { Op } from './ops.ts';
import { LOCAL, type PlanRun, type PropertyWorld, type Session } from './world.ts';

/**
 * The property: whatever sequence of operations any session sends, after every update
 *  - the server's plan differs from before only in cells the sender's role may write, and
 *    holds nothing no client may leave there (shared/permissions.ts, the schemas);
 *  - content the server did not keep reached no other connection and no stored byte;
 *  - the room is up, and every client (the refused author too) converges to its state;
 * and at the end of the sequence the stored log replays to the server's document, the plan
 * reloads from its checkpoint and tail to the same, and a later allowed edit reaches everyone.
 *
 * Markers are checked in values and text, and in map key and root names (the guard renames
 * refused names: see server/collab/refused-names.ts).
 */
export interface PropertyStats {
  runs: number;
  operations: number;
  updates: number;
  refusals: number;
  /** Connections the room closed (an update refused whole before it was applied). */
  closed: number;
  /** Updates whose check was made to throw (fault injection). */
  faults: number;
  /** Reloads of the plan from the store with every client reconnecting. */
  reloads: number;
}

export const newStats = (): PropertyStats => ({
  runs: 0,
  operations: 0,
  updates: 0,
  refusals: 0,
  closed: 0,
  faults: 0,
  reloads: 0,
});

export class PropertyFailure extends Error {}

function fail(at: number, op: Op | null, what: string): never {
  throw new PropertyFailure(
    `${op ? `operation ${at} (${op.session}${op.stale ? ', stale' : ''})` : 'after the operations'}: ${what}`,
  );
}

const bytesOf = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c)));

function sameState(a: Y.Doc, b: Y.Doc): boolean {
  return (
    Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b))) &&
    sameSnapshot(snapshot(a), snapshot(b))
  );
}

/** The session's copy once it has read what the server sent it (without reading it now). */
function caughtUp(s: Session): Y.Doc {
  if (!s.holding) return s.doc;
  const copy = new Y.Doc({ guid: 'copy' });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(s.doc));
  for (const m of s.inbox()) {
    const d = decoding.createDecoder(m);
    if (decoding.readVarUint(d) !== 0 || decoding.readVarUint(d) === 0) continue;
    Y.applyUpdate(copy, decoding.readVarUint8Array(d));
  }
  return copy;
}

function authorOf(run: PlanRun, s: Session): Author {
  const other = s.person.userId === run.world.people.hanne!.userId ? run.world.people.maja! : run.world.people.hanne!;
  return {
    userId: s.person.userId,
    sector: s.person.sector,
    otherUserId: other.userId,
    otherSector: other.sector ?? 'hospital',
  };
}

export async function checkOps(world: PropertyWorld, ops: Op[], stats: PropertyStats): Promise<void> {
  const run = await world.newPlan();
  stats.runs++;
  // Markers and client ids restart with every run (each run has its own plan and bytes):
  // a sequence replays exactly while fast-check shrinks it.
  const markers = new Markers(0);
  const refused = new Set<string>();
  const users = new Set(Object.values(world.people).map((p) => p.userId));
  let foreign = 0;
  try {
    for (const [i, op] of ops.entries()) {
      stats.operations++;
      if (op.reload) {
        const kept = snapshot(run.room.doc);
        await run.reload();
        stats.reloads++;
        if (!sameSnapshot(snapshot(run.room.doc), kept))
          fail(i, op, 'the plan changed when it reloaded and its clients reconnected');
      }
      const s = run.session(op.session);
      if (s.conn.closed) {
        run.room.leave(s.conn);
        await run.join(s);
      }
      if (!op.stale && s.holding) {
        s.holding = false;
        run.read(s);
        await run.settle();
      }
      const before = snapshot(run.room.doc);
      const seqBefore = await world.store.latestSeq(run.planId);
      const peers = run.sessions.filter((p) => p !== s).map((p) => ({ conn: p.conn, from: p.conn.received.length }));
      const refusalsBefore = world.events.refusals.length;
      markers.begin();
      const touched = new Set<string>();
      const sent = new OpExecutor(markers, authorOf(run, s), () => 1_000_000_000 + foreign++).apply(
        s.doc,
        op,
        { fields: touched },
        LOCAL,
      );
      if (!sent) {
        // The client's own Yjs could not encode what it made: its copy is unusable, as it
        // would be for a real client, which reloads. Not the server's concern.
        run.room.leave(s.conn);
        await run.join(s);
        continue;
      }
      stats.updates += s.outbox.length;
      s.conn.faultAfter = op.fault;
      s.conn.faultFired = false;
      run.send(s);
      s.conn.faultAfter = null;
      if (s.conn.faultFired) stats.faults++;
      if (op.stale) s.holding = true;
      await run.settle();
      stats.refusals += world.events.refusals.length - refusalsBefore;
      if (run.room.isClosed || run.room.hasFailed || world.rooms.get(run.planId) !== run.room)
        fail(i, op, 'the room closed');
      if (s.conn.closed) {
        stats.closed++;
        // 1008: refused whole before it was applied (nested too deep); 1002: an update the server
        // cannot decode (plain JSON nested thousands deep overflows the decoder). Nothing of it is kept.
        if (s.conn.closed.code !== 1008 && s.conn.closed.code !== 1002)
          fail(i, op, `the sender's connection was closed with ${s.conn.closed.code} ${s.conn.closed.reason}`);
      }

      const after = snapshot(run.room.doc);
      // A check that threw keeps nothing of the update (fail closed).
      if (s.conn.faultFired && !sameSnapshot(before, after))
        fail(i, op, 'the check threw, and part of the update was kept');
      const wrong = violations(before, after, s.actor, touched, users);
      if (wrong.length > 0) fail(i, op, wrong.join('\n'));
      try {
        JSON.stringify(planToJson(run.room.doc));
      } catch (err) {
        fail(i, op, `the plan's JSON view fails: ${(err as Error).message}`);
      }

      const gone = [...markers.values, ...markers.names].filter((m) => !after.text.includes(m));
      for (const m of gone) refused.add(m);
      if (gone.length > 0) {
        for (const p of peers) {
          const got = bytesOf(p.conn.received.slice(p.from));
          const leaked = gone.find((m) => got.includes(m));
          if (leaked) fail(i, op, `refused content ${leaked} reached ${p.conn.id}`);
        }
        const stored = bytesOf(
          (await world.store.listUpdates(run.planId, { afterSeq: seqBefore })).map((u) => u.update),
        );
        const leaked = gone.find((m) => stored.includes(m));
        if (leaked) fail(i, op, `refused content ${leaked} was stored`);
      }

      const vector = Buffer.from(Y.encodeStateVector(run.room.doc));
      for (const p of run.sessions) {
        if (p.conn.closed) continue;
        const copy = caughtUp(p);
        if (!Buffer.from(Y.encodeStateVector(copy)).equals(vector) || !sameSnapshot(snapshot(copy), after))
          fail(i, op, `${p.kind} did not converge to the server's state`);
        if (copy !== p.doc) copy.destroy();
      }
    }
    await finish(run, refused);
  } finally {
    run.room.close(1001, 'property run done');
    await world.committer.drain();
  }
}

async function finish(run: PlanRun, refused: Set<string>): Promise<void> {
  const { world, planId } = run;
  // A later allowed edit reaches everyone.
  const doctor = run.session('hospital_doctor');
  if (doctor.conn.closed) {
    run.room.leave(doctor.conn);
    await run.join(doctor);
  }
  for (const s of run.sessions) s.holding = false;
  await run.settle();
  const canary = `canary-${planId}`;
  sectionOf(doctor.doc, 'goals').push([
    newEntry({
      id: '00000000-0000-4000-8000-00000000c0de',
      description: richText(canary),
      status: 'proposed',
      sector: 'hospital',
    }),
  ]);
  run.send(doctor);
  await run.settle();
  for (const s of run.sessions) {
    if (!s.conn.closed && !JSON.stringify(planToJson(s.doc)).includes(canary))
      fail(0, null, `a later allowed edit did not reach ${s.kind}`);
  }
  await world.committer.drain();
  await run.room.flushed();
  // The stored log replays to the server's document.
  const updates = await world.store.listUpdates(planId);
  const replayed = new Y.Doc();
  Y.transact(replayed, () => {
    for (const u of updates) Y.applyUpdate(replayed, u.update);
  });
  if (!sameState(replayed, run.room.doc)) fail(0, null, 'the stored log does not replay to the server’s document');
  // No stored byte holds refused content (updates and checkpoints).
  const state = await world.store.loadPlanState(planId);
  const stored = bytesOf([...updates.map((u) => u.update), ...(state.checkpoint ? [state.checkpoint.state] : [])]);
  for (const m of refused) if (stored.includes(m)) fail(0, null, `refused content ${m} is in the store`);
  // The plan reloads (checkpoint and tail) to the same document.
  const expected = snapshot(run.room.doc);
  const vector = Buffer.from(Y.encodeStateVector(run.room.doc));
  run.room.close(1001, 'reload');
  await world.committer.drain();
  const reloaded = await world.rooms.open(planId);
  run.room = reloaded;
  if (!sameSnapshot(snapshot(reloaded.doc), expected) || !Buffer.from(Y.encodeStateVector(reloaded.doc)).equals(vector))
    fail(0, null, 'the reloaded plan differs from the one in memory');
}
