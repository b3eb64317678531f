import type { Refusal, RefusalCode, ValueProblem } from '../../../shared/refusals.ts';
import type { Sector } from '../../../shared/roles.ts';
import type { MessageKey } from './da.ts';
import type { Translate } from './translate.ts';

/**
 * A refusal (shared/refusals.ts: a code and its parameters) in the reader's language: for a
 * change the server refused, and for a control the permission table disables. `null`, a
 * refusal this client could not read (a code from a newer server), is said in general words.
 */
export function wordRefusal(refusal: Refusal | null, t: Translate): string {
  if (!refusal) return t('refusal.unknown');
  const key = CODES[refusal.code];
  switch (refusal.code) {
    case 'section.unknown':
      return t(key, { section: refusal.params.section });
    case 'tasks.owner-changes':
      return t(key, { owner: ownerName(refusal.params.owner, t), field: t(FIELDS[refusal.params.field]) });
    case 'tasks.owner-removes':
      return t(key, { owner: ownerName(refusal.params.owner, t) });
    case 'meta.unknown-key':
    case 'meta.required':
      return t(key, { key: refusal.params.key });
    case 'entry.unknown-key':
      return t(key, { key: refusal.params.key });
    case 'value.invalid': {
      const { key: field, problem, limit } = refusal.params;
      return t(key, {
        field: field ?? t('refusal.field.entry'),
        problem: t(PROBLEMS[problem], limit === undefined ? undefined : { limit }),
      });
    }
    case 'update.too-deep':
    case 'update.too-many-clients':
    case 'update.clock-jump':
    case 'measurements.history-full':
      return t(key, { limit: refusal.params.limit });
    case 'measurements.implausible':
      return t(refusal.params.key === 'unit' ? 'refusal.code.measurements.implausible-unit' : key);
    default:
      return t(key);
  }
}

/** The owner of a task as refusals name it (`the hospital` / `hospitalet`). */
export function ownerName(sector: unknown, t: Translate): string {
  if (sector === 'hospital' || sector === 'municipality' || sector === 'general_practice') return t(OWNERS[sector]);
  return t('refusal.owner.other');
}

/** Every code's message: a code without one fails to compile. */
const CODES: Readonly<Record<RefusalCode, MessageKey>> = {
  'section.unknown': 'refusal.code.section.unknown',
  'section.entries-only': 'refusal.code.section.entries-only',
  'access.read-only': 'refusal.code.access.read-only',
  'role.admin': 'refusal.code.role.admin',
  'role.citizen': 'refusal.code.role.citizen',
  'role.staff-only': 'refusal.code.role.staff-only',
  'conflicts.server-only': 'refusal.code.conflicts.server-only',
  'conflicts.new-entry': 'refusal.code.conflicts.new-entry',
  'results.systems-only': 'refusal.code.results.systems-only',
  'self-reports.citizen-only': 'refusal.code.self-reports.citizen-only',
  'meta.prescribers-only': 'refusal.code.meta.prescribers-only',
  'medications.prescribers-only': 'refusal.code.medications.prescribers-only',
  'tasks.owner-changes': 'refusal.code.tasks.owner-changes',
  'tasks.owner-removes': 'refusal.code.tasks.owner-removes',
  'notes.own-name': 'refusal.code.notes.own-name',
  'notes.own-sector': 'refusal.code.notes.own-sector',
  'notes.author-only': 'refusal.code.notes.author-only',
  'notes.fixed': 'refusal.code.notes.fixed',
  'notes.signed': 'refusal.code.notes.signed',
  'measurements.server-stamps': 'refusal.code.measurements.server-stamps',
  'measurements.new-final': 'refusal.code.measurements.new-final',
  'measurements.no-removal': 'refusal.code.measurements.no-removal',
  'measurements.performer-only': 'refusal.code.measurements.performer-only',
  'measurements.fixed': 'refusal.code.measurements.fixed',
  'measurements.status': 'refusal.code.measurements.status',
  'measurements.withdrawn': 'refusal.code.measurements.withdrawn',
  'measurements.implausible': 'refusal.code.measurements.implausible',
  'measurements.time': 'refusal.code.measurements.time',
  'measurements.history-full': 'refusal.code.measurements.history-full',
  'meta.unknown-key': 'refusal.code.meta.unknown-key',
  'meta.required': 'refusal.code.meta.required',
  'meta.named-keys-only': 'refusal.code.meta.named-keys-only',
  'entry.not-a-map': 'refusal.code.entry.not-a-map',
  'entry.unknown-key': 'refusal.code.entry.unknown-key',
  'entry.named-keys-only': 'refusal.code.entry.named-keys-only',
  'entry.id-fixed': 'refusal.code.entry.id-fixed',
  'entry.id-taken': 'refusal.code.entry.id-taken',
  'notes.time': 'refusal.code.notes.time',
  'value.invalid': 'refusal.code.value.invalid',
  'update.too-deep': 'refusal.code.update.too-deep',
  'update.unapplicable': 'refusal.code.update.unapplicable',
  'update.unchecked': 'refusal.code.update.unchecked',
  'update.foreign-client': 'refusal.code.update.foreign-client',
  'update.too-many-clients': 'refusal.code.update.too-many-clients',
  'update.clock-jump': 'refusal.code.update.clock-jump',
};

const PROBLEMS: Readonly<Record<ValueProblem, MessageKey>> = {
  'too-many-parts': 'refusal.problem.too-many-parts',
  'too-long': 'refusal.problem.too-long',
  'too-deep': 'refusal.problem.too-deep',
  'not-json': 'refusal.problem.not-json',
  'plain-only': 'refusal.problem.plain-only',
  'not-rich-text': 'refusal.problem.not-rich-text',
  missing: 'refusal.problem.missing',
  schema: 'refusal.problem.schema',
};

const OWNERS: Readonly<Record<Sector, MessageKey>> = {
  hospital: 'refusal.owner.hospital',
  municipality: 'refusal.owner.municipality',
  general_practice: 'refusal.owner.general_practice',
};

const FIELDS: Readonly<Record<'status' | 'assignee' | 'sector' | 'recurrence' | 'series', MessageKey>> = {
  status: 'refusal.field.status',
  assignee: 'refusal.field.assignee',
  sector: 'refusal.field.sector',
  recurrence: 'refusal.field.recurrence',
  series: 'refusal.field.series',
};
