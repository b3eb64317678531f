import * as Y from 'yjs';
import { RICH_TEXT_KEYS, SECTION_ENTRY_SCHEMAS, type ListSectionName } from '../../shared/plan.ts';
import { refusal, type Refusal, type ValueProblem } from '../../shared/refusals.ts';

/**
 * What a value in the plan may be, checked before anything reads, converts or serialises it
 * (a client chooses every byte of its update: its types, key names and sizes). A value at a
 * plain key is plain JSON of bounded size; rich text is a Tiptap fragment of bounded size,
 * only at the contract's rich-text keys. Nothing here calls toJSON() or toString() on a
 * client's type: a formatted Y.XmlText renders every formatting attribute once per run, so a
 * 1 MB update renders to more than V8's longest string.
 */

/** The deepest plain value in the contract is a conflict flag: {field: {values: [{value}]}}, 4 levels. */
export const MAX_PLAIN_DEPTH = 6;
/** Codings, conflicts and a result's previous values are a few dozen nodes; room for long lists. */
export const MAX_PLAIN_NODES = 2_000;
/** Characters of strings and keys in one plain value: far above any field of the contract (a note ≤ 2,000). */
export const MAX_PLAIN_CHARS = 64 * 1024;
/** Element levels below a rich-text fragment: lists nested about eight deep; no editor goes near it. */
export const MAX_RICH_TEXT_DEPTH = 20;
/** Elements and text nodes in one rich-text value (a long discharge letter has a few hundred). */
export const MAX_RICH_TEXT_NODES = 10_000;
/** Characters in one rich-text value: about 60 printed pages. */
export const MAX_RICH_TEXT_CHARS = 200_000;

/** The plan's rich text (client/src/components/RichTextEditor.tsx): Tiptap's nodes with their attributes. */
const RICH_TEXT_NODES: Readonly<Record<string, readonly string[]>> = {
  paragraph: [],
  heading: ['level'],
  bulletList: [],
  orderedList: ['start', 'type'],
  listItem: [],
  hardBreak: [],
};
export const RICH_TEXT_ATTRIBUTES: readonly string[] = [...new Set(Object.values(RICH_TEXT_NODES).flat())];
/** Marks, stored by y-prosemirror as formatting attributes of the text. */
const RICH_TEXT_MARKS: readonly string[] = ['bold', 'italic'];

/**
 * A client-chosen name (a key, a section, a node) as it may appear in a refusal, which is sent
 * to the author and kept in the audit log: identifier-like names as they are, anything else
 * (spaces, digits first, punctuation, any length past 40) replaced, so no text a client puts
 * into a name ends up in the log.
 */
export function nameForRecord(name: string): string {
  return /^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(name) ? name : '(a name outside the contract)';
}

export type ValueCheck = { ok: true } | { ok: false; problem: ValueProblem; limit?: number };

const OK: ValueCheck = { ok: true };
const no = (problem: ValueProblem, limit?: number): ValueCheck =>
  limit === undefined ? { ok: false, problem } : { ok: false, problem, limit };

/** A failed value check as the refusal of `key`'s value. */
export function invalidValue(key: string | null, check: Exclude<ValueCheck, { ok: true }>): Refusal {
  return refusal(
    'value.invalid',
    check.limit === undefined ? { key, problem: check.problem } : { key, problem: check.problem, limit: check.limit },
  );
}

type MapInternals = { _map: Map<string, Y.Item>; _start: Y.Item | null };
/** Any shared type (Yjs types its event handlers per type; only their items are read here). */
type Shared = { readonly _item: Y.Item | null };

/** A string, finite number, boolean, null, or an array or plain object of them, within the bounds. */
export function checkPlainValue(
  value: unknown,
  bounds = { depth: MAX_PLAIN_DEPTH, nodes: MAX_PLAIN_NODES, chars: MAX_PLAIN_CHARS },
): ValueCheck {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  let chars = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (++nodes > bounds.nodes) return no('too-many-parts', bounds.nodes);
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'string') {
      chars += v.length;
      if (chars > bounds.chars) return no('too-long', bounds.chars);
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return no('not-json');
      continue;
    }
    if (typeof v !== 'object') return no('not-json');
    if (depth >= bounds.depth) return no('too-deep', bounds.depth);
    const proto: unknown = Object.getPrototypeOf(v);
    if (Array.isArray(v) && proto === Array.prototype) {
      for (const element of v) stack.push([element, depth + 1]);
      continue;
    }
    if (proto !== Object.prototype && proto !== null) return no('not-json');
    for (const key of Object.keys(v)) {
      if (key === '__proto__') return no('not-json');
      chars += key.length;
      if (chars > bounds.chars) return no('too-long', bounds.chars);
      stack.push([(v as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return OK;
}

/** The value a map item holds (the last of its content). */
function itemValue(item: Y.Item): unknown {
  const content = item.content.getContent();
  return content[content.length - 1];
}

function hasListContent(type: Shared): boolean {
  for (let item = (type as unknown as MapInternals)._start; item !== null; item = item.right)
    if (!item.deleted) return true;
  return false;
}

function liveKeys(type: Shared): [string, Y.Item][] {
  return [...(type as unknown as MapInternals)._map].filter(([, item]) => !item.deleted);
}

const SMALL = { depth: 2, nodes: 16, chars: 200 };

/** A Y.XmlFragment in the plan's Tiptap schema, within the rich-text bounds. */
export function checkRichText(value: unknown): ValueCheck {
  if (!(value instanceof Y.XmlFragment) || value.constructor !== Y.XmlFragment) return no('not-rich-text');
  if (liveKeys(value).length > 0) return no('not-rich-text');
  let nodes = 0;
  let chars = 0;
  const stack: [Shared, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [parent, depth] = stack.pop() as [Shared, number];
    for (let item = (parent as unknown as MapInternals)._start; item !== null; item = item.right) {
      if (item.deleted) continue;
      if (!(item.content instanceof Y.ContentType)) return no('not-rich-text');
      if (++nodes > MAX_RICH_TEXT_NODES) return no('too-many-parts', MAX_RICH_TEXT_NODES);
      if (depth + 1 > MAX_RICH_TEXT_DEPTH) return no('too-deep', MAX_RICH_TEXT_DEPTH);
      const child = item.content.type;
      if (child.constructor === Y.XmlElement) {
        const element = child as Y.XmlElement;
        const attrs = Object.hasOwn(RICH_TEXT_NODES, element.nodeName)
          ? (RICH_TEXT_NODES[element.nodeName] as readonly string[])
          : null;
        if (attrs === null) return no('not-rich-text');
        for (const [key, attr] of liveKeys(element)) {
          if (!attrs.includes(key)) return no('not-rich-text');
          const v = itemValue(attr);
          if (typeof v !== 'string' && typeof v !== 'number') return no('not-rich-text');
          const check = checkPlainValue(v, SMALL);
          if (!check.ok) return check;
        }
        stack.push([element, depth + 1]);
      } else if (child.constructor === Y.XmlText) {
        if (liveKeys(child).length > 0) return no('not-rich-text');
        for (let run = (child as unknown as MapInternals)._start; run !== null; run = run.right) {
          if (run.deleted) continue;
          const content = run.content;
          if (content instanceof Y.ContentString) {
            chars += content.str.length;
            if (chars > MAX_RICH_TEXT_CHARS) return no('too-long', MAX_RICH_TEXT_CHARS);
          } else if (content instanceof Y.ContentFormat) {
            if (!RICH_TEXT_MARKS.includes(content.key)) return no('not-rich-text');
            const check = checkPlainValue(content.value, SMALL);
            if (!check.ok) return check;
          } else {
            return no('not-rich-text');
          }
        }
      } else {
        return no('not-rich-text');
      }
    }
  }
  return OK;
}

/** The value of a key the contract does not make rich text: plain JSON, never a shared type. */
function checkPlainKey(value: unknown): ValueCheck {
  if (value instanceof Y.AbstractType) return no('plain-only');
  if (value === undefined) return no('missing');
  return checkPlainValue(value);
}

export type EntryValues = { ok: true; json: Record<string, unknown> } | { ok: false; refusal: Refusal };

/**
 * An entry of a list section as JSON for the permission table and the entry's schema, once
 * every key is one of the contract's and every value has the right kind; rich text stands in
 * as '' (any text is a valid string). Refuses before converting anything.
 */
export function entryValues(section: ListSectionName, entry: Shared): EntryValues {
  if (entry.constructor !== Y.Map) return { ok: false, refusal: refusal('entry.not-a-map', { section }) };
  if (hasListContent(entry)) return { ok: false, refusal: refusal('entry.named-keys-only') };
  const shape = SECTION_ENTRY_SCHEMAS[section].shape as Record<string, unknown>;
  const rich = RICH_TEXT_KEYS[section];
  const json: Record<string, unknown> = {};
  for (const [key, item] of liveKeys(entry)) {
    if (!Object.hasOwn(shape, key))
      return { ok: false, refusal: refusal('entry.unknown-key', { section, key: nameForRecord(key) }) };
    const value = itemValue(item);
    const check = rich.includes(key) && !(typeof value === 'string') ? checkRichText(value) : checkPlainKey(value);
    if (!check.ok) return { ok: false, refusal: invalidValue(key, check) };
    json[key] = value instanceof Y.XmlFragment ? '' : value;
  }
  return { ok: true, json };
}

/** A value of the plan's meta section (its key is one of the contract's): plain. */
export function checkMetaValue(value: unknown): ValueCheck {
  return checkPlainKey(value);
}
