import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { metaOf, newEntry, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import { waitForDoc } from '../fixtures/collab-client.ts';
import { bytesContain } from '../fixtures/plan-team.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/postgres.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';
import { coldPlan } from '../fixtures/cold-plan.ts';

/**
 * A plan not in memory is answered from its stored bytes (issue 20): a client syncing from
 * them gets exactly what a document loaded from the store would give — after checkpoints, log
 * tails, refused and reverted updates, deletions — and the first write is still checked
 * against the whole plan, even one racing the load. On SQLite and on PostgreSQL.
 */
describe.each([['SQLite'], ['PostgreSQL']])('a cold plan answered from its bytes (%s)', (engine) => {
  let hub: TestHub;
  let db: TestDatabase | null = null;
  let planId: string;

  beforeAll(async () => {
    if (engine === 'PostgreSQL') db = await createTestDatabase();
    // A small CHECKPOINT_EVERY: the history below spans checkpoints.
    hub = await startHub({ env: { CHECKPOINT_EVERY: '10', ...(db ? { DATABASE_URL: db.url } : {}) } });
    planId = await hub.planOf('Carl Jensen');
  });
  afterEach(() => closeAll());
  afterAll(async () => {
    await hub.stop();
    await db?.drop();
  });

  const { member, client, raw, unloaded, loadedFromStore, closeAll } = coldPlan(
    () => hub,
    () => planId,
  );

  const expectSameState = (a: Y.Doc, b: Y.Doc) => {
    expect(JSON.stringify(planToJson(a))).toBe(JSON.stringify(planToJson(b)));
    expect(Y.decodeStateVector(Y.encodeStateVector(a))).toEqual(Y.decodeStateVector(Y.encodeStateVector(b)));
    // The whole state, not only what planToJson shows.
    expect(Y.decodeStateVector(Y.encodeStateVectorFromUpdate(Y.encodeStateAsUpdate(a)))).toEqual(
      Y.decodeStateVector(Y.encodeStateVector(b)),
    );
  };

  /** Edits, a partly refused update (its forbidden part reverted), a refused one, deletions. */
  async function writeHistory(round: number): Promise<void> {
    const hanne = await member('hanne');
    const niels = await member('niels');
    const tasks = sectionOf(hanne.doc, 'tasks');
    for (let i = 0; i < 12; i++) {
      tasks.push([
        newEntry({ id: randomUUID(), title: `Opgave ${round}-${i}`, sector: 'hospital', status: 'planned' }),
      ]);
    }
    metaOf(hanne.doc).set('title', `Forløb, runde ${round}`);
    // Deletions: entries and a stretch of the title's history.
    tasks.delete(tasks.length - 4, 3);
    // A nurse may add a task but not change a dose: the dose is reverted, the task kept.
    const medication = sectionOf(niels.doc, 'medications').get(0);
    niels.doc.transact(() => {
      sectionOf(niels.doc, 'tasks').push([
        newEntry({ id: randomUUID(), title: `Sygeplejeopgave ${round}`, sector: 'hospital', status: 'planned' }),
      ]);
      medication.set('dose', `FORBIDDEN-${round}`);
    });
    await niels.nextRefusal();
    // Reverted whole: a forbidden dose on its own.
    medication.set('dose', `FORBIDDEN-ALONE-${round}`);
    await niels.nextRefusal();
    // Refused before it was applied (never stored): written with hanne's Yjs client id.
    const impostor = await raw('niels');
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(hanne.doc));
    // Set after: Yjs gives a document a new id when a remote update writes with its own.
    copy.clientID = hanne.doc.clientID;
    const before = Y.encodeStateVector(copy);
    metaOf(copy).set('title', `FORBIDDEN-IMPOSTOR-${round}`);
    impostor.send(Y.encodeStateAsUpdate(copy, before));
    expect((await impostor.closed).code).toBe(1008);
    await waitForDoc(
      hanne.doc,
      (d) =>
        sectionOf(d, 'tasks')
          .toArray()
          .some((t) => t.get('title') === `Sygeplejeopgave ${round}`),
      5000,
      'the nurse’s task',
    );
    await waitForDoc(
      niels.doc,
      (d) => !JSON.stringify(planToJson(d)).includes('FORBIDDEN'),
      5000,
      'the reverted dose at the nurse',
    );
    await hub.server.rooms.get(planId)?.flushed();
  }

  it('gives a new client exactly the state a loaded document gives, without building the document', async () => {
    await writeHistory(1);
    await unloaded();
    await writeHistory(2);
    await unloaded();
    const stored = await hub.server.store.loadPlanState(planId);
    // Unloaded with a tail: a checkpoint of everything was written, and is all a cold open reads.
    expect(stored.checkpoint).not.toBeNull();
    expect(stored.tail).toEqual([]);
    const expected = await loadedFromStore();
    expect(JSON.stringify(planToJson(expected))).not.toContain('FORBIDDEN');
    // Stored with its snapshot, which describes exactly the state beside it (what it holds, what it deleted).
    const snapshot = stored.checkpoint?.snapshot;
    expect(snapshot).toBeInstanceOf(Uint8Array);
    expect(Y.equalSnapshots(Y.decodeSnapshot(snapshot as Uint8Array), Y.snapshot(expected))).toBe(true);

    const fresh = client(await hub.token('maja'));
    await fresh.synced;
    expectSameState(fresh.doc, expected);
    expect(hub.server.rooms.get(planId)?.isBuilt).toBe(false);

    // A client that holds part of the plan (an earlier copy) gets the rest: the difference.
    const earlier = new Y.Doc();
    for (const u of (await hub.server.store.listUpdates(planId)).slice(0, 5)) Y.applyUpdate(earlier, u.update);
    await unloaded();
    const returning = client(await hub.token('hanne'), earlier);
    await returning.synced;
    expectSameState(returning.doc, expected);
    expect(hub.server.rooms.get(planId)?.isBuilt).toBe(false);
  });

  it('gives the same state from a checkpoint and a log tail (the document path)', async () => {
    await unloaded();
    // A tail after the checkpoint, as after a crash before the plan unloaded: a server change
    // stored behind the room's back.
    const base = await loadedFromStore();
    const before = Y.encodeStateVector(base);
    metaOf(base).set('title', 'Efter et nedbrud');
    await hub.server.store.appendUpdates([
      {
        planId,
        author: null,
        origin: 'server',
        time: new Date().toISOString(),
        update: Y.encodeStateAsUpdate(base, before),
        sections: ['meta'],
      },
    ]);
    expect((await hub.server.store.loadPlanState(planId)).tail.length).toBe(1);
    const expected = await loadedFromStore();
    const fresh = client(await hub.token('maja'));
    await fresh.synced;
    expectSameState(fresh.doc, expected);
    expect(metaOf(fresh.doc).get('title')).toBe('Efter et nedbrud');
  });

  it('checks a forbidden write racing the first load: refused, and no peer receives it', async () => {
    await unloaded();
    const expected = await loadedFromStore();
    const base = new Y.Doc();
    Y.applyUpdate(base, Y.encodeStateAsUpdate(expected));
    const before = Y.encodeStateVector(base);
    sectionOf(base, 'medications').get(0).set('dose', 'FORBIDDEN-RACE');
    const forbidden = Y.encodeStateAsUpdate(base, before);

    // A peer and the writer open the cold plan together; the write goes out right after connecting.
    const peerToken = await hub.token('maja');
    const attacker = await raw('niels');
    const peer = client(peerToken);
    attacker.send(forbidden);
    expect(await attacker.nextDenied()).toContain('medications');
    await peer.synced;
    // What the peer received is all the plan: a later write proves the forbidden one never came.
    const hanne = await member('hanne');
    metaOf(hanne.doc).set('title', 'Efter kapløbet');
    await waitForDoc(peer.doc, (d) => metaOf(d).get('title') === 'Efter kapløbet', 5000, 'the later write');
    expect(JSON.stringify(planToJson(peer.doc))).not.toContain('FORBIDDEN');
    const stored = await hub.server.store.listUpdates(planId);
    expect(
      bytesContain(
        stored.map((u) => u.update),
        'FORBIDDEN-RACE',
      ),
    ).toBe(false);
  });

  it('stores and delivers an allowed write racing the first load', async () => {
    await unloaded();
    const expected = await loadedFromStore();
    const base = new Y.Doc();
    Y.applyUpdate(base, Y.encodeStateAsUpdate(expected));
    const before = Y.encodeStateVector(base);
    const id = randomUUID();
    sectionOf(base, 'tasks').push([newEntry({ id, title: 'RACE-ALLOWED', sector: 'hospital', status: 'planned' })]);
    const allowed = Y.encodeStateAsUpdate(base, before);
    const seqBefore = await hub.server.store.latestSeq(planId);

    const peer = client(await hub.token('hanne'));
    const writer = await raw('niels');
    writer.send(allowed);
    await waitForDoc(
      peer.doc,
      (d) =>
        sectionOf(d, 'tasks')
          .toArray()
          .some((t) => t.get('id') === id),
      5000,
      'the allowed write at the peer',
    );
    expect(writer.denied).toEqual([]);
    const stored = await hub.server.store.listUpdates(planId, { afterSeq: seqBefore });
    expect(
      bytesContain(
        stored.map((u) => u.update),
        'RACE-ALLOWED',
      ),
    ).toBe(true);
    // Once unloaded, a cold open from the bytes holds it too.
    await unloaded();
    const fresh = client(await hub.token('maja'));
    await fresh.synced;
    expect(
      sectionOf(fresh.doc, 'tasks')
        .toArray()
        .some((t) => t.get('id') === id),
    ).toBe(true);
    expectSameState(fresh.doc, await loadedFromStore());
  });
});
