import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { metaOf, newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { sameSnapshot, snapshot } from '../../bench/property/invariants.ts';
import { LOCAL, PropertyWorld, type PlanRun, type Session } from '../../bench/property/world.ts';

/**
 * Fail closed when the check itself breaks (issue 14, finding 1): faults injected into a real
 * plan room on a real SQLite store (the in-memory driver of the property suite) at each place
 * an exception can arise — the permission check, the room's `after` work (client authors,
 * conflict flags), the revert, Yjs finishing the transaction.
 */
describe('the permission check fails closed on faults', () => {
  let world: PropertyWorld;
  beforeAll(async () => {
    world = await PropertyWorld.create();
  });
  afterAll(() => world.close());

  const stored = async (run: PlanRun) =>
    Buffer.concat((await world.store.listUpdates(run.planId)).map((u) => Buffer.from(u.update)));
  const goal = (text: string, sector: string) =>
    newEntry({ id: randomUUID(), description: richText(text), status: 'proposed', sector });

  /** A later allowed edit from another session reaches everyone: the room is up. */
  async function stillUp(run: PlanRun): Promise<void> {
    const gp = run.session('gp');
    const text = `later-${randomUUID()}`;
    sectionOf(gp.doc, 'goals').push([goal(text, 'general_practice')]);
    run.send(gp);
    await run.settle();
    for (const s of run.sessions) if (!s.conn.closed) expect(JSON.stringify(planToJson(s.doc))).toContain(text);
  }

  async function edit(run: PlanRun, s: Session, change: (doc: Y.Doc) => void): Promise<void> {
    s.doc.transact(() => change(s.doc), LOCAL);
    run.send(s);
    await run.settle();
  }

  it('reverts everything an update did, its allowed part included, when the check throws', async () => {
    const run = await world.newPlan();
    const doctor = run.session('hospital_doctor');
    const before = snapshot(run.room.doc);
    doctor.conn.faultAfter = 2;
    await edit(run, doctor, (doc) => {
      sectionOf(doc, 'goals').push([goal('ALLOWED-BUT-FAULTED', 'hospital')]);
      metaOf(doc).set('title', 'ALLOWED-TITLE-BUT-FAULTED');
      sectionOf(doc, 'tasks').delete(0, 1);
    });
    expect(doctor.conn.faultFired).toBe(true);
    expect(sameSnapshot(snapshot(run.room.doc), before)).toBe(true);
    expect(doctor.denied.some((d) => d.includes('could not be checked'))).toBe(true);
    expect(world.events.refusals.at(-1)?.conn).toBe(doctor.conn);
    expect((await stored(run)).includes('FAULTED')).toBe(false);
    expect(sameSnapshot(snapshot(doctor.doc), before)).toBe(true);
    expect(doctor.conn.closed).toBeNull();
    await stillUp(run);
    // The author goes on editing.
    await edit(run, doctor, (doc) => metaOf(doc).set('title', 'Efter fejlen'));
    expect(metaOf(run.room.doc).get('title')).toBe('Efter fejlen');
    run.room.close(1001, 'done');
  });

  it('reverts everything when the room’s own work after the check throws', async () => {
    const run = await world.newPlan();
    const nurse = run.session('hospital_nurse');
    const before = snapshot(run.room.doc);
    // The first update of a new Yjs client records its author: reading the name throws.
    const conn = nurse.conn as unknown as { presence: unknown };
    const presence = conn.presence;
    Object.defineProperty(conn, 'presence', {
      configurable: true,
      get: () => {
        throw new Error('injected fault after the check');
      },
    });
    await edit(run, nurse, (doc) => sectionOf(doc, 'goals').push([goal('AFTER-FAULTED', 'hospital')]));
    Object.defineProperty(conn, 'presence', { configurable: true, value: presence });
    expect(sameSnapshot(snapshot(run.room.doc), before)).toBe(true);
    expect((await stored(run)).includes('AFTER-FAULTED')).toBe(false);
    expect(sameSnapshot(snapshot(nurse.doc), before)).toBe(true);
    await stillUp(run);
    run.room.close(1001, 'done');
  });

  it('stores and sends nothing of an update whose revert fails, and reloads the plan from the store', async () => {
    const run = await world.newPlan();
    const nurse = run.session('municipal_nurse');
    const gp = run.session('gp');
    const room = run.room;
    // A reader waiting for the room's pending writes (as GET …/document does) when it fails.
    gp.doc.transact(() => sectionOf(gp.doc, 'goals').push([goal('pending while it fails', 'general_practice')]), LOCAL);
    run.send(gp);
    const reader = room.flushed();
    const undo = Y.UndoManager.prototype.undo;
    Y.UndoManager.prototype.undo = () => {
      throw new Error('injected fault in the revert');
    };
    try {
      await edit(run, nurse, (doc) => sectionOf(doc, 'medications').get(0).set('dose', 'REVERT-FAILED-DOSE'));
    } finally {
      Y.UndoManager.prototype.undo = undo;
    }
    expect(room.hasFailed).toBe(true);
    await expect(reader).rejects.toThrow('closed');
    expect(world.rooms.get(run.planId)).toBeUndefined();
    // Its sender is closed as the cause (1008); the others reconnect (1011), or move to the
    // plan loaded afresh where the transport can (tests/integration/room-survives.test.ts).
    for (const s of run.sessions) expect(s.conn.closed?.code).toBe(s === nurse ? 1008 : 1011);
    expect((await stored(run)).includes('REVERT-FAILED')).toBe(false);
    for (const s of run.sessions.filter((x) => x !== nurse))
      expect(s.conn.received.some((m) => Buffer.from(m).includes('REVERT-FAILED'))).toBe(false);
    const reloaded = await world.rooms.open(run.planId);
    expect(JSON.stringify(planToJson(reloaded.doc))).not.toContain('REVERT-FAILED');
    run.room = reloaded;
    for (const s of run.sessions) await run.join(s);
    await stillUp(run);
    reloaded.close(1001, 'done');
  });

  it('stores and sends nothing when Yjs fails while finishing a checked transaction, and reloads the plan', async () => {
    const run = await world.newPlan();
    const nurse = run.session('municipal_nurse');
    const room = run.room;
    nurse.doc.transact(() => sectionOf(nurse.doc, 'medications').get(0).set('dose', 'GC-FAILED-DOSE'), LOCAL);
    // Only while the server applies it: the refused dose is collected when the transaction ends.
    const gc = Y.Item.prototype.gc;
    Y.Item.prototype.gc = function () {
      throw new Error('injected fault while collecting');
    };
    try {
      run.send(nurse);
    } finally {
      Y.Item.prototype.gc = gc;
    }
    await run.settle();
    expect(room.hasFailed).toBe(true);
    expect((await stored(run)).includes('GC-FAILED')).toBe(false);
    for (const s of run.sessions.filter((x) => x !== nurse))
      expect(s.conn.received.some((m) => Buffer.from(m).includes('GC-FAILED'))).toBe(false);
    const reloaded = await world.rooms.open(run.planId);
    expect(JSON.stringify(planToJson(reloaded.doc))).not.toContain('GC-FAILED');
    reloaded.close(1001, 'done');
  });
});
