import { describe, expect, it } from 'vitest';
import pino from 'pino';
import * as Y from 'yjs';
import { metaOf, newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { clientOrigin } from '../../server/collab/change-origin.ts';
import { PlanRoom } from '../../server/collab/plan-room.ts';
import { PlanRooms } from '../../server/collab/plan-rooms.ts';
import {
  afterQueuedMicrotasks,
  bytesContain,
  DOCTOR,
  GP,
  MemoryPersistence,
  NURSE,
  openRoom,
  planState,
  roomDeps,
  TestConnectionPair,
  type RoomEvents,
} from '../fixtures/room-harness.ts';

/**
 * The plan room in memory (issue 15): a real PlanRoom and PlanGuard, driven through in-memory
 * connection pairs over an in-memory persistence that stores a write only when the test says.
 */
const medication = (doc: Y.Doc) => sectionOf(doc, 'medications').get(0);
const dose = (doc: Y.Doc) => medication(doc).get('dose');
const titles = (doc: Y.Doc) =>
  sectionOf(doc, 'tasks')
    .toArray()
    .map((t) => t.get('title'));
const task = (title: string) => newEntry({ id: crypto.randomUUID(), title, sector: 'hospital', status: 'planned' });

async function plan(): Promise<{
  room: PlanRoom;
  events: RoomEvents;
  persistence: MemoryPersistence;
  doctor: TestConnectionPair;
  nurse: TestConnectionPair;
  gp: TestConnectionPair;
}> {
  const persistence = new MemoryPersistence({ updates: [planState()] });
  const { room, events } = await openRoom(persistence);
  const [doctor, nurse, gp] = [DOCTOR, NURSE, GP].map((actor) => new TestConnectionPair(room, actor)) as [
    TestConnectionPair,
    TestConnectionPair,
    TestConnectionPair,
  ];
  for (const pair of [doctor, nurse, gp]) pair.connect();
  return { room, events, persistence, doctor, nurse, gp };
}

describe('a plan room in memory', () => {
  it('tells the author of a refused change why, sends the revert back to the author, and gives peers nothing of it', async () => {
    const { room, events, persistence, doctor, nurse, gp } = await plan();
    nurse.edit((doc) => medication(doc).set('dose', 'FORBIDDEN-DOSE'));

    // Told at once, as English with the code on the sync channel, and to the realtime layer as a code.
    nurse.receive();
    expect(nurse.denied).toEqual([
      'medications.dose: only hospital doctors and GPs change medications [medications.prescribers-only]',
    ]);
    expect(events.refusals).toEqual([
      {
        conn: nurse.connection,
        refusals: [
          { section: 'medications', key: 'dose', refusal: { code: 'medications.prescribers-only', params: {} } },
        ],
      },
    ]);
    // What was kept of the update (the revert) is stored under its author, with no section changed.
    persistence.commit();
    await room.flushed();
    expect(persistence.stored.map((s) => s.meta)).toEqual([{ author: NURSE.userId, origin: 'client', sections: [] }]);
    expect(
      bytesContain(
        persistence.stored.map((s) => s.update),
        'FORBIDDEN',
      ),
    ).toBe(false);

    // The author receives it (an echo) and converges to the stored dose.
    expect(nurse.receive()).toHaveLength(1);
    expect(dose(nurse.doc)).toBe('40 mg');
    expect(Y.encodeStateVector(nurse.doc)).toEqual(Y.encodeStateVector(room.doc));
    // Peers: no refusal, no refused content, the same plan.
    for (const peer of [doctor, gp]) {
      expect(bytesContain(peer.receive(), 'FORBIDDEN')).toBe(false);
      expect(peer.denied).toEqual([]);
      expect(dose(peer.doc)).toBe('40 mg');
    }
    expect(nurse.connection.closed).toBeNull();
  });

  it('does not echo an allowed change to its author, and echoes one the server added a conflict flag to', async () => {
    const { room, persistence, doctor, nurse, gp } = await plan();
    doctor.edit((doc) => medication(doc).set('dose', '80 mg'));
    persistence.commit();
    await room.flushed();
    expect(doctor.receive()).toEqual([]);
    expect(nurse.receive()).toHaveLength(1);
    expect(dose(nurse.doc)).toBe('80 mg');

    // The GP, not having read 80 mg yet, sets 60 mg: the server flags the conflict in the same
    // transaction, so what the plan now holds is not the GP's own update; the GP receives it.
    gp.edit((doc) => medication(doc).set('dose', '60 mg'));
    persistence.commit();
    await room.flushed();
    expect(gp.receive()).toHaveLength(2);
    expect(Object.keys(medication(gp.doc).get('conflicts') as object)).toEqual(['dose']);
    expect(Y.encodeStateVector(gp.doc)).toEqual(Y.encodeStateVector(room.doc));
    expect(doctor.receive()).toHaveLength(1);
    expect(medication(doctor.doc).get('conflicts')).toEqual(medication(gp.doc).get('conflicts'));
  });

  it('stores and publishes a client’s change under its author and the server’s as the server’s; another node’s is only sent on', async () => {
    const { room, events, persistence, doctor, nurse, gp } = await plan();
    doctor.edit((doc) => metaOf(doc).set('title', 'Ny titel'));
    room.applyServerChange((doc) => sectionOf(doc, 'tasks').push([task('Fra serveren')]), {
      origin: 'result',
      author: null,
    });
    persistence.commit();
    await room.flushed();
    expect(persistence.stored.map((s) => s.meta)).toEqual([
      { author: DOCTOR.userId, origin: 'client', sections: ['meta'] },
      { author: null, origin: 'result', sections: ['tasks'] },
    ]);
    // Published to the other nodes once, with their seqs, before any client had them.
    expect(persistence.published.map((batch) => batch.map((i) => i.seq))).toEqual([[1, 2]]);
    expect(doctor.connection.edits).toEqual([['meta']]);
    expect(events.changed).toBe(1);
    for (const pair of [doctor, nurse, gp]) {
      pair.receive();
      expect(titles(pair.doc)).toEqual(['Sårpleje', 'Fra serveren']);
    }

    // Another node stored a change: our clients get it; it is neither stored nor published again.
    const elsewhere = new Y.Doc();
    Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(room.doc));
    const sv = Y.encodeStateVector(elsewhere);
    sectionOf(elsewhere, 'tasks').push([task('Fra en anden node')]);
    persistence.storedElsewhere(Y.encodeStateAsUpdate(elsewhere, sv));
    await room.flushed();
    expect(persistence.stored).toHaveLength(2);
    expect(persistence.published).toHaveLength(1);
    expect(events.changed).toBe(1);
    for (const pair of [doctor, nurse, gp]) {
      pair.receive();
      expect(titles(pair.doc)).toEqual(['Sårpleje', 'Fra serveren', 'Fra en anden node']);
    }
  });

  it.each([
    ['no origin', () => null],
    ['an origin of no known kind', () => 'stray'],
    [
      'a client’s origin the permission check did not finish',
      (pair: TestConnectionPair) => clientOrigin(pair.connection),
    ],
  ])('fails closed on a change with %s: nothing stored or sent, the room closes', async (_what, originOf) => {
    const { room, persistence, doctor, nurse, gp } = await plan();
    Y.transact(room.doc, () => metaOf(room.doc).set('title', 'UNCHECKED-TITLE'), originOf(nurse));
    expect(room.hasFailed).toBe(true);
    expect(persistence.pending).toBe(0);
    expect(persistence.stored).toEqual([]);
    for (const pair of [doctor, nurse, gp]) {
      expect(pair.connection.closed?.code).toBe(CloseCode.internalError);
      expect(bytesContain(pair.connection.sent, 'UNCHECKED')).toBe(false);
    }
    await expect(room.flushed()).rejects.toThrow('closed');
  });

  it('sends stored changes to peers in the order they were stored, and nothing before it is stored', async () => {
    const { room, persistence, doctor, nurse, gp } = await plan();
    doctor.edit((doc) => sectionOf(doc, 'tasks').push([task('første')]));
    gp.edit((doc) => sectionOf(doc, 'tasks').push([task('anden')]));
    doctor.edit((doc) => sectionOf(doc, 'tasks').push([task('tredje')]));
    expect(persistence.pending).toBe(3);
    await afterQueuedMicrotasks();
    expect(nurse.unread).toEqual([]);

    const seen = (pair: TestConnectionPair) => new Set(titles(pair.doc));
    persistence.commit(1);
    await afterQueuedMicrotasks();
    nurse.receive();
    expect(seen(nurse)).toEqual(new Set(['Sårpleje', 'første']));
    persistence.commit(1);
    await afterQueuedMicrotasks();
    nurse.receive();
    expect(seen(nurse)).toEqual(new Set(['Sårpleje', 'første', 'anden']));
    persistence.commit(1);
    await room.flushed();
    nurse.receive();
    expect(seen(nurse)).toEqual(new Set(['Sårpleje', 'første', 'anden', 'tredje']));
    expect(persistence.stored.map((s) => s.meta.author)).toEqual([DOCTOR.userId, GP.userId, DOCTOR.userId]);
    for (const pair of [doctor, gp]) pair.receive();
    for (const pair of [doctor, nurse, gp])
      expect(Y.encodeStateVector(pair.doc)).toEqual(Y.encodeStateVector(room.doc));
  });

  it('sends one batch of several authors to each of them, and a batch of one author to everyone else', async () => {
    const { room, persistence, doctor, nurse, gp } = await plan();
    doctor.edit((doc) => sectionOf(doc, 'tasks').push([task('læge 1')]));
    doctor.edit((doc) => sectionOf(doc, 'tasks').push([task('læge 2')]));
    persistence.commit();
    await room.flushed();
    expect([doctor, nurse, gp].map((p) => p.receive().length)).toEqual([0, 1, 1]);
    doctor.edit((doc) => sectionOf(doc, 'tasks').push([task('læge 3')]));
    gp.edit((doc) => sectionOf(doc, 'tasks').push([task('praktiserende læge')]));
    persistence.commit();
    await room.flushed();
    expect([doctor, nurse, gp].map((p) => p.receive().length)).toEqual([1, 1, 1]);
    for (const pair of [doctor, nurse, gp])
      expect(Y.encodeStateVector(pair.doc)).toEqual(Y.encodeStateVector(room.doc));
  });

  it('closes the room when a write fails, and sends nobody what was not stored', async () => {
    const { room, persistence, doctor, nurse, gp } = await plan();
    const sentBefore = [doctor, nurse, gp].map((p) => p.connection.sent.length);
    doctor.edit((doc) => metaOf(doc).set('title', 'LOST-TITLE'));
    gp.edit((doc) => sectionOf(doc, 'tasks').push([task('LOST-TASK')]));
    const reader = room.flushed();
    // As a store reports: after what the room queued meanwhile has run.
    await afterQueuedMicrotasks();
    persistence.fail();
    expect(room.hasFailed).toBe(true);
    await expect(reader).rejects.toThrow('closed');
    [doctor, nurse, gp].forEach((pair, i) => {
      expect(pair.connection.closed?.code).toBe(CloseCode.internalError);
      expect(pair.connection.sent.length).toBe(sentBefore[i]);
    });
    expect(persistence.stored).toEqual([]);
    expect(persistence.published).toEqual([]);
    // Released without a checkpoint of what the store does not hold.
    expect(persistence.left).toBe(true);
    expect(room.storedState()).toBeNull();
  });

  it('answers a joining client only once the changes it would receive are stored', async () => {
    const { room, persistence, doctor } = await plan();
    doctor.edit((doc) => metaOf(doc).set('title', 'Gemt først'));
    const late = new TestConnectionPair(room, NURSE);
    late.connect();
    expect(metaOf(late.doc).get('title')).toBeUndefined();
    persistence.commit();
    await room.flushed();
    late.receive();
    expect(metaOf(late.doc).get('title')).toBe('Gemt først');
  });

  it('loads a plan once for the joins and the write that race its load; the write is applied after it and stored once', async () => {
    const persistence = new MemoryPersistence({ updates: [planState()], gated: true });
    const events: RoomEvents = { refusals: [], changed: 0, idle: 0 };
    const { onIdle: _registryDecides, ...deps } = roomDeps(events);
    const rooms = new PlanRooms({ ...deps, log: pino({ level: 'silent' }), persistence: () => persistence }, 0);
    const joining = rooms.open('plan-1');
    const appended = persistence.nextAppend();
    const writing = rooms.withRoom('plan-1', async (room) => {
      room.applyServerChange((doc) => metaOf(doc).set('title', 'Skrevet under indlæsningen'), {
        origin: 'server',
        author: DOCTOR.userId,
      });
      await room.flushed();
    });
    const others = Array.from({ length: 20 }, () => rooms.open('plan-1'));
    persistence.release();
    const room = await joining;
    // Held as a joining connection holds it, or the room unloads once the write is done.
    const release = room.hold();
    for (const other of await Promise.all(others)) expect(other).toBe(room);
    await appended;
    persistence.commit();
    await writing;
    expect(persistence.loads).toBe(1);
    expect(persistence.stored.map((s) => s.meta)).toEqual([
      { author: DOCTOR.userId, origin: 'server', sections: ['meta'] },
    ]);
    const reader = new TestConnectionPair(room, NURSE);
    reader.connect();
    expect(metaOf(reader.doc).get('title')).toBe('Skrevet under indlæsningen');
    expect(titles(reader.doc)).toEqual(['Sårpleje']);
    release();
  });

  it('applies what another node stored while the plan loaded, without storing it again', async () => {
    const persistence = new MemoryPersistence({ updates: [planState()], gated: true });
    const opening = openRoom(persistence);
    const elsewhere = new Y.Doc();
    Y.applyUpdate(elsewhere, planState());
    const sv = Y.encodeStateVector(elsewhere);
    metaOf(elsewhere).set('title', 'Fra en anden node');
    persistence.storedElsewhere(Y.encodeStateAsUpdate(elsewhere, sv));
    persistence.release();
    const { room } = await opening;
    await room.flushed();
    expect(metaOf(room.doc).get('title')).toBe('Fra en anden node');
    expect(persistence.stored).toEqual([]);
    expect(persistence.published).toEqual([]);
  });
});
