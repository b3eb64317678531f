import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { StoredPlan } from '../../server/collab/stored-plan.ts';

/** A plan with insertions and deletions by two clients, as one stored update, and its snapshot. */
function plan(): { state: Uint8Array; snapshot: Uint8Array; doc: Y.Doc } {
  const doc = new Y.Doc();
  const notes = doc.getArray<string>('notes');
  notes.insert(0, ['a', 'b', 'c', 'd']);
  notes.delete(1, 2);
  const other = new Y.Doc();
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
  other.getArray<string>('notes').push(['e']);
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
  return { state: Y.encodeStateAsUpdate(doc), snapshot: Y.encodeSnapshot(Y.snapshot(doc)), doc };
}

describe('a plan held as its stored bytes', () => {
  it('knows what it holds from the stored snapshot as from the bytes', () => {
    const { state, snapshot, doc } = plan();
    const fromSnapshot = new StoredPlan(state, snapshot);
    const fromBytes = new StoredPlan(state);
    expect(fromSnapshot.stateVector()).toEqual(Y.encodeStateVector(doc));
    expect(fromBytes.stateVector()).toEqual(Y.encodeStateVector(doc));
    for (const client of [doc.clientID, 12345])
      expect(fromSnapshot.holdsClient(client)).toBe(fromBytes.holdsClient(client));
  });

  it('tells an update that adds nothing (a synced client’s answer, deletions included) from one that adds', () => {
    const { state, snapshot } = plan();
    const synced = new Y.Doc();
    Y.applyUpdate(synced, state);
    const nothingNew = Y.encodeStateAsUpdate(synced, Y.encodeStateVectorFromUpdate(state));
    for (const stored of [new StoredPlan(state, snapshot), new StoredPlan(state)]) {
      expect(stored.holdsUpdate(nothingNew)).toBe(true);
      expect(stored.holdsUpdate(Y.encodeStateAsUpdate(synced))).toBe(true);
    }
    // A new deletion, and a new insertion: not held.
    const deleting = new Y.Doc();
    Y.applyUpdate(deleting, state);
    const before = Y.encodeStateVector(deleting);
    deleting.getArray('notes').delete(0, 1);
    const deletion = Y.encodeStateAsUpdate(deleting, before);
    const inserting = new Y.Doc();
    Y.applyUpdate(inserting, state);
    inserting.getArray('notes').push(['f']);
    const insertion = Y.encodeStateAsUpdate(inserting, Y.encodeStateVectorFromUpdate(state));
    for (const stored of [new StoredPlan(state, snapshot), new StoredPlan(state)]) {
      expect(stored.holdsUpdate(deletion)).toBe(false);
      expect(stored.holdsUpdate(insertion)).toBe(false);
    }
  });

  it('reads the bytes when the stored snapshot does not decode, never a guess', () => {
    const { state, doc } = plan();
    const stored = new StoredPlan(state, new Uint8Array([255, 255, 255, 255, 255]));
    expect(stored.stateVector()).toEqual(Y.encodeStateVector(doc));
    expect(stored.holdsClient(doc.clientID)).toBe(true);
  });
});
