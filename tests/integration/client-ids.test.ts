import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import type WebSocket from 'ws';
import * as Y from 'yjs';
import { newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { eventually, waitForDocs } from '../fixtures/collab-client.ts';
import { join, sameState, type Member } from '../fixtures/plan-team.ts';
import { rawCollab } from '../fixtures/raw-collab.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Yjs client ids are identities (attacker review of issue 14, findings 1 and 2): a peer may
 * not write with the server's client id or another person's, jump a clock far ahead, or bloat
 * the state vector with many ids. Each attack is sent by a raw `ws` client against a real hub.
 */

/** A V1 update of GC structs only: `[client, clock, length]` each, and an empty delete set. */
function gcUpdate(structs: [number, number, number][]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, structs.length);
  for (const [client, clock, length] of structs) {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    encoding.writeUint8(e, 0);
    encoding.writeVarUint(e, length);
  }
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

/** An edit of a copy of `base` written with `clientId`, as that copy would send it. */
function writeAs(base: Y.Doc, clientId: number, change: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  // Set after: Yjs gives a document a new id when a remote update writes with its own.
  doc.clientID = clientId;
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

const goal = (text: string, sector = 'hospital') =>
  newEntry({ id: randomUUID(), description: richText(text), status: 'proposed', sector });

const text = (d: Y.Doc) => JSON.stringify(planToJson(d));

describe('Yjs client ids are bound to who first writes with them', () => {
  let hub: TestHub;
  let planId: string;
  const members: Member[] = [];
  const sockets: WebSocket[] = [];
  const as = async (user: string) => {
    const m = await join(hub, user, planId);
    members.push(m);
    return m;
  };
  const rawAs = async (user: string) => {
    const r = await rawCollab(hub.wsUrl, planId, await hub.token(user));
    sockets.push(r.ws);
    return r;
  };

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterEach(() => {
    for (const m of members.splice(0)) m.leave();
    for (const s of sockets.splice(0)) s.terminate();
  });
  afterAll(() => hub.stop());

  /** An allowed edit of `member` reaches `observer`: the room is up. */
  async function stillUp(member: Member, observer: Member): Promise<void> {
    const marker = `up-${randomUUID()}`;
    sectionOf(member.doc, 'goals').push([goal(marker, member.sector ?? 'hospital')]);
    await waitForDocs([observer.doc], () => text(observer.doc).includes(marker), 5000, 'a later edit');
  }

  it('refuses an update written with the server’s own client id', async () => {
    const niels = await as('niels');
    const observer = await as('hanne');
    // The server writes its reverts with its own client id: a refused change shows it.
    const before = Y.encodeStateVector(niels.doc);
    sectionOf(niels.doc, 'medications').get(0).set('dose', 'FORBIDDEN');
    await niels.nextRefusal();
    await waitForDocs([niels.doc, observer.doc], () => sameState(niels.doc, observer.doc), 5000, 'the revert');
    const known = new Set([...Y.decodeStateVector(before).keys(), niels.doc.clientID, observer.doc.clientID]);
    const serverId = [...Y.decodeStateVector(Y.encodeStateVector(niels.doc)).keys()].find((c) => !known.has(c));
    expect(serverId).toBeDefined();

    const attacker = await rawAs('niels');
    attacker.send(writeAs(observer.doc, serverId as number, (d) => sectionOf(d, 'goals').push([goal('AS-SERVER')])));
    const closed = await attacker.closed;
    expect(closed.code).toBe(1008);
    expect(attacker.denied.join()).toContain('update.foreign-client');
    await stillUp(niels, observer);
    expect(text(observer.doc)).not.toContain('AS-SERVER');
  });

  it('refuses an update written with another person’s client id, so her offline edits are kept', async () => {
    const hanne = await as('hanne');
    const observer = await as('maja');
    sectionOf(hanne.doc, 'goals').push([goal('HANNE-FIRST')]);
    await waitForDocs([observer.doc], () => text(observer.doc).includes('HANNE-FIRST'), 5000, 'her first edit');
    // She goes offline and edits; meanwhile a nurse writes with her client id at her next clock.
    hanne.provider.disconnect();
    sectionOf(hanne.doc, 'goals').push([goal('HANNE-OFFLINE')]);
    const attacker = await rawAs('niels');
    attacker.send(writeAs(observer.doc, hanne.doc.clientID, (d) => sectionOf(d, 'goals').push([goal('HIJACK')])));
    const closed = await attacker.closed;
    expect(closed.code).toBe(1008);
    expect(attacker.denied.join()).toContain('update.foreign-client');
    hanne.provider.connect();
    await waitForDocs([observer.doc], () => text(observer.doc).includes('HANNE-OFFLINE'), 5000, 'her offline edit');
    expect(text(observer.doc)).not.toContain('HIJACK');
  });

  it('binds the client id a person shows in awareness before she writes with it', async () => {
    const observer = await as('maja');
    const hanne = await as('hanne');
    // Her caret state names her client id to everyone before she has written anything.
    hanne.provider.awareness.setLocalState({ cursor: null });
    await eventually(() => observer.provider.awareness.getStates().has(hanne.doc.clientID), 5000, 'her caret state');
    const attacker = await rawAs('niels');
    attacker.send(writeAs(observer.doc, hanne.doc.clientID, (d) => sectionOf(d, 'goals').push([goal('PRE-EMPTED')])));
    expect((await attacker.closed).code).toBe(1008);
    expect(attacker.denied.join()).toContain('update.foreign-client');
    sectionOf(hanne.doc, 'goals').push([goal('HANNE-WRITES-ON')]);
    await waitForDocs([observer.doc], () => text(observer.doc).includes('HANNE-WRITES-ON'), 5000, 'her edit');
    expect(text(observer.doc)).not.toContain('PRE-EMPTED');
  });

  it('keeps the binding across a restart of the hub', async () => {
    const dir = hub.dir;
    const first = await as('hanne');
    sectionOf(first.doc, 'goals').push([goal('BOUND-BEFORE-RESTART')]);
    const observer = await as('maja');
    await waitForDocs([observer.doc], () => text(observer.doc).includes('BOUND-BEFORE-RESTART'), 5000, 'the edit');
    const hanneId = first.doc.clientID;
    const state = Y.encodeStateAsUpdate(observer.doc);
    for (const m of members.splice(0)) m.leave();
    const again = await startHub({ dir, keepDir: true });
    try {
      const attacker = await rawCollab(again.wsUrl, planId, await again.token('niels'));
      const base = new Y.Doc();
      Y.applyUpdate(base, state);
      attacker.send(writeAs(base, hanneId, (d) => sectionOf(d, 'goals').push([goal('HIJACK-AFTER')])));
      expect((await attacker.closed).code).toBe(1008);
      expect(attacker.denied.join()).toContain('update.foreign-client');
    } finally {
      await again.stop();
    }
  });

  it('refuses a clock pushed far ahead (a GC struct near 2^53)', async () => {
    const observer = await as('hanne');
    const attacker = await rawAs('niels');
    const id = 0x7fff0001;
    attacker.send(gcUpdate([[id, 0, 2 ** 52]]));
    const closed = await attacker.closed;
    expect(closed.code).toBe(1008);
    expect(attacker.denied.join()).toContain('update.clock-jump');
    const maja = await as('maja');
    await stillUp(maja, observer);
    expect(Y.decodeStateVector(Y.encodeStateVector(observer.doc)).has(id)).toBe(false);
  });

  it('refuses one frame with 20,000 distinct client ids', async () => {
    const observer = await as('hanne');
    const attacker = await rawAs('niels');
    const structs: [number, number, number][] = [];
    for (let i = 0; i < 20_000; i++) structs.push([0x10000000 + i, 0, 1]);
    attacker.send(gcUpdate(structs));
    const closed = await attacker.closed;
    expect(closed.code).toBe(1008);
    expect(attacker.denied.join()).toContain('update.too-many-clients');
    const maja = await as('maja');
    await stillUp(maja, observer);
    expect(Y.decodeStateVector(Y.encodeStateVector(observer.doc)).size).toBeLessThan(50);
  });

  it('bounds the client ids one connection writes with over its life', async () => {
    const observer = await as('hanne');
    const attacker = await rawAs('niels');
    for (let frame = 0; frame < 3; frame++) {
      const structs: [number, number, number][] = [];
      for (let i = 0; i < 6; i++) structs.push([0x20000000 + frame * 10 + i, 0, 1]);
      attacker.send(gcUpdate(structs));
    }
    const closed = await attacker.closed;
    expect(closed.code).toBe(1008);
    expect(attacker.denied.join()).toContain('update.too-many-clients');
    const maja = await as('maja');
    await stillUp(maja, observer);
    const ids = [...Y.decodeStateVector(Y.encodeStateVector(observer.doc)).keys()];
    expect(ids.filter((c) => c >= 0x20000000 && c < 0x20000100).length).toBeLessThanOrEqual(12);
  });

  it('accepts the GC structs a client sends after adding and removing content offline', async () => {
    const hanne = await as('hanne');
    const observer = await as('maja');
    hanne.provider.disconnect();
    const entry = goal('ADDED-AND-REMOVED-OFFLINE');
    sectionOf(hanne.doc, 'goals').push([entry]);
    const goals = sectionOf(hanne.doc, 'goals');
    goals.delete(goals.length - 1, 1);
    sectionOf(hanne.doc, 'goals').push([goal('KEPT-OFFLINE')]);
    const update = Y.encodeStateAsUpdate(hanne.doc, Y.encodeStateVector(observer.doc));
    expect(Y.decodeUpdate(update).structs.some((s) => s instanceof Y.GC)).toBe(true);
    hanne.provider.connect();
    await waitForDocs([observer.doc], () => text(observer.doc).includes('KEPT-OFFLINE'), 5000, 'the offline edit');
    await waitForDocs([hanne.doc, observer.doc], () => sameState(hanne.doc, observer.doc), 5000, 'convergence');
    expect(hanne.denied).toEqual([]);
  });

  it('reverts a delete set that removes another client’s items in cells the sender may not change', async () => {
    const hanne = await as('hanne');
    const attacker = await rawAs('maja');
    const before = planToJson(hanne.doc).medications.map((m) => m.drug);
    // A delete set only, naming the prescriber's items.
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(hanne.doc));
    const sv = Y.encodeStateVector(doc);
    sectionOf(doc, 'medications').delete(0, sectionOf(doc, 'medications').length);
    const denied = attacker.nextDenied();
    attacker.send(Y.encodeStateAsUpdate(doc, sv));
    expect(await denied).toContain('medications.prescribers-only');
    const m = await as('niels');
    expect(planToJson(m.doc).medications.map((x) => x.drug)).toEqual(before);
    expect(planToJson(hanne.doc).medications.map((x) => x.drug)).toEqual(before);
  });
});
