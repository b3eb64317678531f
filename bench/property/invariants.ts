import * as Y from 'yjs';
import { decide, type Actor } from '../../shared/permissions.ts';
import {
  CONFLICT_FIELDS,
  isSectionName,
  LIST_SECTIONS,
  PlanMeta,
  RICH_TEXT_KEYS,
  SECTION_ENTRY_SCHEMAS,
  type ListSectionName,
} from '../../shared/plan.ts';
import { richTextToPlain } from '../../shared/plan-doc.ts';

/**
 * The plan as cells (meta keys; each entry's keys), in a canonical form that tells every kind
 * of value apart (a BigInt, a shared type, rich text with its formatting), and what may
 * differ between two of them for one actor according to shared/permissions.ts.
 */
export interface EntryCell {
  /** Canonical JSON of the whole entry. */
  json: string;
  /** Canonical value per key. */
  keys: Map<string, string>;
  /** The entry as the permission table and the schema read it. */
  plain: Record<string, unknown>;
  /** Something in the entry that no client may leave there. */
  odd: string | null;
  /** The Yjs item holding the entry (a restored entry is a new item with the same content). */
  itemId: string;
}

export interface Snapshot {
  meta: Map<string, { canon: string; value: unknown }>;
  lists: Record<ListSectionName, EntryCell[]>;
  /** Roots holding content the contract does not have (names), and sections in the wrong shape. */
  strays: string[];
  /** All text of the plan, concatenated per text node (markers are searched here). */
  text: string;
}

type Internals = { _map: Map<string, Y.Item>; _start: Y.Item | null };

function live(type: object): { list: Y.Item[]; keys: [string, Y.Item][] } {
  const list: Y.Item[] = [];
  for (let i = (type as unknown as Internals)._start; i !== null; i = i.right) if (!i.deleted) list.push(i);
  const keys = [...(type as unknown as Internals)._map].filter(([, i]) => !i.deleted);
  return { list, keys };
}

function itemValue(item: Y.Item): unknown {
  const c = item.content.getContent();
  return c[c.length - 1];
}

/** A canonical, JSON-safe form of any value a Y.Doc can hold. */
export function canon(value: unknown, texts: string[]): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    texts.push(value);
    return value;
  }
  if (typeof value === 'number')
    return Number.isFinite(value) && !Object.is(value, -0) ? value : { $num: String(value) };
  if (typeof value === 'bigint') return { $bigint: String(value) };
  if (value === undefined) return { $undefined: true };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') };
  if (value instanceof Y.Doc) return { $subdoc: true };
  if (value instanceof Y.XmlText || value instanceof Y.Text) {
    const delta = value.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[];
    texts.push(delta.map((d) => (typeof d.insert === 'string' ? d.insert : '')).join(''));
    const attrs = live(value).keys.map(([k, i]) => [k, canon(itemValue(i), texts)]);
    return {
      [value instanceof Y.XmlText ? '$xmltext' : '$text']: delta.map((d) => [
        typeof d.insert === 'string' ? d.insert : canon(d.insert, texts),
        canon(d.attributes ?? {}, texts),
      ]),
      attrs,
    };
  }
  if (value instanceof Y.XmlFragment) {
    const { keys } = live(value);
    const children = value.toArray().map((c) => canon(c, texts));
    const attrs = keys.map(([k, i]) => [k, canon(itemValue(i), texts)]).sort();
    return value instanceof Y.XmlElement ? { $el: value.nodeName, attrs, children } : { $frag: children, attrs };
  }
  if (value instanceof Y.AbstractType) {
    const { list, keys } = live(value);
    return {
      $type: value.constructor.name,
      list: list.flatMap((i) => i.content.getContent().map((c) => canon(c, texts))),
      keys: keys.map(([k, i]) => [k, canon(itemValue(i), texts)]).sort(),
    };
  }
  if (Array.isArray(value)) return value.map((v) => canon(v, texts));
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    const entries = Object.keys(value as object).map((k) => [k, canon((value as Record<string, unknown>)[k], texts)]);
    return {
      $obj: entries.sort(),
      ...(proto !== Object.prototype && proto !== null ? { $proto: canon(proto, texts) } : {}),
    };
  }
  return { $other: typeof value };
}

const json = (v: unknown) => JSON.stringify(v);

/** Is `value` plain JSON (no BigInt, undefined, NaN, bytes, shared types; plain objects only)? */
function plainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype && value.every(plainJson);
  if (
    typeof value === 'object' &&
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
  )
    return Object.values(value as object).every(plainJson);
  return false;
}

function entryCell(section: ListSectionName, value: unknown, texts: string[], itemId: string): EntryCell {
  if (!(value instanceof Y.Map) || value.constructor !== Y.Map) {
    const c = json(canon(value, texts));
    return { json: c, keys: new Map([['$self', c]]), plain: {}, odd: 'an entry that is not a Y.Map', itemId };
  }
  const keys = new Map<string, string>();
  const plain: Record<string, unknown> = {};
  let odd: string | null = live(value).list.length > 0 ? 'an entry with list content' : null;
  for (const [key, item] of live(value).keys.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = itemValue(item);
    keys.set(key, json(canon(v, texts)));
    if (RICH_TEXT_KEYS[section].includes(key) && (v instanceof Y.XmlFragment || typeof v === 'string')) {
      if (v instanceof Y.XmlFragment && v.constructor !== Y.XmlFragment) odd ??= `${key} is not a fragment`;
      plain[key] = richTextToPlain(v);
    } else if (plainJson(v)) {
      plain[key] = v;
    } else {
      odd ??= `${key} holds a value that is not plain JSON`;
    }
  }
  return { json: json([...keys]), keys, plain, odd, itemId };
}

export function snapshot(doc: Y.Doc): Snapshot {
  const texts: string[] = [];
  const meta = new Map<string, { canon: string; value: unknown }>();
  const metaType = doc.getMap('meta') as unknown as Y.AbstractType<unknown>;
  for (const [key, item] of live(metaType).keys)
    meta.set(key, { canon: json(canon(itemValue(item), texts)), value: itemValue(item) });
  const strays: string[] = [];
  if (live(metaType).list.length > 0) strays.push('meta holds list content');
  const lists = {} as Record<ListSectionName, EntryCell[]>;
  for (const section of LIST_SECTIONS) {
    const type = doc.getArray(section) as unknown as Y.AbstractType<unknown>;
    const { list, keys } = live(type);
    if (keys.length > 0) strays.push(`${section} holds named content`);
    lists[section] = list.flatMap((i) =>
      i.content.getContent().map((c, k) => entryCell(section, c, texts, `${i.id.client}:${i.id.clock + k}`)),
    );
  }
  for (const [name, type] of doc.share) {
    if (isSectionName(name)) continue;
    const { list, keys } = live(type);
    if (list.length > 0 || keys.length > 0) strays.push(`root ${JSON.stringify(name)} holds content`);
  }
  return { meta, lists, strays, text: texts.join('\u0001') };
}

/** The cells of the same shape: equal snapshots describe the same plan. */
export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  return (
    json([
      [...a.meta].map(([k, v]) => [k, v.canon]).sort(),
      LIST_SECTIONS.map((s) => a.lists[s].map((e) => e.json)),
      a.strays,
    ]) ===
    json([
      [...b.meta].map(([k, v]) => [k, v.canon]).sort(),
      LIST_SECTIONS.map((s) => b.lists[s].map((e) => e.json)),
      b.strays,
    ])
  );
}

const STRICT = Object.fromEntries(
  LIST_SECTIONS.map((s) => [s, SECTION_ENTRY_SCHEMAS[s].strict()]),
) as unknown as Record<ListSectionName, { safeParse(v: unknown): { success: boolean } }>;

function valid(section: ListSectionName, cell: EntryCell): string | null {
  if (cell.odd) return cell.odd;
  return STRICT[section].safeParse(cell.plain).success ? null : 'the entry breaks its schema';
}

function conflictsLegit(
  section: ListSectionName,
  before: EntryCell,
  after: EntryCell,
  actor: Actor,
  touched: Set<string>,
  users: Set<string>,
): boolean {
  const fields = CONFLICT_FIELDS[section] ?? [];
  const id = String(after.plain.id);
  const wrote = fields.some(
    (f) =>
      touched.has(`${section}|${id}|${f}`) &&
      decide(actor, section, { op: 'change', key: f, entry: before.plain }).allowed,
  );
  if (!wrote) return false;
  const flags = after.plain.conflicts;
  if (flags === undefined) return true;
  if (typeof flags !== 'object' || flags === null) return false;
  return Object.entries(flags).every(([field, f]) => {
    const flag = f as { values?: { author?: unknown }[]; detected?: unknown };
    return (
      fields.includes(field) &&
      Array.isArray(flag.values) &&
      flag.values.every((v) => v.author === null || users.has(String(v.author))) &&
      typeof flag.detected === 'string'
    );
  });
}

/**
 * What changed between `before` and `after` that `actor` may not change, or that nobody may
 * leave in a plan. Entries are matched by content, then by their `id` (a refused removal
 * comes back as a copy; a move is a removal and an addition).
 */
export function violations(
  before: Snapshot,
  after: Snapshot,
  actor: Actor,
  touched: Set<string>,
  users: Set<string>,
): string[] {
  const out: string[] = [];
  for (const key of new Set([...before.meta.keys(), ...after.meta.keys()])) {
    const b = before.meta.get(key);
    const a = after.meta.get(key);
    if (b?.canon === a?.canon) continue;
    const d = decide(actor, 'meta', { op: 'meta', key });
    if (!d.allowed) out.push(`meta.${key} changed by ${actor.role}${actor.readOnly ? ' (read-only)' : ''}`);
    else if (!Object.hasOwn(PlanMeta.shape, key))
      out.push(`meta.${JSON.stringify(key)} is not a contract key but was stored`);
    else if (!a) out.push(`meta.${key} was removed`);
    else if (
      !plainJson(a.value) ||
      !(PlanMeta.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[key]!.safeParse(a.value)
        .success
    )
      out.push(`meta.${key} holds an invalid value ${a.canon.slice(0, 120)}`);
  }
  for (const section of LIST_SECTIONS) {
    // Pairs of (before, after): the same Yjs item first; then the same content (a copy the
    // server restored, or a move); then the same `id` (a restored copy that was changed too).
    const removed = [...before.lists[section]];
    const pairs: [EntryCell, EntryCell][] = [];
    let added: EntryCell[] = [];
    for (const cell of after.lists[section]) {
      const i = removed.findIndex((r) => r.itemId === cell.itemId);
      if (i >= 0) pairs.push([removed.splice(i, 1)[0] as EntryCell, cell]);
      else added.push(cell);
    }
    added = added.filter((cell) => {
      const i = removed.findIndex((r) => r.json === cell.json);
      if (i < 0) return true;
      removed.splice(i, 1);
      return false;
    });
    added = added.filter((cell) => {
      const i = typeof cell.plain.id === 'string' ? removed.findIndex((r) => r.plain.id === cell.plain.id) : -1;
      if (i < 0) return true;
      pairs.push([removed.splice(i, 1)[0] as EntryCell, cell]);
      return false;
    });
    for (const a of added) {
      const d = decide(actor, section, { op: 'add', entry: a.plain });
      if (!d.allowed)
        out.push(
          `${section}: an entry added by ${actor.role}${actor.readOnly ? ' (read-only)' : ''}: ${a.json.slice(0, 200)}`,
        );
      else {
        const bad = valid(section, a);
        if (bad) out.push(`${section}: an invalid entry added (${bad}): ${a.json.slice(0, 200)}`);
      }
    }
    for (const [b, a] of pairs) {
      if (b.json === a.json) continue;
      for (const key of new Set([...b.keys.keys(), ...a.keys.keys()])) {
        if (b.keys.get(key) === a.keys.get(key)) continue;
        if (
          key === 'conflicts'
            ? !conflictsLegit(section, b, a, actor, touched, users)
            : !decide(actor, section, { op: 'change', key, entry: b.plain }).allowed
        ) {
          out.push(
            `${section}.${key} changed by ${actor.role}${actor.readOnly ? ' (read-only)' : ''}: ${b.keys.get(key)?.slice(0, 80)} → ${a.keys.get(key)?.slice(0, 80)}`,
          );
        }
      }
      const bad = valid(section, a);
      if (bad && !valid(section, b))
        out.push(`${section}: an entry changed into an invalid one (${bad}): ${a.json.slice(0, 200)}`);
    }
    for (const r of removed) {
      if (!decide(actor, section, { op: 'remove', entry: r.plain }).allowed)
        out.push(
          `${section}: an entry removed by ${actor.role}${actor.readOnly ? ' (read-only)' : ''}: ${r.json.slice(0, 120)}`,
        );
    }
  }
  for (const stray of after.strays) if (!before.strays.includes(stray)) out.push(`stray content stored: ${stray}`);
  return out;
}
