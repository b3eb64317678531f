import * as Y from 'yjs';
import { CONFLICT_FIELDS, type FieldConflict } from '../../shared/plan.ts';
import type { AllowedChange } from './plan-guard.ts';

/**
 * Safe merging of clinical values (medication dose and frequency, a task's due date and
 * status). These are atomic map values; when two people set one concurrently — neither had
 * seen the other's value, so both new items name the same predecessor as their origin —
 * the CRDT keeps one winner silently. A silent winner is dangerous for a dose, so the server
 * records a conflict on the entry (`conflicts[field]`: both values, both authors) in the same
 * transaction. A later, sequential write of the field by someone allowed to change it is the
 * confirmation and clears the flag.
 */
export interface Author {
  userId: string;
  name: string | null;
}

type MapInternals = { _map: Map<string, Y.Item> };

function sameOrigin(a: Y.Item, b: Y.Item): boolean {
  if (a.origin === null || b.origin === null) return a.origin === b.origin;
  return Y.compareIDs(a.origin, b.origin);
}

function itemValue(item: Y.Item): unknown {
  const content = item.content.getContent();
  return content[content.length - 1];
}

/** Another write of the same key made without knowledge of `written`, still holding its value. */
function concurrentSibling(entry: Y.Map<unknown>, key: string, written: Y.Item): Y.Item | null {
  let item: Y.Item | null = (entry as unknown as MapInternals)._map.get(key) ?? null;
  while (item) {
    if (
      item !== written &&
      item.parentSub === key &&
      sameOrigin(item, written) &&
      !(item.content instanceof Y.ContentDeleted)
    )
      return item;
    item = item.left;
  }
  return null;
}

/** Returns true when it wrote to the document (the author's client must then receive the update too). */
export function trackValueConflicts(
  changes: AllowedChange[],
  authorOf: (client: number) => Author | null,
  now = new Date(),
): boolean {
  let wrote = false;
  for (const change of changes) {
    const fields = CONFLICT_FIELDS[change.section];
    if (!fields?.includes(change.key) || !change.written) continue;
    const { entry, key, written } = change;
    const existing = (entry.get('conflicts') ?? {}) as Record<string, FieldConflict>;
    const sibling = concurrentSibling(entry, key, written);
    const winner = (entry as unknown as MapInternals)._map.get(key);
    if (sibling && winner && itemValue(sibling) !== itemValue(written)) {
      const loser = winner === written ? sibling : written;
      const describe = (item: Y.Item) => {
        const author = authorOf(item.id.client);
        return { value: itemValue(item), author: author?.userId ?? null, authorName: author?.name ?? null };
      };
      entry.set('conflicts', {
        ...existing,
        [key]: { values: [describe(winner), describe(loser)], detected: now.toISOString() },
      });
      wrote = true;
    } else if (!sibling && existing[key]) {
      const rest = { ...existing };
      delete rest[key];
      if (Object.keys(rest).length > 0) entry.set('conflicts', rest);
      else entry.delete('conflicts');
      wrote = true;
    }
  }
  return wrote;
}
