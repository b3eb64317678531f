import type { Role, Sector } from './roles.ts';
import { isStaff } from './roles.ts';
import { isSectionName, MAX_MEASUREMENT_VERSIONS, type SectionName } from './plan.ts';
import { refusal, type Refusal } from './refusals.ts';

/**
 * The permission table of the care plan (docs/ARCHITECTURE.md, "The permission model"), as
 * pure functions. The server calls them on every incoming CRDT update; the UI calls the same
 * functions to disable what a role may not change, and words the same refusal.
 *
 * | section     | who may write                                                            |
 * | meta        | hospital doctor, GP                                                      |
 * | goals       | all staff                                                                |
 * | tasks       | all staff add and edit; only the owning sector changes status, assignee, |
 * |             | recurrence, series, the owning sector itself (a handover), or removes it |
 * | medications | hospital doctor, GP                                                      |
 * | notes       | all staff add as themselves; only the author edits, signs or removes     |
 * |             | an unsigned note; a signed note is locked for everyone (an addendum,     |
 * |             | a note that `amends` it, corrects it)                                    |
 * | selfReports | the citizen of this plan only                                            |
 * | measurements| all staff add (final, without performer or history: the server stamps     |
 * |             | them); only the performer amends or marks entered-in-error; none removes |
 * | results     | the server only                                                          |
 */
export interface Actor {
  userId: string;
  role: Role;
  /** The sector of the actor's organisation; null for citizens and administrators. */
  sector: Sector | null;
  /** A read-only access (an embed link given for reading): every write is refused. */
  readOnly?: boolean;
}

/** A refusal is a code with parameters (shared/refusals.ts): the client words it. */
export type Decision = { allowed: true } | { allowed: false; refusal: Refusal };

export type Operation =
  /** Set or remove a key of `meta`. */
  | { op: 'meta'; key: string }
  /** Add a new entry to a list section. */
  | { op: 'add'; entry: Readonly<Record<string, unknown>> }
  /** Remove an entry. `entry` is the entry as it was. */
  | { op: 'remove'; entry: Readonly<Record<string, unknown>> }
  /**
   * Change one key of an existing entry (set, overwrite, remove, or edit its rich text). `next`
   * is the key's new value where a rule reads it (a measurement's status); absent, such a rule
   * refuses.
   */
  | { op: 'change'; key: string; entry: Readonly<Record<string, unknown>>; next?: unknown };

const ALLOW: Decision = { allowed: true };
const deny = (r: Refusal): Decision => ({ allowed: false, refusal: r });

type TaskOwnerKey = Extract<Refusal, { code: 'tasks.owner-changes' }>['params']['field'];
/** Keys of a task that only its owning sector may change. */
export const TASK_OWNER_KEYS: readonly TaskOwnerKey[] = ['status', 'assignee', 'sector', 'recurrence', 'series'];
const isTaskOwnerKey = (key: string): key is TaskOwnerKey => (TASK_OWNER_KEYS as readonly string[]).includes(key);
/** Keys that only the server writes on any entry (conflict flags). */
export const SERVER_ONLY_KEYS: readonly string[] = ['conflicts'];

const PRESCRIBERS: readonly Role[] = ['hospital_doctor', 'gp'];

const SECTORS: readonly string[] = ['hospital', 'municipality', 'general_practice'] satisfies Sector[];

/** May `actor` perform `operation` on `section`? Pure; the same answer on server and client. */
export function decide(actor: Actor, section: string, operation: Operation): Decision {
  if (!isSectionName(section)) return deny(refusal('section.unknown', { section }));
  if (actor.readOnly) return deny(refusal('access.read-only'));
  if (actor.role === 'admin') return deny(refusal('role.admin'));
  // Before any role's rule: a conflict flag is the server's record of two people's values,
  // never a client's, whether set on an entry or brought along with a new one.
  if (operation.op === 'change' && SERVER_ONLY_KEYS.includes(operation.key)) {
    return deny(refusal('conflicts.server-only'));
  }
  if (operation.op === 'add' && SERVER_ONLY_KEYS.some((key) => Object.hasOwn(operation.entry, key))) {
    return deny(refusal('conflicts.new-entry'));
  }
  // An entry's id names it in the history, the FHIR views and links: given once, on add
  // (measurements say so in their own words, with the rest of what is fixed on them).
  if (operation.op === 'change' && operation.key === 'id' && section !== 'measurements')
    return deny(refusal('entry.id-fixed'));
  if (actor.role === 'citizen') {
    return section === 'selfReports' ? ALLOW : deny(refusal('role.citizen'));
  }
  if (section === 'results') return deny(refusal('results.systems-only'));
  if (section === 'selfReports') return deny(refusal('self-reports.citizen-only'));
  return decideStaff(actor, section, operation);
}

/** Keys of a measurement the server writes: who measured, and what an amendment replaced. */
export const MEASUREMENT_SERVER_KEYS: readonly string[] = ['performer', 'previous'];
/** Keys of a measurement nobody changes once it is recorded. */
const MEASUREMENT_FIXED_KEYS: readonly string[] = ['id', 'code', ...MEASUREMENT_SERVER_KEYS];

/** The user id of who measured, as the server stamped it. */
export function performerOf(entry: Readonly<Record<string, unknown>>): string | null {
  const p = entry.performer;
  if (typeof p !== 'object' || p === null) return null;
  const user = (p as Record<string, unknown>).user;
  return typeof user === 'string' ? user : null;
}

function decideMeasurement(actor: Actor, operation: Operation): Decision {
  if (operation.op === 'meta') return deny(refusal('section.entries-only', { section: 'measurements' }));
  if (operation.op === 'add') {
    if (MEASUREMENT_SERVER_KEYS.some((key) => Object.hasOwn(operation.entry, key)))
      return deny(refusal('measurements.server-stamps'));
    return operation.entry.status === 'final' ? ALLOW : deny(refusal('measurements.new-final'));
  }
  if (operation.op === 'remove') return deny(refusal('measurements.no-removal'));
  if (performerOf(operation.entry) !== actor.userId) return deny(refusal('measurements.performer-only'));
  if (operation.entry.status === 'entered-in-error') return deny(refusal('measurements.withdrawn'));
  if (MEASUREMENT_FIXED_KEYS.includes(operation.key)) return deny(refusal('measurements.fixed'));
  if (operation.key === 'status' && operation.next !== 'entered-in-error') return deny(refusal('measurements.status'));
  // Every change keeps a version in `previous`: amendments stop one short of its limit, so that
  // marking the measurement entered-in-error always has its place.
  const versions = Array.isArray(operation.entry.previous) ? operation.entry.previous.length : 0;
  if (versions >= MAX_MEASUREMENT_VERSIONS - 1 && operation.key !== 'status')
    return deny(refusal('measurements.history-full', { limit: MAX_MEASUREMENT_VERSIONS - 1 }));
  return ALLOW;
}

function decideStaff(
  actor: Actor,
  section: Exclude<SectionName, 'results' | 'selfReports'>,
  operation: Operation,
): Decision {
  if (!isStaff(actor.role) || actor.sector === null) return deny(refusal('role.staff-only'));
  switch (section) {
    case 'meta':
      return PRESCRIBERS.includes(actor.role) ? ALLOW : deny(refusal('meta.prescribers-only'));
    case 'medications':
      return PRESCRIBERS.includes(actor.role) ? ALLOW : deny(refusal('medications.prescribers-only'));
    case 'goals':
      return operation.op === 'meta' ? deny(refusal('section.entries-only', { section })) : ALLOW;
    case 'tasks':
      return decideTask(actor, operation);
    case 'notes':
      return decideNote(actor, operation);
    case 'measurements':
      return decideMeasurement(actor, operation);
    default: {
      const unhandled: never = section;
      return deny(refusal('section.unknown', { section: String(unhandled) }));
    }
  }
}

function decideTask(actor: Actor, operation: Operation): Decision {
  if (operation.op === 'meta') return deny(refusal('section.entries-only', { section: 'tasks' }));
  if (operation.op === 'add') return ALLOW;
  const owner = operation.entry.sector;
  const owns = owner === actor.sector;
  const ownerSector = typeof owner === 'string' && SECTORS.includes(owner) ? (owner as Sector) : null;
  if (operation.op === 'remove') return owns ? ALLOW : deny(refusal('tasks.owner-removes', { owner: ownerSector }));
  if (isTaskOwnerKey(operation.key) && !owns)
    return deny(refusal('tasks.owner-changes', { owner: ownerSector, field: operation.key }));
  return ALLOW;
}

/** Keys of a note set when it is written and never changed. */
const NOTE_FIXED_KEYS: readonly string[] = ['author', 'sector', 'created', 'amends'];

/** Has the note been signed (and so locked)? */
export function isSigned(note: Readonly<Record<string, unknown>>): boolean {
  return typeof note.signed === 'string' && note.signed.length > 0;
}

function decideNote(actor: Actor, operation: Operation): Decision {
  if (operation.op === 'meta') return deny(refusal('section.entries-only', { section: 'notes' }));
  if (operation.op === 'add') {
    if (operation.entry.author !== actor.userId) return deny(refusal('notes.own-name'));
    if (operation.entry.sector !== actor.sector) return deny(refusal('notes.own-sector'));
    return ALLOW;
  }
  // Signed is locked, for its author too: a correction is an addendum that keeps the original.
  if (isSigned(operation.entry)) return deny(refusal('notes.signed'));
  if (operation.entry.author !== actor.userId) return deny(refusal('notes.author-only'));
  if (operation.op === 'change' && NOTE_FIXED_KEYS.includes(operation.key)) return deny(refusal('notes.fixed'));
  return ALLOW;
}

/** Convenience for the UI: may the actor edit this key of this entry? */
export function canChange(
  actor: Actor,
  section: string,
  key: string,
  entry: Readonly<Record<string, unknown>>,
  next?: unknown,
): Decision {
  return decide(actor, section, { op: 'change', key, entry, next });
}

/** Convenience for the UI: may the actor add entries to this section at all? */
export function canAdd(actor: Actor, section: string): Decision {
  const probe: Record<string, unknown> = { author: actor.userId, sector: actor.sector, status: 'final' };
  return decide(actor, section, section === 'meta' ? { op: 'meta', key: 'title' } : { op: 'add', entry: probe });
}
