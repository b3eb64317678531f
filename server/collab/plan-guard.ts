import * as Y from 'yjs';
import { MalformedMessage } from './messages.ts';
import { isSectionName, LIST_SECTIONS, PlanMeta, SECTION_ENTRY_SCHEMAS, type ListSectionName } from '../../shared/plan.ts';
import { decide, type Actor, type Decision } from '../../shared/permissions.ts';

/**
 * Enforces the permission table on one incoming CRDT update, inside one transaction:
 * the update is applied, every item it inserts or deletes is traced to its section, entry
 * and key, each change is checked (shared/permissions.ts, then the entry's zod schema), and
 * the forbidden part is reverted in the same transaction — forbidden inserts deleted,
 * forbidden deletes and overwrites restored as new items (Yjs's own undo machinery). The
 * transaction's net update then holds none of the refused content (its items are
 * garbage-collected to lengths), which is all that is stored and broadcast. The author's
 * client receives the net update too and converges; its clock stays contiguous, so it can
 * go on editing. (Dropping a refused update instead would wedge the client: its later
 * updates build on the dropped one.)
 */
export interface Refusal {
  section: string;
  key: string | null;
  reason: string;
}

export interface AllowedChange {
  section: ListSectionName;
  entry: Y.Map<unknown>;
  key: string;
  /** The newest item this update wrote for the key, if it wrote one. */
  written: Y.Item | null;
}

type TouchKind = 'meta' | 'add' | 'remove' | 'change' | 'unknown';

interface Touch {
  kind: TouchKind;
  section: string;
  key: string | null;
  entryItem: Y.Item | null;
  inserted: Y.Item[];
  deleted: Y.Item[];
  reason?: string;
}

const NEVER = Symbol('never tracked');

/** Strict entry schemas, built once: an entry with a key outside the contract is invalid. */
const STRICT_SCHEMAS = Object.fromEntries(LIST_SECTIONS.map((s) => [s, SECTION_ENTRY_SCHEMAS[s].strict()])) as unknown as Record<
  ListSectionName,
  { safeParse(v: unknown): { success: true } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }
>;

/** The entry as JSON for validation; rich text stands in as '' (any text is a valid string, and converting it is the costly part). */
function entryForValidation(section: ListSectionName, entry: Y.Map<unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entry.entries()) {
    if (value instanceof Y.XmlFragment) out[key] = '';
    else if (value instanceof Y.AbstractType) out[key] = value.toJSON();
    else out[key] = value;
  }
  return out;
}

type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

/** One per room: the undo machinery used to restore refused deletions as new items. */
export function createReverter(doc: Y.Doc): Y.UndoManager {
  return new Y.UndoManager(doc, { trackedOrigins: new Set([NEVER]), ignoreRemoteMapChanges: true, captureTimeout: 0 });
}

function rootAndChain(item: Y.Item): { section: string | null; chain: Y.Item[] } {
  const chain: Y.Item[] = [item];
  let type = item.parent as Y.AbstractType<unknown>;
  while (type._item !== null) {
    chain.unshift(type._item);
    type = type._item.parent as Y.AbstractType<unknown>;
  }
  let section: string | null = null;
  try {
    section = Y.findRootTypeKey(type);
  } catch {
    section = null;
  }
  return { section, chain };
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

export class PlanGuard {
  constructor(
    private readonly doc: Y.Doc,
    private readonly reverter: Y.UndoManager,
  ) {}

  /**
   * Applies `update` for `actor` inside one transaction with `origin`, reverting what the
   * permission table or the schemas refuse. Throws (before changing anything) on a
   * malformed update.
   */
  apply(
    update: Uint8Array,
    actor: Actor,
    origin: unknown,
    after?: (allowed: AllowedChange[], tr: Y.Transaction, reverted: boolean, clients: Set<number>, allowedSections: Set<string>) => void,
  ): { refusals: Refusal[]; clients: Set<number>; missing: boolean } {
    // The Yjs client ids that wrote what the update integrated (gathered while tracing it).
    const clients = new Set<number>();
    let refusals: Refusal[] = [];
    let missing = false;
    let broken: Error | null = null;
    Y.transact(
      this.doc,
      (tr) => {
        const pendingBefore = this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null;
        try {
          Y.applyUpdate(this.doc, update);
        } catch (err) {
          // An update that decodes but fails halfway through integration (e.g. a parent id that
          // does not exist) has already integrated part of itself: everything it did is reverted
          // below and the sender is closed as a malformed peer.
          broken = err instanceof Error ? err : new Error(String(err));
        }
        // applyUpdate marks the transaction remote; the server's own reverts below are local,
        // and Yjs would otherwise take them for another client using the server's client id.
        tr.local = true;
        if (!pendingBefore && (this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null)) {
          // Content that builds on changes the server does not have would be integrated
          // later, inside someone else's transaction and under their permissions: it is not
          // kept. It is no refusal either (a tablet typing while its offline work is still on
          // the way sends exactly this): the caller asks the client for what is missing, and
          // the whole arrives, and is checked, together.
          this.doc.store.pendingStructs = null;
          this.doc.store.pendingDs = null;
          missing = true;
        }
        const touches = this.collect(tr, clients);
        const allowed: AllowedChange[] = [];
        const allowedSections = new Set<string>();
        const insertions = Y.createDeleteSet();
        const deletions = Y.createDeleteSet();
        for (const touch of touches) {
          const decision: Decision = broken
            ? { allowed: false, reason: 'the update could not be applied' }
            : touch.kind === 'unknown'
              ? { allowed: false, reason: touch.reason ?? 'unknown change' }
              : this.check(touch, actor, tr);
          if (decision.allowed) {
            allowedSections.add(touch.section);
            if (touch.kind === 'change' && touch.entryItem && touch.key) {
              const entry = (touch.entryItem.content as Y.ContentType).type as Y.Map<unknown>;
              const written = touch.inserted.filter((i) => i.parentSub === touch.key && i.parent === entry).at(-1) ?? null;
              allowed.push({ section: touch.section as ListSectionName, entry, key: touch.key, written });
            }
            continue;
          }
          refusals.push({ section: touch.section, key: touch.key, reason: decision.reason });
          for (const item of touch.inserted) addRange(insertions, item);
          for (const item of touch.deleted) addRange(deletions, item);
        }
        const reverted = insertions.clients.size > 0 || deletions.clients.size > 0;
        if (reverted) {
          this.reverter.undoStack.length = 0;
          this.reverter.undoStack.push({ insertions: normalise(insertions), deletions: normalise(deletions), meta: new Map() } as unknown as (typeof this.reverter.undoStack)[number]);
          this.reverter.undo();
          this.reverter.undoStack.length = 0;
          this.reverter.redoStack.length = 0;
        }
        after?.(allowed, tr, reverted || refusals.length > 0, clients, allowedSections);
      },
      origin,
    );
    if (broken) throw new MalformedMessage(`update failed to apply: ${(broken as Error).message}`);
    return { refusals: dedupe(refusals), clients, missing };
  }

  /** Groups what the transaction inserted and deleted by section, entry and key. */
  private collect(tr: Y.Transaction, clients: Set<number>): Touch[] {
    const isNew = (item: Y.Item) => item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
    const touches = new Map<string, Touch>();
    const touch = (id: string, make: () => Touch): Touch => {
      let t = touches.get(id);
      if (!t) touches.set(id, (t = make()));
      return t;
    };
    const classify = (item: Y.Item, inserted: boolean): void => {
      const { section, chain } = rootAndChain(item);
      const top = chain[0] as Y.Item;
      const list = (t: Touch) => (inserted ? t.inserted : t.deleted).push(item);
      if (section === null || !isSectionName(section)) {
        list(touch(`?${section}`, () => ({ kind: 'unknown', section: section ?? 'unknown', key: null, entryItem: null, inserted: [], deleted: [], reason: `"${section ?? '?'}" is not a section of the care plan` })));
        return;
      }
      if (section === 'meta') {
        const key = top.parentSub;
        list(touch(`meta|${key}`, () => ({ kind: key === null ? 'unknown' : 'meta', section, key, entryItem: null, inserted: [], deleted: [], reason: 'meta holds named keys only' })));
        return;
      }
      const entryId = `${top.id.client}:${top.id.clock}`;
      if (isNew(top)) {
        list(touch(`add|${entryId}`, () => ({ kind: 'add', section, key: null, entryItem: top, inserted: [], deleted: [] })));
        return;
      }
      if (top.deleted && !Y.isDeleted(tr.deleteSet, top.id)) {
        // Written into an entry someone had already removed: dead content, no change to check.
        return;
      }
      if (top.deleted) {
        list(touch(`remove|${entryId}`, () => ({ kind: 'remove', section, key: null, entryItem: top, inserted: [], deleted: [] })));
        return;
      }
      const key = chain.length > 1 ? (chain[1] as Y.Item).parentSub : null;
      list(touch(`change|${entryId}|${key}`, () => ({ kind: key === null ? 'unknown' : 'change', section, key, entryItem: top, inserted: [], deleted: [], reason: 'an entry holds named keys only' })));
    };

    for (const [client, structs] of this.doc.store.clients) {
      const before = tr.beforeState.get(client) ?? 0;
      const last = structs[structs.length - 1];
      if (!last || last.id.clock + last.length <= before) continue;
      clients.add(client);
      for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
        const struct = structs[i];
        if (struct instanceof Y.Item) classify(struct, true);
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

  private check(touch: Touch, actor: Actor, tr: Y.Transaction): Decision {
    const { section } = touch;
    if (touch.kind === 'meta') {
      const key = touch.key as string;
      const decision = decide(actor, 'meta', { op: 'meta', key });
      if (!decision.allowed) return decision;
      const schema = (PlanMeta.shape as Record<string, { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }>)[key];
      if (!schema) return { allowed: false, reason: `"${key}" is not a key of the plan’s meta section` };
      const value = this.doc.getMap('meta').get(key);
      if (value === undefined) return { allowed: false, reason: `the plan’s ${key} cannot be removed` };
      const parsed = schema.safeParse(value);
      return parsed.success ? decision : { allowed: false, reason: `invalid ${key}: ${parsed.error?.issues[0]?.message ?? 'invalid value'}` };
    }
    const entryItem = touch.entryItem as Y.Item;
    const content = entryItem.content;
    if (!(content instanceof Y.ContentType) || !(content.type instanceof Y.Map)) {
      return { allowed: false, reason: `entries of ${section} must be maps with the contract’s keys` };
    }
    const entry = content.type as Y.Map<unknown>;
    const listSection = section as ListSectionName;
    if (touch.kind === 'add') {
      const json = entryForValidation(listSection, entry);
      const decision = decide(actor, section, { op: 'add', entry: json });
      return decision.allowed ? this.validate(listSection, json) : decision;
    }
    const before = entryBefore(entry, tr);
    if (touch.kind === 'remove') return decide(actor, section, { op: 'remove', entry: before });
    const decision = decide(actor, section, { op: 'change', key: touch.key as string, entry: before });
    if (!decision.allowed) return decision;
    // Typing inside a rich-text value cannot make the entry invalid: validate only when a
    // key's value itself was set or removed.
    const setsValue = [...touch.inserted, ...touch.deleted].some((item) => item.parent === entry);
    return setsValue ? this.validate(listSection, entryForValidation(listSection, entry)) : decision;
  }

  private validate(section: ListSectionName, json: Record<string, unknown>): Decision {
    if (!LIST_SECTIONS.includes(section)) return { allowed: false, reason: 'not a list section' };
    const result = STRICT_SCHEMAS[section].safeParse(json);
    if (result.success) return { allowed: true };
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || 'entry';
    return { allowed: false, reason: `the ${section} entry would be invalid (${where}: ${issue?.message ?? 'invalid'})` };
  }
}

/** The value a map key held before the transaction (walks back over items it inserted). */
export function valueBefore(map: Y.Map<unknown>, key: string, tr: Y.Transaction): unknown {
  let item = (map as unknown as { _map: Map<string, Y.Item> })._map.get(key) ?? null;
  while (item && item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0)) item = item.left;
  if (!item || item.parentSub !== key) return undefined;
  if (item.deleted && !Y.isDeleted(tr.deleteSet, item.id)) return undefined;
  const content = item.content.getContent();
  return content[content.length - 1];
}

function entryBefore(entry: Y.Map<unknown>, tr: Y.Transaction): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of (entry as unknown as { _map: Map<string, Y.Item> })._map.keys()) {
    const value = valueBefore(entry, key, tr);
    if (value !== undefined && !(value instanceof Y.AbstractType)) out[key] = value;
  }
  return out;
}

function dedupe(refusals: Refusal[]): Refusal[] {
  const seen = new Set<string>();
  return refusals.filter((r) => {
    const k = `${r.section}|${r.key}|${r.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
