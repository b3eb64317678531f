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
