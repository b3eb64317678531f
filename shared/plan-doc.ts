import * as Y from 'yjs';
import { LIST_SECTIONS, RICH_TEXT_KEYS, type ListSectionName, type PlanDocumentJson, type Coding } from './plan.ts';
import type { Sector } from './roles.ts';

/**
 * Reading and writing the plan's Y.Doc with the contract's section and key names. Used by the
 * server (seed, JSON view), the client and tests, so all three write entries the same way.
 */
export function metaOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('meta');
}

export function sectionOf(doc: Y.Doc, name: ListSectionName): Y.Array<Y.Map<unknown>> {
  return doc.getArray<Y.Map<unknown>>(name);
}

/** A Tiptap/ProseMirror fragment holding plain paragraphs, one per line of `text`. */
export function richText(text: string): Y.XmlFragment {
  const fragment = new Y.XmlFragment();
  const paragraphs = text.split('\n').map((line) => {
    const p = new Y.XmlElement('paragraph');
    if (line.length > 0) p.insert(0, [new Y.XmlText(line)]);
    return p;
  });
  fragment.insert(0, paragraphs);
  return fragment;
}

/** Plain text of a rich-text fragment: paragraphs joined by newlines. */
export function richTextToPlain(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!(value instanceof Y.XmlFragment)) return '';
  const lines: string[] = [];
  const walk = (node: Y.XmlElement | Y.XmlText | Y.XmlHook, out: string[]): void => {
    // toDelta, not toString: toString renders formatting as tags, and clinical text holds
    // "<" and ">" ("BT < 140") that must survive as written.
    if (node instanceof Y.XmlText)
      for (const op of node.toDelta() as { insert?: unknown }[])
        out.push(typeof op.insert === 'string' ? op.insert : '');
    else if (node instanceof Y.XmlElement) for (const child of node.toArray()) walk(child, out);
  };
  for (const block of value.toArray()) {
    const parts: string[] = [];
    walk(block, parts);
    lines.push(parts.join(''));
  }
  return lines.join('\n');
}

export function newEntry(fields: Record<string, unknown>): Y.Map<unknown> {
  const entry = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry.set(key, value);
  return entry;
}

export interface NewNote {
  id: string;
  author: string;
  sector: Sector;
  created: string;
  body: string;
}

export function addNote(doc: Y.Doc, note: NewNote): void {
  sectionOf(doc, 'notes').push([newEntry({ ...note, body: richText(note.body) })]);
}

export function setPlanMeta(doc: Y.Doc, meta: { title?: string; status?: string; conditions?: Coding[] }): void {
  const map = metaOf(doc);
  doc.transact(() => {
    for (const [key, value] of Object.entries(meta)) if (value !== undefined) map.set(key, value);
  });
}

/** One entry of a list section as JSON; rich text as plain text. */
export function entryToJson(section: ListSectionName, entry: Y.Map<unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rich = RICH_TEXT_KEYS[section];
  for (const [key, value] of entry.entries()) {
    if (rich.includes(key) || value instanceof Y.XmlFragment) out[key] = richTextToPlain(value);
    else if (value instanceof Y.AbstractType) out[key] = value.toJSON();
    else out[key] = value;
  }
  return out;
}

/** The plan's sections as JSON (the `GET /plans/:id/document` body). */
export function planToJson(doc: Y.Doc): PlanDocumentJson {
  const json: PlanDocumentJson = {
    meta: metaOf(doc).toJSON(),
    goals: [],
    tasks: [],
    medications: [],
    notes: [],
    selfReports: [],
    measurements: [],
    results: [],
  };
  for (const section of LIST_SECTIONS) {
    json[section] = sectionOf(doc, section)
      .toArray()
      .filter((e): e is Y.Map<unknown> => e instanceof Y.Map)
      .map((entry) => entryToJson(section, entry));
  }
  return json;
}
