import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { waitForDocs } from '../fixtures/collab-client.ts';
import { join, sameState, type Member } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Bugs the property suite (bench/property/, tests/integration/property.test.ts) found in the
 * permission check, each reproduced with stock y-websocket clients against a real hub.
 */
describe('permission check regressions found by the property suite', () => {
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

  const drugs = (d: Y.Doc) => planToJson(d).medications.map((m) => m.drug);

  it('checks an entry removal that comes with an overwrite of a later-written value in the same update', async () => {
    // The overwrite deletes the note's old body while the update is integrated, before the
    // update's own deletions: the transaction's delete set was out of order, a lookup in it
    // missed the medication's removal, and the removal went unchecked.
    const maja = await as('maja');
    const observer = await as('hanne');
    const before = drugs(observer.doc);
    maja.doc.transact(() => {
      const note = sectionOf(maja.doc, 'notes')
        .toArray()
        .find((n) => n.get('author') === maja.userId)!;
      note.set('body', richText('Nyt notat'));
      sectionOf(maja.doc, 'medications').delete(0, 1);
    });
    const refusal = await maja.nextRefusal();
    expect(refusal.section).toBe('medications');
    await waitForDocs([maja.doc, observer.doc], () => sameState(maja.doc, observer.doc), 5000, 'the nurse to converge');
    expect(drugs(observer.doc)).toEqual(before);
    expect(JSON.stringify(planToJson(observer.doc).notes)).toContain('Nyt notat');
  });

  it('keeps an author converged who writes a key another client was refused, after the server renamed that client’s item', async () => {
    // The server stores a refused key's item under a name of its own. Its own copy once kept
    // finding the item under the old name, placed the author's later write of that key beside
    // it, deleted the write as an old value and let the change pass unchecked, while the
    // author (who has the item under the new name) kept the write: the two copies differed.
    const maja = await as('maja');
    const hanne = await as('hanne');
    const observer = await as('niels');
    const note = (d: Y.Doc) =>
      sectionOf(d, 'notes')
        .toArray()
        .find((n) => n.get('author') === hanne.userId)!;
    note(maja.doc).set('unknownKey', 'x');
    await maja.nextRefusal();
    await waitForDocs([maja.doc, hanne.doc], () => sameState(maja.doc, hanne.doc), 5000, 'the nurse to converge');
    note(hanne.doc).set('unknownKey', 'y');
    await hanne.nextRefusal();
    await waitForDocs(
      [hanne.doc, observer.doc],
      () => sameState(hanne.doc, observer.doc),
      5000,
      'the author to converge',
    );
    expect(note(hanne.doc).get('unknownKey')).toBeUndefined();
  });
});
