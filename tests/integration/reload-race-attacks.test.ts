import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { eventually, waitForDoc } from '../fixtures/collab-client.ts';
import { join } from '../fixtures/plan-team.ts';
import { rawCollab } from '../fixtures/raw-collab.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * A room that fails on one client's update is unloaded and the plan loaded afresh at once
 * (PlanRooms.onFailed). An update another person sent just before, checked and on its way to
 * the store, is committed after that load read the store: the new room lacks it. Issue 20 has
 * every plan that unloads with a tail write a checkpoint of its document: at a seq past that
 * update, from a document without it — the update is gone from every later load. The plan
 * must be loaded afresh only once the failed room's writes are stored.
 *
 * The failure and a slow commit are injected in-process, as in room-survives.test.ts.
 */
describe('a plan reloaded after a failed room keeps the writes still on their way', () => {
  let hub: TestHub;
  let planId: string;

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterAll(() => hub.stop());

  it('a checked update committed after the room failed is in the reloaded plan and in its checkpoint', async () => {
    const hanne = await join(hub, 'hanne', planId);
    const first = hub.server.rooms.get(planId);
    expect(first).toBeDefined();

    // The commit is slow: held until released.
    const store = hub.server.store;
    const append = store.appendUpdates.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    store.appendUpdates = async (...args) => {
      store.appendUpdates = append;
      await gate;
      return append(...args);
    };

    // The nurse adds a goal (allowed) and closes her tab: checked, on its way to the store.
    const marker = `LOST-EDIT-${randomUUID()}`;
    const base = new Y.Doc();
    Y.applyUpdate(base, Y.encodeStateAsUpdate(hanne.doc));
    const sv = Y.encodeStateVector(base);
    sectionOf(base, 'goals').push([
      newEntry({ id: randomUUID(), description: richText(marker), status: 'proposed', sector: 'municipality' }),
    ]);
    const nurse = await rawCollab(hub.wsUrl, planId, await hub.token('maja'));
    nurse.send(Y.encodeStateAsUpdate(base, sv));
    await eventually(() => first?.heldThrough() === null, 5000, 'the nurse’s update on its way to the store');
    nurse.ws.terminate();

    // Meanwhile another update fails the room (an unknown Yjs failure, injected).
    const attacker = await rawCollab(hub.wsUrl, planId, await hub.token('niels'));
    const forbidden = new Y.Doc();
    Y.applyUpdate(forbidden, Y.encodeStateAsUpdate(hanne.doc));
    const before = Y.encodeStateVector(forbidden);
    sectionOf(forbidden, 'medications').get(0).set('dose', 'KILLS-THE-ROOM');
    const gc = Y.Item.prototype.gc;
    Y.Item.prototype.gc = () => {
      Y.Item.prototype.gc = gc;
      throw new Error('injected fault while collecting');
    };
    attacker.send(Y.encodeStateAsUpdate(forbidden, before));
    expect((await attacker.closed).code).toBe(1008);
    // The plan is being loaded afresh for hanne (moved to it) while the commit is still held.
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await eventually(
      () => {
        const next = hub.server.rooms.get(planId);
        return !!next && next !== first && next.heldThrough() !== null;
      },
      5000,
      'the reloaded plan',
    );

    // Hanne goes on in the reloaded plan, then leaves: the plan unloads with its checkpoint.
    const later = `LATER-${randomUUID()}`;
    sectionOf(hanne.doc, 'goals').push([
      newEntry({ id: randomUUID(), description: richText(later), status: 'proposed', sector: 'hospital' }),
    ]);
    await eventually(
      async () => (await store.listUpdates(planId)).some((u) => Buffer.from(u.update).includes(Buffer.from(later))),
      5000,
      'the later edit stored',
    );
    hanne.leave();
    await eventually(() => hub.server.rooms.get(planId) === undefined, 5000, 'the plan to unload');
    await eventually(async () => (await store.loadPlanState(planId)).tail.length === 0, 5000, 'the checkpoint');

    // The nurse's update was stored (her tab was told so, had it stayed): the log holds it.
    expect((await store.listUpdates(planId)).some((u) => Buffer.from(u.update).includes(Buffer.from(marker)))).toBe(
      true,
    );
    // Everyone who opens the plan now gets both edits.
    const gitte = await join(hub, 'gitte', planId);
    await waitForDoc(gitte.doc, (d) => JSON.stringify(planToJson(d)).includes(later), 5000, 'the later edit');
    expect(JSON.stringify(planToJson(gitte.doc))).toContain(marker);
    gitte.leave();
  });
});
