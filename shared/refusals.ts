import { z } from 'zod';
import { Sector } from './roles.ts';

/**
 * Why a change to the care plan is refused, as a code and its parameters. The permission table
 * (shared/permissions.ts) and the server's check of every update give one; the browser words it
 * in the reader's language (client/src/i18n/refusal-words.ts), for a refused edit as for a
 * control it disables. The server writes English only for y-websocket clients that are not
 * CareHub's (`refusalText`, and `refusalMessage` with the code appended), and records the code
 * in the audit log. Names in parameters are the contract's, or what `nameForRecord` left of a
 * client's choosing.
 */
const Name = z.string().max(80);
const NoParams = z.object({});

/** What is wrong with a value the contract otherwise allows at its key. */
export const ValueProblem = z.enum([
  /** More parts (array elements, object keys, rich-text nodes) than `limit`. */
  'too-many-parts',
  /** More characters than `limit`. */
  'too-long',
  /** Nested deeper than `limit` levels. */
  'too-deep',
  /** Not plain JSON (a non-finite number, bytes, a class instance, a `__proto__` key …). */
  'not-json',
  /** A shared type or rich text where the contract holds a plain value. */
  'plain-only',
  /** Rich text that is not a fragment of the plan's Tiptap nodes and marks. */
  'not-rich-text',
  /** No value where one must be. */
  'missing',
  /** A value the contract's schema refuses (a wrong type, an unknown status …). */
  'schema',
]);
export type ValueProblem = z.infer<typeof ValueProblem>;

export const Refusal = z.discriminatedUnion('code', [
  // The permission table.
  z.object({ code: z.literal('section.unknown'), params: z.object({ section: Name }) }),
  z.object({ code: z.literal('section.entries-only'), params: z.object({ section: Name }) }),
  z.object({ code: z.literal('access.read-only'), params: NoParams }),
  z.object({ code: z.literal('role.admin'), params: NoParams }),
  z.object({ code: z.literal('role.citizen'), params: NoParams }),
  z.object({ code: z.literal('role.staff-only'), params: NoParams }),
  z.object({ code: z.literal('conflicts.server-only'), params: NoParams }),
  z.object({ code: z.literal('conflicts.new-entry'), params: NoParams }),
  z.object({ code: z.literal('results.systems-only'), params: NoParams }),
  z.object({ code: z.literal('self-reports.citizen-only'), params: NoParams }),
  z.object({ code: z.literal('meta.prescribers-only'), params: NoParams }),
  z.object({ code: z.literal('medications.prescribers-only'), params: NoParams }),
  /** `owner`: the task's sector, null when it names none the table knows. */
  z.object({
    code: z.literal('tasks.owner-changes'),
    params: z.object({
      owner: Sector.nullable(),
      field: z.enum(['status', 'assignee', 'sector', 'recurrence', 'series']),
    }),
  }),
  z.object({ code: z.literal('tasks.owner-removes'), params: z.object({ owner: Sector.nullable() }) }),
  z.object({ code: z.literal('notes.own-name'), params: NoParams }),
  z.object({ code: z.literal('notes.own-sector'), params: NoParams }),
  z.object({ code: z.literal('notes.author-only'), params: NoParams }),
  z.object({ code: z.literal('notes.fixed'), params: NoParams }),
  z.object({ code: z.literal('notes.signed'), params: NoParams }),
  z.object({ code: z.literal('measurements.server-stamps'), params: NoParams }),
  z.object({ code: z.literal('measurements.new-final'), params: NoParams }),
  z.object({ code: z.literal('measurements.no-removal'), params: NoParams }),
  z.object({ code: z.literal('measurements.performer-only'), params: NoParams }),
  z.object({ code: z.literal('measurements.fixed'), params: NoParams }),
  z.object({ code: z.literal('measurements.status'), params: NoParams }),
  z.object({ code: z.literal('measurements.withdrawn'), params: NoParams }),
  /** The value is outside what the quantity can be, or its unit is not the quantity's (shared/measurements.ts). */
  z.object({ code: z.literal('measurements.implausible'), params: z.object({ key: z.enum(['value', 'unit']) }) }),
  /** A measurement's time in the future, or further back than offline work goes (as a note's). */
  z.object({ code: z.literal('measurements.time'), params: NoParams }),
  /** Amended as often as its history holds (shared/plan.ts MAX_MEASUREMENT_VERSIONS). */
  z.object({ code: z.literal('measurements.history-full'), params: z.object({ limit: z.number().int() }) }),
  // The plan's contract: its keys and the kinds of their values.
  z.object({ code: z.literal('meta.unknown-key'), params: z.object({ key: Name }) }),
  z.object({ code: z.literal('meta.required'), params: z.object({ key: Name }) }),
  z.object({ code: z.literal('meta.named-keys-only'), params: NoParams }),
  z.object({ code: z.literal('entry.not-a-map'), params: z.object({ section: Name }) }),
  z.object({ code: z.literal('entry.unknown-key'), params: z.object({ section: Name, key: Name }) }),
  z.object({ code: z.literal('entry.named-keys-only'), params: NoParams }),
  z.object({ code: z.literal('entry.id-fixed'), params: NoParams }),
  z.object({ code: z.literal('entry.id-taken'), params: NoParams }),
  /** A new note's time in the future, or further back than offline work goes (notes-time.ts). */
  z.object({ code: z.literal('notes.time'), params: NoParams }),
  /** `key`: where in the entry or meta; null for the entry as a whole. */
  z.object({
    code: z.literal('value.invalid'),
    params: z.object({ key: Name.nullable(), problem: ValueProblem, limit: z.number().int().optional() }),
  }),
  // The update as a whole.
  z.object({ code: z.literal('update.too-deep'), params: z.object({ limit: z.number().int() }) }),
  z.object({ code: z.literal('update.unapplicable'), params: NoParams }),
  z.object({ code: z.literal('update.unchecked'), params: NoParams }),
  /** Written with the Yjs client id of the server or of another person (server/collab/update-clients.ts). */
  z.object({ code: z.literal('update.foreign-client'), params: NoParams }),
  z.object({ code: z.literal('update.too-many-clients'), params: z.object({ limit: z.number().int() }) }),
  z.object({ code: z.literal('update.clock-jump'), params: z.object({ limit: z.number().int() }) }),
]);
export type Refusal = z.infer<typeof Refusal>;
export type RefusalCode = Refusal['code'];
export const REFUSAL_CODES: readonly RefusalCode[] = Refusal.options.map((o) => o.shape.code.value);

type ParamsOf<C extends RefusalCode> = Extract<Refusal, { code: C }>['params'];

/** A refusal with its parameters (those without take none). */
export function refusal<C extends RefusalCode>(
  code: C,
  ...params: {} extends ParamsOf<C> ? [] : [ParamsOf<C>]
): Refusal {
  return { code, params: params[0] ?? {} } as Refusal;
}

const SECTOR_NAMES: Record<Sector, string> = {
  hospital: 'the hospital',
  municipality: 'the municipality',
  general_practice: 'general practice',
};

const PROBLEMS: Record<ValueProblem, (limit: number | undefined) => string> = {
  'too-many-parts': (limit) => `the value has more than ${limit} parts`,
  'too-long': (limit) => `the value is longer than ${limit} characters`,
  'too-deep': (limit) => `the value nests deeper than ${limit} levels`,
  'not-json': () => 'only plain JSON values are allowed here',
  'plain-only': () => 'holds a plain value',
  'not-rich-text': () => 'rich text holds the plan’s Tiptap nodes and marks only',
  missing: () => 'a value must be set',
  schema: () => 'not a value the care plan allows',
};

/** The refusal in plain English: for y-websocket clients that are not CareHub's, and close reasons. */
export function refusalText(r: Refusal): string {
  switch (r.code) {
    case 'section.unknown':
      return `"${r.params.section}" is not a section of the care plan`;
    case 'section.entries-only':
      return `${r.params.section} holds a list of entries only`;
    case 'access.read-only':
      return 'this access is read-only';
    case 'role.admin':
      return 'administrators do not edit care plans';
    case 'role.citizen':
      return 'citizens may add their own measurements only';
    case 'role.staff-only':
      return 'only care staff edit the plan';
    case 'conflicts.server-only':
      return 'conflict flags are kept by the server; confirm a value instead';
    case 'conflicts.new-entry':
      return 'conflict flags are kept by the server; a new entry cannot carry one';
    case 'results.systems-only':
      return 'results are filed by lab and imaging systems only';
    case 'self-reports.citizen-only':
      return 'only the citizen writes their own measurements';
    case 'meta.prescribers-only':
      return 'only hospital doctors and GPs change the plan’s title, status and conditions';
    case 'medications.prescribers-only':
      return 'only hospital doctors and GPs change medications';
    case 'tasks.owner-changes':
      return `only ${ownerText(r.params.owner)}, which owns this task, may change its ${r.params.field}`;
    case 'tasks.owner-removes':
      return `only ${ownerText(r.params.owner)}, which owns this task, may remove it`;
    case 'notes.own-name':
      return 'a note is written in your own name';
    case 'notes.own-sector':
      return 'a note carries your own sector';
    case 'notes.author-only':
      return 'only the author may edit or remove a note';
    case 'notes.fixed':
      return 'a note’s author, sector, time and the note it amends are fixed';
    case 'notes.signed':
      return 'a signed note is locked; write an addendum to correct it';
    case 'measurements.server-stamps':
      return 'the server records who measured and what an amendment replaced';
    case 'measurements.new-final':
      return 'a new measurement is final';
    case 'measurements.no-removal':
      return 'a measurement is never removed; mark it entered in error instead';
    case 'measurements.performer-only':
      return 'only the one who measured may amend a measurement or mark it entered in error';
    case 'measurements.fixed':
      return 'a measurement’s id, code, performer and history are fixed';
    case 'measurements.status':
      return 'a measurement can only be marked entered in error; an amendment marks itself';
    case 'measurements.withdrawn':
      return 'a measurement marked entered in error is not changed again';
    case 'measurements.implausible':
      return r.params.key === 'unit'
        ? 'the unit is not the one this measurement is recorded in'
        : 'the value is outside what this measurement can be';
    case 'measurements.time':
      return 'a measurement’s time must be when it was taken: not in the future, at most 30 days ago';
    case 'measurements.history-full':
      return `a measurement is amended at most ${r.params.limit} times; mark it entered in error and record it anew`;
    case 'meta.unknown-key':
      return `"${r.params.key}" is not a key of the plan’s meta section`;
    case 'meta.required':
      return `the plan’s ${r.params.key} cannot be removed`;
    case 'meta.named-keys-only':
      return 'meta holds named keys only';
    case 'entry.not-a-map':
      return `entries of ${r.params.section} must be maps with the contract’s keys`;
    case 'entry.unknown-key':
      return `"${r.params.key}" is not a key of ${r.params.section} entries`;
    case 'entry.named-keys-only':
      return 'an entry holds named keys only';
    case 'entry.id-fixed':
      return 'an entry’s id is given when it is added and never changes';
    case 'entry.id-taken':
      return 'another entry already has this id';
    case 'notes.time':
      return 'a note’s time must be now, or when it was written offline (at most 30 days ago)';
    case 'value.invalid': {
      const problem = PROBLEMS[r.params.problem](r.params.limit);
      return r.params.key === null ? `the entry would be invalid: ${problem}` : `${r.params.key}: ${problem}`;
    }
    case 'update.too-deep':
      return `the change nests deeper than ${r.params.limit} levels`;
    case 'update.unapplicable':
      return 'the update could not be applied';
    case 'update.unchecked':
      return 'the change could not be checked, so none of it was kept';
    case 'update.foreign-client':
      return 'the change is written under the identity of another editor or of the server';
    case 'update.too-many-clients':
      return `the change is written under more than ${r.params.limit} editor identities`;
    case 'update.clock-jump':
      return `the change skips more than ${r.params.limit} steps ahead`;
    default: {
      const unknown: never = r;
      return `refused (${String((unknown as Refusal).code)})`;
    }
  }
}

function ownerText(owner: Sector | null): string {
  return owner === null ? 'another sector' : SECTOR_NAMES[owner];
}

/**
 * The y-websocket "permission denied" reason (a string, for every client): where, the English
 * sentence, then the code and its parameters for clients that word it themselves:
 * `medications.dose: only hospital doctors and GPs change medications [medications.prescribers-only]`.
 */
export function refusalMessage(section: string, key: string | null, r: Refusal): string {
  const params = Object.keys(r.params).length > 0 ? ` ${JSON.stringify(r.params)}` : '';
  return `${section}${key ? `.${key}` : ''}: ${refusalText(r)} [${r.code}${params}]`;
}

const MESSAGE = /^(?:(\w+)(?:\.[^:\s]+)?: )?(.*?)(?: \[([a-z-]+\.[a-z-]+)(?: (\{.*\}))?\])?$/s;

/**
 * A "permission denied" reason read back: the section it names, the refusal when its code and
 * parameters are ones this client knows (null for a newer server's or a stock server's), and
 * the English sentence to show then.
 */
export function parseRefusalMessage(message: string): {
  section: string | null;
  refusal: Refusal | null;
  text: string;
} {
  const m = MESSAGE.exec(message);
  if (!m) return { section: null, refusal: null, text: message };
  let refusal: Refusal | null = null;
  if (m[3]) {
    try {
      const parsed = Refusal.safeParse({ code: m[3], params: m[4] ? (JSON.parse(m[4]) as unknown) : {} });
      refusal = parsed.success ? parsed.data : null;
    } catch {
      refusal = null;
    }
  }
  return { section: m[1] ?? null, refusal, text: m[2] ?? message };
}
