import * as Y from 'yjs';
import { MalformedMessage } from './messages.ts';
import {
  LIST_SECTIONS,
  PlanMeta,
  RICH_TEXT_KEYS,
  SECTION_ENTRY_SCHEMAS,
  type ListSectionName,
  type SectionName,
} from '../../shared/plan.ts';
import { measurementProblem } from '../../shared/measurements.ts';
import { canAdd, decide, type Actor, type Decision } from '../../shared/permissions.ts';
import { refusal, type Refusal } from '../../shared/refusals.ts';
import { checkMetaValue, checkRichText, entryValues, invalidValue, nameForRecord } from './plan-values.ts';
import { createReverter, revertEverything, revertItems, verifyReverted } from './plan-revert.ts';
import type { ClientOrigin } from './change-origin.ts';
import { anonymiseRefusedNames } from './refused-names.ts';
import { deepestItem, MAX_NESTING_DEPTH } from './update-depth.ts';
import { updateClients, type UpdateClients } from './update-clients.ts';
import { collectTouches, type DeleteSet, type Touch } from './update-touches.ts';

/** What the guard refused of an update: where (names as `nameForRecord` leaves them), and why. */
export interface RefusedChange {
  section: string;
  key: string | null;
  refusal: Refusal;
}

export interface AllowedChange {
  section: ListSectionName;
  entry: Y.Map<unknown>;
  key: string;
  /** The newest item this update wrote for the key, if it wrote one. */
  written: Y.Item | null;
  /** The entry's plain values before the update, for sections whose server work reads them (measurements). */
  before: Record<string, unknown> | null;
}

/** An entry the update added, as allowed. */
export interface AllowedAdd {
  section: ListSectionName;
  entry: Y.Map<unknown>;
}

/**
 * Entry ids within one update (the guard's index holds only what earlier transactions added):
 * `section id` of each new entry allowed so far, and the entries whose removal was refused.
 */
interface NewIds {
  added: Set<string>;
  kept: Set<Y.Item>;
}

/** Sections whose allowed changes carry the entry as it was (the server keeps what an amendment replaced). */
const KEEPS_BEFORE: ReadonlySet<ListSectionName> = new Set(['measurements']);

export interface GuardOutcome {
  refusals: RefusedChange[];
  /** Part of the update builds on changes the server lacks (not kept; ask the client for them). */
  missing: boolean;
  /** Refused whole before it was applied: the sender's copy can no longer converge with this one. */
  unapplied: boolean;
  /** What threw while the update was checked (everything it did was reverted), for the log. */
  failure: Error | null;
}

/**
 * Work the caller does inside the checked transaction with what was allowed and the Yjs client
 * ids that wrote it (client authors, conflict flags). Returns true when it wrote to the
 * document: the author lacks that, and receives the net update too. If it throws, the update
 * is refused whole like any other failure of the check.
 */
export type AfterCheck = (allowed: AllowedChange[], clients: ReadonlySet<number>, added: AllowedAdd[]) => boolean;

/**
 * Looks at the Yjs client ids an update writes with before any of it is applied
 * (server/collab/update-clients.ts); a refusal refuses the update whole.
 */
export type WritersCheck = (clients: UpdateClients) => Refusal | null;

/** Strict entry schemas, built once: an entry with a key outside the contract is invalid. */
const STRICT_SCHEMAS = Object.fromEntries(
  LIST_SECTIONS.map((s) => [s, SECTION_ENTRY_SCHEMAS[s].strict()]),
) as unknown as Record<
  ListSectionName,
  {
    safeParse(
      v: unknown,
    ): { success: true } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  }
>;

const META_SCHEMAS = PlanMeta.shape as unknown as Record<
  string,
  { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }
>;

/** A new note may be dated this far ahead of the server's clock (a tablet's clock runs fast). */
const NOTE_CLOCK_SKEW_MS = 5 * 60_000;
/** … and this far back: a note written offline is dated when it was written. */
const NOTE_OFFLINE_MS = 30 * 24 * 3600_000;

/**
 * A note's or a measurement's time as a client gives it: now (a tablet's clock may run a little
 * fast), or when it was written or measured offline. Server-filed measurements (MedCom) are
 * dated by their message instead.
 */
function clientTimeOk(value: unknown): boolean {
  const at = Date.parse(String(value));
  const now = Date.now();
  return at <= now + NOTE_CLOCK_SKEW_MS && at >= now - NOTE_OFFLINE_MS;
}

/** Something failed while Yjs finished a transaction: the document may now hold what the store does not. */
export class GuardFailure extends Error {}

/**
 * Enforces the permission table on one incoming CRDT update, inside one transaction:
 * the update is applied, every item it inserts or deletes is traced to its section, entry
 * and key, each change is checked (shared/permissions.ts, then the kind of every value, then
 * the entry's zod schema), and the forbidden part is reverted in the same transaction —
 * forbidden inserts deleted, forbidden deletes and overwrites restored as new items (Yjs's
 * own undo machinery). The transaction's net update then holds none of the refused content
 * (its items are garbage-collected to lengths), which is all that is stored and broadcast.
 * The author's client receives the net update too and converges; its clock stays
 * contiguous, so it can go on editing. (Dropping a refused update instead would wedge the
 * client: its later updates build on the dropped one.)
 *
 * It fails closed. Whatever throws while an update is checked (a value no check foresaw, the
 * revert itself, the caller's `after`), everything the transaction did is reverted before it
 * commits, and the update is refused whole. Only a transaction the guard finished is marked
 * checked in its origin (ClientOrigin); the room stores and sends nothing else (and reloads
 * the plan).
 */
export class PlanGuard {
  /** The section of each root type, so tracing an item never searches the document's roots. */
  private readonly sections = new Map<Y.AbstractType<unknown>, SectionName>();
  private readonly roots: ReadonlySet<Y.AbstractType<unknown>>;
  /** Yjs's undo machinery, used to restore refused deletions as new items. */
  private readonly reverter: Y.UndoManager;
  /** The entry (its item) of each `section id`, removed ones included (see stampedOnAdd). */
  private readonly entryIds = new Map<string, Y.Item>();
  private entryIdsStale = false;

  /**
   * Defines every section of `doc` with its type: a root first met inside an update is a
   * generic type that Yjs later replaces, which would confuse the checks. Build the guard before
   * anything is applied to the document.
   */
  constructor(private readonly doc: Y.Doc) {
    this.sections.set(doc.getMap('meta') as unknown as Y.AbstractType<unknown>, 'meta');
    for (const s of LIST_SECTIONS) this.sections.set(doc.getArray(s) as unknown as Y.AbstractType<unknown>, s);
    this.roots = new Set(this.sections.keys());
    this.reverter = createReverter(doc);
    // Every entry's id, kept as entries are added (whoever adds them: clients, the server,
    // other nodes, the load): a new entry's id is checked against it without a scan. Read from
    // what each transaction inserted, not from Yjs's array events (which walk the whole list).
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      try {
        this.indexInserted(tr);
      } catch {
        this.entryIdsStale = true;
      }
    });
  }

  private indexInserted(tr: Y.Transaction): void {
    for (const [client, after] of tr.afterState) {
      const before = tr.beforeState.get(client) ?? 0;
      const structs = this.doc.store.clients.get(client);
      if (after <= before || !structs) continue;
      for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
        const item = structs[i];
        if (item instanceof Y.Item && item.parentSub === null && !item.deleted) this.indexEntry(item);
      }
    }
  }

  /** Indexes an entry by its section and id (the first holder stays while it is not removed). */
  private indexEntry(item: Y.Item): void {
    const section = this.sections.get(item.parent as Y.AbstractType<unknown>);
    const content = item.content;
    if (!section || section === 'meta' || !(content instanceof Y.ContentType) || !(content.type instanceof Y.Map))
      return;
    const id = content.type.get('id');
    if (typeof id !== 'string') return;
    const key = `${section} ${id}`;
    const holder = this.entryIds.get(key);
    if (!holder || holder.deleted) this.entryIds.set(key, item);
  }

  /**
   * Applies `update` for the origin's connection inside one transaction with `origin`,
   * reverting what the permission table or the schemas refuse, and fills in the origin's
   * verdict before the transaction ends. Throws (before changing anything) on an update that
   * cannot be decoded, and after reverting everything on one that fails while applied.
   */
  apply(update: Uint8Array, origin: ClientOrigin, after?: AfterCheck, writers?: WritersCheck): GuardOutcome {
    const actor = origin.connection.actor;
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    let deepest: ReturnType<typeof deepestItem>;
    try {
      decoded = Y.decodeUpdate(update);
      deepest = deepestItem(this.doc, decoded.structs);
    } catch {
      throw new MalformedMessage('undecodable update');
    }
    // Whose client ids it writes with, before anything of it is applied.
    const foreign = writers?.(updateClients(this.doc, decoded)) ?? null;
    if (foreign)
      return {
        refusals: [{ section: 'plan', key: null, refusal: foreign }],
        missing: false,
        unapplied: true,
        failure: null,
      };
    if (deepest.depth > MAX_NESTING_DEPTH) {
      const section = nameForRecord(deepest.root ?? 'unknown');
      return {
        refusals: [{ section, key: null, refusal: refusal('update.too-deep', { limit: MAX_NESTING_DEPTH }) }],
        missing: false,
        unapplied: true,
        failure: null,
      };
    }
    const clients = new Set<number>();
    let refusals: RefusedChange[] = [];
    let missing = false;
    let broken: Error | null = null;
    let failure: Error | null = null;
    try {
      Y.transact(
        this.doc,
        (tr) => {
          const pendingBefore = this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null;
          try {
            Y.applyUpdate(this.doc, update);
          } catch (err) {
            // An update that decodes but fails halfway through integration (e.g. a parent id
            // that does not exist) has already integrated part of itself: everything it did is
            // reverted below and the sender is closed as a malformed peer.
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
          let touched: string[] = [];
          try {
            if (broken) throw broken;
            // What the update deleted, sorted: Yjs's lookups are binary searches, and the
            // transaction's own set is in the order of deletion (an overwrite deletes its old
            // value before the update's delete set is applied).
            const deletedNow = Y.mergeDeleteSets([tr.deleteSet]);
            const touches = collectTouches(this.doc, this.sections, tr, clients, deletedNow);
            touched = [...new Set(touches.map((t) => t.section))];
            const { allowed, added, allowedSections, reverted } = this.decideAndRevert(
              touches,
              actor,
              tr,
              deletedNow,
              (r) => refusals.push(r),
            );
            const wrote = after ? after(allowed, clients, added) : false;
            // Also when nothing was reverted: content written into an entry someone already
            // removed is deleted as it arrives, and is written with its names all the same.
            anonymiseRefusedNames(tr, this.roots);
            origin.sections = [...allowedSections].sort();
            origin.echo = reverted || wrote;
            origin.checked = true;
          } catch (err) {
            origin.checked = false;
            failure = err instanceof Error ? err : new Error(String(err));
            const why = refusal(broken ? 'update.unapplicable' : 'update.unchecked');
            refusals = (touched.length > 0 ? touched : ['plan']).map((section) => ({
              section: nameForRecord(section),
              key: null,
              refusal: why,
            }));
            try {
              revertEverything(tr, this.reverter);
              anonymiseRefusedNames(tr, this.roots);
              origin.sections = [];
              origin.echo = true;
              origin.checked = true;
            } catch {
              // Not checked: the room stores and sends nothing of this transaction.
            }
          }
        },
        origin,
      );
    } catch (err) {
      throw new GuardFailure(`finishing a checked transaction failed: ${(err as Error).message}`);
    }
    if (broken) throw new MalformedMessage(`update failed to apply: ${(broken as Error).message}`);
    return { refusals: dedupe(refusals), missing, unapplied: false, failure: broken ? null : failure };
  }

  private decideAndRevert(
    touches: Touch[],
    actor: Actor,
    tr: Y.Transaction,
    deletedNow: DeleteSet,
    refuse: (r: RefusedChange) => void,
  ): { allowed: AllowedChange[]; added: AllowedAdd[]; allowedSections: Set<string>; reverted: boolean } {
    const allowed: AllowedChange[] = [];
    const added: AllowedAdd[] = [];
    const allowedSections = new Set<string>();
    const inserted: Y.Item[] = [];
    const deleted: Y.Item[] = [];
    // Removals are decided first: a new entry may take the id of one this update removes only
    // if that removal stands (a refused one comes back, and two entries would share the id).
    const ids: NewIds = { added: new Set(), kept: new Set() };
    const ordered = [...touches.filter((t) => t.kind === 'remove'), ...touches.filter((t) => t.kind !== 'remove')];
    for (const touch of ordered) {
      const decision: Decision =
        touch.kind === 'unknown'
          ? { allowed: false, refusal: touch.refusal }
          : this.check(touch, actor, tr, deletedNow, ids);
      if (!decision.allowed && touch.kind === 'remove') ids.kept.add(touch.entryItem);
      if (decision.allowed) {
        allowedSections.add(touch.section);
        if (touch.kind === 'change') {
          // Allowed, so its entry is a map (check() refused anything else).
          const entry = (touch.entryItem.content as Y.ContentType).type as Y.Map<unknown>;
          const written = touch.inserted.filter((i) => i.parentSub === touch.key && i.parent === entry).at(-1) ?? null;
          const before = KEEPS_BEFORE.has(touch.section) ? entryBefore(entry, tr, deletedNow) : null;
          allowed.push({ section: touch.section, entry, key: touch.key, written, before });
        } else if (touch.kind === 'add') {
          // Allowed, so its entry is a map.
          added.push({
            section: touch.section,
            entry: (touch.entryItem.content as Y.ContentType).type as Y.Map<unknown>,
          });
        }
        continue;
      }
      refuse({
        section: nameForRecord(touch.section),
        key: touch.key === null ? null : nameForRecord(touch.key),
        refusal: decision.refusal,
      });
      inserted.push(...touch.inserted);
      deleted.push(...touch.deleted);
    }
    revertItems(this.reverter, inserted, deleted);
    verifyReverted(this.doc, inserted, deleted);
    return { allowed, added, allowedSections, reverted: inserted.length > 0 || deleted.length > 0 };
  }

  private check(
    touch: Exclude<Touch, { kind: 'unknown' }>,
    actor: Actor,
    tr: Y.Transaction,
    deletedNow: DeleteSet,
    ids: NewIds,
  ): Decision {
    if (touch.kind === 'meta') {
      const key = touch.key;
      const decision = decide(actor, 'meta', { op: 'meta', key });
      if (!decision.allowed) return decision;
      if (!Object.hasOwn(META_SCHEMAS, key)) return deny(refusal('meta.unknown-key', { key: nameForRecord(key) }));
      const value = this.doc.getMap('meta').get(key);
      if (value === undefined && !this.doc.getMap('meta').has(key)) return deny(refusal('meta.required', { key }));
      const kind = checkMetaValue(value);
      if (!kind.ok) return deny(invalidValue(key, kind));
      const parsed = (META_SCHEMAS[key] as (typeof META_SCHEMAS)[string]).safeParse(value);
      return parsed.success ? decision : deny(refusal('value.invalid', { key, problem: 'schema' }));
    }
    const { section, entryItem } = touch;
    const content = entryItem.content;
    if (!(content instanceof Y.ContentType)) return deny(refusal('entry.not-a-map', { section }));
    const entry = content.type;
    if (touch.kind === 'add') {
      // The keys and kinds of the values first: `decide` and the schema read them.
      const values = entryValues(section, entry);
      if (!values.ok) {
        // Still, one who may not add at all is told that, rather than what was wrong with the entry.
        const who = canAdd(actor, section);
        return who.allowed ? deny(values.refusal) : who;
      }
      const decision = decide(actor, section, { op: 'add', entry: values.json });
      if (!decision.allowed) return decision;
      const valid = this.validate(section, values.json);
      return valid.allowed ? this.stampedOnAdd(section, entry, values.json, ids) : valid;
    }
    if (!(entry instanceof Y.Map)) return deny(refusal('entry.not-a-map', { section }));
    const before = entryBefore(entry, tr, deletedNow);
    if (touch.kind === 'remove') return decide(actor, section, { op: 'remove', entry: before });
    const key = touch.key;
    // The new value goes along for the rules that read it (a measurement's status); it is not
    // converted, only compared.
    const decision = decide(actor, section, { op: 'change', key, entry: before, next: entry.get(key) });
    if (!decision.allowed) return decision;
    if (section === 'measurements') {
      // An amended time is held to what a new measurement's is.
      if (key === 'effective' && entry.has(key) && !clientTimeOk(entry.get(key)))
        return deny(refusal('measurements.time'));
      // Marked entered-in-error, a measurement keeps the values it was recorded with, from that very update on.
      if (key !== 'status' && entry.get('status') === 'entered-in-error')
        return deny(refusal('measurements.withdrawn'));
    }
    // Typing inside rich text cannot make the entry invalid, but can make the text too large
    // or put something in it that is not rich text: the text is checked. A key set or removed
    // is checked with the whole entry.
    const setsValue = [...touch.inserted, ...touch.deleted].some((item) => item.parent === entry);
    if (!setsValue) {
      if (touch.inserted.length === 0) return decision;
      if (!RICH_TEXT_KEYS[section].includes(key))
        return deny(refusal('value.invalid', { key: nameForRecord(key), problem: 'plain-only' }));
      const text = checkRichText(entry.get(key));
      return text.ok ? decision : deny(invalidValue(key, text));
    }
    const values = entryValues(section, entry);
    return values.ok ? this.validate(section, values.json) : deny(values.refusal);
  }

  /**
   * What a new entry says of itself that others rely on: its id is its own (no other entry of
   * the section has it, none this update adds before it, and none whose removal in this update
   * was refused), and a note's time is now, or when it was written offline.
   */
  private stampedOnAdd(
    section: ListSectionName,
    entry: Y.AbstractType<unknown>,
    json: Record<string, unknown>,
    ids: NewIds,
  ): Decision {
    if (this.entryIdsStale) {
      this.entryIdsStale = false;
      this.entryIds.clear();
      for (const s of LIST_SECTIONS)
        for (let item = this.doc.getArray(s)._start; item !== null; item = item.right)
          if (!item.deleted) this.indexEntry(item);
    }
    const id = `${section} ${String(json.id)}`;
    const holder = this.entryIds.get(id);
    if (holder && holder !== entry._item && (!holder.deleted || ids.kept.has(holder)))
      return deny(refusal('entry.id-taken'));
    if (ids.added.has(id)) return deny(refusal('entry.id-taken'));
    if (section === 'notes' && !clientTimeOk(json.created)) return deny(refusal('notes.time'));
    if (section === 'measurements' && !clientTimeOk(json.effective)) return deny(refusal('measurements.time'));
    // An entry the same update removes again (undone offline, then redone) holds no id.
    if (!entry._item?.deleted) ids.added.add(id);
    return { allowed: true };
  }

  private validate(section: ListSectionName, json: Record<string, unknown>): Decision {
    const result = STRICT_SCHEMAS[section].safeParse(json);
    if (result.success) {
      // A measurement's value must be possible for its quantity, whoever's client wrote it.
      const problem = section === 'measurements' ? measurementProblem(json) : null;
      return problem === null ? { allowed: true } : deny(refusal('measurements.implausible', { key: problem }));
    }
    // The path names the contract's keys (and list indices), never a client's.
    const where = result.error.issues[0]?.path.join('.').slice(0, 80) || null;
    return deny(refusal('value.invalid', { key: where, problem: 'schema' }));
  }
}

type MapInternals = { _map: Map<string, Y.Item> };

/** The value a map key held before the transaction (walks back over items it inserted). */
function valueBefore(map: Y.Map<unknown>, key: string, tr: Y.Transaction, deletedNow: DeleteSet): unknown {
  let item = (map as unknown as MapInternals)._map.get(key) ?? null;
  while (item && item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0)) item = item.left;
  if (!item || item.parentSub !== key) return undefined;
  if (item.deleted && !Y.isDeleted(deletedNow, item.id)) return undefined;
  const content = item.content.getContent();
  return content[content.length - 1];
}

/**
 * The entry as it was, its plain values only (what the permission table reads: author, sector,
 * a measurement's performer), never a shared type. Values written by earlier checked updates.
 */
function entryBefore(entry: Y.Map<unknown>, tr: Y.Transaction, deletedNow: DeleteSet): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of (entry as unknown as MapInternals)._map.keys()) {
    const value = valueBefore(entry, key, tr, deletedNow);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (isPlainJson(value)) out[key] = value;
  }
  return out;
}

function isPlainJson(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

const deny = (r: Refusal): Decision => ({ allowed: false, refusal: r });

function dedupe(refusals: RefusedChange[]): RefusedChange[] {
  const seen = new Set<string>();
  return refusals.filter((r) => {
    const k = `${r.section}|${r.key}|${r.refusal.code}|${JSON.stringify(r.refusal.params)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
