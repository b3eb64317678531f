import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { FieldConflict } from '../../shared/plan.ts';
import { addNote, newEntry, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import { waitForDoc, waitForDocs } from '../fixtures/collab-client.ts';
import { join, sameState, type Member } from '../fixtures/plan-team.ts';
import { rawCollab } from '../fixtures/raw-collab.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * What the server stamps or others rely on cannot be forged by a client (attacker review of
 * issue 14, finding 4): conflict flags in any form and their attribution, entry ids, a note's
 * time. Stock y-websocket clients and a raw `ws` client against a real hub.
 */
describe('server-stamped fields of the plan', () => {
  let hub: TestHub;
  let planId: string;
  const members: Member[] = [];
  const as = async (user: string) => {
    const m = await join(hub, user, planId);
    members.push(m);
    return m;
  };

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterEach(() => {
    for (const m of members.splice(0)) m.leave();
  });
  afterAll(() => hub.stop());

  const furosemid = (d: Y.Doc) =>
    sectionOf(d, 'medications')
      .toArray()
      .find((e) => e.get('drug') === 'Furosemid') as Y.Map<unknown>;
  const conflictsOf = (d: Y.Doc) => furosemid(d).get('conflicts') as Record<string, FieldConflict> | undefined;

  it('refuses conflict flags from a client in every form: added, set, nested, removed', async () => {
    const gitte = await as('gitte');
    const observer = await as('maja');
    const flag = { dose: { values: [{ value: 'x', author: observer.userId, authorName: 'Maja' }], detected: 'now' } };
    // On a new entry.
    sectionOf(gitte.doc, 'medications').push([
      newEntry({ id: randomUUID(), drug: 'Paracetamol', dose: '1 g', conflicts: flag }),
    ]);
    expect((await gitte.nextRefusal()).code).toBe('conflicts.new-entry');
    // Set on an existing one, as JSON and as a shared type.
    furosemid(gitte.doc).set('conflicts', flag);
    expect((await gitte.nextRefusal()).code).toBe('conflicts.server-only');
    const nested = new Y.Map<unknown>();
    nested.set('dose', new Y.Map());
    furosemid(gitte.doc).set('conflicts', nested);
    expect((await gitte.nextRefusal()).code).toBe('conflicts.server-only');
    await waitForDocs([gitte.doc, observer.doc], () => sameState(gitte.doc, observer.doc), 5000, 'the reverts');
    expect(conflictsOf(observer.doc)).toBeUndefined();
    expect(JSON.stringify(planToJson(observer.doc))).not.toContain('Paracetamol');

    // A real flag (two prescribers concurrently) cannot be removed by a prescriber either.
    const hanne = await as('hanne');
    gitte.provider.disconnect();
    furosemid(hanne.doc).set('dose', '80 mg');
    await waitForDoc(observer.doc, (d) => furosemid(d).get('dose') === '80 mg');
    furosemid(gitte.doc).set('dose', '60 mg');
    gitte.provider.connect();
    await waitForDoc(observer.doc, (d) => conflictsOf(d)?.dose !== undefined, 5000, 'the conflict flag');
    await waitForDoc(gitte.doc, (d) => conflictsOf(d)?.dose !== undefined, 5000, 'the flag at gitte');
    furosemid(gitte.doc).delete('conflicts');
    expect((await gitte.nextRefusal()).code).toBe('conflicts.server-only');
    await waitForDoc(gitte.doc, (d) => conflictsOf(d)?.dose !== undefined, 5000, 'the flag restored');
    expect(conflictsOf(observer.doc)?.dose).toBeDefined();
    // Settled for the next test: a prescriber confirms.
    furosemid(hanne.doc).set('dose', '40 mg');
    await waitForDoc(observer.doc, (d) => conflictsOf(d) === undefined, 5000, 'the confirmation');
  });

  it('names in a conflict flag only who really wrote each value (no writing under another’s client id)', async () => {
    const hanne = await as('hanne');
    const observer = await as('maja');
    furosemid(hanne.doc).set('dose', '20 mg');
    await waitForDoc(observer.doc, (d) => furosemid(d).get('dose') === '20 mg');
    // Another prescriber writes a "concurrent" dose under Hanne's client id, so that the flag
    // would name Hanne as the author of a value she never wrote.
    const forger = await rawCollab(hub.wsUrl, planId, await hub.token('gitte'));
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(observer.doc));
    doc.clientID = hanne.doc.clientID;
    const sv = Y.encodeStateVector(doc);
    furosemid(doc).set('dose', 'FORGED-DOSE');
    forger.send(Y.encodeStateAsUpdate(doc, sv));
    expect((await forger.closed).code).toBe(1008);
    expect(forger.denied.join()).toContain('update.foreign-client');
    expect(furosemid(observer.doc).get('dose')).toBe('20 mg');
    expect(JSON.stringify(planToJson(observer.doc))).not.toContain('FORGED-DOSE');
  });

  it('keeps an entry’s id: given once, unique in its section', async () => {
    const gitte = await as('gitte');
    const observer = await as('maja');
    const ids = () => planToJson(observer.doc).medications.map((m) => m.id);
    const before = ids();
    furosemid(gitte.doc).set('id', randomUUID());
    expect((await gitte.nextRefusal()).code).toBe('entry.id-fixed');
    sectionOf(gitte.doc, 'medications').push([newEntry({ id: before[0], drug: 'SAME-ID-DRUG', dose: '1 mg' })]);
    expect((await gitte.nextRefusal()).code).toBe('entry.id-taken');
    await waitForDocs([gitte.doc, observer.doc], () => sameState(gitte.doc, observer.doc), 5000, 'the reverts');
    expect(ids()).toEqual(before);
    expect(JSON.stringify(planToJson(observer.doc))).not.toContain('SAME-ID-DRUG');
  });

  it('refuses a new note dated in the future or further back than offline work goes', async () => {
    const hanne = await as('hanne');
    const observer = await as('maja');
    const note = (created: string, body: string) =>
      addNote(hanne.doc, { id: randomUUID(), author: hanne.userId, sector: 'hospital', created, body });
    note(new Date(Date.now() + 24 * 3600_000).toISOString(), 'FUTURE-NOTE');
    expect((await hanne.nextRefusal()).code).toBe('notes.time');
    note('2019-01-01T00:00:00.000Z', 'BACKDATED-NOTE');
    expect((await hanne.nextRefusal()).code).toBe('notes.time');
    note(new Date(Date.now() - 2 * 3600_000).toISOString(), 'OFFLINE-NOTE');
    await waitForDoc(observer.doc, (d) => JSON.stringify(planToJson(d)).includes('OFFLINE-NOTE'), 5000, 'the note');
    const text = JSON.stringify(planToJson(observer.doc));
    expect(text).not.toContain('FUTURE-NOTE');
    expect(text).not.toContain('BACKDATED-NOTE');
  });
});
