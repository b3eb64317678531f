import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { addNote } from '../../shared/plan-doc.ts';

/**
 * Realistic plan edits for benchmarks: a note added, then its body typed one character per
 * update, as a Tiptap client produces them. Returns the base state and the updates in order.
 */
export function typingUpdates(count: number, author = 'bench-author'): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  addNote(doc, { id: randomUUID(), author, sector: 'hospital', created: new Date().toISOString(), body: '' });
  const notes = doc.getArray<Y.Map<unknown>>('notes');
  const body = notes.get(notes.length - 1).get('body') as Y.XmlFragment;
  const paragraph = body.get(0) as Y.XmlElement;
  const text = new Y.XmlText();
  paragraph.insert(0, [text]);
  const sentence = 'Patienten har det bedre i dag og har gået en tur. ';
  for (let i = updates.length; i < count; i++) text.insert(text.length, sentence[i % sentence.length] as string);
  return { doc, updates: updates.slice(0, count) };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export const fmt = (n: number, digits = 1): string => n.toFixed(digits);
