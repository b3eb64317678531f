import * as Y from 'yjs';
import { LIST_SECTIONS, PlanMeta, SECTION_ENTRY_SCHEMAS } from '../../shared/plan.ts';
import { RICH_TEXT_ATTRIBUTES } from './plan-values.ts';

/**
 * A refused item is garbage-collected to its length, but Yjs still writes where it stood when
 * it has no neighbour to be placed by: its map key and, for a section the plan does not have,
 * the root's name. Both are the client's choice and can carry text ("FORBIDDEN-…" as a key).
 * Before the transaction is encoded, such names are replaced: a key no client may ever write
 * by "refused", a root the plan does not have by "refused:<n>".
 *
 * Why this keeps every copy converged: only names that are never allowed anywhere are
 * replaced, so every item ever written at one is refused and deleted; where deleted items sit
 * among each other is invisible. A later item placed next to a renamed one (its origin) takes
 * the new name, on the server and on every peer alike. The author's own copy keeps the name it
 * chose, on items that are deleted there too.
 */
export const REFUSED_KEY = 'refused';
const REFUSED_ROOT = 'refused:';

/** Every name the contract writes as a map key: entry keys, meta keys, rich-text attributes. */
const PUBLIC_NAMES = new Set<string>([...Object.keys(PlanMeta.shape), ...LIST_SECTIONS.flatMap((s) => Object.keys(SECTION_ENTRY_SCHEMAS[s].shape)), ...RICH_TEXT_ATTRIBUTES]);

type Shared = Y.AbstractType<unknown>;

/** The next free "refused:<n>" per document (a plan reloaded from the store already has some). */
const nextRoot = new WeakMap<Y.Doc, number>();

function renameRoot(doc: Y.Doc, type: Shared): void {
  for (const [name, t] of doc.share) {
    if ((t as unknown) !== type) continue;
    if (name.startsWith(REFUSED_ROOT)) return;
    let n = nextRoot.get(doc) ?? 1;
    while (doc.share.has(`${REFUSED_ROOT}${n}`)) n++;
    nextRoot.set(doc, n + 1);
    doc.share.delete(name);
    doc.share.set(`${REFUSED_ROOT}${n}`, type as never);
    return;
  }
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
      if (item.parentSub !== null && !PUBLIC_NAMES.has(item.parentSub)) item.parentSub = REFUSED_KEY;
      const parent = item.parent as Shared;
      if (parent._item === null && !sections.has(parent)) renameRoot(doc, parent);
    }
  }
}
