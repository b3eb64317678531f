import * as Y from 'yjs';
import type { Sector } from '../../shared/roles.ts';
import type { Edit, EntrySpec, Op, RichAction, Run, Str, Value, XmlChild, XmlNode } from './ops.ts';

/**
 * Turns generated operations (ops.ts) into real Yjs edits on a client's copy of the plan, as
 * any client could make them: through the Yjs API, and through a second document that sees
 * a section as another shared type than the contract's (how a hand-made update looks).
 * Deterministic for the same operations, so a failing sequence replays while it shrinks.
 */
export interface Author {
  userId: string;
  sector: Sector | null;
  otherUserId: string;
  otherSector: Sector;
}

/** Unique tokens woven into the values an operation writes, to trace them into bytes. */
export class Markers {
  private n = 0;
  /** Tokens of the current operation (values and text). */
  values: string[] = [];
  /** Tokens of the current operation that are map key or root names. */
  names: string[] = [];
  constructor(private readonly run: number) {}

  begin(): void {
    this.values = [];
    this.names = [];
  }

  token(): string {
    return `@@m${this.run}.${this.n++}@@`;
  }

  text(s: Str): string {
    if (!s.marker) return s.s;
    const t = this.token();
    this.values.push(t);
    return `${s.s}${t}`;
  }

  /** A key name: generated names ending in U+2063 "mk" carry a marker. */
  key(name: string): string {
    if (!name.endsWith('\u2063mk')) return name;
    const t = this.token();
    this.names.push(t);
    return `${name.slice(0, -2)}${t}`;
  }

  uuid(): string {
    const hex = (this.n++).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${hex.slice(-12)}`;
  }
}

/** What the operation touched: a conflict flag the server sets may follow a write of these. */
export interface Touched {
  fields: Set<string>;
}

const SECTORS: Sector[] = ['hospital', 'municipality', 'general_practice'];
const STATUSES = [
  'proposed',
  'active',
  'achieved',
  'cancelled',
  'planned',
  'in-progress',
  'done',
  'draft',
  'completed',
  'revoked',
  'final',
];
const RICH = ['description', 'details', 'body'];
const STATUS_OF: Record<string, string[]> = {
  meta: ['draft', 'active', 'completed', 'revoked'],
  goals: ['proposed', 'active', 'achieved', 'cancelled'],
  tasks: ['planned', 'in-progress', 'done', 'cancelled'],
  results: ['final', 'amended'],
};

/**
 * The value as JSON carries it (what every receiver decodes), or null when JSON cannot (Yjs
 * would fail to encode the client's own update). The client keeps exactly what it sends.
 */
function jsonable(value: unknown): unknown {
  if (value instanceof Y.AbstractType || value instanceof Y.Doc || value instanceof Uint8Array) return null;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // An own property even for "__proto__": the key a hand-made update would carry.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export class OpExecutor {
  private later: (() => void)[] = [];

  constructor(
    private readonly markers: Markers,
    private readonly author: Author,
    /** Yjs client ids for hand-made updates (a second document writing as another client). */
    private nextForeignClient: () => number,
  ) {}

  /**
   * Applies `op` to `doc`; the doc's update events carry what the client sends. Returns false
   * when the client's own Yjs failed to finish a transaction (its copy is then unusable).
   */
  apply(doc: Y.Doc, op: Op, touched: Touched, origin: unknown): boolean {
    try {
      this.applyEdits(doc, op, touched, origin);
      return true;
    } catch {
      return false;
    }
  }

  private applyEdits(doc: Y.Doc, op: Op, touched: Touched, origin: unknown): void {
    const roots = op.edits.filter((e) => e.kind === 'root');
    doc.transact(() => {
      for (const edit of op.edits) {
        if (edit.kind === 'root') continue;
        try {
          this.edit(doc, edit, touched);
          for (const fn of this.later.splice(0)) fn();
        } catch {
          // The client's own Yjs refused this edit (an index out of range, …): the rest goes on.
          this.later = [];
        }
      }
    }, origin);
    for (const edit of roots) {
      try {
        this.root(doc, edit as Extract<Edit, { kind: 'root' }>, origin);
      } catch {
        this.later = [];
      }
    }
  }

  private entry(doc: Y.Doc, section: string, at: number): Y.Map<unknown> | null {
    const list = doc.getArray(section);
    if (list.length === 0) return null;
    const e = list.get(at % list.length);
    return e instanceof Y.Map ? e : null;
  }

  private edit(doc: Y.Doc, edit: Edit, touched: Touched): void {
    switch (edit.kind) {
      case 'meta-set':
        doc.getMap('meta').set(this.markers.key(edit.key), this.build(edit.value, { section: 'meta', key: edit.key }));
        return;
      case 'meta-delete':
        doc.getMap('meta').delete(this.markers.key(edit.key));
        return;
      case 'entry-add': {
        const list = doc.getArray(edit.section);
        list.insert(edit.at % (list.length + 1), [this.newEntry(edit.section, edit.entry)]);
        return;
      }
      case 'entry-remove': {
        const list = doc.getArray(edit.section);
        if (list.length === 0) return;
        const at = edit.at % list.length;
        list.delete(at, Math.min(edit.count, list.length - at));
        return;
      }
      case 'entry-move': {
        // Y.Array has no move: a move is a delete and an insert of a copy.
        const list = doc.getArray(edit.section);
        if (list.length === 0) return;
        const from = edit.from % list.length;
        const e = list.get(from);
        const copy = e instanceof Y.Map ? e.clone() : e instanceof Y.AbstractType ? null : e;
        if (copy === null) return;
        list.delete(from, 1);
        list.insert(edit.to % (list.length + 1), [copy]);
        return;
      }
      case 'entry-set': {
        const e = this.entry(doc, edit.section, edit.at);
        if (!e) return;
        const key = this.markers.key(edit.key);
        touched.fields.add(`${edit.section}|${String(e.get('id'))}|${key}`);
        e.set(key, this.build(edit.value, { section: edit.section, key }));
        return;
      }
      case 'entry-delete-key': {
        const e = this.entry(doc, edit.section, edit.at);
        if (!e) return;
        const key = this.markers.key(edit.key);
        touched.fields.add(`${edit.section}|${String(e.get('id'))}|${key}`);
        e.delete(key);
        return;
      }
      case 'rich-edit': {
        const e = this.entry(doc, edit.section, edit.at);
        const value = e?.get(edit.key);
        if (value instanceof Y.AbstractType) this.rich(value, edit.path, edit.action);
        return;
      }
      default:
        return;
    }
  }

  /** Writes through a second document that sees `name` as the shape chosen (as a hand-made update would). */
  private root(doc: Y.Doc, edit: Extract<Edit, { kind: 'root' }>, origin: unknown): void {
    const scratch = new Y.Doc();
    scratch.clientID = this.nextForeignClient();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(scratch);
    const name = this.markers.key(edit.name);
    const value = this.build(edit.value);
    if (edit.shape === 'map') scratch.getMap(name).set(this.markers.key(edit.key), value);
    else if (edit.shape === 'array') scratch.getArray(name).insert(0, [value]);
    else if (edit.shape === 'text')
      scratch
        .getText(name)
        .insert(0, typeof value === 'string' ? value : this.markers.text({ t: 'str', s: 'root', marker: true }));
    else
      scratch
        .getXmlFragment(name)
        .insert(0, [
          value instanceof Y.XmlElement || value instanceof Y.XmlText
            ? value
            : new Y.XmlText(this.markers.text({ t: 'str', s: 'x', marker: true })),
        ]);
    for (const fn of this.later.splice(0)) fn();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(scratch, before), origin);
    scratch.destroy();
  }

  private rich(value: Y.AbstractType<unknown>, path: number[], action: RichAction): void {
    let node: Y.AbstractType<unknown> = value;
    for (const i of path) {
      if (!(node instanceof Y.XmlFragment)) break;
      const children = node.toArray();
      if (children.length === 0) break;
      node = children[i % children.length] as Y.AbstractType<unknown>;
    }
    if (node instanceof Y.Text) {
      const len = node.length;
      if (action.a === 'insert')
        node.insert(action.at % (len + 1), this.markers.text(action.run.text), this.attrs(action.run.attrs));
      else if (action.a === 'delete' && len > 0)
        node.delete(action.at % len, Math.min(action.len, len - (action.at % len)));
      else if (action.a === 'format' && len > 0)
        node.format(action.at % len, Math.min(action.len, len - (action.at % len)), this.attrs(action.attrs));
      else if (action.a === 'embed') {
        const embed = this.build(action.value);
        node.insertEmbed(
          action.at % (len + 1),
          (embed instanceof Y.AbstractType ? embed : (jsonable(embed) ?? {})) as object,
        );
      } else if (action.a === 'attr' && node instanceof Y.XmlText) {
        if (action.value === null) node.removeAttribute(action.name);
        else node.setAttribute(action.name, this.build(action.value) as never);
      }
      return;
    }
    if (node instanceof Y.XmlFragment) {
      const len = node.length;
      if (action.a === 'insert') node.insert(action.at % (len + 1), [this.textNode([action.run])]);
      else if (action.a === 'element') node.insert(action.at % (len + 1), [this.element(action.node)]);
      else if (action.a === 'remove' && len > 0)
        node.delete(action.at % len, Math.min(action.len, len - (action.at % len)));
      else if (action.a === 'attr' && node instanceof Y.XmlElement) {
        if (action.value === null) node.removeAttribute(action.name);
        else node.setAttribute(action.name, this.build(action.value) as never);
      }
    }
  }

  /** Formatting attributes: Yjs encodes them as JSON, so a client can only send JSON there. */
  private attrs(list: [string, Value][]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of list) define(out, this.markers.key(k), jsonable(this.build(v)));
    return out;
  }

  private textNode(runs: Run[]): Y.XmlText {
    const text = new Y.XmlText();
    let at = 0;
    for (const run of runs) {
      const s = this.markers.text(run.text);
      text.insert(at, s, this.attrs(run.attrs));
      at += s.length;
    }
    return text;
  }

  private element(node: XmlNode): Y.XmlElement {
    const el = new Y.XmlElement(this.markers.key(node.name));
    for (const [k, v] of node.attrs) el.setAttribute(k, this.build(v) as never);
    el.insert(
      0,
      node.children.map((c) => this.child(c)),
    );
    return el;
  }

  private child(c: XmlChild): Y.XmlElement | Y.XmlText {
    return 'el' in c ? this.element(c.el) : this.textNode(c.text);
  }

  private newEntry(section: string, spec: EntrySpec): Y.Map<unknown> {
    const entry = new Y.Map<unknown>();
    if (spec.valid) for (const [k, v] of Object.entries(this.validEntry(section, spec))) entry.set(k, v);
    for (const [k, v] of spec.overrides) {
      const key = this.markers.key(k);
      if (v === null) entry.delete(key);
      else entry.set(key, this.build(v));
    }
    return entry;
  }

  private validEntry(section: string, spec: EntrySpec): Record<string, unknown> {
    const a = this.author;
    const sector = spec.sector === 'self' && a.sector ? a.sector : a.otherSector;
    const text = (s: string) => this.markers.text({ t: 'str', s, marker: true });
    const now = new Date(Date.UTC(2026, 0, 1)).toISOString();
    switch (section) {
      case 'goals':
        return {
          id: this.markers.uuid(),
          description: this.fragment(text('Mål ')),
          status: 'active',
          sector,
          target: text('mål '),
        };
      case 'tasks':
        return {
          id: this.markers.uuid(),
          title: text('Opgave '),
          details: this.fragment(text('Detaljer ')),
          sector,
          status: 'planned',
          due: '2026-02-01',
          // Some tasks recur: marking one done adds the next occurrence (server/collab/task-recurrence.ts).
          ...(spec.author === 'other' ? { recurrence: { every: 1, unit: 'day' } } : {}),
        };
      case 'medications':
        return { id: this.markers.uuid(), drug: text('Panodil '), dose: '1 g', frequency: '3 gange dagligt' };
      case 'notes':
        return {
          id: this.markers.uuid(),
          author: spec.author === 'self' ? a.userId : a.otherUserId,
          sector,
          created: now,
          body: this.fragment(text('Notat ')),
        };
      case 'selfReports':
        return {
          id: this.markers.uuid(),
          kind: 'weight',
          value: 81.5,
          unit: 'kg',
          taken: now,
          comment: text('om morgenen '),
        };
      default:
        return {
          id: this.markers.uuid(),
          kind: 'lab',
          code: { system: 'urn:x', code: '1', display: text('Kalium ') },
          value: 4.1,
          status: 'final',
        };
    }
  }

  private fragment(line: string): Y.XmlFragment {
    const f = new Y.XmlFragment();
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [new Y.XmlText(line)]);
    f.insert(0, [p]);
    return f;
  }

  private valid(field: string, pick: number, at?: { section: string; key: string }): unknown {
    const text = (s: string) => this.markers.text({ t: 'str', s, marker: true });
    if (field === '$key') {
      if (!at) return text('værdi ');
      field = at.key;
      if (field === 'status')
        return (STATUS_OF[at.section] ?? STATUSES)[pick % (STATUS_OF[at.section] ?? STATUSES).length];
      if (field === 'kind' && at.section === 'results') return ['lab', 'imaging', 'notification'][pick % 3];
      if (field === 'value' && at.section === 'results') return pick;
      if (field === 'sector' && at.section === 'tasks' && pick % 2 === 0 && this.author.sector)
        return this.author.sector;
      if (field === 'author') return this.author.userId;
    }
    if (field === 'id' || field === 'amends' || field === 'series') return this.markers.uuid();
    if (field === 'recurrence') return { every: 1 + (pick % 3), unit: ['day', 'week', 'month'][pick % 3] };
    if (field === 'status') return STATUSES[pick % STATUSES.length];
    if (field === 'sector') return SECTORS[pick % SECTORS.length];
    if (field === 'author') return pick % 2 === 0 ? this.author.userId : this.author.otherUserId;
    if (RICH.includes(field)) return this.fragment(text('Tekst '));
    if (['due', 'start', 'stop'].includes(field)) return `2026-0${1 + (pick % 9)}-1${pick % 10}`;
    if (['created', 'taken', 'effective', 'acknowledgedAt', 'releaseAt', 'filed', 'signed'].includes(field))
      return new Date(Date.UTC(2026, 0, 1 + pick)).toISOString();
    if (field === 'conditions')
      return [{ system: 'http://snomed.info/sct', code: String(pick), display: text('Tilstand ') }];
    if (field === 'code') return { system: 'urn:x', code: String(pick), display: text('Kode ') };
    if (field === 'value') return pick % 2 === 0 ? pick : text('værdi ');
    if (['referenceLow', 'referenceHigh'].includes(field)) return pick;
    if (field === 'critical') return pick % 2 === 0;
    if (field === 'kind') return ['lab', 'imaging', 'weight', 'symptom'][pick % 4];
    if (field === 'conflicts')
      return {
        dose: {
          values: [
            { value: text('v '), author: this.author.otherUserId, authorName: 'X' },
            { value: 'y', author: null, authorName: null },
          ],
          detected: new Date(0).toISOString(),
        },
      };
    return text(`${field} `);
  }

  /**
   * A value inside plain JSON (an object's or an array's part): what a hand-made update can
   * carry there (no shared types; they would be encoded as their fields).
   */
  private plain(v: Value): unknown {
    switch (v.t) {
      case 'ymap':
        return this.build({ t: 'obj', entries: v.entries });
      case 'yarray':
        return this.build({ t: 'arr', items: v.items });
      case 'ytext':
        return v.runs.map((r) => this.markers.text(r.text)).join('');
      case 'frag':
      case 'xmlel':
      case 'subdoc':
        return null;
      case 'huge':
        return v.kind === 'string' || v.kind === 'array' ? this.huge(v.kind, v.size) : null;
      case 'deep':
        return this.deep(v.depth, 'plain');
      default:
        return this.build(v);
    }
  }

  /** A Yjs value (plain, or a shared type still to be integrated) for a generated value. */
  build(v: Value, at?: { section: string; key: string }): unknown {
    switch (v.t) {
      case 'str':
        return this.markers.text(v);
      case 'num':
        return v.n;
      case 'bool':
        return v.b;
      case 'null':
        return null;
      case 'undef':
        return undefined;
      case 'bigint':
        return v.v;
      case 'bytes':
        return new Uint8Array(v.b);
      case 'valid':
        return this.valid(v.field, v.pick, at);
      case 'obj': {
        const o: Record<string, unknown> = {};
        for (const [k, x] of v.entries) define(o, this.markers.key(k), this.plain(x));
        return o;
      }
      case 'arr':
        return v.items.map((x) => this.plain(x));
      case 'ymap': {
        const m = new Y.Map<unknown>();
        for (const [k, x] of v.entries) m.set(this.markers.key(k), this.build(x));
        return m;
      }
      case 'yarray': {
        const a = new Y.Array<unknown>();
        a.push(v.items.map((x) => this.build(x)));
        return a;
      }
      case 'ytext': {
        const t = v.xml ? new Y.XmlText() : new Y.Text();
        let at = 0;
        for (const run of v.runs) {
          const s = this.markers.text(run.text);
          t.insert(at, s, this.attrs(run.attrs));
          at += s.length;
        }
        return t;
      }
      case 'frag': {
        const f = new Y.XmlFragment();
        f.insert(
          0,
          v.children.map((c) => this.child(c)),
        );
        return f;
      }
      case 'xmlel':
        return this.element(v.node);
      case 'subdoc':
        return new Y.Doc();
      case 'huge':
        return this.huge(v.kind, v.size);
      case 'deep':
        return this.deep(v.depth, v.shape);
      default:
        return null;
    }
  }

  private huge(kind: 'string' | 'explode' | 'array' | 'text', size: number): unknown {
    const mark = this.markers.text({ t: 'str', s: '', marker: true });
    if (kind === 'string') return `${'h'.repeat(size * 40_000)}${mark}`;
    if (kind === 'array') return Array.from({ length: size * 1500 }, (_, i) => (i === 0 ? mark : i));
    if (kind === 'text') return this.fragment(`${'t'.repeat(size * 100_000)}${mark}`);
    // A formatted text whose rendering (toString/toJSON) outgrows V8's longest string.
    const t = new Y.XmlText();
    const big = { v: 'y'.repeat(1_000_000) };
    this.later.push(() => {
      if (t.doc === null) return; // never placed (a value inside another value)
      t.insert(0, mark + 'x'.repeat(600), { big });
      for (let i = 0; i < t.length; i += 2) t.format(i, 1, { t: true });
    });
    return t;
  }

  /** Nested `depth` levels; built level by level once integrated (a prelim tree integrates recursively). */
  private deep(depth: number, shape: 'map' | 'array' | 'mixed' | 'plain' | 'xml'): unknown {
    const mark = this.markers.text({ t: 'str', s: '', marker: true });
    if (shape === 'plain') {
      let v: unknown = mark;
      for (let i = 0; i < Math.min(depth, 1500); i++) v = i % 2 === 0 ? [v] : { a: v };
      return v;
    }
    type Level = Y.Map<unknown> | Y.Array<unknown> | Y.XmlElement;
    const make = (i: number): Level => {
      if (shape === 'xml') return new Y.XmlElement('paragraph');
      const map = shape === 'map' || (shape === 'mixed' && i % 2 === 0);
      return map ? new Y.Map<unknown>() : new Y.Array<unknown>();
    };
    const top = make(0);
    this.later.push(() => {
      if (top.doc === null) return; // never placed (a value inside another value)
      let level = top;
      for (let i = 1; i < depth; i++) {
        const next = make(i);
        if (level instanceof Y.Map) level.set('k', next);
        else if (level instanceof Y.Array) level.push([next]);
        else level.insert(0, [next as Y.XmlElement]);
        level = next;
      }
      if (level instanceof Y.Map) level.set('k', mark);
      else if (level instanceof Y.Array) level.push([mark]);
      else level.insert(0, [new Y.XmlText(mark)]);
    });
    return top;
  }
}
