import type { Role, Sector } from './roles.ts';
import { isStaff } from './roles.ts';
import { isSectionName, type SectionName } from './plan.ts';

/**
 * The permission table of the care plan (DESIGN.md, "The care plan document"), as pure
 * functions. The server calls them on every incoming CRDT update; the UI calls the same
 * functions to disable what a role may not change, with the same reason.
 *
 * | section     | who may write                                                            |
 * | meta        | hospital doctor, GP                                                      |
 * | goals       | all staff                                                                |
 * | tasks       | all staff add and edit; only the owning sector changes status, assignee, |
 * |             | the owning sector itself (a handover), or removes the task               |
 * | medications | hospital doctor, GP                                                      |
 * | notes       | all staff add as themselves; only the author edits or removes            |
 * | selfReports | the citizen of this plan only                                            |
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

export type Decision = { allowed: true } | { allowed: false; reason: string };

export type Operation =
  /** Set or remove a key of `meta`. */
  | { op: 'meta'; key: string }
  /** Add a new entry to a list section. */
  | { op: 'add'; entry: Readonly<Record<string, unknown>> }
  /** Remove an entry. `entry` is the entry as it was. */
  | { op: 'remove'; entry: Readonly<Record<string, unknown>> }
  /** Change one key of an existing entry (set, overwrite, remove, or edit its rich text). */
  | { op: 'change'; key: string; entry: Readonly<Record<string, unknown>> };

const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** Keys of a task that only its owning sector may change. */
export const TASK_OWNER_KEYS: readonly string[] = ['status', 'assignee', 'sector'];
/** Keys that only the server writes on any entry (conflict flags). */
export const SERVER_ONLY_KEYS: readonly string[] = ['conflicts'];

const PRESCRIBERS: readonly Role[] = ['hospital_doctor', 'gp'];

const SECTOR_NAMES: Record<Sector, string> = {
  hospital: 'the hospital',
  municipality: 'the municipality',
  general_practice: 'general practice',
};

/** May `actor` perform `operation` on `section`? Pure; the same answer on server and client. */
export function decide(actor: Actor, section: string, operation: Operation): Decision {
  if (!isSectionName(section)) return deny(`"${section}" is not a section of the care plan`);
  if (actor.readOnly) return deny('this access is read-only');
  if (actor.role === 'admin') return deny('administrators do not edit care plans');
  // Before any role's rule: a conflict flag is the server's record of two people's values,
  // never a client's, whether set on an entry or brought along with a new one.
  if (operation.op === 'change' && SERVER_ONLY_KEYS.includes(operation.key)) {
    return deny('conflict flags are kept by the server; confirm a value instead');
  }
  if (operation.op === 'add' && SERVER_ONLY_KEYS.some((key) => Object.hasOwn(operation.entry, key))) {
    return deny('conflict flags are kept by the server; a new entry cannot carry one');
  }
  if (actor.role === 'citizen') {
    return section === 'selfReports' ? ALLOW : deny('citizens may add their own measurements only');
  }
  if (section === 'results') return deny('results are filed by lab and imaging systems only');
  if (section === 'selfReports') return deny('only the citizen writes their own measurements');
  return decideStaff(actor, section, operation);
}

function decideStaff(actor: Actor, section: Exclude<SectionName, 'results' | 'selfReports'>, operation: Operation): Decision {
  if (!isStaff(actor.role) || actor.sector === null) return deny('only care staff edit the plan');
  switch (section) {
    case 'meta':
      return PRESCRIBERS.includes(actor.role) ? ALLOW : deny('only hospital doctors and GPs change the plan’s title, status and conditions');
    case 'medications':
      return PRESCRIBERS.includes(actor.role) ? ALLOW : deny('only hospital doctors and GPs change medications');
    case 'goals':
      return operation.op === 'meta' ? deny('goals are entries') : ALLOW;
    case 'tasks':
      return decideTask(actor, operation);
    case 'notes':
      return decideNote(actor, operation);
    default: {
      const unhandled: never = section;
      return deny(`unknown section ${String(unhandled)}`);
    }
  }
}

function decideTask(actor: Actor, operation: Operation): Decision {
  if (operation.op === 'meta') return deny('tasks are entries');
  if (operation.op === 'add') return ALLOW;
  const owner = operation.entry.sector;
  const owns = owner === actor.sector;
  const ownerName = typeof owner === 'string' && owner in SECTOR_NAMES ? SECTOR_NAMES[owner as Sector] : 'another sector';
  if (operation.op === 'remove') return owns ? ALLOW : deny(`only ${ownerName}, which owns this task, may remove it`);
  if (TASK_OWNER_KEYS.includes(operation.key) && !owns) {
    return deny(`only ${ownerName}, which owns this task, may change its ${operation.key}`);
  }
  return ALLOW;
}

function decideNote(actor: Actor, operation: Operation): Decision {
  if (operation.op === 'meta') return deny('notes are entries');
  if (operation.op === 'add') {
    if (operation.entry.author !== actor.userId) return deny('a note is written in your own name');
    if (operation.entry.sector !== actor.sector) return deny('a note carries your own sector');
    return ALLOW;
  }
  if (operation.entry.author !== actor.userId) return deny('only the author may edit or remove a note');
  if (operation.op === 'change' && (operation.key === 'author' || operation.key === 'sector' || operation.key === 'created')) {
    return deny('a note’s author, sector and time are fixed');
  }
  return ALLOW;
}

/** Convenience for the UI: may the actor edit this key of this entry? */
export function canChange(actor: Actor, section: string, key: string, entry: Readonly<Record<string, unknown>>): Decision {
  return decide(actor, section, { op: 'change', key, entry });
}

/** Convenience for the UI: may the actor add entries to this section at all? */
export function canAdd(actor: Actor, section: string): Decision {
  const probe: Record<string, unknown> = { author: actor.userId, sector: actor.sector };
  return decide(actor, section, section === 'meta' ? { op: 'meta', key: 'title' } : { op: 'add', entry: probe });
}
