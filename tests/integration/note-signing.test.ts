import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type * as Y from 'yjs';
import { addNote, newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import type { Refusal } from '../../shared/refusals.ts';
import { waitForDoc, waitForDocs } from '../fixtures/collab-client.ts';
import { bytesContain, join, sameState, type Member } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * A journal note is signed by its author and then locked — by the server's guard, for every
 * client, the author's own too; a correction is an addendum that keeps the original. With
 * stock y-websocket clients: a refused change reaches no peer and no stored byte.
 */
describe('signed notes are locked; corrections are addenda', () => {
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

  const storedBytes = (): Uint8Array[] =>
    (
      hub.sqlite().prepare('SELECT update_bytes FROM plan_updates WHERE plan_id = ?').pluck().all(planId) as Buffer[]
    ).map((b) => new Uint8Array(b));
  const noteById = (doc: Y.Doc, id: string) =>
    sectionOf(doc, 'notes')
      .toArray()
      .find((e) => e.get('id') === id) as Y.Map<unknown>;
  const firstText = (note: Y.Map<unknown>) =>
    ((note.get('body') as Y.XmlFragment).get(0) as Y.XmlElement).get(0) as Y.XmlText;

  async function expectRefused(author: Member, observer: Member, marker: string, why: Refusal): Promise<void> {
    const { planId: _p, section, ...refusal } = await author.nextRefusal();
    expect(section).toBe('notes');
    expect(refusal).toEqual(why);
    await waitForDocs(
      [author.doc, observer.doc],
      () => sameState(author.doc, observer.doc),
      5000,
      'the author to converge to the server state',
    );
    expect(bytesContain(observer.received, marker)).toBe(false);
    expect(JSON.stringify(planToJson(observer.doc))).not.toContain(marker);
    expect(bytesContain(storedBytes(), marker)).toBe(false);
  }

  /** Hanne writes a note and signs it; both clients see it signed. */
  async function signedNote(hanne: Member, maja: Member, text: string): Promise<string> {
    const id = randomUUID();
    addNote(hanne.doc, { id, author: hanne.userId, sector: 'hospital', created: new Date().toISOString(), body: text });
    await waitForDoc(maja.doc, (d) => noteById(d, id) !== undefined, 5000, 'the new note');
    // Her own unsigned note she may still edit.
    firstText(noteById(hanne.doc, id)).insert(text.length, ' Tilføjet før underskrift.');
    noteById(hanne.doc, id).set('signed', new Date().toISOString());
    await waitForDoc(maja.doc, (d) => typeof noteById(d, id)?.get('signed') === 'string', 5000, 'the signature');
    expect(hanne.denied).toEqual([]);
    return id;
  }

  it('refuses the author editing, unsigning or removing her signed note, and others too', async () => {
    const hanne = await as('hanne');
    const maja = await as('maja');
    const id = await signedNote(hanne, maja, 'Vægt 82 kg.');

    firstText(noteById(hanne.doc, id)).insert(0, 'FORBIDDEN-AFTER-SIGNING ');
    await expectRefused(hanne, maja, 'FORBIDDEN-AFTER-SIGNING', { code: 'notes.signed', params: {} });
    expect(planToJson(hanne.doc).notes.find((n) => n.id === id)?.body).toBe('Vægt 82 kg. Tilføjet før underskrift.');

    noteById(hanne.doc, id).delete('signed');
    await expectRefused(hanne, maja, 'FORBIDDEN-NONE', { code: 'notes.signed', params: {} });
    expect(typeof noteById(maja.doc, id).get('signed')).toBe('string');

    const index = sectionOf(hanne.doc, 'notes').toArray().indexOf(noteById(hanne.doc, id));
    sectionOf(hanne.doc, 'notes').delete(index, 1);
    await expectRefused(hanne, maja, 'FORBIDDEN-NONE', { code: 'notes.signed', params: {} });
    expect(noteById(hanne.doc, id)).toBeDefined();

    firstText(noteById(maja.doc, id)).insert(0, 'FORBIDDEN-OTHER ');
    await expectRefused(maja, hanne, 'FORBIDDEN-OTHER', { code: 'notes.signed', params: {} });
  });

  it('refuses signing another author’s note', async () => {
    const hanne = await as('hanne');
    const maja = await as('maja');
    const id = randomUUID();
    addNote(hanne.doc, { id, author: hanne.userId, sector: 'hospital', created: new Date().toISOString(), body: 'x' });
    await waitForDoc(maja.doc, (d) => noteById(d, id) !== undefined, 5000, 'the new note');
    noteById(maja.doc, id).set('signed', new Date().toISOString());
    await expectRefused(maja, hanne, 'FORBIDDEN-NONE', { code: 'notes.author-only', params: {} });
    expect(noteById(hanne.doc, id).get('signed')).toBeUndefined();
  });

  it('keeps the original under an addendum, whose target is fixed', async () => {
    const hanne = await as('hanne');
    const maja = await as('maja');
    const id = await signedNote(hanne, maja, 'Kalium 3,1.');
    const addendum = randomUUID();
    sectionOf(hanne.doc, 'notes').push([
      newEntry({
        id: addendum,
        author: hanne.userId,
        sector: 'hospital',
        created: new Date().toISOString(),
        body: richText('Rettelse: kalium var 3,4.'),
        amends: id,
        signed: new Date().toISOString(),
      }),
    ]);
    await waitForDoc(maja.doc, (d) => noteById(d, addendum) !== undefined, 5000, 'the addendum');
    const notes = planToJson(maja.doc).notes;
    expect(notes.find((n) => n.id === id)?.body).toBe('Kalium 3,1. Tilføjet før underskrift.');
    expect(notes.find((n) => n.id === addendum)).toMatchObject({ amends: id, body: 'Rettelse: kalium var 3,4.' });

    // An unsigned addendum of one's own: its text may change, what it amends may not.
    const draft = randomUUID();
    sectionOf(hanne.doc, 'notes').push([
      newEntry({
        id: draft,
        author: hanne.userId,
        sector: 'hospital',
        created: new Date().toISOString(),
        body: richText('Udkast'),
        amends: id,
      }),
    ]);
    await waitForDoc(maja.doc, (d) => noteById(d, draft) !== undefined, 5000, 'the draft addendum');
    noteById(hanne.doc, draft).set('amends', randomUUID());
    await expectRefused(hanne, maja, 'FORBIDDEN-NONE', { code: 'notes.fixed', params: {} });
    expect(noteById(maja.doc, draft).get('amends')).toBe(id);
  });

  it('refuses a signature that is not a time', async () => {
    const hanne = await as('hanne');
    const maja = await as('maja');
    const id = randomUUID();
    addNote(hanne.doc, { id, author: hanne.userId, sector: 'hospital', created: new Date().toISOString(), body: 'y' });
    await waitForDoc(maja.doc, (d) => noteById(d, id) !== undefined, 5000, 'the new note');
    noteById(hanne.doc, id).set('signed', 'FORBIDDEN-SIGNATURE');
    await expectRefused(hanne, maja, 'FORBIDDEN-SIGNATURE', {
      code: 'value.invalid',
      params: { key: 'signed', problem: 'schema' },
    });
  });
});
