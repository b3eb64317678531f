import * as Y from 'yjs';
import { addNote } from '../../../shared/plan-doc.ts';

const SENTENCE = 'Patienten har det bedre i dag og har gået en tur i haven. ';
/**
 * The notes' creation time: fixed for a run (set by run.ts before it starts the client
 * processes), so every target receives byte-identical updates, and recent, as CareHub's check
 * requires (a note created more than 30 days ago is refused: with a constant date the bench
 * measured a refused, reverted note for CareHub once the date had passed).
 */
const CREATED = process.env.BENCH_NOTE_CREATED ?? new Date(Date.now() - 3_600_000).toISOString();

/** Yjs client id of writer `n`: fixed, so the same writer sends the same bytes to every target. */
export const writerClientId = (n: number): number => 100_000 + n;

function noteId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/**
 * A care-plan edit stream CareHub's permission check accepts: a note in the author's own name
 * and sector appended to `notes`, then its body typed one character per update, as Tiptap
 * produces them. Deterministic (client id, note id, time), so every target gets the same bytes;
 * generated lazily, so a writer costs nothing before it sends.
 */
export class NoteTyping {
  readonly doc = new Y.Doc();
  private readonly out: Uint8Array[] = [];
  private text: Y.XmlText | null = null;
  private typed = 0;

  constructor(
    readonly writer: number,
    private readonly author: string,
  ) {
    this.doc.clientID = writerClientId(writer);
    this.doc.on('update', (u: Uint8Array) => this.out.push(u));
  }

  get clientId(): number {
    return this.doc.clientID;
  }

  /** The next update and the writer's clock after it (what a receiver's state vector shows). */
  next(): { update: Uint8Array; clock: number } {
    if (this.typed === 0 && this.text === null && this.out.length === 0 && this.doc.getArray('notes').length === 0) {
      addNote(this.doc, {
        id: noteId(this.writer),
        author: this.author,
        sector: 'hospital',
        created: CREATED,
        body: '',
      });
    } else if (this.text === null) {
      const notes = this.doc.getArray<Y.Map<unknown>>('notes');
      const paragraph = (notes.get(notes.length - 1).get('body') as Y.XmlFragment).get(0) as Y.XmlElement;
      this.text = new Y.XmlText();
      paragraph.insert(0, [this.text]);
    } else {
      this.text.insert(this.text.length, SENTENCE[this.typed % SENTENCE.length] as string);
      this.typed++;
    }
    const update = this.out.shift() as Uint8Array;
    return { update, clock: Y.getState(this.doc.store, this.doc.clientID) };
  }
}

/** A small deterministic PRNG (mulberry32): the same seed gives every target the same edits. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random edits to the author's own note: a character typed at a random place (nine in ten), or
 * one to three characters deleted at a random place. Unlike NoteTyping's run of characters,
 * these leave the document one item per edit: what makes a plan expensive to load. The first
 * edit adds the note, the second its text; each edit is one transaction.
 */
export class NoteEditing {
  readonly doc = new Y.Doc();
  private readonly out: Uint8Array[] = [];
  private text: Y.XmlText | null = null;
  private readonly random: () => number;
  private started = false;

  constructor(
    readonly writer: number,
    private readonly author: string,
  ) {
    this.doc.clientID = writerClientId(writer);
    this.random = prng(writer);
    this.doc.on('update', (u: Uint8Array) => this.out.push(u));
  }

  get clientId(): number {
    return this.doc.clientID;
  }

  /** Makes one edit (no update is kept: `updates` or the document's state carries it). */
  edit(): void {
    if (!this.started) {
      this.started = true;
      addNote(this.doc, {
        id: noteId(this.writer),
        author: this.author,
        sector: 'hospital',
        created: CREATED,
        body: '',
      });
    } else if (this.text === null) {
      const notes = this.doc.getArray<Y.Map<unknown>>('notes');
      const paragraph = (notes.get(notes.length - 1).get('body') as Y.XmlFragment).get(0) as Y.XmlElement;
      this.text = new Y.XmlText();
      paragraph.insert(0, [this.text]);
    } else {
      const length = this.text.length;
      if (length > 10 && this.random() < 0.1) {
        this.text.delete(Math.floor(this.random() * (length - 3)), 1 + Math.floor(this.random() * 3));
      } else {
        const at = Math.floor(this.random() * (length + 1));
        this.text.insert(at, SENTENCE[Math.floor(this.random() * SENTENCE.length)] as string);
      }
    }
  }

  /** The next edit as its own update, and the writer's clock after it. */
  next(): { update: Uint8Array; clock: number } {
    this.edit();
    const update = this.out.shift() as Uint8Array;
    return { update, clock: Y.getState(this.doc.store, this.doc.clientID) };
  }

  /** `count` edits as one update (what the document gained), and the writer's clock after it. */
  many(count: number): { update: Uint8Array; clock: number } {
    const before = Y.encodeStateVector(this.doc);
    for (let i = 0; i < count; i++) this.edit();
    this.out.length = 0;
    return { update: Y.encodeStateAsUpdate(this.doc, before), clock: Y.getState(this.doc.store, this.doc.clientID) };
  }
}
