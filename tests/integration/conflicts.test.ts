import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { FieldConflict } from '../../shared/plan.ts';
import { sectionOf } from '../../shared/plan-doc.ts';
import { waitForDoc } from '../fixtures/collab-client.ts';
import { join } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

describe('safe merging of clinical values', () => {
  let hub: TestHub;
  let planId: string;

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterAll(() => hub.stop());

  const furosemid = (d: Y.Doc) =>
    sectionOf(d, 'medications')
      .toArray()
      .find((e) => e.get('drug') === 'Furosemid')!;
  const conflictsOf = (d: Y.Doc) => furosemid(d).get('conflicts') as Record<string, FieldConflict> | undefined;

  it('flags a dose changed concurrently by two prescribers, naming both values and authors, until one is confirmed', async () => {
    const hanne = await join(hub, 'hanne', planId);
    const gitte = await join(hub, 'gitte', planId);
    const maja = await join(hub, 'maja', planId);
    // Gitte is offline while Hanne changes the dose; Gitte changes it too, not having seen Hanne's.
    gitte.provider.disconnect();
    furosemid(hanne.doc).set('dose', '80 mg');
    await waitForDoc(maja.doc, (d) => furosemid(d).get('dose') === '80 mg');
    furosemid(gitte.doc).set('dose', '60 mg');
    gitte.provider.connect();

    await waitForDoc(maja.doc, (d) => conflictsOf(d)?.dose !== undefined, 5000, 'the conflict flag');
    const conflict = conflictsOf(maja.doc)!.dose!;
    const winner = furosemid(maja.doc).get('dose');
    expect(['80 mg', '60 mg']).toContain(winner);
    expect(conflict.values[0]!.value).toBe(winner);
    expect(conflict.values.map((v) => v.value).sort()).toEqual(['60 mg', '80 mg']);
    expect(conflict.values.map((v) => v.authorName).sort()).toEqual(['Gitte Grønlund', 'Hanne Holm']);
    await waitForDoc(gitte.doc, (d) => conflictsOf(d)?.dose !== undefined, 5000, 'the flag at the other author');

    // A nurse may not clear the flag; a prescriber confirms a value by setting it.
    furosemid(maja.doc).delete('conflicts');
    await maja.nextRefusal();
    await waitForDoc(maja.doc, (d) => conflictsOf(d)?.dose !== undefined, 5000, 'the flag restored for the nurse');
    furosemid(hanne.doc).set('dose', '80 mg');
    await waitForDoc(
      maja.doc,
      (d) => conflictsOf(d) === undefined && furosemid(d).get('dose') === '80 mg',
      5000,
      'the confirmation',
    );
    for (const m of [hanne, gitte, maja]) m.leave();
  });

  it('does not flag sequential changes', async () => {
    const hanne = await join(hub, 'hanne', planId);
    const gitte = await join(hub, 'gitte', planId);
    furosemid(hanne.doc).set('frequency', '2 gange dagligt');
    await waitForDoc(gitte.doc, (d) => furosemid(d).get('frequency') === '2 gange dagligt');
    furosemid(gitte.doc).set('frequency', '3 gange dagligt');
    await waitForDoc(hanne.doc, (d) => furosemid(d).get('frequency') === '3 gange dagligt');
    expect(conflictsOf(hanne.doc)?.frequency).toBeUndefined();
    hanne.leave();
    gitte.leave();
  });
});
