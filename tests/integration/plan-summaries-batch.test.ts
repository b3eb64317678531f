import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { StoredChange } from '../../server/collab/plan-room.ts';
import { openStore } from '../../server/store/open-store.ts';
import type { Store } from '../../server/store/store.ts';
import { PlanSummaries, type SummarisedRoom } from '../../server/worklist/plan-summaries.ts';
import { tempDir } from '../fixtures/server.ts';
import { walCommits } from '../fixtures/wal-commits.ts';

/**
 * Overblik's summaries are written by the node in one commit for every plan waiting (a real
 * SQLite file with synchronous=FULL; commits counted in its write-ahead log). The rooms here
 * are plain documents with the seq they hold: the summary keeper reads nothing else of a room.
 */
describe('plan summaries: one commit for every plan waiting', () => {
  let dir: string;
  let dbFile: string;
  let store: Store;
  let planIds: string[];

  beforeAll(async () => {
    dir = tempDir();
    dbFile = join(dir, 'summaries.db');
    store = await openStore({ databaseUrl: `sqlite:${dbFile}`, sqliteSynchronous: 'FULL', logLevel: 'silent' });
    const patient = await store.createPatient({ cpr: '0101501234', name: 'Test Patient' });
    planIds = [];
    for (const title of ['A', 'B', 'C']) planIds.push((await store.createPlan({ patientId: patient.id, title })).id);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A stored change of the tasks section in each plan, and a room whose document titles it. */
  async function edit(title: string): Promise<{ room: SummarisedRoom; change: StoredChange }[]> {
    const time = new Date().toISOString();
    const seqs = await store.appendUpdates(
      planIds.map((planId) => ({
        planId,
        author: 'u1',
        origin: 'client' as const,
        time,
        update: new Uint8Array([0, 0]),
        sections: ['tasks'],
      })),
    );
    return planIds.map((planId, i) => {
      const doc = new Y.Doc();
      doc.getMap('meta').set('title', `${title} ${i}`);
      const seq = seqs[i] as number;
      return {
        room: { planId, doc, isClosed: false, heldThrough: () => seq },
        change: { author: 'u1', origin: 'client' as const, sections: ['tasks'], seq, time },
      };
    });
  }

  it('writes three plans’ summaries and section changes in one commit, each at the seq its document holds', async () => {
    const summaries = new PlanSummaries(store);
    let counted: number | null = null;
    let edits: Awaited<ReturnType<typeof edit>> = [];
    // The hub's checkpointer restarts the log when idle: counted only within one log generation.
    for (let attempt = 0; attempt < 10 && counted === null; attempt++) {
      edits = await edit(`attempt ${attempt}`);
      const before = walCommits(dbFile);
      for (const { room, change } of edits) summaries.roomStored(room, [change]);
      await summaries.settled();
      const after = walCommits(dbFile);
      if (after.generation === before.generation) counted = after.commits - before.commits;
    }
    expect(counted).toBe(1);
    const kept = await store.summaries.getSummaries(planIds);
    for (const { room, change } of edits) {
      expect(kept.get(room.planId)?.seq).toBe(change.seq);
      expect(kept.get(room.planId)?.summary).toContain((room.doc.getMap('meta').get('title') as string) ?? '');
    }
    const changes = await store.summaries.listSectionChanges(planIds);
    expect(changes.map((c) => c.seq).sort()).toEqual(edits.map((e) => e.change.seq).sort());
  });

  it('a plan whose changes are still pending is written once its document holds them; an unloaded one is let go', async () => {
    const summaries = new PlanSummaries(store);
    const [pending, closed, ready] = await edit('pending');
    if (!pending || !closed || !ready) throw new Error('three plans');
    let held: number | null = null;
    summaries.roomStored({ ...pending.room, heldThrough: () => held }, [pending.change]);
    summaries.roomStored({ ...closed.room, isClosed: true, heldThrough: () => null }, [closed.change]);
    summaries.roomStored(ready.room, [ready.change]);
    const settled = summaries.settled();
    // The pending plan's document reaches its seq a moment later (its broadcast).
    setTimeout(() => {
      held = pending.change.seq;
    }, 30);
    await settled;
    const kept = await store.summaries.getSummaries(planIds);
    expect(kept.get(pending.room.planId)?.seq).toBe(pending.change.seq);
    expect(kept.get(ready.room.planId)?.seq).toBe(ready.change.seq);
    // Left behind the log: its next reader rebuilds it from the store.
    expect(kept.get(closed.room.planId)?.seq ?? 0).toBeLessThan(closed.change.seq);
    // Its section change is recorded all the same (it is known without the document).
    const changes = await store.summaries.listSectionChanges([closed.room.planId]);
    expect(changes.map((c) => c.seq)).toEqual([closed.change.seq]);
  });
});

describe('what the log rebuilds is committed without an fsync of its own', () => {
  it('a checkpoint and a summaries write leave the store at synchronous=FULL for the next update, also when they fail', async () => {
    const dir = tempDir();
    const store = await openStore({
      databaseUrl: `sqlite:${join(dir, 'derived.db')}`,
      sqliteSynchronous: 'FULL',
      logLevel: 'silent',
    });
    const db = (
      store as unknown as { db: { pragma(sql: string, o: { simple: true }): unknown; exec(sql: string): void } }
    ).db;
    const FULL = 2;
    try {
      const patient = await store.createPatient({ cpr: '0101501234', name: 'Test Patient' });
      const planId = (await store.createPlan({ patientId: patient.id, title: 'P' })).id;
      const time = new Date().toISOString();
      await store.appendUpdates([{ planId, author: 'u1', origin: 'client', time, update: new Uint8Array([0, 0]) }]);
      await store.writeCheckpoint({ planId, seq: 1, state: new Uint8Array([0, 0]), time });
      expect(db.pragma('synchronous', { simple: true })).toBe(FULL);
      await store.summaries.keepSummaries({ summaries: [{ planId, seq: 1, summary: '{}' }], changes: [] });
      expect(db.pragma('synchronous', { simple: true })).toBe(FULL);
      // A checkpoint write that fails (a trigger refuses it): the setting is restored all the same.
      db.exec(`CREATE TRIGGER refuse_checkpoint BEFORE INSERT ON plan_checkpoints
               BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      await expect(store.writeCheckpoint({ planId, seq: 2, state: new Uint8Array([0, 0]), time })).rejects.toThrow(
        'injected failure',
      );
      expect(db.pragma('synchronous', { simple: true })).toBe(FULL);
      expect((await store.loadPlanState(planId)).checkpoint?.seq).toBe(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
