import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import * as Y from 'yjs';
import { metaOf, planToJson } from '../../shared/plan-doc.ts';
import { OneNodePersistence } from '../../server/collab/one-node-persistence.ts';
import { PlanRoom } from '../../server/collab/plan-room.ts';
import { seedDemoData } from '../../server/seed/demo-data.ts';
import { GroupCommitter } from '../../server/store/group-commit.ts';
import { openStore } from '../../server/store/open-store.ts';
import type { Store } from '../../server/store/store.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { DOCTOR, roomDeps, TestConnectionPair, type RoomEvents } from '../fixtures/room-harness.ts';

/**
 * A plan room on one node over a real SQLite store, without a server: its updates go through
 * the group commit, and checkpoints are written at the seq the node stored last — after
 * CHECKPOINT_EVERY updates, and for any tail when the plan unloads — so loading reads a
 * checkpoint and a short tail that together are the plan.
 */
const EVERY = 10;

describe('one node’s persistence', () => {
  let dir: string;
  let store: Store;
  let committer: GroupCommitter;
  let planId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carehub-one-node-'));
    store = await openStore({
      databaseUrl: `sqlite:${join(dir, 'carehub.db')}`,
      sqliteSynchronous: 'NORMAL',
      logLevel: 'silent',
    });
    await seedDemoData(store);
    const carl = await store.getUserByUsername('carl');
    const [plan] = await store.listPlansForPatient(carl?.patientId as string);
    planId = plan!.id;
    committer = new GroupCommitter(store);
  });
  afterAll(async () => {
    await committer.drain();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<PlanRoom> {
    const events: RoomEvents = { refusals: [], changed: 0, idle: 0 };
    return PlanRoom.load(
      planId,
      new OneNodePersistence(planId, { store, committer, log: pino({ level: 'silent' }), checkpointEvery: EVERY }),
      roomDeps(events),
    );
  }

  /** The plan as loading reads it: the latest checkpoint, then the tail after it. */
  async function loaded(): Promise<{ doc: Y.Doc; checkpointSeq: number | null; tail: number }> {
    const { checkpoint, tail } = await store.loadPlanState(planId);
    const doc = new Y.Doc();
    if (checkpoint) Y.applyUpdate(doc, checkpoint.state);
    for (const u of tail) Y.applyUpdate(doc, u.update);
    return { doc, checkpointSeq: checkpoint?.seq ?? null, tail: tail.length };
  }

  it('writes a checkpoint once enough updates followed the last one, at the seq it stored last', async () => {
    const room = await open();
    const doctor = new TestConnectionPair(room, DOCTOR);
    doctor.connect();
    for (let i = 1; i <= EVERY + 3; i++) {
      doctor.edit((doc) => metaOf(doc).set('title', `Titel ${i}`));
      await room.flushed();
    }
    const latest = await store.latestSeq(planId);
    await eventually(async () => ((await loaded()).checkpointSeq ?? 0) > 0, 5000, 'a checkpoint');
    const state = await loaded();
    expect(state.tail).toBeLessThan(EVERY);
    expect(state.checkpointSeq).toBe(latest - state.tail);
    expect(planToJson(state.doc)).toEqual(planToJson(room.doc));

    // Unloaded with a tail of a fifth of CHECKPOINT_EVERY or more: one more, of everything.
    for (let i = 1; (await loaded()).tail < EVERY / 5; i++) {
      doctor.edit((doc) => metaOf(doc).set('title', `Efter ${i}`));
      await room.flushed();
    }
    const last = await store.latestSeq(planId);
    room.leave(doctor.connection);
    room.destroy();
    await eventually(async () => (await loaded()).tail === 0, 5000, 'the checkpoint at unload');
    expect((await loaded()).checkpointSeq).toBe(last);
  });
});
