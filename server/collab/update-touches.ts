import * as Y from 'yjs';
import { isSectionName, type ListSectionName, type SectionName } from '../../shared/plan.ts';
import { refusal, type Refusal } from '../../shared/refusals.ts';
import { nameForRecord } from './plan-values.ts';

/**
 * Traces what one transaction inserted and deleted to the plan's cells: each item to its
 * section, entry and key (walking up its parents), grouped as the permission table decides
 * them — a meta key set, an entry added or removed, one key of an entry changed, or something
 * that is no cell of the contract (an unknown section, list content where keys belong).
 */
export type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

/** What the transaction inserted and deleted in one place. */
interface Items {
  inserted: Y.Item[];
  deleted: Y.Item[];
}

/** A cell of the contract the permission table decides, or something that is none (refused as it is). */
export type Touch = Items &
  (
    | { kind: 'meta'; section: 'meta'; key: string; entryItem: null }
    | { kind: 'add'; section: ListSectionName; key: null; entryItem: Y.Item }
    | { kind: 'remove'; section: ListSectionName; key: null; entryItem: Y.Item }
    | { kind: 'change'; section: ListSectionName; key: string; entryItem: Y.Item }
    | { kind: 'unknown'; section: string; key: string | null; entryItem: Y.Item | null; refusal: Refusal }
  );

/** The section of a root type, or its name when it is none of the plan's (null if unnamed). */
function rootName(
  sections: ReadonlyMap<Y.AbstractType<unknown>, SectionName>,
  type: Y.AbstractType<unknown>,
  unknown: Map<Y.AbstractType<unknown>, string | null>,
): string | null {
  const section = sections.get(type);
  if (section) return section;
  if (!unknown.has(type)) {
    let name: string | null = null;
    try {
      name = Y.findRootTypeKey(type);
    } catch {
      name = null;
    }
    unknown.set(type, name);
  }
  return unknown.get(type) ?? null;
}

/** Groups what the transaction inserted and deleted by section, entry and key. */
export function collectTouches(
  doc: Y.Doc,
  sections: ReadonlyMap<Y.AbstractType<unknown>, SectionName>,
  tr: Y.Transaction,
  clients: Set<number>,
  deletedNow: DeleteSet,
): Touch[] {
  const isNew = (item: Y.Item) => item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
  const touches = new Map<string, Touch>();
  const unknownRoots = new Map<Y.AbstractType<unknown>, string | null>();
  const touch = (id: string, make: () => Touch): Touch => {
    let t = touches.get(id);
    if (!t) {
      t = make();
      touches.set(id, t);
    }
    return t;
  };
  const classify = (item: Y.Item, inserted: boolean): void => {
    const chain: Y.Item[] = [item];
    let type = item.parent as Y.AbstractType<unknown>;
    while (type._item !== null) {
      chain.unshift(type._item);
      type = type._item.parent as Y.AbstractType<unknown>;
    }
    const section = rootName(sections, type, unknownRoots);
    const top = chain[0] as Y.Item;
    const list = (t: Touch) => (inserted ? t.inserted : t.deleted).push(item);
    if (section === null || !isSectionName(section)) {
      const refused = () => refusal('section.unknown', { section: nameForRecord(section ?? '?') });
      list(
        touch(`?${section}`, () => ({
          kind: 'unknown',
          section: section ?? 'unknown',
          key: null,
          entryItem: null,
          inserted: [],
          deleted: [],
          refusal: refused(),
        })),
      );
      return;
    }
    if (section === 'meta') {
      const key = top.parentSub;
      list(
        touch(`meta|${key}`, () =>
          key === null
            ? {
                kind: 'unknown',
                section,
                key,
                entryItem: null,
                inserted: [],
                deleted: [],
                refusal: refusal('meta.named-keys-only'),
              }
            : { kind: 'meta', section, key, entryItem: null, inserted: [], deleted: [] },
        ),
      );
      return;
    }
    if (top.parentSub !== null) {
      list(
        touch(`${section}|named`, () => ({
          kind: 'unknown',
          section,
          key: null,
          entryItem: null,
          inserted: [],
          deleted: [],
          refusal: refusal('section.entries-only', { section }),
        })),
      );
      return;
    }
    const entryId = `${top.id.client}:${top.id.clock}`;
    if (isNew(top)) {
      list(
        touch(`add|${entryId}`, () => ({ kind: 'add', section, key: null, entryItem: top, inserted: [], deleted: [] })),
      );
      return;
    }
    if (top.deleted && !Y.isDeleted(deletedNow, top.id)) {
      // Written into an entry someone had already removed: dead content, no change to check.
      return;
    }
    if (top.deleted) {
      list(
        touch(`remove|${entryId}`, () => ({
          kind: 'remove',
          section,
          key: null,
          entryItem: top,
          inserted: [],
          deleted: [],
        })),
      );
      return;
    }
    const key = chain.length > 1 ? (chain[1] as Y.Item).parentSub : null;
    list(
      touch(`change|${entryId}|${key}`, () =>
        key === null
          ? {
              kind: 'unknown',
              section,
              key,
              entryItem: top,
              inserted: [],
              deleted: [],
              refusal: refusal('entry.named-keys-only'),
            }
          : { kind: 'change', section, key, entryItem: top, inserted: [], deleted: [] },
      ),
    );
  };

  for (const [client, structs] of doc.store.clients) {
    const before = tr.beforeState.get(client) ?? 0;
    const last = structs[structs.length - 1];
    if (!last || last.id.clock + last.length <= before) continue;
    clients.add(client);
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const struct = structs[i];
      // An item that arrives as deleted content (a client collected what it added and removed
      // before the server saw it) holds nothing and changes no cell; what it overwrote, if
      // anything, is among the deletions below.
      if (struct instanceof Y.Item && !(struct.content instanceof Y.ContentDeleted)) classify(struct, true);
    }
  }
  Y.iterateDeletedStructs(tr, tr.deleteSet, (struct) => {
    if (struct instanceof Y.Item && !isNew(struct)) classify(struct, false);
  });
  // An entry removed in this update: its cascaded key deletions belong to the removal.
  const list = [...touches.values()];
  const removed = new Set(list.filter((t) => t.kind === 'remove').map((t) => t.entryItem));
  return list.filter((t) => !(t.kind === 'change' && removed.has(t.entryItem)));
}
