import fc from 'fast-check';
import { LIST_SECTIONS, PlanMeta, SECTION_ENTRY_SCHEMAS, type ListSectionName } from '../../shared/plan.ts';

/**
 * Random sequences of Yjs operations on a care plan, as plain data (so fast-check can shrink
 * a failing sequence to a small one): who sends them, and what one client transaction does.
 * executor.ts turns them into real Yjs edits on a client's copy of the plan.
 */
export const SESSION_KINDS = [
  'hospital_doctor',
  'hospital_nurse',
  'municipal_nurse',
  'gp',
  'citizen',
  'embed_read',
  'embed_edit',
  'admin',
] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** A string value; `marker` appends a token unique to the run, to trace where it went. */
export interface Str {
  t: 'str';
  s: string;
  marker: boolean;
}

export type Value =
  | Str
  | { t: 'num'; n: number }
  | { t: 'bool'; b: boolean }
  | { t: 'null' }
  | { t: 'undef' }
  | { t: 'bigint'; v: bigint }
  | { t: 'bytes'; b: Uint8Array }
  | { t: 'obj'; entries: [string, Value][] }
  | { t: 'arr'; items: Value[] }
  | { t: 'ymap'; entries: [string, Value][] }
  | { t: 'yarray'; items: Value[] }
  | { t: 'ytext'; xml: boolean; runs: Run[] }
  | { t: 'frag'; children: XmlChild[] }
  | { t: 'xmlel'; node: XmlNode }
  | { t: 'subdoc' }
  /** A value made to be large: a long string, a text whose rendering explodes, a long list. */
  | { t: 'huge'; kind: 'string' | 'explode' | 'array' | 'text'; size: number }
  /** Shared types (or plain JSON) nested `depth` levels. */
  | { t: 'deep'; depth: number; shape: 'map' | 'array' | 'mixed' | 'plain' | 'xml' }
  /** A valid value for this contract field, with a marker where the field is text. */
  | { t: 'valid'; field: string; pick: number };

export interface Run {
  text: Str;
  attrs: [string, Value][];
}
export interface XmlNode {
  name: string;
  attrs: [string, Value][];
  children: XmlChild[];
}
export type XmlChild = { el: XmlNode } | { text: Run[] };

export type Section = ListSectionName;

export type RichAction =
  | { a: 'insert'; at: number; run: Run }
  | { a: 'delete'; at: number; len: number }
  | { a: 'format'; at: number; len: number; attrs: [string, Value][] }
  | { a: 'element'; at: number; node: XmlNode }
  | { a: 'remove'; at: number; len: number }
  | { a: 'attr'; name: string; value: Value | null }
  | { a: 'embed'; at: number; value: Value };

export interface EntrySpec {
  /** Keys of the section's contract filled with valid values (markers in text). */
  valid: boolean;
  author: 'self' | 'other';
  sector: 'self' | 'other';
  overrides: [string, Value | null][];
}

export type Edit =
  | { kind: 'meta-set'; key: string; value: Value }
  | { kind: 'meta-delete'; key: string }
  | { kind: 'entry-add'; section: Section; at: number; entry: EntrySpec }
  | { kind: 'entry-remove'; section: Section; at: number; count: number }
  | { kind: 'entry-move'; section: Section; from: number; to: number }
  | { kind: 'entry-set'; section: Section; at: number; key: string; value: Value }
  | { kind: 'entry-delete-key'; section: Section; at: number; key: string }
  | { kind: 'rich-edit'; section: Section; at: number; key: string; path: number[]; action: RichAction }
  /** A root the plan does not have, or one of its sections in another shape than the contract's. */
  | { kind: 'root'; name: string; shape: 'map' | 'array' | 'text' | 'xml'; key: string; value: Value };

export interface Op {
  session: SessionKind;
  /** The session edits without first applying what the server sent it (a concurrent edit). */
  stale: boolean;
  /** Fault injection: the permission check throws at its n-th look at the sender's role. */
  fault: number | null;
  /** Before the operation the plan reloads from the store and every client reconnects with its copy. */
  reload: boolean;
  /** One client transaction: one update. */
  edits: Edit[];
}

const CONTRACT_KEYS = [
  ...new Set([
    ...Object.keys(PlanMeta.shape),
    ...LIST_SECTIONS.flatMap((s) => Object.keys(SECTION_ENTRY_SCHEMAS[s].shape)),
  ]),
];
const ODD_KEYS = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '',
  ' ',
  'x'.repeat(300),
  'ключ-🔑',
  'a\u0000b',
  'id ',
  'Conflicts',
];

/** Key names: the contract's, names of Object.prototype, empty, long, unicode, and ones carrying a marker. */
export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...CONTRACT_KEYS), weight: 6 },
  { arbitrary: fc.constantFrom(...ODD_KEYS), weight: 3 },
  { arbitrary: fc.string({ maxLength: 8 }).map((s) => `k${s}\u2063mk`), weight: 1 },
);

const strArb = (marker?: boolean): fc.Arbitrary<Str> =>
  fc.record({
    t: fc.constant('str' as const),
    s: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', 'draft', 'active', 'planned', 'done', 'hospital', 'municipality', '2026-01-01', '40 mg'),
    ),
    marker: marker === undefined ? fc.boolean() : fc.constant(marker),
  });

/** `{}`: the value y-prosemirror gives a mark without attributes. */
const emptyObj: fc.Arbitrary<Value> = fc.constant({ t: 'obj', entries: [] });

const MARKS = ['bold', 'italic', 'underline', 'link', 'bold--AAAAAAAA', 'x'];
const NODES = [
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'listItem',
  'hardBreak',
  'script',
  'img',
  'table',
  '',
];
const ATTRS = ['level', 'start', 'type', 'style', 'onclick', 'href'];

export const valueArb: fc.Arbitrary<Value> = fc.letrec<{ value: Value; run: Run; node: XmlNode; child: XmlChild }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: strArb(), weight: 8 },
      {
        arbitrary: fc.record({
          t: fc.constant('valid' as const),
          field: fc.constantFrom(...CONTRACT_KEYS),
          pick: fc.nat(20),
        }),
        weight: 6,
      },
      {
        arbitrary: fc.record({
          t: fc.constant('num' as const),
          n: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(Number.NaN, Infinity, -0, 2 ** 53 + 1)),
        }),
        weight: 2,
      },
      { arbitrary: fc.record({ t: fc.constant('bool' as const), b: fc.boolean() }), weight: 1 },
      { arbitrary: fc.constant({ t: 'null' as const }), weight: 1 },
      { arbitrary: fc.constant({ t: 'undef' as const }), weight: 1 },
      {
        arbitrary: fc.record({
          t: fc.constant('bigint' as const),
          v: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        }),
        weight: 1,
      },
      { arbitrary: fc.record({ t: fc.constant('bytes' as const), b: fc.uint8Array({ maxLength: 16 }) }), weight: 1 },
      {
        arbitrary: fc.record({
          t: fc.constant('obj' as const),
          entries: fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 4 }),
        }),
        weight: 2,
      },
      {
        arbitrary: fc.record({ t: fc.constant('arr' as const), items: fc.array(tie('value'), { maxLength: 4 }) }),
        weight: 2,
      },
      {
        arbitrary: fc.record({
          t: fc.constant('ymap' as const),
          entries: fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 3 }),
        }),
        weight: 2,
      },
      {
        arbitrary: fc.record({ t: fc.constant('yarray' as const), items: fc.array(tie('value'), { maxLength: 3 }) }),
        weight: 2,
      },
      {
        arbitrary: fc.record({
          t: fc.constant('ytext' as const),
          xml: fc.boolean(),
          runs: fc.array(tie('run'), { maxLength: 3 }),
        }),
        weight: 2,
      },
      {
        arbitrary: fc.record({ t: fc.constant('frag' as const), children: fc.array(tie('child'), { maxLength: 3 }) }),
        weight: 3,
      },
      { arbitrary: fc.record({ t: fc.constant('xmlel' as const), node: tie('node') }), weight: 1 },
      { arbitrary: fc.constant({ t: 'subdoc' as const }), weight: 1 },
      {
        arbitrary: fc.record({
          t: fc.constant('huge' as const),
          kind: fc.constantFrom('string', 'explode', 'array', 'text'),
          size: fc.integer({ min: 1, max: 3 }),
        }),
        weight: 1,
      },
      {
        arbitrary: fc.record({
          t: fc.constant('deep' as const),
          depth: fc.oneof(fc.integer({ min: 5, max: 40 }), fc.integer({ min: 40, max: 4000 })),
          shape: fc.constantFrom('map', 'array', 'mixed', 'plain', 'xml'),
        }),
        weight: 1,
      },
    ),
    run: fc.record({
      text: strArb(),
      attrs: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...MARKS), keyArb), fc.oneof(emptyObj, tie('value'))), {
        maxLength: 2,
      }),
    }),
    node: fc.record({
      name: fc.oneof({ arbitrary: fc.constantFrom(...NODES), weight: 4 }, { arbitrary: keyArb, weight: 1 }),
      attrs: fc.array(fc.tuple(fc.constantFrom(...ATTRS), tie('value')), { maxLength: 2 }),
      children: fc.array(tie('child'), { maxLength: 2 }),
    }),
    child: fc.oneof(
      { depthSize: 'small' },
      fc.record({ text: fc.array(tie('run'), { maxLength: 2 }) }),
      fc.record({ el: tie('node') }),
    ),
  }),
).value;

const sectionArb = fc.constantFrom(...LIST_SECTIONS);
const runArb: fc.Arbitrary<Run> = fc.record({
  text: strArb(true),
  attrs: fc.array(fc.tuple(fc.constantFrom(...MARKS), fc.oneof(emptyObj, valueArb)), { maxLength: 2 }),
});
const nodeArb: fc.Arbitrary<XmlNode> = fc.record({
  name: fc.constantFrom(...NODES),
  attrs: fc.array(fc.tuple(fc.constantFrom(...ATTRS), valueArb), { maxLength: 1 }),
  children: fc.constant([{ text: [] }] as XmlChild[]),
});

const richActionArb: fc.Arbitrary<RichAction> = fc.oneof(
  { arbitrary: fc.record({ a: fc.constant('insert' as const), at: fc.nat(40), run: runArb }), weight: 5 },
  {
    arbitrary: fc.record({ a: fc.constant('delete' as const), at: fc.nat(40), len: fc.integer({ min: 1, max: 10 }) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      a: fc.constant('format' as const),
      at: fc.nat(40),
      len: fc.integer({ min: 1, max: 10 }),
      attrs: fc.array(
        fc.tuple(fc.constantFrom(...MARKS), fc.oneof(emptyObj, fc.constant<Value>({ t: 'null' }), valueArb)),
        { minLength: 1, maxLength: 2 },
      ),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ a: fc.constant('element' as const), at: fc.nat(5), node: nodeArb }), weight: 2 },
  {
    arbitrary: fc.record({ a: fc.constant('remove' as const), at: fc.nat(5), len: fc.integer({ min: 1, max: 2 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      a: fc.constant('attr' as const),
      name: fc.constantFrom(...ATTRS),
      value: fc.option(valueArb, { nil: null }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ a: fc.constant('embed' as const), at: fc.nat(40), value: valueArb }), weight: 1 },
);

const entrySpecArb: fc.Arbitrary<EntrySpec> = fc.record({
  valid: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
  author: fc.constantFrom('self', 'self', 'self', 'other'),
  sector: fc.constantFrom('self', 'self', 'self', 'other'),
  overrides: fc.oneof(
    { arbitrary: fc.constant([] as [string, Value | null][]), weight: 3 },
    { arbitrary: fc.array(fc.tuple(keyArb, fc.option(valueArb, { nil: null, freq: 4 })), { maxLength: 2 }), weight: 2 },
  ),
});

const rootNameArb = fc.oneof(
  fc.constantFrom('meta', 'goals', 'tasks', 'notes', 'results', 'evil', 'constructor', '__proto__', ''),
  fc.string({ maxLength: 6 }).map((s) => `r${s}\u2063mk`),
);

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('meta-set' as const), key: keyArb, value: valueArb }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('meta-delete' as const), key: keyArb }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('entry-add' as const),
      section: sectionArb,
      at: fc.nat(10),
      entry: entrySpecArb,
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('entry-remove' as const),
      section: sectionArb,
      at: fc.nat(10),
      count: fc.integer({ min: 1, max: 2 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('entry-move' as const),
      section: sectionArb,
      from: fc.nat(10),
      to: fc.nat(10),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('entry-set' as const),
      section: sectionArb,
      at: fc.nat(10),
      key: keyArb,
      value: valueArb,
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('entry-delete-key' as const),
      section: sectionArb,
      at: fc.nat(10),
      key: keyArb,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('rich-edit' as const),
      section: fc.constantFrom('goals', 'tasks', 'notes', 'medications'),
      at: fc.nat(10),
      key: fc.constantFrom('description', 'details', 'body', 'note', 'title'),
      path: fc.array(fc.nat(4), { maxLength: 3 }),
      action: richActionArb,
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('root' as const),
      name: rootNameArb,
      shape: fc.constantFrom('map', 'array', 'text', 'xml'),
      key: keyArb,
      value: valueArb,
    }),
    weight: 1,
  },
);

/** A valid value for the key it is written to ("$key"), in that section. */
const fitting: fc.Arbitrary<Value> = fc.record({
  t: fc.constant('valid' as const),
  field: fc.constant('$key'),
  pick: fc.nat(20),
});
const SECTION_KEYS = Object.fromEntries(
  LIST_SECTIONS.map((s) => [s, Object.keys(SECTION_ENTRY_SCHEMAS[s].shape).filter((k) => k !== 'conflicts')]),
) as Record<Section, string[]>;
const plainMark: fc.Arbitrary<[string, Value]> = fc.tuple(
  fc.constantFrom('bold', 'italic'),
  fc.oneof(emptyObj, fc.constant<Value>({ t: 'null' })),
);

/** What the plan's own client sends: contract keys, fitting values, Tiptap's marks and nodes. */
export const benignEditArb: fc.Arbitrary<Edit> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('entry-add' as const),
      section: sectionArb,
      at: fc.nat(10),
      entry: fc.record({
        valid: fc.constant(true),
        author: fc.constant('self' as const),
        sector: fc.constant('self' as const),
        overrides: fc.constant([] as [string, Value | null][]),
      }),
    }),
    weight: 3,
  },
  {
    arbitrary: sectionArb.chain((section) =>
      fc.record({
        kind: fc.constant('entry-set' as const),
        section: fc.constant(section),
        at: fc.nat(10),
        key: fc.constantFrom(...SECTION_KEYS[section]),
        value: fitting,
      }),
    ),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('rich-edit' as const),
      section: fc.constantFrom('goals', 'tasks', 'notes'),
      at: fc.nat(10),
      key: fc.constantFrom('description', 'details', 'body'),
      path: fc.array(fc.nat(4), { maxLength: 2 }),
      action: fc.oneof(
        fc.record({
          a: fc.constant('insert' as const),
          at: fc.nat(40),
          run: fc.record({ text: strArb(true), attrs: fc.array(plainMark, { maxLength: 2 }) }),
        }),
        fc.record({
          a: fc.constant('format' as const),
          at: fc.nat(40),
          len: fc.integer({ min: 1, max: 10 }),
          attrs: fc.array(plainMark, { minLength: 1, maxLength: 2 }),
        }),
        fc.record({ a: fc.constant('delete' as const), at: fc.nat(40), len: fc.integer({ min: 1, max: 10 }) }),
        fc.record({
          a: fc.constant('element' as const),
          at: fc.nat(5),
          node: fc.record({
            name: fc.constantFrom('paragraph', 'heading'),
            attrs: fc.constant([] as [string, Value][]),
            children: fc.constant([{ text: [] }] as XmlChild[]),
          }),
        }),
      ),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('meta-set' as const),
      key: fc.constantFrom('title', 'status', 'conditions'),
      value: fitting,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('entry-remove' as const),
      section: sectionArb,
      at: fc.nat(10),
      count: fc.constant(1),
    }),
    weight: 1,
  },
);

export const opArb: fc.Arbitrary<Op> = fc.record({
  session: fc.constantFrom(...SESSION_KINDS),
  stale: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  fault: fc.oneof({ arbitrary: fc.constant(null), weight: 12 }, { arbitrary: fc.nat(4), weight: 1 }),
  reload: fc.integer({ min: 0, max: 30 }).map((n) => n === 0),
  edits: fc.oneof(
    { arbitrary: fc.array(benignEditArb, { minLength: 1, maxLength: 3 }), weight: 3 },
    { arbitrary: fc.array(editArb, { minLength: 1, maxLength: 3 }), weight: 2 },
    { arbitrary: fc.array(fc.oneof(benignEditArb, editArb), { minLength: 2, maxLength: 4 }), weight: 1 },
  ),
});

export const opsArb = (maxLength: number): fc.Arbitrary<Op[]> => fc.array(opArb, { minLength: 1, maxLength });
