import * as Y from 'yjs';

/**
 * Reverting inside the transaction that applied a client's update: forbidden inserts are
 * deleted, forbidden deletions restored as new items (Yjs's own undo machinery, whose copies
 * the author then receives). Each revert is verified afterwards; what cannot be verified is
 * treated as a failure by the caller, never as done.
 */
type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

/** Transaction origin of the undo machinery; never the origin of any real transaction. */
const NEVER = Symbol('never tracked');

/** One per room: the undo machinery used to restore refused deletions as new items. */
export function createReverter(doc: Y.Doc): Y.UndoManager {
  return new Y.UndoManager(doc, { trackedOrigins: new Set([NEVER]), ignoreRemoteMapChanges: true, captureTimeout: 0 });
}

function addRange(ds: DeleteSet, item: Y.Item): void {
  const ranges = ds.clients.get(item.id.client) ?? [];
  ranges.push({ clock: item.id.clock, len: item.length } as (typeof ranges)[number]);
  ds.clients.set(item.id.client, ranges);
}

/** Sorts and merges ranges, as Yjs's lookups (binary search) expect. */
function normalise(ds: DeleteSet): DeleteSet {
  for (const [client, ranges] of ds.clients) {
    ranges.sort((a, b) => a.clock - b.clock);
    const merged: typeof ranges = [];
    for (const r of ranges) {
      const last = merged.at(-1);
      if (last && last.clock + last.len >= r.clock) last.len = Math.max(last.len, r.clock + r.len - last.clock);
      else merged.push({ clock: r.clock, len: r.len } as (typeof ranges)[number]);
    }
    ds.clients.set(client, merged);
  }
  return ds;
}

const isNewIn = (tr: Y.Transaction) => (item: Y.Item) => item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);

/** The live copy an earlier revert made of `item` (following copies of copies), if any. */
function liveCopy(store: Y.Doc['store'], item: Y.Item): Y.Item | null {
  let current = item;
  for (let steps = 0; current.redone !== null; steps++) {
    if (steps > 10_000) return null;
    const next = Y.getItem(store, current.redone) as Y.Item | Y.GC;
    if (!(next instanceof Y.Item)) return null;
    current = next;
  }
  return current !== item && !current.deleted ? current : null;
}

/** Deletes `inserted` and restores `deleted` (items that existed before the transaction). */
export function revertItems(reverter: Y.UndoManager, inserted: Y.Item[], deleted: Y.Item[]): void {
  if (inserted.length === 0 && deleted.length === 0) return;
  const insertions = Y.createDeleteSet();
  const deletions = Y.createDeleteSet();
  for (const item of inserted) addRange(insertions, item);
  for (const item of deleted) addRange(deletions, item);
  reverter.undoStack.length = 0;
  reverter.redoStack.length = 0;
  reverter.undoStack.push({
    insertions: normalise(insertions),
    deletions: normalise(deletions),
    meta: new Map(),
  } as unknown as (typeof reverter.undoStack)[number]);
  try {
    reverter.undo();
  } finally {
    reverter.undoStack.length = 0;
    reverter.redoStack.length = 0;
  }
}

export class RevertFailed extends Error {}

/** Throws unless every item of `inserted` is deleted and every item of `deleted` has a live copy. */
export function verifyReverted(doc: Y.Doc, inserted: Y.Item[], deleted: Y.Item[]): void {
  for (const item of inserted)
    if (!item.deleted) throw new RevertFailed('a refused insertion is still in the document');
  for (const item of deleted)
    if (liveCopy(doc.store, item) === null) throw new RevertFailed('a refused deletion was not restored');
}

/**
 * Takes back everything the transaction did so far: every item it created is deleted (the
 * server's own copies of restored items excepted) and every item it deleted is restored.
 * Used when checking an update failed, whatever state the check left behind. Throws when
 * the result cannot be verified; the caller must then not keep the transaction.
 */
export function revertEverything(tr: Y.Transaction, reverter: Y.UndoManager): void {
  const doc = tr.doc;
  const isNew = isNewIn(tr);
  const deleted: Y.Item[] = [];
  const copies = new Set<Y.Item>();
  Y.iterateDeletedStructs(tr, tr.deleteSet, (struct) => {
    if (!(struct instanceof Y.Item) || isNew(struct)) return;
    const copy = liveCopy(doc.store, struct);
    if (copy) {
      copies.add(copy);
      return;
    }
    // A copy an earlier revert made and something then deleted: restore afresh.
    struct.redone = null;
    deleted.push(struct);
  });
  const inserted: Y.Item[] = [];
  for (const [client, structs] of doc.store.clients) {
    const before = tr.beforeState.get(client) ?? 0;
    const last = structs[structs.length - 1];
    if (!last || last.id.clock + last.length <= before) continue;
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const struct = structs[i];
      if (struct instanceof Y.Item && !struct.deleted && !copies.has(struct) && isNew(struct)) inserted.push(struct);
    }
  }
  revertItems(reverter, inserted, deleted);
  verifyReverted(doc, inserted, deleted);
  for (const copy of copies) if (copy.deleted) throw new RevertFailed('a restored item was deleted again');
}
