import * as Y from 'yjs';
import { LIST_SECTIONS, PlanMeta, SECTION_ENTRY_SCHEMAS } from '../../shared/plan.ts';
import { RICH_TEXT_ATTRIBUTES } from './plan-values.ts';

/**
 * A refused item is garbage-collected to its length, but Yjs still writes where it stood when
 * it has no neighbour to be placed by: its map key and, for a section the plan does not have,
 * the root's name. Both are the client's choice and can carry text ("FORBIDDEN-…" as a key).
 * Before the transaction is encoded, such names are replaced: the items at a key no client may
 * ever write move to a key of their own, "refused:<client>:<clock>" (its first item's id), and
 * a root the plan does not have becomes "refused:<n>".
 *
 * Why every copy stays converged: only names that are never allowed anywhere are replaced, so
 * every item ever written at one is refused and deleted, and only items this transaction
 * created and deleted are moved, all of a key's together. The server's own copy moves them
 * too (its map no longer finds them under the old name), so a later write under the old name
 * is placed alone, on the server as on every peer, and is refused again; a later write next to
 * a moved item (its origin) follows it, everywhere. The author's copy keeps the names it chose,
 * on items that are deleted there as well.
 */
export const REFUSED_PREFIX = 'refused:';

/** Every name the contract writes as a map key: entry keys, meta keys, rich-text attributes. */
const PUBLIC_NAMES = new Set<string>([
  ...Object.keys(PlanMeta.shape),
  ...LIST_SECTIONS.flatMap((s) => Object.keys(SECTION_ENTRY_SCHEMAS[s].shape)),
  ...RICH_TEXT_ATTRIBUTES,
]);

type Shared = Y.AbstractType<unknown>;

/** The next free "refused:<n>" per document (a plan reloaded from the store already has some). */
const nextRoot = new WeakMap<Y.Doc, number>();

function renameRoot(doc: Y.Doc, type: Shared): void {
  for (const [name, t] of doc.share) {
    if ((t as unknown) !== type) continue;
    if (name.startsWith(REFUSED_PREFIX)) return;
    let n = nextRoot.get(doc) ?? 1;
    while (doc.share.has(`${REFUSED_PREFIX}${n}`)) n++;
    nextRoot.set(doc, n + 1);
    doc.share.delete(name);
    doc.share.set(`${REFUSED_PREFIX}${n}`, type as never);
    return;
  }
}

type MapInternals = { _map: Map<string, Y.Item> };

/** Moves the items at `item`'s key to a key of their own, if all of them are this transaction's and deleted. */
function renameKey(tr: Y.Transaction, item: Y.Item): void {
  const key = item.parentSub as string;
  const map = (item.parent as unknown as MapInternals)._map;
  let first = map.get(key) ?? null;
  if (first === null) return;
  while (first.left !== null) first = first.left;
  const chain: Y.Item[] = [];
  for (let i: Y.Item | null = first; i !== null; i = i.right) chain.push(i);
  // Items from before this transaction (stored before names were replaced) stay as they are.
  if (chain.some((i) => i.id.clock < (tr.beforeState.get(i.id.client) ?? 0) || !i.deleted || i.parentSub !== key))
    return;
  const name = `${REFUSED_PREFIX}${first.id.client}:${first.id.clock}`;
  for (const i of chain) i.parentSub = name;
  map.delete(key);
  map.set(name, chain[chain.length - 1] as Y.Item);
}

/**
 * Renames what a deleted item created in this transaction would otherwise write of its
 * client's choosing. `sections` are the plan's own root types.
 */
export function anonymiseRefusedNames(tr: Y.Transaction, sections: ReadonlySet<Shared>): void {
  const doc = tr.doc;
  for (const [client, structs] of doc.store.clients) {
    const before = tr.beforeState.get(client) ?? 0;
    const last = structs[structs.length - 1];
    if (!last || last.id.clock + last.length <= before) continue;
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const item = structs[i];
      // Only an item without neighbours is written with its parent and key.
      if (!(item instanceof Y.Item) || !item.deleted || item.origin !== null || item.rightOrigin !== null) continue;
      if (item.parentSub !== null && !PUBLIC_NAMES.has(item.parentSub) && !item.parentSub.startsWith(REFUSED_PREFIX))
        renameKey(tr, item);
      const parent = item.parent as Shared;
      if (parent._item === null && !sections.has(parent)) renameRoot(doc, parent);
    }
  }
}
