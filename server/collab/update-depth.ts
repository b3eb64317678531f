import * as Y from 'yjs';

/**
 * How deep an incoming update nests shared types, read from the decoded update before any of
 * it is applied. Yjs deletes and garbage-collects a type's content recursively: a value nested
 * a few thousand levels deep (easily sent in one frame) overflows the stack while it is being
 * reverted or collected, halfway through a transaction. Such an update is refused whole,
 * before it touches the document.
 */

/**
 * The deepest item a plan may hold, counted from its section (an entry is at 1, an entry's
 * key at 2). The contract's deepest legitimate content is rich text: entry key, fragment,
 * list, list item, … paragraph, text, characters; 32 leaves room for about a dozen levels of
 * nested lists, and is far below where Yjs' recursion overflows (about 3,000 levels).
 */
export const MAX_NESTING_DEPTH = 32;

interface Placed {
  depth: number;
  /** The root (section) name, when known. */
  root: string | null;
}

const UNKNOWN: Placed = { depth: 0, root: null };

type DecodedItem = Y.Item & { parent: Y.ID | string | null };

/** Where an item of the document sits: its depth and section. */
function placeInDoc(item: Y.Item, memo: Map<Y.AbstractType<unknown>, Placed>): Placed {
  const parent = item.parent as Y.AbstractType<unknown>;
  const known = memo.get(parent);
  if (known) return { depth: known.depth + 1, root: known.root };
  const chain: Y.AbstractType<unknown>[] = [];
  let type = parent;
  while (type._item !== null) {
    chain.push(type);
    type = type._item.parent as Y.AbstractType<unknown>;
  }
  let root: string | null = null;
  try {
    root = Y.findRootTypeKey(type);
  } catch {
    root = null;
  }
  // chain[i] is the type i levels above the item's parent; the root itself is depth 0.
  for (let i = chain.length - 1, depth = 1; i >= 0; i--, depth++)
    memo.set(chain[i] as Y.AbstractType<unknown>, { depth, root });
  memo.set(type, { depth: 0, root });
  const placed = memo.get(parent) as Placed;
  return { depth: placed.depth + 1, root };
}

/**
 * The greatest depth of an item in `update` (0 for an update without items) and its section.
 * Items whose place cannot be known yet (they build on changes the server lacks) count as 0:
 * they are not applied now, and are measured again when they arrive whole.
 * `structs` are the decoded update's (Y.decodeUpdate).
 */
export function deepestItem(doc: Y.Doc, structs: readonly (Y.Item | Y.GC | Y.Skip)[]): Placed {
  const byClient = new Map<number, DecodedItem[]>();
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const list = byClient.get(s.id.client) ?? [];
    list.push(s as DecodedItem);
    byClient.set(s.id.client, list);
  }
  const findInUpdate = (id: Y.ID): DecodedItem | null => {
    const list = byClient.get(id.client);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[mid] as DecodedItem;
      if (id.clock < it.id.clock) hi = mid - 1;
      else if (id.clock >= it.id.clock + it.length) lo = mid + 1;
      else return it;
    }
    return null;
  };
  const typeMemo = new Map<Y.AbstractType<unknown>, Placed>();
  const inDoc = (id: Y.ID): Y.Item | null => {
    if (Y.getState(doc.store, id.client) <= id.clock) return null;
    const struct = Y.getItem(doc.store, id) as Y.Item | Y.GC;
    return struct instanceof Y.Item ? struct : null;
  };

  const placed = new Map<DecodedItem, Placed>();
  /** What an item's place depends on: a root, an item of the document, or another item of the update. */
  const reference = (item: DecodedItem): { placed: Placed } | { on: DecodedItem; child: boolean } => {
    if (typeof item.parent === 'string') return { placed: { depth: 1, root: item.parent } };
    const refs: [Y.ID | null, boolean][] = item.parent
      ? [[item.parent, true]]
      : [
          [item.origin, false],
          [item.rightOrigin, false],
        ];
    for (const [id, child] of refs) {
      if (!id) continue;
      const other = findInUpdate(id);
      if (other) return { on: other, child };
      const existing = inDoc(id);
      if (!existing) continue;
      const at = placeInDoc(existing, typeMemo);
      return { placed: child ? { depth: at.depth + 1, root: at.root } : at };
    }
    return { placed: UNKNOWN };
  };

  let deepest: Placed = UNKNOWN;
  for (const list of byClient.values()) {
    for (const start of list) {
      // Iterative: chains of origins inside one update can be as long as the update.
      const stack: DecodedItem[] = [start];
      const visiting = new Set<DecodedItem>();
      while (stack.length > 0) {
        const item = stack[stack.length - 1] as DecodedItem;
        if (placed.has(item)) {
          stack.pop();
          continue;
        }
        visiting.add(item);
        const ref = reference(item);
        if ('placed' in ref) {
          placed.set(item, ref.placed);
          stack.pop();
          continue;
        }
        const known = placed.get(ref.on);
        if (known) {
          placed.set(item, ref.child ? { depth: known.depth + 1, root: known.root } : known);
          stack.pop();
        } else if (visiting.has(ref.on)) {
          // A cycle of origins: Yjs cannot place these either.
          placed.set(item, UNKNOWN);
          stack.pop();
        } else {
          stack.push(ref.on);
        }
      }
      const at = placed.get(start) as Placed;
      if (at.depth > deepest.depth) deepest = at;
    }
  }
  return deepest;
}
